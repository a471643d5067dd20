"""The scoring engine on a frozen evaluation set of goods, names and values.

A set (risk/data/evaluation/goods_set_*, README there) was written by someone
who had not read the engine or its lists: parcels customs would stop for what
the goods are, innocent look-alikes that share a trigger word, a watchlist with
name probes, and undervaluation probes. Each probe becomes an item in a
transaction that is rolled back, and is scored by the production engine with
what is in force (rules, the goods catalogue, the goods model, the promoted
risk model, the lane thresholds), with the set's watchlist as one more rule
and no random draw. What it reports:

- goods to stop: the share that reaches an officer with a reason about the
  goods (what they are, not their value or a vague description), by family,
  language and HS honesty (a harmless code on the bad line), and the RED share;
- innocent look-alikes: the share sent to an officer by a reason about the
  goods, by family and kind;
- names: variants of listed parties matched to the right entry, the share of
  those with a second identifier that go RED, near-names of other people
  sent RED (never) or YELLOW;
- values: goods declared at 15 % or less of their worth flagged, honest
  cheap goods flagged.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from clearance.choices import ItemCategory, Lane
from clearance.models import Consignment, ContentLine, PostalOperator
from clearance.selectors import WITH_LINES
from core import s10
from risk import history, selectors
from risk.choices import RuleKind
from risk.engine import Engine, Verdict
from risk.kinds.watchlist import PARTY_FIELDS
from risk.reasons import Finding
from risk.rules import CompiledRule

SETS = Path(__file__).resolve().parent / "data" / "evaluation"
CHUNK = 500
# Reasons about what the goods are: a vague description says nothing of them.
NOT_ABOUT_GOODS = frozenset({"goods.vague_description"})
VALUE_CODES = frozenset({"value.below_reference", "value.undervaluation"})


@dataclass
class Tally:
    """Hits out of a total, by group."""

    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, groups: list[str], hit: bool) -> None:
        for group in ["all", *groups]:
            self.counts[group][0] += int(hit)
            self.counts[group][1] += 1

    def report(self) -> dict[str, dict[str, Any]]:
        return {
            group: {"hits": hits, "of": total, "share": round(hits / total, 3) if total else None}
            for group, (hits, total) in sorted(self.counts.items(), key=lambda kv: (kv[0] != "all", kv[0]))
        }


def about_goods(finding: Finding) -> bool:
    return finding.code.startswith("goods.") and finding.code not in NOT_ABOUT_GOODS


def sent_for_goods(verdict: Verdict) -> bool:
    return verdict.lane != Lane.GREEN and any(about_goods(f) for f in verdict.findings)


def evaluate(path: Path, *, read_goods: bool = True) -> dict[str, Any]:
    """The engine's figures on the set at `path`; nothing it creates is kept. Without `read_goods`, the rules and
    indicators alone: the catalogue's words as they were matched before the goods model (the baseline)."""
    with transaction.atomic():
        report = _evaluate(path, read_goods)
        transaction.set_rollback(True)
    return report


def _evaluate(path: Path, read_goods: bool) -> dict[str, Any]:
    operator, _ = PostalOperator.objects.get_or_create(
        code="goods-evaluation", defaults={"name": "Goods evaluation", "country": "BA"}
    )
    maker = _Items(operator)
    parties = _watchlist(path / "watchlist.csv")
    engine = Engine(
        rules=[*selectors.rules_in_force(), _watchlist_rule(parties)],
        model=selectors.active_model(),
        thresholds=selectors.lane_thresholds(),
        random_rate=0.0,
        references=history.hs_reference_unit_values_compute(),  # the installation's history, not a cached copy
        read_goods=read_goods,
    )
    report: dict[str, Any] = {"set": path.name, "engine": "full" if read_goods else "rules and indicators alone"}
    stop, innocent = _jsonl(path / "goods_stop.jsonl"), _jsonl(path / "goods_innocent.jsonl")
    report["stop"] = _goods_stop(stop, _scored(engine, [maker.goods(item) for item in stop]))
    report["innocent"] = _goods_innocent(innocent, _scored(engine, [maker.goods(item) for item in innocent]))
    if (names := path / "names.jsonl").exists():
        probes = _jsonl(names)
        report["names"] = _names(probes, parties, _scored(engine, [maker.addressee(probe) for probe in probes]))
    if (values := path / "values.jsonl").exists():
        probes = _jsonl(values)
        report["values"] = _values(probes, _scored(engine, [maker.goods(_as_item(probe)) for probe in probes]))
    return report


