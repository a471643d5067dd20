"""Reasons are codes with parameters: each finding kind, made as scoring makes it, reads in French on the
officer's item page (and in English in the records), and the back-test reads the codes."""

import importlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from clearance.choices import ConsignmentState, Lane
from clearance.models import Consignment, ContentLine, PartyHold
from core.normalize import name_key, party_key
from risk import reasons
from risk.choices import RuleKind
from risk.engine import Engine
from risk.history import References
from risk.models import RiskAssessment
from risk.rules import CompiledRule
from risk.services import consignment_hold_unscorable
from tests.factories import ConsignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("risk.migrations.0007_reason_codes")


@pytest.fixture(autouse=True)
def _no_random_draw(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    settings.OPENCLEAR_RISK_NETWORK_NAMES = 3
    cache.clear()
    yield
    cache.clear()


def rule(kind, condition, description, lane=Lane.RED):
    return CompiledRule(
        code=f"r-{kind.lower()}",
        version=2,
        kind=kind,
        description=description,
        condition=condition,
        force_lane=lane,
        score=Decimal("0"),
    )


WEAPONS = {"keywords": ["revolver"], "hs_prefixes": ["9302"], "hs_chapters": ["93"], "goods": "weapons"}
WATCHLIST = {"party": "any", "names": ["Ivan Petrovsky", "Mohammed Al Rashid"], "emails": ["x@shady.example"]}
WATCHLIST_PHONES = {"party": "sender", "phones": ["+387 61 234 567"]}
WATCHLIST_PARTIES = {
    "parties": [
        {
            "name": "Amra Hodžić",
            "address": "Titova 12",
            "postcode": "71000",
            "city": "Sarajevo",
            "country": "BA",
            "phone": "+387 61 234 567",
            "email": "AH@mail.ba",
        }
    ]
}


def scored(item: Consignment, rules=(), references=None, **engine) -> list[reasons.Finding]:
    item = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=item.pk)
    options = {"model": None, "thresholds": (0.7, 0.3), "random_rate": 0.0, **engine}
    found = Engine(rules=list(rules), references=references, **options).assess([item])[item.pk]
    return found.findings


def to_sarajevo(name="Amra Hodžić", value="20.00", hours_ago=1, **extra):
    return ConsignmentFactory(
        total_value=Decimal(value),
        addressee_name=name,
        addressee_key=party_key(name=name, postcode="71000", country="BA"),
        pre_advised_at=timezone.now() - timedelta(hours=hours_ago),
        **extra,
    )


def make_vague():
    return scored(ConsignmentFactory(lines=[{"description": "gift", "hs_code": "950300"}]))


def make_undervaluation():
    references = References(currency="USD", rates={"USD": 1.0}, values={"691200": 10.0})
    item = ConsignmentFactory(lines=[{"description": "Mug", "hs_code": "691200", "quantity": 2, "value": "2.00"}])
    return scored(item, references=references)


def make_split():
    to_sarajevo(value="100.00", hours_ago=30)
    return scored(to_sarajevo(value="80.00"))


def make_drop_address():
    for name in ("Amelia Clarke", "Jack Turner"):
        to_sarajevo(name=name, addressee_address="12 Ferhadija")
    return scored(to_sarajevo(name="Isla Evans", addressee_address="12 ferhadija"))


def make_shared_phone():
    for name in ("Leo Wood", "Mia Shaw"):
        to_sarajevo(name=name, addressee_phone="+387 61 111 222")
    return scored(to_sarajevo(name="Theo Hill", addressee_phone="061 111 222"))


def make_model_score():
    # The engine's own decision with a model's score and the features that lifted it.
    engine = Engine(rules=[], model=None, thresholds=(0.7, 0.3), random_rate=0.0)
    return engine._decide([], [], 0.83, [("rate:addressee", 0.31), ("count:hs4", 0.05)], draw=0.9).findings


def make_random():
    return scored(ConsignmentFactory(), random_rate=1.0)


def make_scoring_failed():
    item = ConsignmentFactory()
    consignment_hold_unscorable(consignment_id=item.pk, error=ZeroDivisionError("division by zero"))
    return [reasons.Finding.of(stored) for stored in RiskAssessment.objects.get(consignment=item).reasons]


def make_condition():
    return scored(
        ConsignmentFactory(), [rule(RuleKind.CONDITION, {"origin_countries": ["CN"]}, "Air guns and their ammunition")]
    )


