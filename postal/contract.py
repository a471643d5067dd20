"""The item a postal operator sends (api.md), declared once.

One row per field: its JSON name, what kind of value it is, the column it
fills, its limits and whether it is required. The validation
(postal.validation), the CSV intake (postal.csv_intake), the OpenAPI
description (postal.api.serializers) and the intake's mapping to the item's
columns (postal.intake) all read these rows: adding a field is a row here
and the column's migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    S10 = "s10"  # UPU S10 item id, check digit verified
    CATEGORY = "category"  # clearance.choices.ItemCategory
    CURRENCY = "currency"  # ISO 4217, active; sets the places of MONEY fields
    COUNTRY = "country"  # ISO 3166 alpha-2
    WEIGHT = "weight"  # kilograms, three decimals
    MONEY = "money"  # in the item's currency, at most its minor units
    QUANTITY = "quantity"  # whole number
    HS_CODE = "hs_code"  # 6 to 10 digits, the first six an HS 2022 subheading
    IOSS = "ioss"  # IM + 10 digits
    EMAIL = "email"
    PHONE = "phone"
    AMOUNT = "amount"  # a decimal amount in its own currency, two places
    TERMS = "terms"  # terms of delivery: DAP or DDP
    PARTY = "party"  # an object of PARTY fields
    PREPAID = "prepaid"  # an object of PREPAID fields
    LINES = "lines"  # a list of objects of LINE fields


class Required(StrEnum):
    ALWAYS = "always"
    NO = "no"
    GOODS = "goods"  # for every category but DOCUMENTS


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    column: str = ""
    required: Required = Required.NO
    max_length: int | None = None
    help: str = ""
    example: object = None
    # Left out of the stored item when not sent: fields added to the contract later keep the
    # duplicate check of items sent before them (their content hash) as it was.
    omitted_when_absent: bool = False

    def required_for(self, category: str) -> bool:
        return self.required == Required.ALWAYS or (self.required == Required.GOODS and category != "DOCUMENTS")


MAX_CONTENT_LINES = 99
MAX_QUANTITY = 1_000_000

PARTY = (
    Field("name", Kind.TEXT, "name", Required.ALWAYS, 200, "Full name or company", "Amra Hodžić"),
    Field("address", Kind.TEXT, "address", Required.NO, 300, "Street and number", "Ferhadija 1"),
    Field("city", Kind.TEXT, "city", Required.NO, 100, "", "Sarajevo"),
    Field("postcode", Kind.TEXT, "postcode", Required.NO, 20, "", "71000"),
    Field("country", Kind.COUNTRY, "country", Required.ALWAYS, 2, "ISO 3166 alpha-2", "BA"),
    Field("email", Kind.EMAIL, "email", Required.NO, 254, "", "amra@example.ba"),
    Field("phone", Kind.PHONE, "phone", Required.NO, 40, "Digits, spaces and + ( ) . / -", "+387 33 123 456"),
)
LINE = (
    Field("description", Kind.TEXT, "description", Required.ALWAYS, 300, "What the goods are", "Cotton T-shirt"),
    Field("quantity", Kind.QUANTITY, "quantity", Required.ALWAYS, None, f"1 to {MAX_QUANTITY}", 2),
    Field("netWeightKg", Kind.WEIGHT, "net_weight_kg", Required.ALWAYS, None, "Kilograms", "0.300"),
    Field("value", Kind.MONEY, "value", Required.ALWAYS, None, "In the item's currency", "12.50"),
    Field(
        "hsCode",
        Kind.HS_CODE,
        "hs_code",
        Required.GOODS,
        10,
        "HS 2022, 6 to 10 digits; only DOCUMENTS may leave it out",
        "610910",
    ),
    Field("originCountry", Kind.COUNTRY, "origin_country", Required.GOODS, 2, "ISO 3166 alpha-2", "CN"),
    Field(
        "permitNumber",
        Kind.TEXT,
        "permit_number",
        Required.NO,
        40,
        "The permit or licence covering this line (CITES permit, medicine import authorisation, dual-use "
        "licence, Basel notification), as its register numbers it",
        "FR2612345",
        omitted_when_absent=True,
    ),
)
PREPAID = (
    Field("collector", Kind.TEXT, "collector", Required.ALWAYS, 40, "The collector's account code", "globalshop-ddp"),
    Field("reference", Kind.TEXT, "reference", Required.NO, 100, "The collector's transaction reference", "TX-981"),
    Field("amount", Kind.AMOUNT, "amount", Required.NO, None, "What the collector collected", "12.40"),
    Field("currency", Kind.CURRENCY, "currency", Required.NO, 3, "ISO 4217, of the amount", "EUR"),
)
# In the order they are checked: the currency comes before the amounts whose places it sets.
ITEM = (
    Field("itemId", Kind.S10, "item_id", Required.ALWAYS, 13, "UPU S10, check digit verified", "RB123456785GB"),
    Field("category", Kind.CATEGORY, "category", Required.ALWAYS, None, "", "SALE_OF_GOODS"),
    Field("currency", Kind.CURRENCY, "currency", Required.ALWAYS, 3, "ISO 4217", "USD"),
    Field("sender", Kind.PARTY, "sender", Required.ALWAYS),
    Field("addressee", Kind.PARTY, "addressee", Required.ALWAYS),
    Field("grossWeightKg", Kind.WEIGHT, "gross_weight_kg", Required.ALWAYS, None, "Kilograms", "0.450"),
    Field("postalCharges", Kind.MONEY, "postal_charges", Required.NO, None, "Postage paid, in `currency`", "5.00"),
    Field("insurance", Kind.MONEY, "insurance", Required.NO, None, "In `currency`", "0.00"),
    Field("iossNumber", Kind.IOSS, "ioss_number", Required.NO, 12, "EU Import One-Stop Shop number", "IM2504748863"),
    Field("platform", Kind.TEXT, "platform", Required.NO, 100, "Marketplace the goods were sold on", "example-shop"),
    Field(
        "termsOfDelivery",
        Kind.TERMS,
        "terms_of_delivery",
        Required.NO,
        3,
        "DAP (default): the addressee pays; DDP: prepaid, see `prepaid`",
        "DDP",
        omitted_when_absent=True,
    ),
    Field(
        "prepaid",
        Kind.PREPAID,
        "prepaid",
        Required.NO,
        None,
        "For DDP items: who collected the charges at sale, and its reference",
        omitted_when_absent=True,
    ),
    Field("contents", Kind.LINES, "", Required.ALWAYS, None, f"1 to {MAX_CONTENT_LINES} content lines"),
)
ITEM_BY_NAME = {field.name: field for field in ITEM}
# Objects of the item: each field's value stored in a column <object>_<field>.
OBJECTS = {Kind.PARTY: PARTY, Kind.PREPAID: PREPAID}
PARTIES = tuple(field.name for field in ITEM if field.kind == Kind.PARTY)
# Item-level values: stored on the item (one column each).
SCALARS = tuple(field for field in ITEM if field.kind not in (*OBJECTS, Kind.LINES))


def object_fields() -> list[tuple[Field, Field]]:
    """(object, field) for every field of the item's objects (sender, addressee, prepaid), in order."""
    return [(holder, field) for holder in ITEM if holder.kind in OBJECTS for field in OBJECTS[holder.kind]]


def item_columns() -> dict[str, tuple[Field, ...]]:
    """{item column: the fields on the JSON path to its value}, for every value the item stores as it was sent."""
    columns: dict[str, tuple[Field, ...]] = {field.column: (field,) for field in SCALARS}
    columns |= {f"{holder.column}_{field.column}": (holder, field) for holder, field in object_fields()}
    return columns


def csv_item_columns() -> list[str]:
    """The CSV's item columns: the item's own values, then each object's as <object>_<field>."""
    return [field.name for field in SCALARS] + [f"{holder.name}_{field.name}" for holder, field in object_fields()]


def csv_line_columns() -> list[str]:
    return [field.name for field in LINE]


def csv_required_columns() -> set[str]:
    """Columns a CSV must have: those of fields every item needs whatever its category."""
    required = {field.name for field in SCALARS if field.required == Required.ALWAYS}
    required |= {
        f"{holder.name}_{field.name}"
        for holder, field in object_fields()
        if holder.required == Required.ALWAYS and field.required == Required.ALWAYS
    }
    return required | {field.name for field in LINE if field.required == Required.ALWAYS}
