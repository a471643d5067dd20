"""The Time Release Study summaries, moved here from the clearance app: the state only, the tables exist."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("clearance", "0009_trs_summaries_move_to_performance"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="TrsBucket",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("dimension", models.CharField(max_length=10)),
                        ("value", models.CharField(blank=True, max_length=64)),
                        ("measure", models.CharField(max_length=24)),
                        ("bucket", models.SmallIntegerField()),
                        ("count", models.PositiveIntegerField()),
                        ("total_seconds", models.FloatField(help_text="Sum of the durations, for an exact mean")),
                    ],
                    options={
                        "db_table": "clearance_trsbucket",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("dimension", "day", "value", "measure", "bucket"), name="trs_bucket_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="TrsDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("dimension", models.CharField(max_length=10)),
                        ("value", models.CharField(blank=True, max_length=64)),
                        ("items", models.PositiveIntegerField(default=0)),
                        ("arrived", models.PositiveIntegerField(default=0)),
                        ("decided", models.PositiveIntegerField(default=0)),
                        ("decided_before_arrival", models.PositiveIntegerField(default=0)),
                        (
                            "charged",
                            models.PositiveIntegerField(default=0, help_text="Items whose decision asked for charges"),
                        ),
                        ("released", models.PositiveIntegerField(default=0)),
                        ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "clearance_trsday",
                        "constraints": [
                            models.UniqueConstraint(fields=("dimension", "day", "value"), name="trs_day_unique")
                        ],
                    },
                ),
            ],
        ),
    ]
