"""The EU, UK, US and BiH regimes with their law, and exchange rates from the ECB file."""

from django.db import migrations


def seed(apps, schema_editor):
    from law import seed as regimes

    def get_model(name):
        return apps.get_model("payments", name)

    regimes.seed_regimes(get_model)
    regimes.seed_exchange_rates(get_model)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
