"""Watchlists match parties by the parts of their names and by what else identifies them: a name alone is a
resemblance an officer looks at (YELLOW at most), the name with a second identifier is the party (the rule's
lane); near-names of other people on common family names are not matched at all."""

from decimal import Decimal

import pytest

from clearance.choices import Lane
from clearance.models import Consignment
from risk.choices import RuleKind
from risk.engine import Engine
from risk.kinds.watchlist import WatchlistFields, party_of
from risk.rules import CompiledRule, InvalidRule, validate_condition
from tests.factories import ConsignmentFactory

pytestmark = pytest.mark.django_db

PARTY = {
    "name": "Hüseyin Avni Çelik",
    "address": "Ul. Zmaja od Bosne br. 45",
    "postcode": "71000",
    "city": "Sarajevo",
    "country": "BA",
    "phone": "+387 61 555 010",
    "email": "h.celik@mail.example",
}


def watchlist(condition, lane=Lane.RED):
    return CompiledRule(
        code="sanctions",
        version=1,
        kind=RuleKind.WATCHLIST,
        description="Sanctions list",
        condition={"party": "addressee", **condition},
        force_lane=lane,
        score=Decimal("0"),
    )


def verdict(rules, **addressee):
    item = ConsignmentFactory(**{f"addressee_{field}": value for field, value in addressee.items()})
    item = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=item.pk)
    engine = Engine(rules=rules, model=None, thresholds=(0.7, 0.3), random_rate=0.0)
    return engine.assess([item])[item.pk]


def codes(found):
    return [finding.code for finding in found.findings if finding.code.startswith("watchlist.")]


@pytest.mark.parametrize(
    "name",
    [
        "Huseyin Celik",  # the middle name dropped, no accents
        "H. A. Celik",  # initials
        "ÇELİK, Hüseyin Avni",  # family name first
        "Хусеин Авни Челик",  # Cyrillic
    ],
)
def test_a_name_variant_alone_goes_to_an_officer_as_a_resemblance_never_red(name):
    found = verdict([watchlist({"parties": [PARTY]})], name=name, postcode="71000", city="Sarajevo")
    assert codes(found) in (["watchlist.name"], ["watchlist.name_close"])  # the same name, or one close to it
    assert found.lane == Lane.YELLOW  # the rule asks for RED; a name alone is not enough


def test_the_exact_name_alone_is_still_only_yellow():
    found = verdict([watchlist({"names": ["Hüseyin Avni Çelik"]})], name="Hüseyin Avni Çelik")
    assert (codes(found), found.lane) == (["watchlist.name"], Lane.YELLOW)


def test_a_name_variant_with_the_same_street_or_phone_is_the_party_and_red():
    rules = [watchlist({"parties": [PARTY]})]
    by_street = verdict(
        rules, name="H. Celik", address="Zmaja od Bosne 45", postcode="71000", city="Sarajevo", phone=""
    )
    assert (codes(by_street), by_street.lane) == (["watchlist.party"], Lane.RED)
    assert by_street.findings[0].params["identifiers"] == ["address"]
    by_phone = verdict(rules, name="Huseyin Celik", phone="061 555 010", postcode="88000", city="Mostar")
    assert (codes(by_phone), by_phone.lane) == (["watchlist.party"], Lane.RED)


def test_two_identifiers_without_the_name_are_the_party_too():
    found = verdict(
        [watchlist({"parties": [PARTY]})], name="Selma Begić", phone="061555010", email="H.Celik@mail.example"
    )
    assert (codes(found), found.lane) == (["watchlist.identifiers"], Lane.RED)


@pytest.mark.parametrize(
    "name",
    [
        "Mehmet Çelik",  # another person of a common family name
        "Ali Çelik",
        "Hüseyin Yılmaz",  # a common given name with another family name
        "Avni Kaya",
    ],
)
def test_other_people_who_share_a_common_name_part_are_not_matched(name):
    found = verdict([watchlist({"parties": [PARTY]})], name=name, postcode="71000", city="Sarajevo")
    assert codes(found) == []
    assert found.lane == Lane.GREEN


def test_an_officer_types_parties_one_per_line_and_gets_an_error_for_a_bad_field():
    text = "Amra Hodžić | Titova 12 | 71000 | Sarajevo | BA | +387 61 234 567 | amra@mail.ba\nIvo Perić||||HR"
    form = WatchlistFields({"parties": text, "party": "any"})
    assert form.is_valid(), form.errors
    parties = form.cleaned_data["parties"]
    assert parties[0] == party_of("Amra Hodžić | Titova 12 | 71000 | Sarajevo | BA | +387 61 234 567 | amra@mail.ba")
    assert parties[0]["email"] == "amra@mail.ba" and parties[1] == {"name": "Ivo Perić", "country": "HR"}
    assert validate_condition(RuleKind.WATCHLIST, {"parties": parties}) == {"parties": parties}

    bad = {"parties": [{"name": "Amra Hodžić", "email": "not an address"}]}
    with pytest.raises(InvalidRule) as error:
        validate_condition(RuleKind.WATCHLIST, bad)
    assert [detail["field"] for detail in error.value.details] == ["parties"]
    assert "is no e-mail" in error.value.details[0]["message"]


@pytest.mark.parametrize(
    ("listed", "given"),
    [
        (("Av. Insurgentes Sur 1602, Col. Crédito Constructor", "03940"), ("Avenida Insurgentes Sur 1602", "03940")),
        (("Nevsky prospekt 88, kv. 4", "191025"), ("Newski Prospekt 88, Wohnung 4", "191025")),
        (("Ul. Zmaja od Bosne br. 45", "71000"), ("Zmaja od Bosne 45", "71000")),
    ],
)
def test_one_street_address_however_written_is_the_second_identifier(listed, given):
    entry = {"name": "Jelena Marković", "address": listed[0], "postcode": listed[1], "country": "BA"}
    found = verdict([watchlist({"parties": [entry]})], name="J. Marković", address=given[0], postcode=given[1])
    assert (codes(found), found.lane) == (["watchlist.party"], Lane.RED)


def test_beside_a_listed_e_mail_a_name_that_only_resembles_the_entry_is_the_party():
    entry = {"name": "Đorđe Petrović", "email": "djordje.petrovic77@gmail.com", "country": "RS"}
    found = verdict([watchlist({"parties": [entry]})], name="Đ. Petrović", email="Djordje.Petrovic77@gmail.com")
    assert (codes(found), found.lane) == (["watchlist.party"], Lane.RED)


def test_another_person_of_the_family_at_the_listed_address_is_not_the_party():
    found = verdict(
        [watchlist({"parties": [PARTY]})],
        name="Emir Çelik",  # a brother, say: the same family name and street, another first name
        address="Zmaja od Bosne 45",
        postcode="71000",
        city="Sarajevo",
    )
    assert (codes(found), found.lane) == (["watchlist.contact"], Lane.YELLOW)
