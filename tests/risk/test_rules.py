from decimal import Decimal

import pytest

from core.exceptions import ApplicationError, PermissionDenied
from risk.choices import RuleKind, RuleStatus
from risk.engine import item_facts
from risk.rules import CompiledRule, InvalidRule, validate_condition
from risk.services import rule_approve, rule_propose, rule_reject
from tests.factories import ConsignmentFactory, UserFactory


def compiled(kind, condition, **extra):
    return CompiledRule(
        code="r",
        version=1,
        kind=kind,
        description="Rule fired",
        condition=condition,
        force_lane=extra.get("force_lane", ""),
        score=Decimal(extra.get("score", "0.5")),
    )


def facts(**overrides):
    lines = overrides.pop("lines", None)
    consignment = ConsignmentFactory(**overrides, lines=lines)
    return item_facts(consignment, list(consignment.lines.all()))


CONDITION_CASES = [
    ({"hs_prefixes": ["6109"]}, {}, True),
    ({"hs_prefixes": ["85"]}, {}, False),
    ({"origin_countries": ["cn"]}, {}, True),
    ({"origin_countries": ["TR"]}, {}, False),
    ({"categories": ["GIFT"]}, {"category": "GIFT"}, True),
    ({"categories": ["GIFT"]}, {}, False),
    ({"value_min": "20", "value_max": "30"}, {"total_value": Decimal("25.00")}, True),
    ({"value_min": "26"}, {"total_value": Decimal("25.00")}, False),
    ({"weight_max": "0.4"}, {"gross_weight_kg": Decimal("0.450")}, False),
    ({"platforms": ["Example Marketplace"]}, {"platform": "example-marketplace"}, True),
    ({"platforms": ["other"]}, {"platform": "example-marketplace"}, False),
    ({"hs_prefixes": ["6109"], "origin_countries": ["TR"]}, {}, False),  # all keys must match
]


@pytest.mark.django_db
@pytest.mark.parametrize(("condition", "item", "fires"), CONDITION_CASES)
def test_condition_rules_fire_only_when_every_key_matches(condition, item, fires):
    rule = compiled(RuleKind.CONDITION, condition)
    assert (rule.matches(facts(**item)) is not None) is fires


@pytest.mark.django_db
def test_a_condition_on_the_operator_fires_for_that_operator_only():
    item = facts()
    assert compiled(RuleKind.CONDITION, {"operators": [item.operator.lower()]}).matches(item)
    assert not compiled(RuleKind.CONDITION, {"operators": ["SOMEONEELSE"]}).matches(item)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "fires"),
    [
        ({"party": "addressee", "names": ["AMRA hodzic"]}, True),  # accents, case
        ({"party": "sender", "names": ["Amra Hodžić"]}, False),  # wrong party
        ({"emails": ["Amra@Example.BA"]}, True),
        ({"phones": ["+387 61 234 567"]}, True),  # same line, written differently
        ({"names": ["Someone Else"]}, False),
    ],
)
def test_watchlists_match_normalised_names_emails_and_phones(condition, fires):
    item = facts(addressee_email="amra@example.ba", addressee_phone="061-234-567")
    assert (compiled(RuleKind.WATCHLIST, condition).matches(item) is not None) is fires


@pytest.mark.django_db
def test_ipr_brand_keywords_match_whole_words_only():
    rule = compiled(RuleKind.IPR_BRAND, {"keywords": ["Rolex"], "brand_owner": "Rolex SA"})
    finding = rule.matches(facts(lines=[{"description": "ROLEX Submariner watch"}]))
    assert (finding.code, finding.params["word"], finding.rule) == ("goods.brand_word", "rolex", "r@v1")
    assert rule.matches(facts(lines=[{"description": "Rolexander action figure"}])) is None


