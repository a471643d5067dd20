"""A rule kind is one declaration: a kind registered here, in the test alone, is checked, offered in the
officer's rule form, matched when items are scored, and its reason rendered on the item page."""

from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.core.cache import cache

from clearance.choices import ConsignmentState
from risk.kinds import kind_register, kind_unregister, kinds_all
from risk.kinds.base import ItemFacts, RuleKindSpec, text_entries_field
from risk.models import RiskAssessment, Rule
from risk.reasons import Finding, Reason, codes_of
from risk.rules import InvalidRule, validate_condition
from risk.services import consignments_assess, rule_approve
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

HEAVY = Reason(code="test.heavy_for_value", text="%(rule)s (%(weight)s kg for %(value)s)", label="Heavy for its value")


class HeavyFields(forms.Form):
    kg_per_unit = forms.DecimalField(label="Kilograms per unit of value, at least", required=False, min_value=0)
    categories = text_entries_field("Categories")


class HeavyForItsValue(RuleKindSpec):
    """Parcels heavier than their declared value would make them (a ton of "samples" declared at 1)."""

    name = "HEAVY"
    label = "Heavy for its declared value"
    legend = "How heavy"
    numbers = frozenset({"kg_per_unit"})
    lists = frozenset({"categories"})
    upper = frozenset({"categories"})
    reasons = (HEAVY,)
    Fields = HeavyFields

    def own_errors(self, condition: dict[str, Any]) -> list[dict[str, str]]:
        if "kg_per_unit" not in condition:
            return [{"field": "kg_per_unit", "code": "required", "message": "Say how heavy."}]
        return []

    def compile(self, condition: dict[str, Any]) -> tuple[Decimal, set[str]]:
        return Decimal(condition["kg_per_unit"]), set(condition.get("categories", []))

    def match(self, compiled, facts: ItemFacts, description: str) -> Finding | None:
        ratio, categories = compiled
        if categories and facts.category not in categories:
            return None
        if facts.weight >= facts.value * ratio:
            return Finding(HEAVY.code, {"rule": description, "weight": str(facts.weight), "value": str(facts.value)})
        return None


@pytest.fixture
def heavy():
    kind_register(HeavyForItsValue)
    cache.clear()
    yield
    kind_unregister("HEAVY")
    cache.clear()


def test_a_kind_registered_in_a_test_is_checked_offered_matched_and_read(heavy, client, settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    assert "HEAVY" in [spec.name for spec in kinds_all()]

    # Checked: its own keys, their types and its own rule.
    assert validate_condition("HEAVY", {"kg_per_unit": "0.5"}) == {"kg_per_unit": "0.5"}
    for bad, field in (({"kg_per_unit": "NaN"}, "kg_per_unit"), ({"categories": ["GIFT"]}, "kg_per_unit")):
        with pytest.raises(InvalidRule) as caught:
            validate_condition("HEAVY", bad)
        assert field in [detail["field"] for detail in caught.value.details]

    # Offered in the officer's rule form, with its fields, and the condition built from them.
    author, checker = UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")
    client.force_login(author)
    page = client.get("/officer/rules/").content.decode()
    assert '<option value="HEAVY">Heavy for its declared value</option>' in page
    assert 'data-kinds="HEAVY"' in page and 'name="heavy-kg_per_unit"' in page
    client.post(
        "/officer/rules/propose",
        {
            "code": "heavy-gifts",
            "kind": "HEAVY",
            "description": "Heavy gifts",
            "heavy-kg_per_unit": "0.5",
            "heavy-categories": "gift",
            "force_lane": "YELLOW",
        },
    )
    rule = Rule.objects.get(code="heavy-gifts")
    assert (rule.kind, rule.condition) == ("HEAVY", {"kg_per_unit": "0.5", "categories": ["GIFT"]})
    page = client.get("/officer/rules/").content.decode()
    row = page.split(f'id="rule-{rule.pk}"')[1].split("</tr>")[0]
    assert "Heavy for its declared value" in row and "kg_per_unit" not in row.split('class="condition">')[0]
    rule_approve(rule=rule, approver=checker)

    # Matched in scoring, with the rule in force.
    heavy_gift = ConsignmentFactory(category="GIFT", gross_weight_kg=Decimal("9.000"), total_value=Decimal("10.00"))
    light_gift = ConsignmentFactory(category="GIFT", gross_weight_kg=Decimal("0.400"), total_value=Decimal("10.00"))
    consignments_assess(consignment_ids=[heavy_gift.pk, light_gift.pk])
    found = RiskAssessment.objects.get(consignment=heavy_gift)
    assert (codes_of(found), found.rules_fired, found.lane) == (["test.heavy_for_value"], ["heavy-gifts@v1"], "YELLOW")
    assert codes_of(RiskAssessment.objects.get(consignment=light_gift)) == []

    # Its reason rendered on the officer's item page.
    heavy_gift.refresh_from_db()
    assert heavy_gift.state == ConsignmentState.HELD
    client.force_login(UserFactory(role="OFFICER"))
    page = client.get(f"/officer/items/{heavy_gift.pk}/").content.decode()
    assert '<li data-reason="test.heavy_for_value">Heavy gifts (9.000 kg for 10.00)</li>' in page


def test_a_kind_is_declared_once(heavy):
    class Again(HeavyForItsValue):
        pass

    with pytest.raises(ValueError, match="declared twice"):
        kind_register(Again)
