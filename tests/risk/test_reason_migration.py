"""Reasons stored as English sentences before codes become findings, once, in a data migration."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from risk.models import RiskAssessment, Rule
from risk.reasons import render_english
from tests.factories import ConsignmentFactory

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("risk.migrations.0007_reason_codes")

OLD = [
    "Vague description “gift” does not say what the goods are.",
    "Possible undervaluation: Mug declared at 1.00 USD a unit, 90% below the reference of 10.00 for HS 691200.",
    "Firearms and their parts (description mentions “pistol”)",
    "Counterfeit risk: Rolex (description mentions “rolex”)",
    "Sanctions list (addressee e-mail on the watchlist)",
    "Sanctions list (sender name “Ivan Petrovskiy” matches “Ivan Petrovsky” on the watchlist, 97%)",
    "Watches from CN",
    "Model score 0.83: risk history of addressee (+0.31), how often we have seen the HS heading (+0.05)",
    "Model score 0.75: no single factor",
    "Selected at random for inspection (unbiased control sample).",
    "Checked by hand at the counter.",
]


def _rule(code, kind, description, condition, **fields):
    return Rule.objects.create(
        code=code, kind=kind, description=description, condition=condition, status="ACTIVE", **fields
    )


def test_old_sentences_become_codes_and_read_as_they_did():
    _rule("rolex", "IPR_BRAND", "Counterfeit risk: Rolex", {"keywords": ["Rolex"]}, force_lane="RED")
    _rule("sanctions", "WATCHLIST", "Sanctions list", {"names": ["Ivan Petrovsky"]}, force_lane="RED")
    _rule("cn-watches", "CONDITION", "Watches from CN", {"origin_countries": ["CN"]}, score=Decimal("0.4"))
    fired = ["weapons-firearms@v1", "rolex@v1", "sanctions@v1", "cn-watches@v1"]
    item = ConsignmentFactory()
    old = RiskAssessment.objects.create(
        consignment=item, consignment_version=1, score="0.9", lane="RED", reasons=OLD, rules_fired=fired
    )
    already = RiskAssessment.objects.create(
        consignment=item,
        consignment_version=2,
        score="0.3",
        lane="YELLOW",
        reasons=[{"code": "selection.random", "params": {}}],
    )

    MIGRATION.sentences_to_findings(apps, None)

    old.refresh_from_db()
    codes = [(finding["code"], finding.get("rule", "")) for finding in old.reasons]
    assert codes == [
        ("goods.vague_description", ""),
        ("value.undervaluation", ""),
        ("goods.prohibited_word", "weapons-firearms@v1"),
        ("goods.brand_word", "rolex@v1"),
        ("watchlist.email", "sanctions@v1"),
        ("watchlist.name_close", "sanctions@v1"),
        ("rule.condition", "cn-watches@v1"),
        ("model.score", ""),
        ("model.score", ""),
        ("selection.random", ""),
        ("text", ""),
    ]
    assert old.reasons[3]["lane"] == "RED" and old.reasons[6]["weight"] == 0.4
    assert old.reasons[7]["params"]["factors"] == [["rate:addressee", "0.31"], ["count:hs4", "0.05"]]
    assert old.reasons[5]["params"] == {
        "rule": "Sanctions list",
        "party": "sender",
        "seen": "Ivan Petrovskiy",
        "entry": "Ivan Petrovsky",
        "similarity": "97",
    }
    assert [render_english(finding) for finding in old.reasons] == OLD
    already.refresh_from_db()
    assert already.reasons == [{"code": "selection.random", "params": {}}]

    MIGRATION.findings_to_sentences(apps, None)  # and back, as it was

    old.refresh_from_db()
    assert old.reasons == OLD