def make_prohibited_word():
    item = ConsignmentFactory(lines=[{"description": "Revolver", "hs_code": "930200"}])
    return scored(item, [rule(RuleKind.PROHIBITED, WEAPONS, "Firearms and their parts")])


def make_prohibited_elsewhere():
    item = ConsignmentFactory(lines=[{"description": "Revolver .38 special", "hs_code": "950300"}])
    return scored(item, [rule(RuleKind.PROHIBITED, WEAPONS, "Firearms and their parts")])


def make_prohibited_hs():
    item = ConsignmentFactory(lines=[{"description": "Parts", "hs_code": "930210"}])
    return scored(item, [rule(RuleKind.PROHIBITED, WEAPONS, "Firearms and their parts")])


def make_brand_word():
    item = ConsignmentFactory(lines=[{"description": "R0LEX watch", "hs_code": "910221"}])
    return scored(item, [rule(RuleKind.IPR_BRAND, {"keywords": ["Rolex"]}, "Counterfeit risk: Rolex")])


def make_watchlist_name():
    item = ConsignmentFactory(addressee_name="Petrovsky Ivan")
    return scored(item, [rule(RuleKind.WATCHLIST, WATCHLIST, "Sanctions list")])


def make_watchlist_name_close():
    item = ConsignmentFactory(addressee_name="Ivan Petrovskiy")
    return scored(item, [rule(RuleKind.WATCHLIST, WATCHLIST, "Sanctions list")])


def make_watchlist_name_consonants():
    """An earlier engine's finding: names in Arabic script compared by their consonants alone."""
    params = {"rule": "Sanctions list", "party": "addressee", "seen": "محمد الراشد", "entry": "Mohammed Al Rashid"}
    return [reasons.Finding("watchlist.name_consonants", params)]


def make_below_listed():
    condition = {"goods": "Headphones", "terms": ["Sony WH-1000XM6"], "least": "250"}
    item = ConsignmentFactory(
        currency="EUR",
        total_value=Decimal("25.00"),
        lines=[{"description": "Sony WH-1000XM6", "hs_code": "851830", "quantity": 1, "value": Decimal("25.00")}],
    )
    return scored(item, [rule("VALUE_REF", condition, "Premium headphones")])


def make_watchlist_contact():
    item = ConsignmentFactory(addressee_name="Ena Kovač", addressee_phone="061 234 567")
    return scored(item, [rule(RuleKind.WATCHLIST, WATCHLIST_PARTIES, "Sanctions list")])


def make_watchlist_party():
    item = ConsignmentFactory(addressee_name="A. Hodžić", addressee_address="Titova br. 12", addressee_city="Sarajevo")
    return scored(item, [rule(RuleKind.WATCHLIST, WATCHLIST_PARTIES, "Sanctions list")])


def make_watchlist_identifiers():
    item = ConsignmentFactory(addressee_name="Ena Kovač", addressee_phone="061 234 567", addressee_email="ah@mail.ba")
    return scored(item, [rule(RuleKind.WATCHLIST, WATCHLIST_PARTIES, "Sanctions list")])


def make_watchlist_email():
    item = ConsignmentFactory(addressee_email="X@Shady.example")
    return scored(item, [rule(RuleKind.WATCHLIST, WATCHLIST, "Sanctions list")])


def make_watchlist_phone():
    item = ConsignmentFactory(sender_phone="061-234-567")
    return scored(item, [rule(RuleKind.WATCHLIST, WATCHLIST_PHONES, "Sanctions list")])


def make_goods_controlled():
    return scored(ConsignmentFactory(lines=[{"description": "Springmesser 22 cm", "hs_code": "821191"}]))


def make_goods_misdeclared():
    return scored(ConsignmentFactory(lines=[{"description": "Pfefferspray 40 ml", "hs_code": "950300"}]))


def make_counterfeit_brand():
    return scored(ConsignmentFactory(lines=[{"description": "Rolex Daytona replica AAA", "hs_code": "910221"}]))


def make_copy_offer():
    return scored(ConsignmentFactory(lines=[{"description": "Designer bag mirror quality 1:1", "hs_code": "420221"}]))


def make_resembles():
    from risk.goods.findings import RESEMBLES, Finding

    return [Finding(RESEMBLES, {"family": "narcotics or new psychoactive substances", "probability": "0.93",
                                "words": "kush", "line": "1"}, weight=0.3, lane="YELLOW")]  # fmt: skip


