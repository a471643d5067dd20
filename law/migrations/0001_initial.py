"""The law's models, moved from the payments app: their tables stay as they are (payments 0012 lets go of them)."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("payments", "0011_seed_tariffs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Regime",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("code", models.SlugField(max_length=8, unique=True)),
                        ("name", models.CharField(max_length=100)),
                        (
                            "currency",
                            models.CharField(help_text="ISO 4217 code of the regime's currency", max_length=3),
                        ),
                        (
                            "countries",
                            models.JSONField(
                                default=list, help_text="ISO 3166 alpha-2 codes of the destination countries"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_regime",
                        "abstract": False,
                    },
                ),
                migrations.CreateModel(
                    name="FlatDuty",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_to",
                            models.DateField(
                                blank=True, help_text="Last day in force; empty: until replaced", null=True
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, help_text="Legal basis or publication", max_length=300),
                        ),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=13,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        (
                            "max_intrinsic_value",
                            models.DecimalField(
                                decimal_places=2,
                                help_text="Applies to items up to this intrinsic value",
                                max_digits=13,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        ("applies_with_ioss", models.BooleanField(default=True)),
                        ("applies_without_ioss", models.BooleanField(default=True)),
                        (
                            "regime",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="law.regime"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_flatduty",
                        "verbose_name_plural": "flat duties",
                        "ordering": ["regime", "-valid_from"],
                    },
                ),
                migrations.CreateModel(
                    name="Fee",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_to",
                            models.DateField(
                                blank=True, help_text="Last day in force; empty: until replaced", null=True
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, help_text="Legal basis or publication", max_length=300),
                        ),
                        ("name", models.CharField(max_length=100)),
                        (
                            "basis",
                            models.CharField(
                                choices=[("PER_ITEM", "Per item"), ("PER_TARIFF_LINE", "Per distinct tariff line")],
                                max_length=16,
                            ),
                        ),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=13,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        (
                            "only_when_charges_due",
                            models.BooleanField(
                                default=False,
                                help_text="Collected only when duty or VAT is due (a carrier's collection fee)",
                            ),
                        ),
                        (
                            "regime",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="law.regime"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_fee",
                        "ordering": ["regime", "name", "-valid_from"],
                    },
                ),
                migrations.CreateModel(
                    name="DeMinimis",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_to",
                            models.DateField(
                                blank=True, help_text="Last day in force; empty: until replaced", null=True
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, help_text="Legal basis or publication", max_length=300),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("DUTY", "Customs duty"), ("VAT", "VAT / import tax")], max_length=4
                            ),
                        ),
                        (
                            "basis",
                            models.CharField(
                                choices=[("INTRINSIC", "Intrinsic value of the goods"), ("CIF", "Customs value (CIF)")],
                                default="INTRINSIC",
                                max_length=9,
                            ),
                        ),
                        (
                            "amount",
                            models.DecimalField(
                                decimal_places=2,
                                max_digits=13,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                blank=True,
                                help_text="Item category it is limited to (e.g. GIFT); empty: every category",
                                max_length=20,
                            ),
                        ),
                        (
                            "regime",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="law.regime"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_deminimis",
                        "verbose_name": "de minimis threshold",
                        "ordering": ["regime", "kind", "-valid_from"],
                    },
                ),
                migrations.CreateModel(
                    name="RegimeTerms",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_to",
                            models.DateField(
                                blank=True, help_text="Last day in force; empty: until replaced", null=True
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, help_text="Legal basis or publication", max_length=300),
                        ),
                        (
                            "valuation_basis",
                            models.CharField(
                                choices=[
                                    ("CIF", "CIF: goods, transport and insurance to the border"),
                                    ("FOB", "FOB: transaction value of the goods"),
                                ],
                                max_length=3,
                            ),
                        ),
                        (
                            "rounding_scope",
                            models.CharField(
                                choices=[
                                    ("PER_LINE", "Round each line, then add"),
                                    ("PER_DECLARATION", "Add, then round the totals"),
                                ],
                                default="PER_LINE",
                                max_length=16,
                            ),
                        ),
                        ("rounding_places", models.PositiveSmallIntegerField(default=2)),
                        (
                            "low_value_ceiling",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Intrinsic value above which a full declaration is needed (IRG 4)",
                                max_digits=13,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        (
                            "fx_rule",
                            models.CharField(
                                choices=[
                                    (
                                        "PENULTIMATE_WEDNESDAY",
                                        "Monthly: the rate of the penultimate Wednesday of the month before (EU)",
                                    ),
                                    ("DAILY", "The latest rate published on or before the date"),
                                ],
                                default="DAILY",
                                max_length=24,
                            ),
                        ),
                        (
                            "ioss_accepted",
                            models.BooleanField(
                                default=False, help_text="A valid IOSS number means VAT was paid at sale"
                            ),
                        ),
                        (
                            "ioss_value_cap",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Intrinsic value up to which IOSS applies",
                                max_digits=13,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        (
                            "storage_days",
                            models.PositiveSmallIntegerField(
                                default=20,
                                help_text="Days an item with charges due is kept before it is returned to sender",
                            ),
                        ),
                        (
                            "regime",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="law.regime"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_regimeterms",
                        "verbose_name_plural": "regime terms",
                        "ordering": ["regime", "-valid_from"],
                    },
                ),
                migrations.CreateModel(
                    name="VatRate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_to",
                            models.DateField(
                                blank=True, help_text="Last day in force; empty: until replaced", null=True
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, help_text="Legal basis or publication", max_length=300),
                        ),
                        (
                            "country",
                            models.CharField(blank=True, help_text="Empty: every country of the regime", max_length=2),
                        ),
                        ("hs_prefix", models.CharField(blank=True, max_length=10)),
                        (
                            "rate",
                            models.DecimalField(
                                decimal_places=3,
                                max_digits=7,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        (
                            "regime",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="law.regime"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_vatrate",
                        "ordering": ["regime", "country", "hs_prefix", "-valid_from"],
                    },
                ),
                migrations.CreateModel(
                    name="ExchangeRate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_to",
                            models.DateField(
                                blank=True, help_text="Last day in force; empty: until replaced", null=True
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, help_text="Legal basis or publication", max_length=300),
                        ),
                        ("currency", models.CharField(max_length=3)),
                        (
                            "units_per_regime_unit",
                            models.DecimalField(
                                decimal_places=8,
                                max_digits=20,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        ("published_on", models.DateField(help_text="Date of the published rate this row takes")),
                        (
                            "regime",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="law.regime"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_exchangerate",
                        "ordering": ["regime", "currency", "-valid_from"],
                        "indexes": [models.Index(fields=["regime", "currency", "-valid_from"], name="fx_lookup_idx")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("regime", "currency", "valid_from"), name="fx_unique_regime_day"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DutyRate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_to",
                            models.DateField(
                                blank=True, help_text="Last day in force; empty: until replaced", null=True
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, help_text="Legal basis or publication", max_length=300),
                        ),
                        ("hs_prefix", models.CharField(blank=True, max_length=10)),
                        ("origin_country", models.CharField(blank=True, help_text="Empty: any origin", max_length=2)),
                        (
                            "rate",
                            models.DecimalField(
                                decimal_places=3,
                                max_digits=7,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                            ),
                        ),
                        ("description", models.CharField(blank=True, max_length=200)),
                        (
                            "specific_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                help_text="Specific duty per unit, if any",
                                max_digits=12,
                                null=True,
                            ),
                        ),
                        (
                            "specific_unit",
                            models.CharField(
                                blank=True,
                                help_text="Unit of the specific duty: 100kg, 1000items, item or hl",
                                max_length=10,
                            ),
                        ),
                        (
                            "rate_text",
                            models.CharField(
                                blank=True, help_text="The rate as the tariff file states it", max_length=100
                            ),
                        ),
                        (
                            "regime",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="law.regime"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_dutyrate",
                        "ordering": ["regime", "hs_prefix", "-valid_from"],
                        "indexes": [models.Index(fields=["regime", "hs_prefix"], name="duty_rate_prefix_idx")],
                    },
                ),
            ],
        ),
    ]
