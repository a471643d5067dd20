"""The back-test: the production engine over labelled traffic, planted patterns beside clean items.

It lives with the operator simulator, above the intake it drives and the
engine it scores with; risk never imports it (simulation.services records a
candidate model's back-test with risk.services.model_backtest_record).

`manage.py risk_backtest` generates a stream with the operator simulator,
plants each kind of pattern customs look for (with spelling variants and
noise), receives it through the postal intake and scores it with the rules,
indicators, thresholds and model in force, in arrival order, chunk by chunk,
as production does. Everything happens in a transaction that is rolled back:
the database is left as it was.

A planted item counts as caught when it goes RED or YELLOW with a reason that
names its pattern. The earlier parcels of a split shipment count as caught
when a later parcel of their group recalls them (before presentation, see
risk.splits). Clean items report their RED and YELLOW shares, random
selection included.
"""

from __future__ import annotations

import random
import string
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clearance.choices import Lane
from clearance.models import Consignment, PostalOperator
from clearance.selectors import WITH_LINES
from core import s10
from law import selectors as law
from postal.services import preadvice_receive
from risk import history as risk_history
from risk import selectors
from risk.choices import RuleKind
from risk.engine import Engine, Verdict
from risk.reasons import codes_of
from risk.rules import CompiledRule
from simulation.traffic import CATALOGUE, Mix, OperatorSimulator

KINDS = ("undervaluation", "counterfeit", "prohibited", "vague", "split", "watchlist")

# Written as sellers write them: doses, counts, capitals, wrong HS codes (toys, cosmetics, parts).
PROHIBITED_GOODS = [
    ("Tramadol 100mg tablets x 60", "300490"),
    ("tramadol hcl 50 mg", "210690"),
    ("Oxycodone 30mg", "300490"),
    ("OXYCONTIN pills", "330499"),
    ("Methamphetamine crystal", "950300"),
    ("MDMA pills", "210690"),
    ("Ecstasy tablets", "210690"),
    ("Air rifle .177 springer", "950300"),
    ("Airsoft air pistol CO2", "950300"),
    ("Pellet gun with scope", "950790"),
    ("Revolver cylinder", "847330"),
    ("Pistol slide and barrel", "950300"),
    ("Loose lithium battery cells 18650", "850650"),
    ("LiPo batteries 3000mAh", "850760"),
    ("Carved ivory bangle", "711719"),
    ("Pangolin scales", "050790"),
    ("Pepper spray keychain", "330790"),
    ("Taser stun gun", "854390"),
    ("Fireworks rockets", "950300"),
    ("Butane gas refill", "271111"),
    ("Freon R22 refrigerant", "290371"),
    ("Used batteries for recycling", "854911"),
    ("Fentanyl patches", "300490"),
    ("Cannabis seeds", "120999"),
    ("Counterfeit banknotes", "490700"),
]
VAGUE_DESCRIPTIONS = [
    "spare parts",
    "General merchandise",
    "misc items",
    "Misc. goods",
    "GIFT",
    "gifts",
    "Accessories",
    "samples",
    "Various goods",
    "assorted products",
    "Other",
    "Personal effects",
    "Produits divers",
    "parts x3",
    "Items",
]
BRANDS = ["Rolex", "Louis Vuitton", "Gucci", "Chanel", "Nike", "Adidas", "Ray-Ban", "Apple"]
BRAND_NOUNS = [("watch", "910211"), ("handbag", "420221"), ("sneakers", "640411"), ("sunglasses", "900410")]
# Goods with a known least price (risk/data/goods/values.txt has their floors), declared at a fraction of it.
VALUED_GOODS = [
    ("Apple iPhone 15 Pro 256GB", "851713", Decimal("900")),
    ("Samsung Galaxy S24 Ultra", "851713", Decimal("950")),
    ("Sony PlayStation 5 console", "950450", Decimal("450")),
    ("Nvidia RTX 4080 graphics card", "847330", Decimal("1000")),
    ("DJI Mavic 3 drone", "880211", Decimal("1600")),
    ("MacBook Pro 14 M3", "847130", Decimal("1800")),
    ("Rolex Datejust 41 watch", "910211", Decimal("8000")),
    ("18k gold chain necklace 20g", "711319", Decimal("1200")),
]
CENT = Decimal("0.01")
LEET = str.maketrans({"o": "0", "O": "0", "i": "1", "I": "1", "e": "3", "a": "4"})
SAMPLE_WATCHLIST = [
    "Dmitri Volkov",
    "Mohammed Al Rashid",
    "Chen Wei Ming",
    "Svetlana Kuznetsova",
    "Jean-Baptiste Moreau",
    "Aleksandar Petrovic",
    "Fatima Benali",
    "Viktor Sokolov",
]
CYRILLIC = {
    "Dmitri Volkov": "Дмитрий Волков",
    "Svetlana Kuznetsova": "Светлана Кузнецова",
    "Viktor Sokolov": "Виктор Соколов",
    "Aleksandar Petrovic": "Александар Петровић",
}
ARABIC = {"Mohammed Al Rashid": "محمد الراشد", "Fatima Benali": "فاطمة بن علي"}


