"""Validation of pre-advice items (api.md), one item at a time.

Hand-written rather than DRF serializers: an intake of thousands of items a
second cannot afford a serializer per field. Each item gets all its errors at
once, with the path of the field, a stable code and a readable message; a
valid item comes out normalised (Decimal amounts, upper-case codes, NFC text).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from clearance.choices import EventCode, ItemCategory, TermsOfDelivery
from core import s10
from core.reference import country_codes, currency_minor_units, hs_subheadings
from payments.choices import CaseGrounds
from postal import contract
from postal.choices import WithdrawalReason

CATEGORIES = frozenset(ItemCategory.values)
# ASCII digits only: \d also takes other scripts' digits, which Decimal() and int() read.
DECIMAL_TEXT = re.compile(r"^[0-9]{1,12}(\.[0-9]+)?$")
HS_CODE = re.compile(r"^[0-9]{6,10}$")
IOSS_NUMBER = re.compile(r"^IM[0-9]{10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{4,40}$")
# C0 and C1 controls, the bidirectional overrides and isolates that make text
# display differently from what it is (a classic way to hide content), and
# lone surrogates, which are not text at all (they cannot be stored as UTF-8).
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass
class Errors:
    prefix: str
    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, path: str, code: str, message: str) -> None:
        full = f"{self.prefix}.{path}" if path and self.prefix else path or self.prefix
        self.items.append({"field": full, "code": code, "message": message})


def _text(errors: Errors, data: dict, key: str, path: str, *, max_length: int, required: bool) -> str:
    value = data.get(key)
    if type(value) is str and value.isascii() and value.isprintable():
        value = value.strip()  # most text: ASCII without controls has nothing to refuse or normalise
    elif isinstance(value, str):
        if not value.strip():
            value = ""
        elif FORBIDDEN_CHARACTERS.search(value):
            errors.add(path, "invalid_characters", "Contains control, direction-override or invalid characters.")
            return ""
        else:
            value = unicodedata.normalize("NFC", value).strip()
    elif value is not None:
        errors.add(path, "invalid_type", "Must be a string.")
        return ""
    if not value:
        if required:
            errors.add(path, "required", "This field is required.")
        return ""
    if len(value) > max_length:
        errors.add(path, "too_long", f"At most {max_length} characters.")
        return ""
    return value


def _decimal(errors: Errors, data: dict, key: str, path: str, *, places: int, required: bool) -> Decimal | None:
    value = data.get(key)
    if value is None:
        if required:
            errors.add(path, "required", "This field is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        errors.add(path, "invalid_type", 'Must be a decimal number, preferably as a string (e.g. "12.50").')
        return None
    text = str(value).strip()
    if not DECIMAL_TEXT.match(text):
        errors.add(path, "invalid_decimal", 'Must be a non-negative decimal number such as "12.50".')
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.add(path, "invalid_decimal", 'Must be a non-negative decimal number such as "12.50".')
        return None
    if -number.as_tuple().exponent > places:
        errors.add(path, "too_many_decimals", f"At most {places} decimal places.")
        return None
    if number > MAX_AMOUNT:
        errors.add(path, "too_large", f"At most {MAX_AMOUNT}.")
        return None
    return number


def _country(errors: Errors, data: dict, key: str, path: str, *, required: bool) -> str:
    value = _text(errors, data, key, path, max_length=2, required=required)
    if value and value.upper() not in country_codes():
        errors.add(path, "invalid_country", f"{value!r} is not an ISO 3166 alpha-2 country code.")
        return ""
    return value.upper()


def printable(value: str, limit: int = 64) -> str:
    """A client's string made safe to echo back and to store (escaped, shortened)."""
    value = value[:limit]
    if FORBIDDEN_CHARACTERS.search(value):
        return value.encode("unicode_escape").decode("ascii")
    return value


def _unknown_fields(errors: Errors, data: dict[str, Any], allowed: set[str], path: str) -> None:
    for key in data:
        if key not in allowed:
            shown = printable(key)
            where = f"{path}.{shown}" if path else shown
            errors.add(where, "unknown_field", f"Unknown field {shown!r}: it is not part of the contract.")


def _object(errors: Errors, data: Any, holder: contract.Field, context: _Context) -> dict[str, Any]:
    """A party (sender, addressee) or the prepaid block: an object of its own contract fields."""
    fields = contract.OBJECTS[holder.kind]
    path = holder.name
    if not isinstance(data, dict):
        required = ", ".join(field.name for field in fields if field.required == contract.Required.ALWAYS)
        errors.add(path, "required" if data is None else "invalid_type", f"Must be an object with {required}.")
        return {}
    _unknown_fields(errors, data, {field.name for field in fields}, path)
    return {field.name: _value(errors, data, field, f"{path}.{field.name}", context) for field in fields}


