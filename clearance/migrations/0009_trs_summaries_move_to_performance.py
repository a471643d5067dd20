"""The Time Release Study summaries moved to the performance app; their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clearance", "0008_claim_takeovers_seizure_withdrawal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TrsBucket"),
                migrations.DeleteModel(name="TrsDay"),
            ],
            database_operations=[],
        ),
    ]
