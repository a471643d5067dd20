from django.db import migrations, models


class Migration(migrations.Migration):
    """The addressee index also serves prefix searches (country and postcode) for split shipments."""

    dependencies = [("clearance", "0011_terms_of_delivery_and_prepaid")]

    operations = [
        migrations.RemoveIndex(model_name="consignment", name="consignment_addressee_idx"),
        migrations.AddIndex(
            model_name="consignment",
            index=models.Index(
                fields=["addressee_key", "pre_advised_at"],
                name="consignment_addressee_idx",
                opclasses=["text_pattern_ops", "timestamptz_ops"],
            ),
        ),
    ]
