"""The production engine against each kind of pattern customs look for: caught, and the near-miss that is not.

Each case is scored by the engine with the shipped goods catalogue in force,
as production scores, so a case that passes here passes on a fresh installation.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from clearance.choices import Lane
from clearance.models import Consignment
from risk.catalogue import SHIPPED, catalogue_csv, catalogue_rows
from risk.choices import RuleKind, RuleStatus
from risk.engine import Engine
from risk.models import Rule
from risk.rules import CompiledRule
from risk.selectors import rules_in_force
from tests.factories import ConsignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_random_draw(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    cache.clear()
    yield
    cache.clear()


def listed(kind, condition, description):
    return CompiledRule(
        code=f"test-{kind.lower()}",
        version=1,
        kind=kind,
        description=description,
        condition=condition,
        force_lane=Lane.RED,
        score=Decimal("0"),
    )


WATCHLIST = listed(
    RuleKind.WATCHLIST,
    {"party": "any", "names": ["Ivan Petrovsky", "Mohammed Al Rashid"]},
    "Addressee on the sanctions watchlist",
)
ROLEX = listed(RuleKind.IPR_BRAND, {"keywords": ["Rolex"], "brand_owner": "Rolex SA"}, "Counterfeit risk: Rolex")


def verdict(description="Cotton T-shirt", hs_code="610910", **item):
    consignment = ConsignmentFactory(**item, lines=[{"description": description, "hs_code": hs_code}])
    consignment = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=consignment.pk)
    engine = Engine(rules=[WATCHLIST, ROLEX, *rules_in_force()], model=None, thresholds=(0.7, 0.3), random_rate=0)
    return engine.assess([consignment])[consignment.pk]


def caught(result) -> bool:
    return result.lane in (Lane.RED, Lane.YELLOW) and bool(result.reasons)


@pytest.mark.parametrize(
    ("description", "hs_code", "named"),
    [
        ("Air rifle 4.5mm with scope", "950300", "Air guns"),  # declared as a toy
        ("Tramadol 100mg tablets", "300490", "opioid"),
        ("Oxycodone pills", "300490", "opioid"),
        ("Methamphetamine crystals", "282739", "Narcotic"),
        ("MDMA powder", "293990", "Narcotic"),
        ("Revolver replica metal", "950300", "Firearms"),
        ("Pistolets à air comprimé", "950300", "Air guns"),  # French
        ("Carved ivory figurine", "442090", "Ivory"),
        ("Loose lithium batteries 18650", "850650", "ithium"),
        ("Used car batteries for recycling", "854810", "waste"),
        ("R-22 refrigerant gas cylinder", "290371", "zone"),
        ("Fentanyl patches", "300490", "opioid"),
        ("Counterfeit banknotes", "490700", "ounterfeit"),
        ("LiPo batteries 3000mAh", "850760", "ithium"),  # battery, batteries
    ],
)
def test_prohibited_and_restricted_goods_are_caught_and_named(description, hs_code, named):
    result = verdict(description, hs_code)
    assert caught(result), result
    assert any(named.lower() in reason.lower() for reason in result.reasons), result.reasons


def test_a_revolver_declared_as_a_toy_is_a_finding_of_its_own():
    result = verdict("Revolver", "950300")
    assert result.lane == Lane.RED
    assert any("declared under HS 950300, not 93" in reason for reason in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("description", "hs_code"),
    [
        ("Water pistol for children", "950300"),
        ("Pistol grip hose nozzle", "842420"),
        ("Ivory lace dress", "620442"),
        ("Ivory colour cushion cover", "630499"),
        ("Pistolet à eau", "950300"),
        ("Rifle scope rings", "900590"),
        ("Cotton T-shirt", "610910"),
        ("Grenadine syrup", "210690"),  # a word that contains "grenade" is not one
    ],
)
def test_near_misses_are_not_prohibited_goods(description, hs_code):
    result = verdict(description, hs_code)
    assert result.lane == Lane.GREEN, result.reasons


@pytest.mark.parametrize(
    "description",
    [
        "spare parts",
        "General merchandise",
        "misc items",
        "Gift",
        "Various goods",
        "Pièces divers",
        "PARTS X3",
        "gifts 2pcs",
    ],
)
def test_descriptions_that_name_no_product_are_vague_and_say_which_words(description):
    result = verdict(description, "999999")
    reasons = " ".join(result.reasons)
    assert "Vague description" in reasons and description in reasons
    assert result.lane != Lane.GREEN


@pytest.mark.parametrize("description", ["Spare parts for a Bosch dishwasher", "Gift: wool scarf", "Brake pads"])
def test_a_description_naming_a_product_is_not_vague(description):
    assert not any("Vague" in reason for reason in verdict(description, "870830").reasons)


@pytest.mark.parametrize(
    "name",
    [
        "Ivan Petrovsky",
        "Petrovsky Ivan",  # reversed
        "Иван Петровский",  # Cyrillic
        "Ivan Petrovskiy",  # a transliteration's spelling
        "Ivan Aetrovsky",  # a slip in a first letter, which moves the word when names are sorted
        "Mohammed Al-Rashid",
        "محمد الراشد",  # Arabic, as on a label
    ],
)
def test_watchlisted_names_are_caught_across_scripts_orders_and_spellings(name):
    result = verdict(addressee_name=name)
    assert result.lane == Lane.YELLOW, (name, result.reasons)  # a name alone: an officer looks, never RED
    assert any("watchlist" in reason for reason in result.reasons)


@pytest.mark.parametrize("name", ["Ivana Petrova", "Mohammed Ali", "Amra Hodžić"])
def test_other_names_are_not_watchlisted(name):
    assert not any("watchlist" in reason for reason in verdict(addressee_name=name).reasons)


@pytest.mark.parametrize("description", ["R0LEX Submariner", "ROLEX watch", "Rolex-style bracelet"])
def test_brand_names_are_caught_with_digits_for_letters(description):
    assert any("Rolex" in reason for reason in verdict(description, "910221").reasons)


def test_a_word_that_contains_a_brand_is_not_the_brand():
    assert verdict("Rolexander action figure", "950300").lane == Lane.GREEN


def test_the_shipped_catalogue_is_in_force_and_exports_as_it_was_imported():
    shipped = catalogue_rows(SHIPPED.read_text(encoding="utf-8"))
    in_force = Rule.objects.filter(
        status=RuleStatus.ACTIVE, kind=RuleKind.PROHIBITED, code__in=[r["code"] for r in shipped]
    )
    assert in_force.count() == len(shipped)
    exported = catalogue_rows(catalogue_csv(in_force.order_by("code")))
    assert all(row.pop("effective_from").date() <= timezone.now().date() for row in exported)  # in force today
    assert exported == sorted(shipped, key=lambda r: r["code"])


def test_the_shipped_catalogue_reads_in_french_in_a_reason():
    from django.utils import translation

    from risk.catalogue import SHIPPED_DESCRIPTIONS
    from risk.reasons import render

    shipped = {row["description"] for row in catalogue_rows(SHIPPED.read_text(encoding="utf-8"))}
    assert shipped == set(SHIPPED_DESCRIPTIONS)
    result = verdict("Revolver", "930200")
    with translation.override("fr"):
        shown = render(result.findings[0])
    assert shown.startswith("Armes à feu") and "revolver" in shown, shown


def _supervisors():
    from tests.factories import UserFactory

    return UserFactory(role="SUPERVISOR"), UserFactory(role="SUPERVISOR")


def _shipped_with(extra_rows: str = "", edit=None) -> str:
    text = SHIPPED.read_text(encoding="utf-8")
    if edit:
        text = text.replace(*edit)
    return text + extra_rows


def test_importing_the_catalogue_proposes_only_what_differs_and_nothing_changes_before_approval():
    from risk.services import catalogue_import, rule_approve

    author, checker = _supervisors()
    text = _shipped_with(
        "bad-row,weapons,GREEN,Lane that does not exist,knife,,,,\n"
        "kitchen-knives,weapons,YELLOW,Large knives,machete,,,,test\n",
        edit=("air rifle|air gun|", "air rifle|air gun|springer rifle|"),
    )
    result = catalogue_import(author=author, text=text)

    assert sorted(rule.code for rule in result["proposed"]) == ["kitchen-knives", "weapons-air-guns"]
    assert result["unchanged"] == len(catalogue_rows(SHIPPED.read_text(encoding="utf-8"))) - 1
    assert [(e["code"], e["line"]) for e in result["errors"]] == [("bad-row", 21)]
    assert "The lane is RED, YELLOW, or empty" in result["errors"][0]["message"]
    assert verdict("Springer rifle .22", "930400").lane == Lane.RED  # "rifle" already red as a firearm
    assert not any("Air guns" in r for r in verdict("Springer rifle .22", "930400").reasons)

    for rule in result["proposed"]:
        rule_approve(rule=rule, approver=checker)
    assert any("Air guns" in r for r in verdict("Springer rifle .22", "930400").reasons)
    assert any("Large knives" in r for r in verdict("Machete 40cm", "821192").reasons)


def test_a_file_that_is_not_a_catalogue_is_refused_whole_and_an_officer_cannot_import():
    from core.exceptions import ApplicationError, PermissionDenied
    from risk.services import catalogue_import
    from tests.factories import UserFactory

    author, _ = _supervisors()
    with pytest.raises(ApplicationError, match="columns .*keywords"):
        catalogue_import(author=author, text="code,description\nx,y\n")
    with pytest.raises(PermissionDenied):
        catalogue_import(author=UserFactory(role="OFFICER"), text=SHIPPED.read_text(encoding="utf-8"))
    assert not Rule.objects.filter(status=RuleStatus.PENDING).exists()


def test_the_dashboard_exports_the_catalogue_and_an_import_of_the_export_changes_nothing(client):
    author, _ = _supervisors()
    client.force_login(author)
    exported = client.get("/officer/rules/goods_catalogue.csv")
    assert exported["Content-Type"].startswith("text/csv")
    body = exported.content.decode()
    assert body.startswith("code,goods,lane,description,keywords")

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("catalogue.csv", body.encode(), content_type="text/csv")
    page = client.post("/officer/rules/catalogue", {"file": upload}, follow=True)
    assert "0 catalogue rule(s) wait for a second supervisor" in page.content.decode()
    assert not Rule.objects.filter(status=RuleStatus.PENDING).exists()


def test_a_catalogue_row_takes_effect_on_its_dates():
    from risk.services import catalogue_import, rule_approve

    author, checker = _supervisors()
    header = SHIPPED.read_text(encoding="utf-8").splitlines()[0] + ",effective_from,effective_to\n"
    rows = (
        "future-ban,weapons,RED,Zorblat launchers,zorblat,,,,Decree 12,2999-01-01,\n"
        "bad-dates,weapons,RED,Knuckles,knuckle duster,,,,x,2026-13-01,\n"
    )
    result = catalogue_import(author=author, text=header + rows)
    assert [e["message"] for e in result["errors"]] == ["Dates are written YYYY-MM-DD."]
    (rule,) = result["proposed"]
    assert rule.effective_from.date().isoformat() == "2999-01-01"
    rule_approve(rule=rule, approver=checker)
    assert verdict("Zorblat set", "930700").lane == Lane.GREEN  # approved, but not yet in force


def test_a_row_with_a_nul_or_an_unreadable_field_is_reported_and_the_rows_before_it_kept():
    from risk.services import catalogue_import

    author, _ = _supervisors()
    header = SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    text = (
        f"{header}\n"
        "knives-a,weapons,YELLOW,Large knives,machete,,,,src\n"
        "knives-b,weapons,YELLOW,Bad\x00row,bowie,,,,src\n"
        f"knives-c,weapons,YELLOW,{'x' * 200_000},kukri,,,,src\n"
    )
    result = catalogue_import(author=author, text=text)
    assert [rule.code for rule in result["proposed"]] == ["knives-a"]
    messages = [e["message"] for e in result["errors"]]
    assert messages[0] == "The row contains a NUL character."
    assert messages[1].startswith("The file cannot be read on:")


# --- The export re-imports to the same catalogue, every kind of row -------------------------------------------------

ROW_KINDS = {
    # code: what the row is, as rule_propose takes it (the officers' rule form or an earlier import)
    "kind-red": {"force_lane": "RED", "condition": {"goods": "weapons", "keywords": ["zorblat launcher"]}},
    "kind-yellow": {"force_lane": "YELLOW", "condition": {"goods": "medicines", "keywords": ["zorblat pills"]}},
    "kind-score": {"force_lane": "", "score": Decimal("0.350"), "condition": {"keywords": ["zorblat vape"]}},
    "kind-hs-only": {"force_lane": "RED", "condition": {"goods": "weapons", "hs_prefixes": ["930190"]}},
    "kind-full": {
        "force_lane": "YELLOW",
        "condition": {
            "goods": "wildlife",
            "keywords": ["zorblat ivory", "ivoire de zorblat"],
            "exclusions": ["zorblat ivory colour"],
            "hs_chapters": ["96", "97"],
            "hs_prefixes": ["9601"],
        },
        "source": "CITES; national decree 12",
    },
    "kind-dated": {
        "force_lane": "RED",
        "condition": {"goods": "weapons", "keywords": ["zorblat knuckles"]},
        "effective_from": datetime(2026, 3, 1, tzinfo=UTC),
        "effective_to": datetime(2099, 1, 1, tzinfo=UTC),
    },
}


def test_the_catalogue_export_re_imports_to_the_same_catalogue_for_every_kind_of_row(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from risk.catalogue import condition_key
    from risk.services import catalogue_import, rule_approve, rule_propose

    author, checker = _supervisors()
    for code, fields in ROW_KINDS.items():
        rule = rule_propose(
            author=author, kind=RuleKind.PROHIBITED, code=code, description=f"Zorblat goods: {code}", **fields
        )
        rule_approve(rule=rule, approver=checker)
    in_force = Rule.objects.filter(status=RuleStatus.ACTIVE, kind=RuleKind.PROHIBITED)
    before = {r.code: (r.force_lane, r.score, condition_key(r.condition), r.source, r.effective_to) for r in in_force}

    client.force_login(author)
    exported = client.get("/officer/rules/goods_catalogue.csv").content.decode()
    result = catalogue_import(author=checker, text=exported)
    assert result["errors"] == [] and result["proposed"] == []
    assert result["unchanged"] == len(before)

    # Imported into another installation (the rules gone), the same catalogue comes back.
    Rule.objects.filter(code__in=ROW_KINDS).delete()
    upload = SimpleUploadedFile("catalogue.csv", exported.encode(), content_type="text/csv")
    client.post("/officer/rules/catalogue", {"file": upload})
    pending = Rule.objects.filter(status=RuleStatus.PENDING)
    assert sorted(pending.values_list("code", flat=True)) == sorted(ROW_KINDS)
    for rule in pending:
        rule_approve(rule=rule, approver=checker)
    after = {
        r.code: (r.force_lane, r.score, condition_key(r.condition), r.source, r.effective_to)
        for r in Rule.objects.filter(status=RuleStatus.ACTIVE, kind=RuleKind.PROHIBITED)
    }
    assert after == before


@pytest.mark.parametrize(
    ("lane", "score", "message"),
    [
        ("GREEN", "", "The lane is RED, YELLOW, or empty"),
        ("", "", "give a score above 0"),
        ("", "1.5", "A score is a number from 0 to 1."),
        ("", "lots", "A score is a number from 0 to 1."),
    ],
)
def test_a_catalogue_row_forces_a_lane_or_adds_a_score(lane, score, message):
    from risk.services import catalogue_import

    author, _ = _supervisors()
    header = "code,goods,lane,description,keywords,score\n"
    result = catalogue_import(author=author, text=header + f"zorblat-x,weapons,{lane},Zorblats,zorblat,{score}\n")
    assert message in result["errors"][0]["message"] and not result["proposed"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("words-a,weapons,YELLOW,Anything,a|revolver,,,,src", "too short or too common"),
        ("words-b,weapons,YELLOW,Anything,the,,,,src", "too short or too common"),
        ("words-c,weapons,YELLOW,Anything,pistol|rifle,pistol|rifle,,,src", "cancel every keyword"),
        ("words-d,weapons,YELLOW,Anything,pistol,,ZZ,,src", "not an HS chapter"),
        ("words-e,weapons,YELLOW,Anything,pistol,,\u0669\u0663,,src", "not an HS chapter"),
        ("words-f,weapons,YELLOW,Anything,pistol,,93,12ab,src", "not an HS code or prefix"),
    ],
)
def test_a_catalogue_row_whose_words_or_codes_could_not_name_goods_is_refused(row, message):
    from risk.services import catalogue_import

    author, _ = _supervisors()
    header = SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    result = catalogue_import(author=author, text=f"{header}\n{row}\n")
    assert result["proposed"] == []
    assert message in result["errors"][0]["message"]


def test_one_file_proposes_a_bounded_number_of_changes(settings):
    from risk import catalogue
    from risk.services import catalogue_import

    author, _ = _supervisors()
    header = SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    rows = "".join(f"bulk-{n},weapons,YELLOW,Bulk {n},zorblat{n},,,,src\n" for n in range(catalogue.MAX_PROPOSALS + 5))
    result = catalogue_import(author=author, text=f"{header}\n{rows}")
    assert len(result["proposed"]) == catalogue.MAX_PROPOSALS
    assert "Only" in result["errors"][-1]["message"]


def test_a_finding_names_the_keyword_as_the_rule_writes_it_digits_and_all():
    from core.normalize import screen_key
    from risk.kinds.base import GoodsWords, ItemFacts

    words = GoodsWords({"keywords": ["sectest4068", "pist0l"]})
    for description, written in (("Box of sectest4068 parts", "sectest4068"), ("Toy PISTOLS", "pist0l")):
        facts = ItemFacts(
            hs_codes=(),
            origins=frozenset(),
            sender_country="CN",
            category="SALE_OF_GOODS",
            operator="OP",
            platform="",
            currency="USD",
            value=Decimal("1"),
            weight=Decimal("1"),
            text=f" {screen_key(description)} ",
            parties={},
        )
        assert words.word(facts) == written
