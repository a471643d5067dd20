"""Prepare the benchmark database for scoring: a trained, promoted model and a realistic rule set.

Run as `python -m bench.scoring_setup` with the benchmark's environment.
"""

from __future__ import annotations

import os
import random
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from clearance.models import Consignment  # noqa: E402
from core.choices import Role  # noqa: E402
from core.models import User  # noqa: E402
from risk.choices import RuleKind  # noqa: E402
from risk.services import inspection_outcome_record, model_promote, model_train, rule_approve, rule_propose  # noqa: E402
from simulation.traffic import BRANDS, PROHIBITED, VAGUE  # noqa: E402

RISKY_WORDS = [b.lower() for b in BRANDS] + [p[0].lower() for p in PROHIBITED] + [v.lower() for v in VAGUE]


def _users() -> tuple[User, User, User]:
    def user(name: str, role: str) -> User:
        return User.objects.get_or_create(username=name, defaults={"role": role})[0]

    return (
        user("bench-officer", Role.OFFICER),
        user("bench-maker", Role.SUPERVISOR),
        user("bench-checker", Role.SUPERVISOR),
    )


def label_sample(officer: User, size: int) -> int:
    """Outcomes for a sample: the simulator's risky goods were irregular, the rest in order."""
    sample = Consignment.objects.prefetch_related("lines").order_by("?")[:size]
    for consignment in sample:
        text = " ".join(line.description.lower() for line in consignment.lines.all())
        irregular = any(word in text for word in RISKY_WORDS) or random.random() < 0.02
        inspection_outcome_record(
            consignment=consignment,
            officer=officer,
            irregularity_found=irregular,
            kind="OTHER" if irregular else "NONE",
        )
    return len(sample)


def rules(maker: User, checker: User) -> int:
    rng = random.Random(7)
    specs = [
        ("ipr-brands", RuleKind.IPR_BRAND, {"keywords": BRANDS, "brand_owner": "Brand owners' association"}, "YELLOW"),
        ("batteries", RuleKind.PROHIBITED, {"keywords": ["lithium battery", "battery cells"]}, "RED"),
        ("e-cigarettes", RuleKind.PROHIBITED, {"keywords": ["vape", "e-cigarette"], "hs_prefixes": ["2404"]}, "RED"),
        (
            "watches-cn",
            RuleKind.CONDITION,
            {"hs_prefixes": ["9101", "9102", "851762"], "origin_countries": ["CN", "HK"]},
            "",
        ),
        ("high-value", RuleKind.CONDITION, {"value_min": "1000"}, "YELLOW"),
        ("supplements", RuleKind.CONDITION, {"hs_prefixes": ["2106", "3004"]}, ""),
        (
            "watchlist-addressees",
            RuleKind.WATCHLIST,
            {"party": "addressee", "names": [f"Person {i} {rng.random():.6f}" for i in range(2000)]},
            "RED",
        ),
        (
            "watchlist-senders",
            RuleKind.WATCHLIST,
            {"party": "sender", "emails": [f"seller{i}@example.com" for i in range(2000)]},
            "YELLOW",
        ),
    ]
    for code, kind, condition, lane in specs:
        rule = rule_propose(
            author=maker,
            code=code,
            kind=kind,
            description=f"Bench rule {code}",
            condition=condition,
            force_lane=lane,
            score=Decimal("0.25"),
        )
        rule_approve(rule=rule, approver=checker)
    return len(specs)


def main() -> None:
    officer, maker, checker = _users()
    labelled = label_sample(officer, 3000)
    # The bench measures speed with a model in the path, not the model's worth: it is promoted without a
    # back-test (its labels are the simulator's words, which may well do worse than the rules alone), and
    # the audit entry of the promotion says so.
    version = model_train(min_labels=200)
    model_promote(
        model_version=version,
        supervisor=checker,
        without_backtest="benchmark: the scoring path's speed with a model in it, not the model's worth",
    )
    print(f"labelled {labelled}, model {version.pk} auc {version.metrics.get('auc')}, rules {rules(maker, checker)}")


if __name__ == "__main__":
    main()