@dataclass
class Planted:
    kind: str


@dataclass
class Report:
    items: int = 0
    clean: Counter = field(default_factory=Counter)  # lane -> count
    caught: Counter = field(default_factory=Counter)  # kind -> caught
    planted: Counter = field(default_factory=Counter)  # kind -> planted
    missed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)
    engine: str = ""
    recalled: set[int] = field(default_factory=set)
    clean_reasons: Counter = field(default_factory=Counter)  # why clean items went to an officer
    split_missed: dict[int, str] = field(default_factory=dict)  # pk -> example, until a later parcel recalls it

    def rows(self) -> list[dict[str, Any]]:
        rows = [
            {"pattern": kind, "planted": self.planted[kind], "caught": self.caught[kind], "share": self.share(kind)}
            for kind in KINDS
            if self.planted[kind]
        ]
        total_planted, total_caught = sum(self.planted.values()), sum(self.caught.values())
        rows.append(
            {
                "pattern": "all planted",
                "planted": total_planted,
                "caught": total_caught,
                "share": total_caught / total_planted if total_planted else 0.0,
            }
        )
        return rows

    def share(self, kind: str) -> float:
        return self.caught[kind] / self.planted[kind] if self.planted[kind] else 0.0

    def clean_share(self, lane: str) -> float:
        total = sum(self.clean.values())
        return self.clean[lane] / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "items": self.items,
            "patterns": self.rows(),
            "clean": {
                "items": sum(self.clean.values()),
                "red": round(self.clean_share(Lane.RED), 4),
                "yellow": round(self.clean_share(Lane.YELLOW), 4),
                "reasons": dict(self.clean_reasons.most_common(8)),
            },
            "missed_examples": {
                **{kind: examples[:5] for kind, examples in self.missed.items() if examples},
                **({"split": list(self.split_missed.values())[:5]} if self.split_missed else {}),
            },
            "notes": self.notes,
        }


def backtest_compare(candidate) -> tuple[dict[str, float], dict[str, float]]:
    """A trained model against the rules and indicators alone, on a smaller back-test: the figures of each
    (risk.services.model_backtest_record judges them)."""
    reports = backtest_run(clean=800, per_kind=40, history=600, seed=11, candidate=candidate)
    return _summary(reports[RULES_ONLY]), _summary(reports[WITH_CANDIDATE])


def _summary(report: dict[str, Any]) -> dict[str, float]:
    caught = report["patterns"][-1]["share"]
    flagged = report["clean"]["red"] + report["clean"]["yellow"]
    return {"caught": round(caught, 4), "clean_flagged": round(flagged, 4), "clean_red": report["clean"]["red"]}


RULES_ONLY = "rules and indicators"
WITH_PROMOTED = "rules, indicators and the promoted model"
WITH_CANDIDATE = "rules, indicators and the candidate model"


def backtest_run(
    *,
    clean: int = 2000,
    per_kind: int = 100,
    history: int = 1000,
    seed: int = 0,
    chunk: int = 200,
    candidate=None,
) -> dict[str, dict[str, Any]]:
    """Run the back-test; a report per engine: rules and indicators, and with the promoted model when there
    is one (or with `candidate`, a model not yet promoted, instead)."""
    try:
        with transaction.atomic():
            stream = _Stream(seed=seed)
            stream.prepare_lists()
            stream.receive(stream.clean_items(history), counted=False)
            references = risk_history.hs_reference_unit_values_compute()
            engines = stream.engines(references, candidate)
            reports = {name: Report(engine=name, notes=stream.notes) for name in engines}
            items = stream.generate(clean=clean, per_kind=per_kind)
            for start in range(0, len(items), chunk):
                consignments = stream.receive(items[start : start + chunk], counted=True)
                for name, engine in engines.items():
                    stream.score(reports[name], engine, consignments)
            if stream.refused:
                stream.notes.append(
                    f"{stream.refused} generated item(s) refused by the intake: {stream.refused_example}"
                )
            result = {name: report.as_dict() for name, report in reports.items()}
            raise _RollBack(result)
    except _RollBack as done:
        return done.result


