"""The shipped tariff file (UK Global Tariff 2021 beside the EU CET 2020) as EU and UK duty rates."""

from django.db import migrations


def seed(apps, schema_editor):
    from law import seed as regimes

    regimes.seed_tariffs(lambda name: apps.get_model("payments", name))


class Migration(migrations.Migration):
    dependencies = [("payments", "0010_duty_rate_specific")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
