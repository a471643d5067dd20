"""The shipped catalogue of prohibited and restricted goods, in force (risk/data/goods_catalogue.csv)."""

from django.db import migrations


def seed(apps, schema_editor):
    from risk.catalogue import catalogue_seed

    catalogue_seed(apps.get_model("risk", "Rule"))


class Migration(migrations.Migration):
    dependencies = [("risk", "0005_rule_source")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
