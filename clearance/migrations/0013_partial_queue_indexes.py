from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    """The officer queue's indexes hold only held items: a green item's state changes never touch them."""

    dependencies = [("clearance", "0012_addressee_index_for_prefixes")]

    operations = [
        migrations.RemoveIndex(model_name="consignment", name="consignment_queue_lane_idx"),
        migrations.RemoveIndex(model_name="consignment", name="consignment_queue_idx"),
        migrations.AddIndex(
            model_name="consignment",
            index=models.Index(
                condition=Q(state="HELD"), fields=["lane", "-risk_score", "-id"], name="consignment_queue_lane_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="consignment",
            index=models.Index(condition=Q(state="HELD"), fields=["-risk_score", "-id"], name="consignment_queue_idx"),
        ),
    ]
