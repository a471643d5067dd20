from django.db import migrations

# The expressions risk.splits searches by: a street address at its postcode and a
# phone, as parcels are compared (address_key, phone_key in SQL). On the
# partitioned item table, each month's partition gets them too.
ADDRESS = (
    "lower(regexp_replace(addressee_postcode, '\\s+', '', 'g')) || '|' "
    "|| btrim(regexp_replace(lower(addressee_address), '[^a-z0-9]+', ' ', 'g'))"
)
PHONE = "right(regexp_replace(addressee_phone, '\\D', '', 'g'), 8)"


class Migration(migrations.Migration):
    """Addressee networks and split shipments find parcels by street address and by phone through an index."""

    dependencies = [("clearance", "0013_partial_queue_indexes")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX consignment_address_probe_idx ON clearance_consignment "
            f"(addressee_country, ({ADDRESS}), pre_advised_at) WHERE addressee_address <> ''",
            "DROP INDEX consignment_address_probe_idx",
        ),
        migrations.RunSQL(
            f"CREATE INDEX consignment_phone_probe_idx ON clearance_consignment "
            f"(addressee_country, ({PHONE}), pre_advised_at) WHERE addressee_phone <> ''",
            "DROP INDEX consignment_phone_probe_idx",
        ),
    ]