@pytest.mark.django_db
def test_prohibited_goods_rules_match_keywords_or_hs_codes():
    rule = compiled(RuleKind.PROHIBITED, {"keywords": ["vape liquid"], "hs_prefixes": ["2404"], "goods": "nicotine"})
    assert rule.matches(facts(lines=[{"description": "Vape liquid 10 ml"}])).code == "goods.prohibited_word"
    by_code = rule.matches(facts(lines=[{"description": "Pouches", "hs_code": "240412"}]))
    assert (by_code.code, by_code.params["hs_code"]) == ("goods.prohibited_hs", "240412")
    assert rule.matches(facts(lines=[{"description": "Cotton T-shirt"}])) is None


@pytest.mark.parametrize(
    ("kind", "condition", "field"),
    [
        (RuleKind.CONDITION, {"colour": ["red"]}, "colour"),
        (RuleKind.CONDITION, {"value_min": "cheap"}, "value_min"),
        (RuleKind.WATCHLIST, {"party": "carrier", "names": ["x"]}, "party"),
        (RuleKind.IPR_BRAND, {"brand_owner": "X"}, ""),
        (RuleKind.PROHIBITED, {"keywords": []}, "keywords"),
    ],
)
def test_an_invalid_condition_is_refused_with_the_field(kind, condition, field):
    with pytest.raises(InvalidRule) as caught:
        validate_condition(kind, condition)
    assert field in [detail["field"] for detail in caught.value.details]


@pytest.fixture
def supervisors(db):
    return UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")


def _propose(author, **overrides):
    spec = {
        "code": "cn-watches",
        "kind": RuleKind.CONDITION,
        "description": "Watches from CN",
        "condition": {"hs_prefixes": ["9102"], "origin_countries": ["CN"]},
        "score": Decimal("0.4"),
    }
    return rule_propose(author=author, **{**spec, **overrides})


def test_a_rule_takes_effect_only_when_a_second_supervisor_approves(supervisors):
    from risk.selectors import rules_in_force

    maker, checker = supervisors
    rule = _propose(maker)
    assert rule.status == RuleStatus.PENDING
    assert "cn-watches" not in [r.code for r in rules_in_force()]

    rule_approve(rule=rule, approver=checker)

    rule.refresh_from_db()
    assert (rule.status, rule.approved_by) == (RuleStatus.ACTIVE, checker)
    assert "cn-watches" in [r.code for r in rules_in_force()]


def test_the_author_cannot_approve_their_own_rule(supervisors):
    maker, _ = supervisors
    rule = _propose(maker)
    with pytest.raises(PermissionDenied, match="other than its author"):
        rule_approve(rule=rule, approver=maker)
    rule.refresh_from_db()
    assert rule.status == RuleStatus.PENDING


def test_an_officer_can_neither_propose_nor_approve(supervisors):
    maker, _ = supervisors
    officer = UserFactory(role="OFFICER")
    with pytest.raises(PermissionDenied):
        _propose(officer)
    with pytest.raises(PermissionDenied):
        rule_approve(rule=_propose(maker), approver=officer)


def test_a_new_version_replaces_the_one_in_force_once_approved(supervisors):
    maker, checker = supervisors
    first = rule_approve(rule=_propose(maker), approver=checker)
    second = _propose(maker, score=Decimal("0.6"))
    assert second.version == 2
    first.refresh_from_db()
    assert first.status == RuleStatus.ACTIVE  # still in force while v2 waits

    rule_approve(rule=second, approver=checker)

    first.refresh_from_db()
    assert first.status == RuleStatus.RETIRED


def test_a_rejected_rule_never_takes_effect(supervisors):
    maker, checker = supervisors
    rule = rule_reject(rule=_propose(maker), reviewer=checker, reason="too broad")
    assert rule.status == RuleStatus.REJECTED
    with pytest.raises(ApplicationError):
        rule_approve(rule=rule, approver=checker)


def test_a_rule_must_force_a_lane_or_add_a_score(supervisors):
    with pytest.raises(ApplicationError, match="force a lane or add"):
        _propose(supervisors[0], score=Decimal("0"))
