"""Prepare paid items for the payment benchmark: `python -m bench.payment_setup COUNT`.

For up to COUNT items with charges due, start a payment as the portal does,
charge the sandbox's test card on its checkout, and print (JSON, last line)
the provider's signed webhook for each: [[item_id, body, headers], …]. The
benchmark posts them and times each until the item is released.
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from clearance.choices import ConsignmentState  # noqa: E402
from clearance.models import Consignment  # noqa: E402
from payments.providers import SandboxProvider  # noqa: E402
from payments.services import payment_start  # noqa: E402

SUCCEEDING_CARD = "4242424242424242"


def signed_webhooks(count: int) -> list[list]:
    provider = SandboxProvider()
    webhooks = []
    for consignment in Consignment.objects.filter(state=ConsignmentState.CHARGES_DUE).order_by("id")[:count]:
        payment = payment_start(consignments=[consignment], idempotency_key=f"bench-{consignment.pk}")
        charge = provider.charge(
            checkout_token=payment.provider_reference, payment=payment, card_number=SUCCEEDING_CARD
        )
        body, headers = provider.webhook_for(charge)
        webhooks.append([consignment.item_id, body.decode(), dict(headers)])
    return webhooks


if __name__ == "__main__":
    print(json.dumps(signed_webhooks(int(sys.argv[1]))))
