"""Supervisors keep the least high-value goods are worth as rules: goods read by their names (not a case or a part
for them) and declared far below it go to an officer, whatever code they are declared under."""

from decimal import Decimal

import pytest

from clearance.choices import Lane
from clearance.models import Consignment
from risk.engine import Engine
from risk.rules import CompiledRule, InvalidRule, validate_condition
from tests.factories import ConsignmentFactory

pytestmark = pytest.mark.django_db

HEADPHONES = {
    "goods": "Premium noise-cancelling headphones",
    "terms": ["Bose QuietComfort Ultra", "Bose QC Ultra", "Sony WH-1000XM6"],
    "hs_prefixes": ["851830"],
    "least": "250",
}


def verdict(description, value, hs_code="851830", currency="EUR"):
    rule = CompiledRule(
        code="headphones-reference",
        version=1,
        kind="VALUE_REF",
        description="Premium headphones",
        condition=HEADPHONES,
        force_lane=Lane.YELLOW,
        score=Decimal("0.2"),
    )
    item = ConsignmentFactory(
        currency=currency,
        total_value=Decimal(value),
        lines=[{"description": description, "hs_code": hs_code, "quantity": 1, "value": Decimal(value)}],
    )
    item = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=item.pk)
    return Engine(rules=[rule], model=None, thresholds=(0.7, 0.3), random_rate=0.0).assess([item])[item.pk]


def test_listed_goods_far_below_their_least_go_to_an_officer_with_the_reference_named():
    found = verdict("Sony WH-1000XM6 wireless headphones, new", "35.00", hs_code="392690")  # a harmless code
    assert found.lane == Lane.YELLOW
    (finding,) = [f for f in found.findings if f.code == "value.below_listed"]
    assert (finding.params["reference"], finding.params["declared"], finding.params["share"]) == (
        "250.00",
        "35.00",
        "14",
    )
    assert "Premium headphones" in found.reasons[0]


@pytest.mark.parametrize(
    ("description", "value"),
    [
        ("Ear pads for Bose QC Ultra headphones, replacement", "14.00"),  # a part for them, at a part's price
        ("Hard case compatible with Sony WH-1000XM6", "9.90"),
        ("Bose QuietComfort Ultra headphones", "329.00"),  # at their price
    ],
)
def test_parts_for_the_goods_and_goods_at_their_price_are_not_flagged(description, value):
    assert not [f for f in verdict(description, value).findings if f.code.startswith("value.")]


def test_a_reference_needs_its_least_and_a_known_way_of_valuing():
    with pytest.raises(InvalidRule) as missing:
        validate_condition("VALUE_REF", {"terms": ["Rolex Daytona"]})
    assert [d["field"] for d in missing.value.details] == ["least"]
    with pytest.raises(InvalidRule) as per:
        validate_condition("VALUE_REF", {"terms": ["gold bar"], "least": "50", "per": "ounce"})
    assert [d["field"] for d in per.value.details] == ["per"]


def test_a_supervisor_proposes_a_reference_in_french_and_a_second_one_puts_it_in_force(client):
    from risk.models import Rule
    from risk.services import rule_approve
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="SUPERVISOR"))
    form = {
        "code": "gold-bars",
        "kind": "VALUE_REF",
        "description": "Lingots d'or",
        "value_ref-goods": "Lingots d'or",
        "value_ref-terms": "lingot d'or\ngold bar\nzlatna poluga",
        "value_ref-hs_prefixes": "7108",
        "value_ref-least": "1 250,50",  # as French writes numbers
        "value_ref-per": "gram",
        "value_ref-least_piece": "",
        "force_lane": "YELLOW",
    }
    client.post("/officer/rules/propose", form, headers={"Accept-Language": "fr"})
    rule = Rule.objects.get(code="gold-bars")
    assert rule.condition["least"] == "1250.50" and rule.condition["per"] == "gram"
    assert rule.condition["terms"] == ["lingot d'or", "gold bar", "zlatna poluga"]
    rule_approve(rule=rule, approver=UserFactory(role="SUPERVISOR"))
    rule.refresh_from_db()
    assert rule.status == "ACTIVE"
