import threading

import pytest
from django.db import connection

from clearance import services
from clearance import transitions as T
from clearance.choices import ConsignmentState, DecisionCode
from clearance.models import Consignment, Decision
from core.actors import Actor
from core.choices import ActorKind
from core.exceptions import InvalidTransition
from core.models import AuditEntry
from tests.factories import ConsignmentFactory, PostalOperatorFactory

# Decisions on held items are an officer's: the system may not take them (the officer hold).
ACTOR = Actor(kind=ActorKind.USER, label="officer:tests")


def _put_in_state(consignment: Consignment, state: str) -> None:
    Consignment.objects.filter(pk=consignment.pk).update(state=state)


def _audit_count(consignment: Consignment, action: str | None = None) -> int:
    entries = AuditEntry.objects.filter(target_id=consignment.pk)
    return entries.filter(action=action).count() if action else entries.count()


def _apply(transition, consignment):
    return services.consignments_transition(transition=transition, consignment_ids=[consignment.pk], actor=ACTOR)


ALLOWED = [(t, source) for t in T.ALL for source in sorted(t.sources)]
REFUSED = [
    (t, state) for t in T.ALL for state in ConsignmentState.values if state not in t.sources and state != t.target
]


@pytest.mark.django_db
@pytest.mark.parametrize(("transition", "source"), ALLOWED, ids=[f"{t.name}-from-{s}" for t, s in ALLOWED])
def test_it_applies_every_allowed_transition(transition, source):
    consignment = ConsignmentFactory()
    _put_in_state(consignment, source)

    result = _apply(transition, consignment)

    consignment.refresh_from_db()
    assert result.changed == [consignment.pk]
    assert consignment.state == transition.target
    assert _audit_count(consignment, transition.action) == 1
    entry = AuditEntry.objects.get(target_id=consignment.pk)
    assert entry.payload["to"] == transition.target
    assert entry.actor_label == "officer:tests"
    decisions = Decision.objects.filter(consignment=consignment)
    if transition.decision:
        assert [d.code for d in decisions] == [transition.decision]
        assert consignment.decided_at is not None
    else:
        assert not decisions.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("transition", "state"), REFUSED, ids=[f"{t.name}-from-{s}" for t, s in REFUSED])
def test_it_refuses_a_transition_from_a_wrong_state(transition, state):
    consignment = ConsignmentFactory()
    _put_in_state(consignment, state)

    result = _apply(transition, consignment)

    consignment.refresh_from_db()
    assert result.refused == {consignment.pk: state}
    assert consignment.state == state
    assert _audit_count(consignment) == 0
    assert not Decision.objects.filter(consignment=consignment).exists()


@pytest.mark.django_db
def test_a_refused_single_action_raises_a_clear_error(officer_actor):
    consignment = ConsignmentFactory()  # PRE_ADVISED: not yet in the officer's queue
    with pytest.raises(InvalidTransition, match=rf"Item {consignment.item_id} is Pre-advised: it cannot be seized"):
        services.consignment_seize(consignment=consignment, actor=officer_actor, reason="counterfeit")


@pytest.mark.django_db
@pytest.mark.parametrize("transition", [t for t in T.ALL if t.target not in t.sources], ids=lambda t: t.name)
def test_repeating_a_transition_has_no_second_effect(transition):
    consignment = ConsignmentFactory()
    _put_in_state(consignment, sorted(transition.sources)[0])
    _apply(transition, consignment)

    result = _apply(transition, consignment)

    assert result.unchanged == [consignment.pk]
    assert result.changed == []
    assert _audit_count(consignment) == 1
    assert Decision.objects.filter(consignment=consignment).count() == (1 if transition.decision else 0)


@pytest.mark.django_db
def test_an_amendment_of_a_pre_advised_item_is_recorded_each_time():
    # AMEND starts from PRE_ADVISED too: each new version is a real change.
    consignment = ConsignmentFactory()
    _apply(T.AMEND, consignment)
    _apply(T.AMEND, consignment)
    assert _audit_count(consignment, T.AMEND.action) == 2


@pytest.mark.django_db
def test_decisions_get_gap_free_sequences_per_operator():
    first, second = PostalOperatorFactory(), PostalOperatorFactory()
    items = [ConsignmentFactory(operator=first) for _ in range(3)] + [ConsignmentFactory(operator=second)]
    for item in items:
        _put_in_state(item, ConsignmentState.HELD)

    services.consignments_transition(
        transition=T.RELEASE, consignment_ids=[i.pk for i in items[:2] + items[3:]], actor=ACTOR
    )
    services.consignments_transition(transition=T.SEIZE, consignment_ids=[items[2].pk], actor=ACTOR)

    assert list(Decision.objects.filter(operator=first).order_by("sequence").values_list("sequence", "code")) == [
        (1, DecisionCode.RELEASE_NO_CHARGE),
        (2, DecisionCode.RELEASE_NO_CHARGE),
        (3, DecisionCode.SEIZED),
    ]
    assert list(Decision.objects.filter(operator=second).values_list("sequence", flat=True)) == [1]


@pytest.mark.django_db
def test_per_item_fields_and_charges_are_written_with_the_transition():
    consignment = ConsignmentFactory()
    _put_in_state(consignment, ConsignmentState.HELD)
    charges = {"duty": "3.00", "vat": "5.25", "total": "8.25", "currency": "EUR"}

    services.consignment_require_payment(consignment=consignment, actor=ACTOR, charges=charges)

    decision = Decision.objects.get(consignment=consignment)
    assert decision.code == DecisionCode.RELEASE_CHARGES_DUE
    assert decision.charges == charges


@pytest.mark.django_db
def test_transitions_enqueue_webhook_dispatch_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("postal.tasks.webhook_deliveries_dispatch.delay", lambda operator_id: sent.append(operator_id))
    consignment = ConsignmentFactory()
    _put_in_state(consignment, ConsignmentState.HELD)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.consignment_release(consignment=consignment, actor=ACTOR)
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [consignment.operator_id]


def _race(actions):
    """Run the actions at the same moment in threads; each with its own connection."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def runner(index, action):
        barrier.wait()
        try:
            outcomes[index] = action()
        except Exception as exc:  # the test inspects what each racer got
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_two_identical_transitions_racing_on_one_row_have_one_effect():
    consignment = ConsignmentFactory()
    _put_in_state(consignment, ConsignmentState.HELD)

    outcomes = _race([lambda: _apply(T.RELEASE, consignment)] * 2)

    assert sorted(len(o.changed) for o in outcomes) == [0, 1]
    assert sorted(len(o.unchanged) for o in outcomes) == [0, 1]
    assert Decision.objects.filter(consignment=consignment).count() == 1
    assert _audit_count(consignment) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_two_different_transitions_racing_on_one_row_exactly_one_wins():
    consignment = ConsignmentFactory()
    _put_in_state(consignment, ConsignmentState.HELD)

    outcomes = _race(
        [
            lambda: services.consignment_release(consignment=Consignment.objects.get(pk=consignment.pk), actor=ACTOR),
            lambda: services.consignment_seize(
                consignment=Consignment.objects.get(pk=consignment.pk), actor=ACTOR, reason="counterfeit"
            ),
        ]
    )

    winners = [o for o in outcomes if isinstance(o, Consignment)]
    losers = [o for o in outcomes if isinstance(o, InvalidTransition)]
    assert len(winners) == 1 and len(losers) == 1
    consignment.refresh_from_db()
    assert consignment.state == winners[0].state
    assert Decision.objects.filter(consignment=consignment).count() == 1
    assert _audit_count(consignment) == 1
