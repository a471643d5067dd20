"""The law's tables take the law app's names (payments_regime becomes law_regime, …), rows and keys kept.

Their content types move with them, so the permissions granted on them, the
admin's history and any audit entry about a row stay attached.
"""

from django.db import migrations

MODELS = ["deminimis", "dutyrate", "exchangerate", "fee", "flatduty", "regime", "regimeterms", "vatrate"]


def content_types_move(source: str, target: str):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        types = content_type.objects.using(schema_editor.connection.alias)
        for model in MODELS:
            if not types.filter(app_label=target, model=model).exists():
                types.filter(app_label=source, model=model).update(app_label=target)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("law", "0001_initial"),
        ("payments", "0012_law_moves_to_its_own_app"),
    ]

    operations = [
        *[migrations.AlterModelTable(name=model, table=None) for model in MODELS],
        migrations.RunPython(content_types_move("payments", "law"), content_types_move("law", "payments")),
    ]
