"""A dispute becomes one kind of case (disputes, refund claims, appeals); existing disputes are kept as cases."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clearance", "0010_line_corrections"),
        ("payments", "0006_charge_adjustments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="dispute", name="dispute_one_open_per_item"),
        migrations.RenameModel(old_name="Dispute", new_name="Case"),
        migrations.AlterField(
            model_name="case",
            name="consignment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="cases", to="clearance.consignment"
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="assessment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="cases", to="payments.assessment"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="kind",
            field=models.CharField(
                choices=[
                    ("DISPUTE", "Dispute of charges still due"),
                    ("REFUND", "Refund claim after payment"),
                    ("APPEAL", "Appeal against a rejected case"),
                ],
                default="DISPUTE",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="grounds",
            field=models.CharField(
                choices=[
                    ("VALUE_WRONG", "The value is wrong"),
                    ("CLASSIFICATION_WRONG", "The goods are classified wrongly"),
                    ("CHARGED_TWICE", "I was charged twice"),
                    ("RETURNED", "The goods went back to the sender"),
                    ("NOT_DELIVERED", "The parcel never reached me"),
                    ("OTHER", "Something else"),
                ],
                default="OTHER",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="channel",
            field=models.CharField(
                choices=[
                    ("PORTAL", "Payment portal"),
                    ("TRADER", "Trader account"),
                    ("OPERATOR", "Postal operator API"),
                ],
                default="PORTAL",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="language",
            field=models.CharField(default="en", help_text="The payer's language, for the e-mails", max_length=8),
        ),
        migrations.AddField(
            model_name="case",
            name="deadline",
            field=models.DateTimeField(default=django.utils.timezone.now, help_text="When customs must have answered"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="case",
            name="payment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="payments.payment",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="appeal_of",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appeal",
                to="payments.case",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="corrected_assessment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="payments.assessment",
            ),
        ),
        migrations.AlterModelOptions(name="case", options={"ordering": ["deadline", "id"]}),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "OPEN")), fields=("consignment",), name="case_one_open_per_item"
            ),
        ),
    ]