class _RollBack(Exception):
    """Leaves the database as it was: everything the back-test received is undone."""

    def __init__(self, result: dict[str, dict[str, Any]]) -> None:
        super().__init__("back-test done")
        self.result = result


class _Stream:
    def __init__(self, *, seed: int) -> None:
        self.rng = random.Random(seed)
        self.simulator = OperatorSimulator(seed=seed, mix=Mix(risky_share=0.0, malformed_share=0.0))
        self.labels: dict[str, Planted] = {}  # itemId -> pattern
        self.notes: list[str] = []
        self.watchlist: list[str] = []
        self.brands: list[str] = []
        self.operator = PostalOperator.objects.create(code=f"BT{self.rng.randrange(10**6):06d}", name="Back-test")
        self.messages = 0
        self.refused = 0
        self.refused_example = ""
        self.serial = 0
        self.extra_rules: list[CompiledRule] = []

    # --- the lists the engine screens against --------------------------------------

    def prepare_lists(self) -> None:
        """The watchlist and brand entries in force; a sample of each when an installation has none."""
        rules = selectors.rules_in_force()
        self.watchlist = [name for r in rules if r.kind == RuleKind.WATCHLIST for name in r.names.values()]
        self.brands = [
            word
            for r in rules
            if r.kind == RuleKind.IPR_BRAND and r.keywords
            for word in r.keywords.pattern.split("(", 1)[1].rsplit(")", 1)[0].split("|")
        ]
        if not self.watchlist:
            self.watchlist = SAMPLE_WATCHLIST
            self._add_rule(RuleKind.WATCHLIST, {"party": "any", "names": SAMPLE_WATCHLIST}, "Sample watchlist")
            self.notes.append("No watchlist in force: a sample watchlist of 8 names was screened against.")
        if not self.brands:
            self.brands = BRANDS
            self._add_rule(RuleKind.IPR_BRAND, {"keywords": BRANDS, "brand_owner": "Sample"}, "Sample brand list")
            self.notes.append("No brand list in force: a sample of 8 brands was screened against.")

    def _add_rule(self, kind: str, condition: dict, description: str) -> None:
        self.extra_rules.append(
            CompiledRule(
                code=f"backtest-{kind.lower()}",
                version=1,
                kind=kind,
                description=description,
                condition=condition,
                force_lane=Lane.RED if kind == RuleKind.WATCHLIST else Lane.YELLOW,
                score=Decimal("0"),
            )
        )

    # --- traffic ---------------------------------------------------------------------

    def generate(self, *, clean: int, per_kind: int) -> list[dict]:
        """Clean and planted items in a shuffled arrival order; split groups stay in order."""
        items = self.clean_items(clean)
        planted: list[list[dict]] = []
        for kind in KINDS:
            made = 0
            while made < per_kind:
                batch = getattr(self, f"_{kind}")()
                for item in batch:
                    item["itemId"] = self._item_id()
                    self.labels[item["itemId"]] = Planted(kind)
                planted.append(batch)
                made += len(batch)
        stream: list[list[dict]] = [[item] for item in items] + planted
        self.rng.shuffle(stream)
        return self._interleave(stream)

    def clean_items(self, count: int) -> list[dict]:
        items = [self.simulator.item() for _ in range(count)]
        for item in items:
            item["itemId"] = self._item_id()
        return items

    def _interleave(self, stream: list[list[dict]]) -> list[dict]:
        """Spread each split group over the next ~300 arrivals, as parcels of one order arrive over days."""
        slots: list[tuple[float, int, dict]] = []
        for position, group in enumerate(stream):
            for offset, item in enumerate(group):
                slots.append((position + offset * self.rng.uniform(20, 80), len(slots), item))
        return [item for _, _, item in sorted(slots)]

    def _item_id(self) -> str:
        self.serial += 1
        return s10.make("RB", 20_000_000 + self.serial, "CN")

    def _base(self) -> dict:
        """A clean sale of goods to plant a pattern in (documents have no goods to plant in)."""
        item = self.simulator.item()
        while item["category"] == "DOCUMENTS":
            item = self.simulator.item()
        item["category"] = "SALE_OF_GOODS"
        return item

    def _plant(self, item: dict, description: str, hs_code: str, unit_value: Decimal) -> dict:
        """The pattern in one of the item's lines, the others left as they were: a planted item has the shape of
        clean traffic (its number of lines, quantities and weights), so a model cannot learn the generator."""
        contents = [dict(line) for line in item["contents"]]
        at = self.rng.randrange(len(contents))
        line = contents[at]
        quantity = int(line.get("quantity") or 1)
        line.update(description=description, hsCode=hs_code, value=str((unit_value * quantity).quantize(CENT)))
        line.setdefault("originCountry", item["sender"]["country"])
        if not line.get("netWeightKg"):
            line["netWeightKg"] = "0.300"
        item["contents"] = contents
        return item

    def _undervaluation(self) -> list[dict]:
        """Goods declared at a tenth or less of their worth: the simulator's goods, or goods with a known price."""
        if self.rng.random() < 0.5:
            description, hs_code, (low, high), _ = self.rng.choice(CATALOGUE)
            fair = Decimal(str(round(self.rng.uniform(low, high), 2)))
        else:
            description, hs_code, fair = self.rng.choice(VALUED_GOODS)
        unit = max(Decimal("0.50"), (fair / Decimal(self.rng.uniform(8, 30))).quantize(CENT))
        return [self._plant(self._base(), self._noisy(description), hs_code, unit)]

    def _counterfeit(self) -> list[dict]:
        brand = self.rng.choice(self.brands)
        noun, hs_code = self.rng.choice(BRAND_NOUNS)
        variant = self.rng.choice([brand, brand.upper(), brand.translate(LEET), f"{brand}®", f"{brand}-style"])
        cue = self.rng.choice(["", " replica", " 1:1 copy", " AAA quality", " mirror quality"])
        unit = Decimal(self.rng.randint(9, 30))
        return [self._plant(self._base(), f"{variant} {noun}{cue}", hs_code, unit)]

    def _prohibited(self) -> list[dict]:
        description, hs_code = self.rng.choice(PROHIBITED_GOODS)
        unit = Decimal(self.rng.randint(10, 80))
        return [self._plant(self._base(), self._noisy(description), hs_code, unit)]

    def _vague(self) -> list[dict]:
        item = self._base()
        description = self.rng.choice(VAGUE_DESCRIPTIONS)
        hs_code = item["contents"][0].get("hsCode") or "950300"
        item["contents"] = item["contents"][:1]  # a vague description says nothing of the goods only when it is all
        return [self._plant(item, self._case(description), hs_code, Decimal(self.rng.randint(10, 90)))]

    def _split(self) -> list[dict]:
        """3 to 5 parcels to one addressee, each below the destination's relief, together above it."""
        destination = self.simulator.mix.destination
        addressee = self.simulator._party(destination)
        threshold, rate = self._relief(destination)
        parcels = self.rng.randint(3, 5)
        group = []
        for _ in range(parcels):
            item = self._base()
            party = dict(addressee)
            party["name"] = self._name_variant(addressee["name"])
            item["addressee"] = party
            share = Decimal(str(self.rng.uniform(0.45, 0.9)))
            value = (threshold * share * rate).quantize(CENT)
            item["contents"] = item["contents"][:1]  # one line, so the parcel's value is the share drawn
            quantity = int(item["contents"][0].get("quantity") or 1)
            group.append(self._plant(item, "Smart watch", "851762", (value / quantity).quantize(CENT)))
        return group

    def _relief(self, country: str) -> tuple[Decimal, Decimal]:
        """(threshold in the regime's currency, units of the simulator's currency per regime unit)."""
        regime = law.regimes_by_country()[country]
        today = timezone.now().date()
        threshold = law.relief_threshold(regime, today) or Decimal(settings.OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD)
        currency = self.simulator.mix.currency
        rate = Decimal(1) if currency == regime.currency else law.fx_rate(regime, currency, today).units_per_regime_unit
        return threshold, rate

    def _watchlist(self) -> list[dict]:
        item = self._base()
        name = self.rng.choice(self.watchlist)
        variants = [name, name.upper(), " ".join(reversed(name.split())), self._typo(name)]
        variants += [v for v in (CYRILLIC.get(name), ARABIC.get(name)) if v]
        party = self.rng.choice(["sender", "addressee"])
        item[party] = {**item[party], "name": self.rng.choice(variants)}
        return [item]

    # --- noise -----------------------------------------------------------------------

    def _noisy(self, description: str) -> str:
        return self.rng.choice(
            [description, description.upper(), description.lower(), f"New {description}", f"{description} (1 pc)"]
        )

    def _case(self, text: str) -> str:
        return self.rng.choice([text, text.upper(), text.lower(), text.title()])

    def _name_variant(self, name: str) -> str:
        return self.rng.choice([name, name.upper(), " ".join(reversed(name.split())), name.replace(" ", "  ")])

    def _typo(self, name: str) -> str:
        if len(name) < 10:
            return name
        at = self.rng.randrange(1, len(name) - 1)
        return name[:at] + self.rng.choice(string.ascii_lowercase) + name[at + 1 :]

    # --- through the real intake and engine -----------------------------------------------

    def receive(self, items: list[dict], *, counted: bool) -> list[Consignment]:
        """Through the operators' intake (validation included), in arrival order."""
        self.messages += 1
        report = preadvice_receive(operator=self.operator, body={"messageId": f"bt-{self.messages}", "items": items})
        refused = [r for r in report["results"] if r["status"] == "REJECTED"]
        if refused:  # the intake refuses what it must; the report counts what was scored
            self.refused += len(refused)
            self.refused_example = self.refused_example or str(refused[0]["errors"][:1])
        ids = [r["itemId"] for r in report["results"] if r["status"] != "REJECTED"]
        found = Consignment.objects.filter(operator=self.operator, item_id__in=ids)
        return list(found.select_related("operator").prefetch_related(WITH_LINES).order_by("id"))

    def engines(self, references, candidate=None) -> dict[str, Engine]:
        rules = [*selectors.rules_in_force(), *self.extra_rules]
        models: dict[str, Any] = {RULES_ONLY: None}
        if candidate is not None:
            models[WITH_CANDIDATE] = (None, candidate)
        elif (model := selectors.active_model()) is not None:
            models[WITH_PROMOTED] = model
        return {
            name: Engine(
                rules=rules,
                model=model,
                thresholds=selectors.lane_thresholds(),
                random_rate=settings.OPENCLEAR_RISK_RANDOM_RATE,
                references=references,
            )
            for name, model in models.items()
        }

    def score(self, report: Report, engine: Engine, consignments: list[Consignment]) -> None:
        """Score a chunk as production would; earlier split parcels a verdict recalls are counted as caught."""
        verdicts = engine.assess(consignments, recallable=_before_presentation)
        for verdict in verdicts.values():
            report.recalled.update(verdict.recall)
        for c in consignments:
            report.items += 1
            self._count(report, c, verdicts[c.pk])
        for pk in list(report.split_missed):  # a later parcel recalled an earlier one: caught after all
            if pk in report.recalled:
                report.caught["split"] += 1
                del report.split_missed[pk]

    def _count(self, report: Report, c: Consignment, verdict: Verdict) -> None:
        label = self.labels.get(c.item_id)
        if label is None:
            report.clean[verdict.lane] += 1
            if verdict.lane != Lane.GREEN:
                report.clean_reasons.update(_reason_kind(reason) for reason in verdict.reasons)
            return
        report.planted[label.kind] += 1
        flagged = verdict.lane in (Lane.RED, Lane.YELLOW)
        if flagged and _names_pattern(label.kind, verdict):
            report.caught[label.kind] += 1
            return
        line = next(iter(c.lines.all()), None)
        example = f"{line.description if line else ''} / {c.sender_name} → {c.addressee_name}"
        if label.kind == "split":
            report.split_missed[c.pk] = example
        else:
            report.missed[label.kind].append(example)