def make_value_below():
    from risk.history import References

    item = ConsignmentFactory(
        currency="EUR",
        lines=[{"description": "iPhone 16 Pro 256GB", "hs_code": "851713", "value": "90.00", "quantity": 1}],
    )
    return scored(item, references=References(currency="EUR", rates={"EUR": 1.0}, values={}))


def make_no_reference():
    return scored(ConsignmentFactory(lines=[{"description": "Springmesser", "hs_code": "821191"}]))


def make_recent_hold():
    seized = to_sarajevo(name="Selma Begić", item_id="RB100000001BA")
    PartyHold.objects.create(
        consignment=seized,
        item_id=seized.item_id,
        kind=PartyHold.Kind.SEIZURE,
        recorded_at=datetime(2026, 11, 2, tzinfo=UTC),
        until=datetime(2099, 1, 31, tzinfo=UTC),
        addressee_key=seized.addressee_key,
    )
    return scored(to_sarajevo(name="Selma Begić"))


def make_withdrawn_while_held():
    withdrawn = to_sarajevo(name="Selma Begić", item_id="RB100000002BA")
    PartyHold.objects.create(
        consignment=withdrawn,
        item_id=withdrawn.item_id,
        kind=PartyHold.Kind.WITHDRAWN,
        recorded_at=datetime(2026, 11, 3, tzinfo=UTC),
        until=datetime(2099, 1, 31, tzinfo=UTC),
    )
    return scored(to_sarajevo(name="Emir Hadžić", item_id="RB100000002BA"))


CITES = {"keywords": ["python skin"], "goods": "CITES wildlife", "permit_kind": "CITES"}


def make_permit(number="FR2612345", holder="Amra Hodžić", year=2026, hs_code="420221", quantity=1):
    """An item declaring a CITES permit, scored by a catalogue row that such a permit lifts."""
    from agencies.models import Permit

    Permit.objects.create(
        kind="CITES",
        number="FR2612345",
        holder=holder,
        holder_key=name_key(holder),
        goods="Python skin handbags",
        hs_prefixes=["4202"],
        quantity=3,
        valid_from=date(year, 1, 1),
        valid_to=date(year, 12, 31),
    )
    line = {"description": "Python skin handbag", "hs_code": hs_code, "quantity": quantity}
    item = ConsignmentFactory(pre_advised_at=datetime(2026, 11, 20, 10, tzinfo=UTC), lines=[line])
    ContentLine.objects.filter(consignment=item).update(permit_number=number)
    return scored(item, [rule(RuleKind.PROHIBITED, CITES, "Wildlife products needing a CITES permit")])


def make_from_migration(sentence):
    return lambda: [reasons.Finding.of(MIGRATION.finding_of(sentence, {}))]


