"""Postal items in the roles of the feature pipeline (risk.features.FeatureSpec)."""

from __future__ import annotations

import pandas as pd

from clearance.models import Consignment
from clearance.selectors import content_lines
from risk.features import FeatureSpec

POSTAL_SPEC = FeatureSpec(
    entities=("sender_key", "addressee_key", "operator", "platform", "sender_country", "origin"),
    categoricals=("category", "currency", "origin"),
    numerics=("total_value", "gross_weight_kg", "line_count", "quantity"),
    hs_column="hs_code",
    value_column="total_value",
    mass_column="gross_weight_kg",
    value_groups=(("origin",), ("currency",)),
)


def postal_frame(consignments: list[Consignment]) -> pd.DataFrame:
    """One row per item; its first content line stands for the goods (HS, origin)."""
    rows = []
    for c in consignments:
        lines = content_lines(c)
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
            }
        )
    return pd.DataFrame(rows)