def _goods_stop(items: list[dict], verdicts: list[Verdict]) -> dict[str, Any]:
    reached, red, missed = Tally(), Tally(), []
    for item, verdict in zip(items, verdicts, strict=True):
        groups = [f"family:{item['family']}", f"language:{item['language']}", f"hs_honest:{item['hs_honest']}"]
        reached.add(groups, sent_for_goods(verdict))
        red.add(groups, verdict.lane == Lane.RED and sent_for_goods(verdict))
        if not sent_for_goods(verdict):
            missed.append(_outcome(item, verdict))
    return {"reached_officer_for_goods": reached.report(), "red_for_goods": red.report(), "missed": missed}


def _goods_innocent(items: list[dict], verdicts: list[Verdict]) -> dict[str, Any]:
    sent, red, by_any, alarms = Tally(), Tally(), Tally(), []
    for item, verdict in zip(items, verdicts, strict=True):
        groups = [f"family:{item['family']}", f"language:{item['language']}", f"kind:{item.get('kind', '')}"]
        sent.add(groups, sent_for_goods(verdict))
        red.add(groups, verdict.lane == Lane.RED and sent_for_goods(verdict))
        by_any.add([], verdict.lane != Lane.GREEN)
        if verdict.lane != Lane.GREEN:
            alarms.append(_outcome(item, verdict))
    return {
        "sent_for_goods": sent.report(),
        "red_for_goods": red.report(),
        "sent_for_any_reason": by_any.report(),
        "sent": alarms,
    }


def _outcome(item: dict, verdict: Verdict) -> dict[str, Any]:
    """What an analyst reads of one probe: its id and text, the lane and the reasons in English."""
    text = " || ".join(line["description"] for line in item["lines"])
    return {"id": item["id"], "description": text, "lane": verdict.lane, "reasons": verdict.reasons}


def _names(probes: list[dict], parties: dict[str, dict], verdicts: list[Verdict]) -> dict[str, Any]:
    matched, red_with_identifier, near_red, near_yellow = Tally(), Tally(), Tally(), Tally()
    for probe, verdict in zip(probes, verdicts, strict=True):
        entries = {f.params.get("entry") for f in verdict.findings if f.code.startswith("watchlist.")}
        if probe["expected"] == "no_red":
            near_red.add([], verdict.lane == Lane.RED)
            near_yellow.add([], bool(entries))
            continue
        right = parties[probe["watchlist_id"]]["name"] in entries
        matched.add([f"variant:{probe['variant']}"], right)
        if probe["expected"] == "match_red":
            red_with_identifier.add([], right and verdict.lane == Lane.RED)
    return {
        "variants_matched": matched.report(),
        "second_identifier_red": red_with_identifier.report(),
        "near_names_red": near_red.report(),
        "near_names_matched_yellow": near_yellow.report(),
    }


def _values(probes: list[dict], verdicts: list[Verdict]) -> dict[str, Any]:
    flagged, held = Tally(), Tally()
    for probe, verdict in zip(probes, verdicts, strict=True):
        hit = any(f.code in VALUE_CODES for f in verdict.findings)
        flagged.add([f"kind:{probe['kind']}", f"language:{probe.get('language', '')}"], hit)
        held.add([f"kind:{probe['kind']}"], hit and verdict.lane != Lane.GREEN)
    return {"flagged": flagged.report(), "sent_to_officer": held.report()}