# code: (how scoring makes it, how an officer reading French sees it)
FRENCH = {
    "goods.vague_description": (
        make_vague,
        "Description vague « gift » : elle ne dit pas ce que sont les marchandises.",
    ),
    "value.undervaluation": (
        make_undervaluation,
        "Sous-évaluation possible : Mug déclaré à 1.00 USD l'unité, 90 % sous la référence de 10.00 pour le SH 691200.",
    ),
    "shipment.split": (
        make_split,
        "Fractionnement possible : le destinataire a 2 envois totalisant 312.88 BAM sur les 3 dernier(s) jour(s), "
        "au-dessus de 300.00, chacun en dessous.",
    ),
    "network.drop_address": (
        make_drop_address,
        "Adresse relais : 12 ferhadija a reçu des colis pour 3 noms.",
    ),
    "history.recent_hold": (
        make_recent_hold,
        "Même nom et code postal (destinataire) que l'envoi RB100000001BA, saisie proposée le 2026-11-02 : "
        "les envois vont à un agent jusqu'au 2099-01-31.",
    ),
    "history.withdrawn_while_held": (
        make_withdrawn_while_held,
        "L’envoi RB100000002BA a déjà été préavisé puis retiré le 2026-11-03 alors que la douane le retenait : "
        "son nouveau préavis est soumis à un agent jusqu’au 2099-01-31.",
    ),
    "network.shared_phone": (
        make_shared_phone,
        "Un téléphone pour plusieurs noms : 061 111 222 a été donné pour 3 noms.",
    ),
    "model.score": (
        make_model_score,
        "Score du modèle 0.83 : historique de risque de addressee (+0.31), "
        "fréquence observée de la position SH (+0.05)",
    ),
    "selection.random": (
        make_random,
        "Sélectionné au hasard pour contrôle (échantillon de contrôle non biaisé).",
    ),
    "scoring.failed": (
        make_scoring_failed,
        "Le score automatique a échoué (ZeroDivisionError: division by zero) ; un agent doit contrôler cet envoi.",
    ),
    "rule.condition": (make_condition, "Armes à air comprimé et leurs munitions"),
    "goods.prohibited_word": (
        make_prohibited_word,
        "Armes à feu et leurs pièces (la description mentionne « revolver »)",
    ),
    "goods.prohibited_elsewhere": (
        make_prohibited_elsewhere,
        "Armes à feu et leurs pièces (la description mentionne « revolver », déclaré sous le SH 950300, et non 93)",
    ),
    "goods.prohibited_hs": (make_prohibited_hs, "Armes à feu et leurs pièces (SH 930210)"),
    "goods.brand_word": (make_brand_word, "Counterfeit risk: Rolex (la description mentionne « rolex »)"),
    "watchlist.name": (make_watchlist_name, "Sanctions list (destinataire : nom sur la liste de surveillance)"),
    "watchlist.name_close": (
        make_watchlist_name_close,
        "Sanctions list (destinataire : le nom « Ivan Petrovskiy » correspond à « Ivan Petrovsky » de la liste "
        "de surveillance, 100 %)",
    ),
    "watchlist.name_consonants": (
        make_watchlist_name_consonants,
        "Sanctions list (destinataire : le nom « محمد الراشد » correspond à « Mohammed Al Rashid » de la liste "
        "de surveillance, mêmes consonnes)",
    ),
    "watchlist.party": (
        make_watchlist_party,
        "Sanctions list (destinataire « A. Hodžić » est « Amra Hodžić » de la liste de surveillance : nom 85 %, "
        "même adresse postale)",
    ),
    "watchlist.identifiers": (
        make_watchlist_identifiers,
        "Sanctions list (destinataire « Ena Kovač » donne : téléphone, courriel de « Amra Hodžić » de la liste "
        "de surveillance)",
    ),
    "watchlist.contact": (
        make_watchlist_contact,
        "Sanctions list (destinataire « Ena Kovač » donne : téléphone de « Amra Hodžić » de la liste de surveillance, "
        "sous un autre nom)",
    ),
    "watchlist.email": (
        make_watchlist_email,
        "Sanctions list (destinataire : courriel sur la liste de surveillance)",
    ),
    "watchlist.phone": (
        make_watchlist_phone,
        "Sanctions list (expéditeur : téléphone sur la liste de surveillance)",
    ),
    "goods.listed_word": (
        make_from_migration("Possible narcotics: description mentions “tramadol”."),
        "Soupçon (stupéfiants) : la description mentionne « tramadol ».",
    ),
    "goods.listed_hs": (
        make_from_migration("Possible weapons: HS code 9302 is restricted."),
        "Soupçon (armes) : le code SH 9302 est soumis à restriction.",
    ),
    "text": (make_from_migration("Checked by hand at the counter."), "Checked by hand at the counter."),
    "permit.valid": (
        make_permit,
        "Produits de la faune soumis à permis CITES : levée par Permis CITES FR2612345, valable jusqu'au 2026-12-31",
    ),
    "permit.not_found": (
        lambda: make_permit(number="XX-1"),
        "Produits de la faune soumis à permis CITES : Permis CITES XX-1 n'est pas au registre",
    ),
    "permit.expired": (
        lambda: make_permit(year=2025),
        "Produits de la faune soumis à permis CITES : Permis CITES FR2612345 n'est pas valable le 2026-11-20 "
        "(du 2025-01-01 au 2025-12-31)",
    ),
    "permit.other_holder": (
        lambda: make_permit(holder="Ena Kovač"),
        "Produits de la faune soumis à permis CITES : Permis CITES FR2612345 est détenu par Ena Kovač, non par le "
        "destinataire",
    ),
    "permit.other_goods": (
        lambda: make_permit(hs_code="640399"),
        "Produits de la faune soumis à permis CITES : Permis CITES FR2612345 ne couvre pas le SH 640399",
    ),
    "permit.used_up": (
        lambda: make_permit(quantity=5),
        "Produits de la faune soumis à permis CITES : Permis CITES FR2612345 n'a plus que 3, 5 déclarés",
    ),
    "goods.controlled": (
        make_goods_controlled,
        "Se lit comme des armes ou leurs pièces : « springmesser » (ligne 1).",
    ),
    "goods.controlled_misdeclared": (
        make_goods_misdeclared,
        "Se lit comme des armes ou leurs pièces : « pfefferspray 40 ml », déclaré sous le SH 950300 (Tricycles, "
        "scooters, pedal cars and similar wheeled toys…) (ligne 1).",
    ),
    "goods.counterfeit_brand": (
        make_counterfeit_brand,
        "Proposé comme copie de Rolex (Rolex SA) : replica aaa (ligne 1).",
    ),
    "goods.copy_offer": (make_copy_offer, "Proposé comme copie : « mirror quality » (ligne 1)."),
    "goods.resembles": (
        make_resembles,
        "Ressemble à des stupéfiants ou de nouvelles substances psychoactives (probabilité 0.93) : « kush » (ligne 1).",
    ),
    "value.below_reference": (
        make_value_below,
        "Sous-évaluation possible : iphone 16 pro déclaré à 90.00 EUR la pièce, 11 % du prix le plus bas de telles "
        "marchandises (800.00 EUR) (ligne 1).",
    ),
    "value.below_listed": (
        make_below_listed,
        "Premium headphones : sony wh 1000 xm 6 déclaré à 25.00 EUR la pièce, 10 % du prix minimal de telles "
        "marchandises (250.00 EUR) (ligne 1).",
    ),
    "value.no_reference": (
        make_no_reference,
        "Aucune valeur de référence pour ces marchandises : la valeur déclarée n'a pas été comparée.",
    ),
}


