"""Split shipments: one addressee across operators and spellings, valued in the destination's currency
against its own relief threshold, and earlier parcels held again until they are presented."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from clearance.choices import ConsignmentState, DecisionCode
from clearance.models import Consignment, Decision
from core.models import AuditEntry
from law import selectors as law
from risk.engine import Engine
from risk.services import consignments_assess
from tests.factories import ConsignmentFactory, PostalOperatorFactory, addressee_keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_random_draw(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.0
    settings.OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD = "1000"  # the law's threshold must be the one used
    cache.clear()
    yield
    cache.clear()


def to_london(value, currency="GBP", name="Oliver Bennett", postcode="SW1A 1AA", hours_ago=1, **extra):
    """A parcel to the United Kingdom, whose law relieves goods up to GBP 135."""
    extra.setdefault("addressee_address", f"{len(name) % 7 + 1} Whitehall Place")  # one address per name
    return ConsignmentFactory(
        total_value=Decimal(value),
        currency=currency,
        pre_advised_at=timezone.now() - timedelta(hours=hours_ago),
        **addressee_keys(addressee_name=name, addressee_postcode=postcode, addressee_country="GB", **extra),
    )


def reasons_of(consignment):
    consignment = Consignment.objects.prefetch_related("lines").select_related("operator").get(pk=consignment.pk)
    engine = Engine(rules=[], model=None, thresholds=(0.7, 0.3), random_rate=0)
    return engine.assess([consignment])[consignment.pk].reasons


def split_reasons(consignment):
    return [r for r in reasons_of(consignment) if "split shipment" in r]


def test_parcels_to_one_addressee_across_operators_and_spellings_pass_the_laws_threshold():
    to_london("80.00", operator=PostalOperatorFactory(), addressee_address="4 Whitehall Place")
    last = to_london(
        "70.00", name="BENNETT, Olivier", operator=PostalOperatorFactory(), addressee_address="4, Whitehall place"
    )
    (reason,) = split_reasons(last)
    assert "2 items totalling 150.00 GBP" in reason and "above 135.00" in reason


def test_values_in_other_currencies_are_converted_before_they_are_added_up():
    to_london("100.00", currency="USD")  # about GBP 75
    assert split_reasons(to_london("70.00"))  # about GBP 145 in all, above 135
    to_london("100.00", currency="USD", name="Grace Hopper", postcode="E1 6AN")
    second = to_london("60.00", currency="USD", name="Grace Hopper", postcode="E1 6AN")
    assert split_reasons(second) == []  # USD 160 is above 135 only if currencies are mixed up: about GBP 120


def test_the_same_phone_or_address_is_the_same_addressee_whatever_the_name():
    to_london("90.00", addressee_phone="+44 7700 900456", addressee_address="1 Whitehall Place")
    by_phone = to_london("60.00", name="O. B.", addressee_phone="07700 900456", addressee_address="PO Box 12")
    assert split_reasons(by_phone)
    by_address = to_london("60.00", name="Oliver Benett", addressee_address="1, WHITEHALL PLACE")  # a slip
    assert split_reasons(by_address)


def test_other_people_at_the_postcode_and_the_same_name_elsewhere_are_not_grouped():
    to_london("90.00")
    assert split_reasons(to_london("60.00", name="Amelia Clarke", addressee_address="9 Horse Guards Road")) == []
    assert split_reasons(to_london("60.00", postcode="M1 1AE")) == []


def test_a_parcel_above_the_threshold_on_its_own_is_not_a_split():
    to_london("90.00")
    assert split_reasons(to_london("300.00")) == []


def test_earlier_parcels_cleared_before_arrival_are_held_again_until_presented(django_capture_on_commit_callbacks):
    cleared = to_london("80.00", state=ConsignmentState.RELEASED)
    presented = to_london("30.00", state=ConsignmentState.RELEASED, presented_at=timezone.now())
    last = to_london("70.00")

    with django_capture_on_commit_callbacks(execute=False):
        result = consignments_assess(consignment_ids=[last.pk])

    assert result["recalled"] == 1
    for parcel in (cleared, presented, last):
        parcel.refresh_from_db()
    assert last.state == ConsignmentState.HELD
    assert cleared.state == ConsignmentState.HELD  # still before presentation: stopped
    assert presented.state == ConsignmentState.RELEASED  # presented: the clearance was final
    decision = Decision.objects.filter(consignment=cleared).latest("sequence")
    assert decision.code == DecisionCode.HOLD_INSPECTION and "split shipment" in decision.reason
    assert AuditEntry.objects.filter(target_id=cleared.pk, action="clearance.consignment.recalled").exists()


def test_a_repeated_scoring_recalls_nothing_twice(django_capture_on_commit_callbacks):
    to_london("80.00", state=ConsignmentState.RELEASED)
    last = to_london("70.00")
    with django_capture_on_commit_callbacks(execute=False):
        consignments_assess(consignment_ids=[last.pk])
        again = consignments_assess(consignment_ids=[last.pk])
    assert "recalled" not in again


def test_a_drop_address_and_a_phone_shared_by_many_names_are_indicators(settings):
    settings.OPENCLEAR_RISK_NETWORK_NAMES = 4
    for name in ("Amelia Clarke", "Jack Turner", "Noah Patel"):
        to_london("20.00", name=name, addressee_address="12 Baker Street, Flat 3")
    fourth = to_london("20.00", name="Isla Evans", addressee_address="12 baker street flat 3")
    assert any("Drop address" in r and "4 names" in r for r in reasons_of(fourth))
    neighbour = to_london("20.00", name="Ruby Hughes", addressee_address="14 Baker Street")
    assert not any("Drop address" in r for r in reasons_of(neighbour))

    for name in ("Leo Wood", "Mia Shaw", "Zara Khan"):
        to_london("20.00", name=name, addressee_phone="+44 7700 900123", postcode="M1 1AE")
    shared = to_london("20.00", name="Theo Hill", addressee_phone="07700 900123", postcode="M1 1AE")
    assert any("One phone for many names" in r and "4 names" in r for r in reasons_of(shared))


def test_one_person_at_one_address_is_no_network():
    for _ in range(5):
        parcel = to_london("20.00", addressee_address="12 Baker Street", addressee_phone="+44 7700 900123")
    assert not any("Drop address" in r or "One phone" in r for r in reasons_of(parcel))


def law_threshold(country):
    regime = law.regimes_by_country()[country]
    return law.relief_threshold(regime, timezone.now().date()) or Decimal("1000")


def to_sarajevo(value, name, postcode="71000", **extra):
    """A parcel to Bosnia and Herzegovina, whose relief threshold the law gives in BAM."""
    addressee = {"addressee_name": name, "addressee_postcode": postcode, "addressee_country": "BA"}
    return ConsignmentFactory(
        total_value=Decimal(value),
        currency="BAM",
        pre_advised_at=timezone.now() - timedelta(hours=1),
        **addressee_keys(**addressee, addressee_city=extra.pop("city", "Sarajevo"), **extra),
    )


def test_an_initial_a_dropped_part_and_another_postcode_of_the_city_are_one_addressee():
    threshold = law_threshold("BA")
    half = (threshold * Decimal("0.6")).quantize(Decimal("0.01"))
    to_sarajevo(half, "Amra Hodžić", postcode="71000", addressee_address="Titova 12")
    last = to_sarajevo(half, "A. Hodžić", postcode="71210", addressee_address="Zmaja od Bosne 4")
    assert split_reasons(last)
    to_sarajevo(half, "Hüseyin Avni Çelik", postcode="71000")
    assert split_reasons(to_sarajevo(half, "Huseyin Celik", postcode="71123"))


def test_another_person_of_the_family_or_another_city_is_not_the_addressee():
    threshold = law_threshold("BA")
    half = (threshold * Decimal("0.6")).quantize(Decimal("0.01"))
    to_sarajevo(half, "Amra Hodžić")
    assert split_reasons(to_sarajevo(half, "Emir Hodžić")) == []  # a sibling, not one person
    assert split_reasons(to_sarajevo(half, "Amra Hodžić", postcode="75000", city="Tuzla")) == []


def test_street_number_words_are_folded_when_a_drop_address_is_counted(settings):
    settings.OPENCLEAR_RISK_NETWORK_NAMES = 3
    to_sarajevo("10.00", "Lejla Begić", addressee_address="Ul. Zmaja od Bosne br. 45")
    to_sarajevo("10.00", "Tarik Mehić", addressee_address="Zmaja od Bosne 45")
    to_sarajevo("10.00", "T. Mehić", addressee_address="ZMAJA OD BOSNE NR 45")  # the same person again
    again = to_sarajevo("10.00", "L. Begić", addressee_address="Zmaja od Bosne, No. 45")
    assert not any("Drop address" in r for r in reasons_of(again))
    third = to_sarajevo("10.00", "Dino Kurtović", addressee_address="Zmaja od Bosne 45")
    assert any("Drop address" in r and "3 names" in r for r in reasons_of(third))


def test_match_keys_older_than_twice_the_window_are_purged(settings):
    from clearance.models import AddresseeMatchKey
    from risk.tasks import addressee_match_keys_purge

    old = to_london("20.00", hours_ago=2 * settings.OPENCLEAR_SPLIT_SHIPMENT_WINDOW.total_seconds() / 3600 + 1)
    recent = to_london("20.00", name="Grace Hopper")
    old_keys = AddresseeMatchKey.objects.filter(consignment_id=old.pk).count()
    assert old_keys > 0
    assert addressee_match_keys_purge() == old_keys
    assert not AddresseeMatchKey.objects.filter(consignment_id=old.pk).exists()
    assert AddresseeMatchKey.objects.filter(consignment_id=recent.pk).exists()
