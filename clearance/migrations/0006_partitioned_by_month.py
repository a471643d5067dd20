"""The item table becomes partitioned by month of pre-advice (see clearance.partitions).

The unique (operator, item id) moves to ItemKey, since a partitioned table can
only enforce unique keys that contain its partition key. The ids are then
given by the application from each item's pre-advice month, so the table's own
identity default goes. The table is renamed and a partitioned table made in its
place, with the same columns, checks and indexes (same names) and the foreign
keys to and from it made again; items already stored keep their ids in a
`legacy` partition (ids below 2**40), dropped at once if there are none.
"""

import django.db.models.deletion
from django.db import migrations, models

MONTH_NUMBER = """
CREATE FUNCTION clearance_month_number(at timestamptz) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (extract(year FROM at AT TIME ZONE 'UTC')::integer - 2000) * 12
           + extract(month FROM at AT TIME ZONE 'UTC')::integer;
"""

PARTITION = """
DO $$
DECLARE
    r record;
BEGIN
    CREATE TEMP TABLE consignment_fk ON COMMIT DROP AS
        SELECT conrelid::regclass::text AS tbl, conname::text AS name, pg_get_constraintdef(oid) AS def
        FROM pg_constraint
        WHERE contype = 'f'
          AND (confrelid = 'clearance_consignment'::regclass OR conrelid = 'clearance_consignment'::regclass);
    FOR r IN SELECT * FROM consignment_fk LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.name);
    END LOOP;

    CREATE TEMP TABLE consignment_index ON COMMIT DROP AS
        SELECT c.relname::text AS name, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'clearance_consignment'::regclass AND NOT i.indisprimary;

    ALTER TABLE clearance_consignment RENAME TO clearance_consignment_legacy;
    ALTER TABLE clearance_consignment_legacy
        RENAME CONSTRAINT clearance_consignment_pkey TO clearance_consignment_legacy_pkey;
    FOR r IN SELECT * FROM consignment_index LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, left(r.name, 52) || '_legacy');
    END LOOP;

    CREATE TABLE clearance_consignment
        (LIKE clearance_consignment_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
        PARTITION BY RANGE (id);
    ALTER TABLE clearance_consignment ADD CONSTRAINT clearance_consignment_pkey PRIMARY KEY (id);
    -- Each definition was read before the rename: it names the new table.
    FOR r IN SELECT * FROM consignment_index LOOP
        EXECUTE r.def;
    END LOOP;

    IF EXISTS (SELECT 1 FROM clearance_consignment_legacy) THEN
        ALTER TABLE clearance_consignment ATTACH PARTITION clearance_consignment_legacy
            FOR VALUES FROM (MINVALUE) TO (1099511627776);
    ELSE
        DROP TABLE clearance_consignment_legacy;
    END IF;

    DROP SEQUENCE IF EXISTS clearance_consignment_id_seq;
    CREATE SEQUENCE clearance_consignment_id_seq OWNED BY clearance_consignment.id;

    FOR r IN SELECT * FROM consignment_fk LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl, r.name, r.def);
    END LOOP;

    -- A new item's id carries its pre-advice month: the partition it is in is that month.
    ALTER TABLE clearance_consignment ADD CONSTRAINT consignment_id_in_pre_advice_month
        CHECK (id < 1099511627776 OR id >> 40 = clearance_month_number(pre_advised_at));
END
$$;
"""


def partitions_for_the_coming_months(apps, schema_editor):
    from django.utils import timezone

    from clearance.partitions import partitions_ensure_ahead

    partitions_ensure_ahead(today=timezone.now().date(), months=2)


class Migration(migrations.Migration):
    dependencies = [
        ("clearance", "0005_trsbucket_trsday_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="ItemKey",
            fields=[
                (
                    "consignment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="key",
                        serialize=False,
                        to="clearance.consignment",
                    ),
                ),
                ("item_id", models.CharField(max_length=13)),
                (
                    "operator",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clearance.postaloperator",
                    ),
                ),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO clearance_itemkey (consignment_id, operator_id, item_id) "
            "SELECT id, operator_id, item_id FROM clearance_consignment",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="itemkey",
            constraint=models.UniqueConstraint(fields=("operator", "item_id"), name="item_key_unique_operator_item"),
        ),
        migrations.RemoveConstraint(
            model_name="consignment",
            name="consignment_unique_operator_item",
        ),
        migrations.AlterField(
            model_name="consignment",
            name="id",
            field=models.BigIntegerField(editable=False, primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name="consignment",
            name="operator",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consignments",
                to="clearance.postaloperator",
            ),
        ),
        migrations.RunSQL(MONTH_NUMBER),
        migrations.RunSQL(PARTITION),
        migrations.RunPython(partitions_for_the_coming_months),
    ]