def _reason_kind(reason: str) -> str:
    """A reason without its particulars: 'Possible undervaluation', 'Firearms and their parts'."""
    return reason.split(":", 1)[0].split(" (", 1)[0][:60]


def _before_presentation(state: str, presented: bool) -> bool:
    """In the back-test no parcel is routed, so every earlier one not presented could still be recalled."""
    return not presented


# The reason codes that say a planted pattern (risk.reasons, risk/kinds/, risk/goods/findings.py).
PATTERN_CODES = {
    "undervaluation": {"value.undervaluation", "value.below_reference"},
    "vague": {"goods.vague_description"},
    "split": {"shipment.split"},
    "counterfeit": {"goods.brand_word", "goods.counterfeit_brand", "goods.copy_offer", "goods.resembles"},
    "prohibited": {
        "goods.prohibited_word",
        "goods.prohibited_elsewhere",
        "goods.prohibited_hs",
        "goods.controlled",
        "goods.controlled_misdeclared",
        "goods.resembles",
    },
    "watchlist": {
        "watchlist.name",
        "watchlist.name_close",
        "watchlist.party",
        "watchlist.identifiers",
        "watchlist.email",
        "watchlist.phone",
    },
}


def _names_pattern(kind: str, verdict: Verdict) -> bool:
    """The verdict names the planted pattern by one of its reason codes."""
    return bool(PATTERN_CODES[kind] & set(codes_of(verdict)))
