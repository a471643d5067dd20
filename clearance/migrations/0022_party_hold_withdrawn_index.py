from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clearance", "0021_content_line_permit_number"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="partyhold",
            index=models.Index(
                condition=models.Q(("kind", "WITHDRAWN")), fields=["item_id"], name="party_hold_withdrawn_idx"
            ),
        ),
    ]
