"""Postal items in the roles of the feature pipeline (risk.features.FeatureSpec)."""

from __future__ import annotations

import pandas as pd

from clearance.models import Consignment
from clearance.selectors import content_lines
from risk.features import FeatureSpec
from risk.goods.findings import text_signals

POSTAL_SPEC = FeatureSpec(
    entities=("sender_key", "addressee_key", "operator", "platform", "sender_country", "origin"),
    categoricals=("category", "currency", "origin"),
    # text_named, text_likeness: what the goods model reads in the descriptions (risk.goods.findings.text_signals)
    numerics=("total_value", "gross_weight_kg", "line_count", "quantity", "text_named", "text_likeness"),
    hs_column="hs_code",
    value_column="total_value",
    mass_column="gross_weight_kg",
    value_groups=(("origin",), ("currency",)),
)


def postal_frame(consignments: list[Consignment]) -> pd.DataFrame:
    """One row per item; its first content line stands for the goods (HS, origin), all its lines for the text."""
    lines_of = [content_lines(c) for c in consignments]
    signals = text_signals([[line.description for line in lines] for lines in lines_of])
    rows = []
    for c, lines, (named, likeness) in zip(consignments, lines_of, signals, strict=True):
        first = lines[0] if lines else None
        rows.append(
            {
                "sender_key": c.sender_key,
                "addressee_key": c.addressee_key,
                "operator": c.operator_id,
                "platform": c.platform,
                "total_value": float(c.total_value),
                "sender_country": c.sender_country,
                "origin": first.origin_country if first else "",
                "category": c.category,
                "currency": c.currency,
                "gross_weight_kg": float(c.gross_weight_kg),
                "line_count": len(lines),
                "quantity": sum(line.quantity for line in lines),
                "hs_code": (first.hs_code if first and first.hs_code else "000000"),
                "text_named": named,
                "text_likeness": likeness,
            }
        )
    return pd.DataFrame(rows)
