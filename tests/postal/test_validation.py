"""Text fields, case by case: the ASCII fast path and the full check must agree."""

import pytest

from postal.parsers import StrictJSONError, loads_strict
from postal.validation import Errors, _text, validate_item
from tests.postal import payloads


def text(value, *, required=True, max_length=10):
    errors = Errors(prefix="items[0]")
    result = _text(
        errors, {"name": value} if value is not ... else {}, "name", "name", max_length=max_length, required=required
    )
    return result, [error["code"] for error in errors.items]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Amra  ", ("Amra", [])),
        ("Ame\u0301lie", ("Amélie", [])),  # decomposed accent composed (NFC)
        ("   ", ("", ["required"])),
        (" \t\n ", ("", ["required"])),  # whitespace only is missing, not a control character
        (..., ("", ["required"])),
        (None, ("", ["required"])),
        ("a\tb", ("", ["invalid_characters"])),
        ("ab\x7f", ("", ["invalid_characters"])),
        ("ab\x00", ("", ["invalid_characters"])),
        ("ab\u202e", ("", ["invalid_characters"])),
        ("x" * 11, ("", ["too_long"])),
        ("é" * 10, ("é" * 10, [])),
        (12, ("", ["invalid_type"])),
        (["a"], ("", ["invalid_type"])),
    ],
)
def test_text_fields_are_trimmed_normalised_and_refused_for_the_right_reason(value, expected):
    assert text(value) == expected


def test_an_optional_text_left_empty_is_no_error():
    assert text("  ", required=False) == ("", [])


def test_a_key_twice_in_one_object_is_refused_and_named():
    with pytest.raises(StrictJSONError, match="duplicate key 'b'"):
        loads_strict('{"a": 1, "b": 2, "c": {"d": 1}, "b": 3}')
    assert loads_strict('{"a": {"a": 1}, "b": [{"a": 2}]}') == {"a": {"a": 1}, "b": [{"a": 2}]}


def test_the_contract_is_declared_once_and_every_reader_follows_it():
    from postal import contract, csv_intake, intake
    from postal.api import serializers

    names = [field.name for field in contract.ITEM]
    assert list(serializers.ItemInputSerializer().fields) == names
    assert list(serializers.ContentLineSerializer().fields) == [field.name for field in contract.LINE]
    assert set(csv_intake.LINE_COLUMNS) == {field.name for field in contract.LINE}
    assert {"sender_postcode", "addressee_phone", "iossNumber"} <= set(csv_intake.ITEM_COLUMNS)
    assert intake._columns(validate_item(payloads.item(), 0)[0])["addressee_postcode"] == "71000"
    unknown = validate_item({**payloads.item(), "colour": "red"}, 0)[1]
    assert unknown == [
        {
            "field": "items[0].colour",
            "code": "unknown_field",
            "message": "Unknown field 'colour': it is not part of the contract.",
        }
    ]