def _hs_code(errors: Errors, data: dict[str, Any], path: str, *, required: bool) -> str:
    value = data.get("hsCode")
    if value is None or value == "":
        if required:
            errors.add(path, "required", "Required for every category but DOCUMENTS.")
        return ""
    if not isinstance(value, str) or not HS_CODE.match(value):
        errors.add(path, "invalid_hs_code", "Must be 6 to 10 digits, as a string.")
        return ""
    if value[:6] not in hs_subheadings("2022"):
        errors.add(path, "invalid_hs_code", f"{value[:6]} is not a subheading of the HS 2022 nomenclature.")
        return ""
    return value


def _quantity(errors: Errors, data: dict[str, Any], path: str) -> int | None:
    quantity = data.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= contract.MAX_QUANTITY:
        errors.add(path, "invalid_quantity", f"Must be a whole number from 1 to {contract.MAX_QUANTITY}.")
        return None
    return quantity


def _line(errors: Errors, data: Any, path: str, context: _Context) -> dict[str, Any]:
    if not isinstance(data, dict):
        errors.add(path, "invalid_type", "Must be an object.")
        return {}
    _unknown_fields(errors, data, {field.name for field in contract.LINE}, path)
    return {
        field.name: _value(errors, data, field, f"{path}.{field.name}", context)
        for field in contract.LINE
        if not (field.omitted_when_absent and data.get(field.name) in (None, ""))
    }


def _item_id(errors: Errors, data: dict[str, Any]) -> str:
    item_id = _text(errors, data, "itemId", "itemId", max_length=13, required=True)
    if item_id and not s10.S10_PATTERN.match(item_id):
        errors.add("itemId", "invalid_s10", "Must be a UPU S10 id: 2 letters, 9 digits, 2 letters.")
        return ""
    if item_id and not s10.is_valid(item_id):
        errors.add("itemId", "invalid_check_digit", f"The S10 check digit of {item_id} is wrong.")
        return ""
    return item_id


def _category(errors: Errors, data: dict[str, Any]) -> str:
    category = data.get("category")
    if category is None:
        errors.add("category", "required", "This field is required.")
        return ""
    if not isinstance(category, str) or category not in CATEGORIES:
        errors.add("category", "invalid_choice", f"Must be one of {', '.join(sorted(CATEGORIES))}.")
        return ""
    return category


def _currency(errors: Errors, data: dict[str, Any]) -> str:
    return _currency_code(errors, data, contract.ITEM_BY_NAME["currency"], "currency", required=True)


def _currency_code(errors: Errors, data: dict[str, Any], field: contract.Field, path: str, *, required: bool) -> str:
    currency = _text(errors, data, field.name, path, max_length=3, required=required).upper()
    if currency and currency not in currency_minor_units():
        errors.add(path, "invalid_currency", f"{currency!r} is not an active ISO 4217 currency code.")
        return ""
    return currency


def _terms(errors: Errors, data: dict[str, Any], field: contract.Field, path: str) -> str:
    terms = _text(errors, data, field.name, path, max_length=3, required=False).upper()
    if terms and terms not in TermsOfDelivery.values:
        errors.add(path, "invalid_choice", f"Must be one of {', '.join(TermsOfDelivery.values)}.")
        return ""
    return terms


def _contents(errors: Errors, data: dict[str, Any], context: _Context) -> list[dict[str, Any]]:
    contents = data.get("contents")
    if not isinstance(contents, list) or not contents:
        errors.add("contents", "required", "At least one content line is required.")
        return []
    if len(contents) > contract.MAX_CONTENT_LINES:
        errors.add("contents", "too_many_lines", f"At most {contract.MAX_CONTENT_LINES} content lines.")
        return []
    return [_line(errors, line, f"contents[{index}]", context) for index, line in enumerate(contents)]


@dataclass
class _Context:
    """What some fields' checks depend on: the item's category, and its currency's minor units."""

    category: str = ""
    money_places: int = 2


def _value(errors: Errors, data: dict[str, Any], field: contract.Field, path: str, context: _Context) -> Any:
    """One field of the contract, checked by its kind; "" or None when absent or refused."""
    kind, required = field.kind, field.required_for(context.category)
    if kind == contract.Kind.TEXT:
        return _text(errors, data, field.name, path, max_length=field.max_length or 0, required=required)
    if kind in (contract.Kind.WEIGHT, contract.Kind.MONEY, contract.Kind.AMOUNT):
        places = {contract.Kind.WEIGHT: 3, contract.Kind.AMOUNT: 2}.get(kind, context.money_places)
        return _decimal(errors, data, field.name, path, places=places, required=required)
    if kind == contract.Kind.CURRENCY:
        return _currency_code(errors, data, field, path, required=required)
    if kind == contract.Kind.TERMS:
        return _terms(errors, data, field, path)
    if kind == contract.Kind.COUNTRY:
        return _country(errors, data, field.name, path, required=required)
    if kind in (contract.Kind.EMAIL, contract.Kind.PHONE, contract.Kind.IOSS):
        return _formatted(errors, data, field, path, required=required)
    if kind == contract.Kind.QUANTITY:
        return _quantity(errors, data, path)
    if kind == contract.Kind.HS_CODE:
        return _hs_code(errors, data, path, required=required)
    raise ValueError(f"No check for {kind}")


