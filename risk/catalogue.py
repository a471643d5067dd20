"""The catalogue of prohibited and restricted goods, as rules: shipped as CSV, imported and exported as CSV.

Each row is a PROHIBITED rule (words and phrases in English and French, the
phrases that do not count, the HS chapters such goods belong to, HS prefixes
that are findings on their own, the lane and the source). The shipped file is
seeded in force by a migration; an administration's own file is imported as
proposals that a second supervisor approves (risk.services.rule_propose), and
the rules in force export in the same format.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from risk.choices import RuleKind, RuleStatus

SHIPPED = Path(__file__).with_name("data") / "goods_catalogue.csv"
COLUMNS = ["code", "goods", "lane", "description", "keywords", "exclusions", "hs_chapters", "hs_prefixes", "source"]
LIST_COLUMNS = ("keywords", "exclusions", "hs_chapters", "hs_prefixes")


def catalogue_rows(text: str) -> list[dict]:
    """The rows of a catalogue CSV as rule fields: code, description, condition, force_lane, source."""
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        condition: dict = {"goods": row["goods"].strip()}
        for column in LIST_COLUMNS:
            entries = [entry.strip() for entry in (row.get(column) or "").split("|") if entry.strip()]
            if entries:
                condition[column] = entries
        rows.append(
            {
                "code": row["code"].strip(),
                "description": row["description"].strip(),
                "condition": condition,
                "force_lane": row["lane"].strip().upper(),
                "source": (row.get("source") or "").strip(),
            }
        )
    return rows


def catalogue_seed(rule_model) -> int:
    """Put the shipped catalogue in force where no rule of that code exists (migrations and tests)."""
    created = 0
    for row in catalogue_rows(SHIPPED.read_text(encoding="utf-8")):
        if rule_model.objects.filter(code=row["code"]).exists():
            continue
        rule_model.objects.create(
            kind=RuleKind.PROHIBITED, status=RuleStatus.ACTIVE, version=1, score=Decimal("0"), **row
        )
        created += 1
    return created


def catalogue_csv(rules) -> str:
    """PROHIBITED rules in force as the catalogue's CSV."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for rule in rules:
        c = rule.condition
        writer.writerow(
            {
                "code": rule.code,
                "goods": c.get("goods", ""),
                "lane": rule.force_lane,
                "description": rule.description,
                **{column: "|".join(c.get(column, [])) for column in LIST_COLUMNS},
                "source": rule.source,
            }
        )
    return buffer.getvalue()