def _scored(engine: Engine, consignments: list[Consignment]) -> list[Verdict]:
    ids = [c.pk for c in consignments]
    verdicts: dict[int, Verdict] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(
            Consignment.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("operator")
            .prefetch_related(WITH_LINES)
            .order_by("id")
        )
        verdicts |= engine.assess(chunk)
    return [verdicts[pk] for pk in ids]


class _Items:
    """Items made from probes: each with an addressee of its own (no split shipment joins two probes)."""

    def __init__(self, operator: PostalOperator) -> None:
        self.operator = operator
        self.serial = 0
        self.now = timezone.now()

    def goods(self, item: dict) -> Consignment:
        lines = item["lines"]
        consignment = self._consignment(
            sender_country=item.get("originCountry") or "CN",
            currency=item.get("currency") or "EUR",
            total_value=sum((Decimal(str(line.get("value") or 0)) for line in lines), Decimal("0")),
            gross_weight_kg=sum((Decimal(str(line.get("netWeightKg") or "0.1")) for line in lines), Decimal("0")),
        )
        ContentLine.objects.bulk_create(
            ContentLine(
                consignment=consignment,
                position=position,
                description=line["description"][:400],
                quantity=max(int(line.get("quantity") or 1), 1),
                net_weight_kg=Decimal(str(line["netWeightKg"])) if line.get("netWeightKg") else None,
                value=Decimal(str(line.get("value") or 0)),
                hs_code=str(line.get("hsCode") or "")[:10],
                origin_country=item.get("originCountry") or "CN",
            )
            for position, line in enumerate(lines, start=1)
        )
        return consignment

    def addressee(self, probe: dict) -> Consignment:
        """An ordinary parcel (a cotton T-shirt) to the probe's party."""
        party = {key: str(probe.get(key) or "") for key in ("name", "address", "postcode", "city", "phone", "email")}
        consignment = self._consignment(
            **{f"addressee_{key}": value[:200] for key, value in party.items()},
            addressee_country=(probe.get("country") or "BA")[:2].upper(),
        )
        ContentLine.objects.create(
            consignment=consignment,
            position=1,
            description="Cotton T-shirt",
            quantity=1,
            net_weight_kg=Decimal("0.200"),
            value=Decimal("12.00"),
            hs_code="610910",
            origin_country="CN",
        )
        return consignment

    def _consignment(self, **fields: Any) -> Consignment:
        self.serial += 1
        values = {
            "sender_name": "Evaluation seller",
            "sender_country": "CN",
            "addressee_name": f"Evaluation addressee {self.serial}",
            "addressee_country": "BA",
            "currency": "EUR",
            "total_value": Decimal("12.00"),
            "gross_weight_kg": Decimal("0.300"),
            **fields,
        }
        consignment = Consignment(
            operator=self.operator,
            item_id=s10.make("EE", 10_000_000 + self.serial, "BA"),
            content_hash=f"{self.serial:064x}",
            category=ItemCategory.SALE_OF_GOODS,
            pre_advised_at=self.now,
            **values,
        )
        consignment.save()
        return consignment


def _watchlist(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _watchlist_rule(parties: dict[str, dict[str, str]]) -> CompiledRule:
    entries = [{key: row[key] for key in PARTY_FIELDS if row.get(key)} for row in parties.values()]
    return CompiledRule(
        code="evaluation-watchlist",
        version=1,
        kind=RuleKind.WATCHLIST,
        description="Evaluation watchlist",
        condition={"party": "any", "parties": entries} if entries else {"party": "any", "names": ["-none-"]},
        force_lane=Lane.RED,
        score=Decimal("0"),
    )


def _as_item(probe: dict) -> dict:
    line = {key: probe.get(key) for key in ("description", "hsCode", "quantity", "value", "netWeightKg")}
    return {"lines": [line], "currency": probe.get("currency"), "originCountry": probe.get("originCountry")}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