FORMATS = {
    contract.Kind.EMAIL: (EMAIL, "invalid_email", "Not an e-mail address."),
    contract.Kind.PHONE: (PHONE, "invalid_phone", "Digits, spaces and + ( ) . / - only."),
    contract.Kind.IOSS: (IOSS_NUMBER, "invalid_ioss", "An IOSS number is IM followed by 10 digits."),
}


def _formatted(errors: Errors, data: dict[str, Any], field: contract.Field, path: str, *, required: bool) -> str:
    value = _text(errors, data, field.name, path, max_length=field.max_length or 0, required=required)
    if field.kind == contract.Kind.IOSS:
        value = value.upper()
    pattern, code, message = FORMATS[field.kind]
    if value and not pattern.match(value):
        errors.add(path, code, message)
    return value


def validate_item(data: Any, index: int) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """(normalised item, []) when valid, else (None, errors with field paths)."""
    errors = Errors(prefix=f"items[{index}]")
    if not isinstance(data, dict):
        errors.add("", "invalid_type", "Each item must be an object.")
        return None, errors.items
    _unknown_fields(errors, data, {field.name for field in contract.ITEM}, "")
    context = _Context()
    item: dict[str, Any] = {}
    for declared in contract.ITEM:
        if declared.omitted_when_absent and data.get(declared.name) in (None, "", {}):
            continue
        item[declared.name] = _item_value(errors, data, declared, context)
    _check_category_rules(errors, item)
    _check_prepaid(errors, item)
    if errors.items:
        return None, errors.items
    return item, []


def _item_value(errors: Errors, data: dict[str, Any], field: contract.Field, context: _Context) -> Any:
    if field.kind == contract.Kind.S10:
        return _item_id(errors, data)
    if field.kind == contract.Kind.CATEGORY:
        context.category = _category(errors, data)
        return context.category
    if field.kind == contract.Kind.CURRENCY:
        currency = _currency(errors, data)
        context.money_places = currency_minor_units().get(currency, 2)
        return currency
    if field.kind in contract.OBJECTS:
        return _object(errors, data.get(field.name), field, context)
    if field.kind == contract.Kind.LINES:
        return _contents(errors, data, context)
    return _value(errors, data, field, field.name, context)


def _check_prepaid(errors: Errors, item: dict[str, Any]) -> None:
    """A DDP item says who prepaid its charges; only a DDP item may."""
    ddp = item.get("termsOfDelivery") == TermsOfDelivery.DDP
    if ddp and not item.get("prepaid"):
        errors.add("prepaid", "required", "A DDP item names its collector: prepaid.collector (and its reference).")
    elif item.get("prepaid") and not ddp:
        errors.add("termsOfDelivery", "ddp_required", "prepaid is for DDP items: set termsOfDelivery to DDP.")
    prepaid = item.get("prepaid") or {}
    if prepaid.get("amount") is not None and not prepaid.get("currency"):
        errors.add("prepaid.currency", "required", "Say the currency of prepaid.amount.")


def _check_category_rules(errors: Errors, item: dict[str, Any]) -> None:
    lines = [line for line in item["contents"] if line]
    if item["category"] == ItemCategory.SALE_OF_GOODS and lines and all(line.get("value") == 0 for line in lines):
        errors.add("contents", "value_required", "A sale of goods must declare what was paid.")
    weight = item["grossWeightKg"]
    net = [line["netWeightKg"] for line in lines if line.get("netWeightKg") is not None]
    if weight is not None and net and sum(net) > weight:
        errors.add("grossWeightKg", "weight_below_contents", "Gross weight is less than the contents' net weight.")


EVENT_FIELDS = {"itemId", "code", "at", "office"}
OFFICE_CODE = re.compile(r"^[A-Z0-9]{6}$")
EVENT_CODES = frozenset(EventCode.values)
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)
# Clocks differ by seconds, not hours: an event dated later than this ahead of us has not happened yet.
FUTURE_TOLERANCE = timedelta(minutes=5)