def test_every_reason_code_has_a_french_case_here():
    assert set(FRENCH) == {reason.code for reason in reasons.reasons_all()}


@pytest.mark.parametrize("code", sorted(FRENCH))
def test_each_finding_reads_in_french_on_the_item_page(client, code):
    make, french = FRENCH[code]
    findings = [finding for finding in make() if finding.code == code]
    assert len(findings) == 1, [f.code for f in make()]
    item = ConsignmentFactory(state=ConsignmentState.HELD, lane=Lane.YELLOW, risk_score=Decimal("0.5"))
    stored = [finding.stored() for finding in findings]
    RiskAssessment.objects.create(consignment=item, consignment_version=1, score="0.5", lane="YELLOW", reasons=stored)
    client.force_login(UserFactory(role="OFFICER"))

    page = client.get(f"/officer/items/{item.pk}/", headers={"Accept-Language": "fr"}).content.decode()

    reasons_list = page.split('<ul id="reasons">')[1].split("</ul>")[0]
    shown = reasons_list.split(f'data-reason="{code}">')[1].split("</li>")[0]
    assert _unescaped(shown) == french


def _unescaped(html: str) -> str:
    return (
        html.replace("&#x27;", "'")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def test_the_records_keep_the_english_wording_of_each_finding():
    finding = make_prohibited_elsewhere()[0]
    assert reasons.render_english(finding) == (
        "Firearms and their parts (description mentions “revolver”, declared under HS 950300, not 93)"
    )
    assert finding.stored() == {
        "code": "goods.prohibited_elsewhere",
        "params": {"rule": "Firearms and their parts", "word": "revolver", "hs_code": "950300", "chapters": "93"},
        "rule": "r-prohibited@v2",
        "lane": "RED",
    }


def test_a_code_no_longer_declared_still_reads_with_its_parameters():
    assert reasons.render({"code": "gone.kind", "params": {"word": "x"}}) == "gone.kind (word: x)"
    assert reasons.render({"code": "goods.prohibited_hs", "params": {}}) == "? (HS ?)"


def test_the_back_test_reads_the_codes_of_a_verdict_and_of_an_assessment():
    vague, plain = ConsignmentFactory(lines=[{"description": "gift", "hs_code": "950300"}]), ConsignmentFactory()
    items = list(
        Consignment.objects.prefetch_related("lines").select_related("operator").filter(pk__in=[vague.pk, plain.pk])
    )
    verdicts = Engine(rules=[], model=None, thresholds=(0.7, 0.3), random_rate=0.5).assess(items)
    assert reasons.codes_of(verdicts[vague.pk]) == ["goods.vague_description"]  # yellow already: never drawn
    drawn = verdicts[plain.pk].random_selection
    assert reasons.codes_of(verdicts[plain.pk]) == (["selection.random"] if drawn else [])
    stored = RiskAssessment(reasons=[finding.stored() for finding in verdicts[vague.pk].findings])
    assert reasons.codes_of(stored) == ["goods.vague_description"]
    assert reasons.codes_of({"reasons": ["An old sentence."]}) == ["text"]
