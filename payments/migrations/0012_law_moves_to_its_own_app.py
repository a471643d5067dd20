"""The law's models belong to the law app from here on (law 0001): payments lets go of them in the state only.

The tables and their rows stay; the regime of an assessment or a simulation
run points at the same table, now law's. law 0002 gives the tables law's names.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["DeMinimis", "DutyRate", "ExchangeRate", "Fee", "FlatDuty", "VatRate", "RegimeTerms"]


class Migration(migrations.Migration):
    dependencies = [
        ("law", "0001_initial"),
        ("payments", "0011_seed_tariffs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="simulationrun",
                    name="regime",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="law.regime"
                    ),
                ),
                migrations.AlterField(
                    model_name="assessment",
                    name="regime",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="law.regime",
                    ),
                ),
                *[migrations.RemoveField(model_name=name.lower(), name="regime") for name in MOVED],
                *[migrations.DeleteModel(name=name) for name in MOVED],
                migrations.DeleteModel(name="Regime"),
            ],
        ),
    ]