def _event_time(errors: Errors, data: dict, now: datetime, key: str = "at") -> datetime | None:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        errors.add(key, "required" if value is None else "invalid_type", "An ISO 8601 time with its zone.")
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.add(key, "invalid_datetime", "Not an ISO 8601 time, e.g. 2026-11-22T10:15:00Z.")
        return None
    if at.tzinfo is None:
        errors.add(key, "timezone_required", "The time must carry its zone (Z or +hh:mm).")
        return None
    if not EARLIEST_EVENT <= at <= now + FUTURE_TOLERANCE:
        errors.add(key, "implausible_datetime", "The time is before 2000 or in the future.")
        return None
    return at.astimezone(UTC)


def validate_event(data: Any, index: int, now: datetime) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """(normalised event, []) when valid, else (None, errors)."""
    errors = Errors(prefix=f"events[{index}]")
    if not isinstance(data, dict):
        errors.add("", "invalid_type", "Each event must be an object.")
        return None, errors.items
    _unknown_fields(errors, data, EVENT_FIELDS, "")
    item_id = _item_id(errors, data)
    code = data.get("code")
    if not isinstance(code, str) or code not in EVENT_CODES:
        errors.add("code", "invalid_choice", f"Must be one of {', '.join(sorted(EVENT_CODES))}.")
    at = _event_time(errors, data, now)
    office = _text(errors, data, "office", "office", max_length=6, required=False).upper()
    if office and not OFFICE_CODE.match(office):
        errors.add("office", "invalid_office", "A UPU office of exchange code: 6 letters or digits.")
    if errors.items:
        return None, errors.items
    return {"itemId": item_id, "code": code, "at": at, "office": office}, []


WITHDRAWAL_FIELDS = {"itemId", "reason"}
WITHDRAWAL_REASONS = frozenset(WithdrawalReason.values)


def validate_withdrawal(data: Any, index: int | None) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """(normalised withdrawal, []) when valid, else (None, errors); `index` None for a single withdrawal."""
    errors = Errors(prefix="" if index is None else f"withdrawals[{index}]")
    if not isinstance(data, dict):
        errors.add("", "invalid_type", "Each withdrawal must be an object.")
        return None, errors.items
    _unknown_fields(errors, data, WITHDRAWAL_FIELDS, "")
    item_id = _item_id(errors, data)
    reason = data.get("reason")
    if reason is None:
        errors.add("reason", "required", f"Say why: one of {', '.join(sorted(WITHDRAWAL_REASONS))}.")
    elif not isinstance(reason, str) or reason not in WITHDRAWAL_REASONS:
        errors.add("reason", "invalid_choice", f"Must be one of {', '.join(sorted(WITHDRAWAL_REASONS))}.")
    if errors.items:
        return None, errors.items
    return {"itemId": item_id, "reason": reason}, []


COLLECTION_FIELDS = {"itemId", "amount", "currency", "collectedAt", "reference"}


def validate_collection(data: Any, index: int, now: datetime) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """(normalised report of charges collected at the door, []) when valid, else (None, errors)."""
    errors = Errors(prefix=f"collections[{index}]")
    if not isinstance(data, dict):
        errors.add("", "invalid_type", "Each collection must be an object.")
        return None, errors.items
    _unknown_fields(errors, data, COLLECTION_FIELDS, "")
    item_id = _item_id(errors, data)
    currency = _currency_code(errors, data, contract.ITEM_BY_NAME["currency"], "currency", required=True)
    amount = _decimal(errors, data, "amount", "amount", places=currency_minor_units().get(currency, 2), required=True)
    collected_at = _event_time(errors, data, now, "collectedAt")
    reference = _text(errors, data, "reference", "reference", max_length=100, required=True)
    if errors.items:
        return None, errors.items
    return {
        "itemId": item_id,
        "amount": amount,
        "currency": currency,
        "collectedAt": collected_at,
        "reference": reference,
    }, []


CASE_FIELDS = {"itemId", "grounds", "reason", "contactEmail", "language"}


def validate_case(data: Any) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """(normalised case an operator opens for a payer, []) when valid, else (None, errors)."""
    errors = Errors(prefix="")
    if not isinstance(data, dict):
        errors.add("", "invalid_type", "The body must be an object.")
        return None, errors.items
    _unknown_fields(errors, data, CASE_FIELDS, "")
    item_id = _item_id(errors, data)
    grounds = data.get("grounds")
    if grounds not in CaseGrounds.values:
        errors.add("grounds", "invalid_choice", f"Must be one of {', '.join(CaseGrounds.values)}.")
    reason = _text(errors, data, "reason", "reason", max_length=4000, required=True)
    email = _text(errors, data, "contactEmail", "contactEmail", max_length=254, required=False)
    if email and not EMAIL.match(email):
        errors.add("contactEmail", "invalid_email", "Not an e-mail address.")
    language = _text(errors, data, "language", "language", max_length=8, required=False) or "en"
    if errors.items:
        return None, errors.items
    return {"itemId": item_id, "grounds": grounds, "reason": reason, "contactEmail": email, "language": language}, []
