"""Pre-advice bodies for API tests."""

import copy

from core import s10


def item(serial: int = 12345678, **overrides) -> dict:
    body = {
        "itemId": s10.make("RB", serial, "GB"),
        "category": "SALE_OF_GOODS",
        "sender": {"name": "Shenzhen Trading Co", "address": "1 Keji Rd", "city": "Shenzhen", "country": "CN"},
        "addressee": {
            "name": "Amra Hodžić",
            "address": "Ferhadija 1",
            "city": "Sarajevo",
            "postcode": "71000",
            "country": "BA",
            "email": "amra@example.ba",
            "phone": "+387 33 123 456",
        },
        "grossWeightKg": "0.450",
        "currency": "USD",
        "postalCharges": "5.00",
        "insurance": "0.00",
        "platform": "example-marketplace",
        "contents": [
            {
                "description": "Cotton T-shirt",
                "quantity": 2,
                "netWeightKg": "0.300",
                "value": "12.50",
                "hsCode": "610910",
                "originCountry": "CN",
            }
        ],
    }
    body.update(copy.deepcopy(overrides))
    return body


def batch(*items: dict, message_id: str = "OP-20261122-000123") -> dict:
    return {"messageId": message_id, "items": list(items)}
