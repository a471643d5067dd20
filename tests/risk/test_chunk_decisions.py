"""A chunk decides each item as the item would be decided alone.

Scoring works a chunk at a time (one load, one pass per stage, caches kept
across chunks: parsed names, name comparisons, watchlist probes). None of it
may change a decision: the same simulated traffic, planted patterns among
clean items, scored in chunks with warm caches and then item by item with
cold ones, must give identical lanes, scores, reasons and recalls.
"""

from __future__ import annotations

import copy

import pytest

from clearance.models import PartyHold
from clearance.services import party_holds_record
from core.normalize import name_key, screen_key
from risk import names, splits
from risk.engine import Engine, Verdict
from risk.goods.model import goods_model
from risk.history import hs_reference_unit_values_compute
from risk.selectors import active_model
from risk.services import model_promote, model_train
from simulation.backtest import KINDS, _before_presentation, _Stream
from tests.factories import UserFactory, labelled_history

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _decision(verdict: Verdict) -> tuple:
    return (
        verdict.lane,
        verdict.score,
        verdict.model_score,
        verdict.random_selection,
        tuple((f.code, repr(sorted(f.params.items())), f.rule, f.weight, f.lane) for f in verdict.findings),
        verdict.rules_fired,
        verdict.recall,
    )


def _cold_caches() -> None:
    for cached in (names.name_parts, names.same_party, names._folded, splits._identity, screen_key, name_key):
        cached.cache_clear()
    if (model := goods_model()) is not None:
        model.seen = {}


def test_chunks_and_warm_caches_decide_every_item_as_it_is_decided_alone(settings):
    settings.OPENCLEAR_RISK_RANDOM_RATE = 0.05  # the random draw is part of the decision too
    labelled_history(UserFactory(role="OFFICER"), n=90)
    model_promote(
        model_version=model_train(min_labels=50), supervisor=UserFactory(role="SUPERVISOR"), without_backtest="a test"
    )
    stream = _Stream(seed=5)
    stream.prepare_lists()
    stream.receive(stream.clean_items(150), counted=False)
    engines = stream.engines(hs_reference_unit_values_compute())
    assert active_model() is not None and len(engines) == 2  # rules alone, and with the model
    consignments = stream.receive(stream.generate(clean=300, per_kind=12), counted=True)
    planted = {label.kind for label in stream.labels.values()}
    # Holds remembered on the first parcel of each addressee who has several (recorded at one time, as one chunk
    # records them): their later parcels, in the same chunk or another, meet them.
    first_of: dict[str, int] = {}
    for consignment in consignments:
        first_of.setdefault(consignment.addressee_key, consignment.pk)
    repeated = {c.addressee_key for c in consignments if first_of[c.addressee_key] != c.pk}
    party_holds_record(consignment_ids=[first_of[key] for key in sorted(repeated)[:12]], kind=PartyHold.Kind.PROHIBITED)
    assert planted == set(KINDS) and len(consignments) >= 370

    for engine in engines.values():
        _cold_caches()
        chunked: dict[int, Verdict] = {}
        for start in range(0, len(consignments), 128):
            chunked.update(engine.assess(consignments[start : start + 128], recallable=_before_presentation))
        alone = {}
        for consignment in consignments:
            _cold_caches()
            alone.update(Engine(**_settings_of(engine)).assess([consignment], recallable=_before_presentation))

        differing = [pk for pk in alone if _decision(alone[pk]) != _decision(chunked[pk])]
        assert not differing, [(_decision(alone[pk]), _decision(chunked[pk])) for pk in differing[:3]]
        lanes = {verdict.lane for verdict in chunked.values()}
        assert lanes == {"GREEN", "YELLOW", "RED"}  # the comparison covered every kind of decision
        assert any(verdict.recall for verdict in chunked.values())  # and split shipments found across chunks
        assert any(f.code == "history.recent_hold" for verdict in chunked.values() for f in verdict.findings)


def _settings_of(engine: Engine) -> dict:
    """A fresh engine like this one: no state carried from one item to the next."""
    return {
        "rules": copy.deepcopy(engine.rules),  # a compiled rule keeps what it has seen (a watchlist's probes)
        "model": engine.model,
        "thresholds": (engine.red, engine.yellow),
        "random_rate": engine.random_rate,
        "references": engine.references,
        "read_goods": engine.read_goods,
    }
