"""Features for the risk model, the same pipeline for postal items and the evaluation data.

A `FeatureSpec` names the roles of the columns: entities (traders, HS codes,
exact declared values) become smoothed historical risk rates and counts;
categorical columns become codes; numeric columns stay, with the unit value
and its ratio to the HS reference unit value learnt from history.

Target rates of the training rows are computed out of fold, so the model never
learns from a row's own label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold


@dataclass(frozen=True)
class FeatureSpec:
    entities: tuple[str, ...]
    categoricals: tuple[str, ...]
    numerics: tuple[str, ...]
    hs_column: str
    value_column: str
    mass_column: str


@dataclass
class RiskFeaturizer:
    """Learns entity risk rates and HS reference values from labelled history."""

    spec: FeatureSpec
    smoothing: float = 20.0
    folds: int = 5
    seed: int = 0
    prior: float = 0.0
    rates: dict[str, pd.Series] = field(default_factory=dict)
    counts: dict[str, pd.Series] = field(default_factory=dict)
    categories: dict[str, list] = field(default_factory=dict)
    hs_reference: pd.Series | None = None

    def _derived(self, frame: pd.DataFrame) -> pd.DataFrame:
        spec = self.spec
        out = pd.DataFrame(index=frame.index)
        hs = frame[spec.hs_column].astype(str)
        out["_hs2"], out["_hs4"], out["_hs6"] = hs.str[:2], hs.str[:4], hs.str[:6]
        value = pd.to_numeric(frame[spec.value_column], errors="coerce").fillna(0.0)
        mass = pd.to_numeric(frame[spec.mass_column], errors="coerce").fillna(0.0)
        out["_unit_value"] = value / mass.clip(lower=1e-3)
        out["_log_value"] = np.log1p(value)
        return out

    def _entity_keys(self, frame: pd.DataFrame) -> dict[str, pd.Series]:
        derived = self._derived(frame)
        keys = {name: frame[name].astype(str) for name in self.spec.entities}
        keys.update({name: derived[name] for name in ("_hs2", "_hs4", "_hs6")})
        return keys

    def _rate(self, keys: pd.Series, labels: pd.Series) -> pd.Series:
        stats = labels.groupby(keys).agg(["sum", "count"])
        return (stats["sum"] + self.prior * self.smoothing) / (stats["count"] + self.smoothing)

    def fit_transform(self, frame: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
        labels = labels.astype(float).reset_index(drop=True)
        frame = frame.reset_index(drop=True)
        self.prior = float(labels.mean())
        keys = self._entity_keys(frame)
        out_of_fold = {name: np.full(len(frame), self.prior) for name in keys}
        for train_idx, held_idx in KFold(self.folds, shuffle=True, random_state=self.seed).split(frame):
            for name, key in keys.items():
                rate = self._rate(key.iloc[train_idx], labels.iloc[train_idx])
                out_of_fold[name][held_idx] = key.iloc[held_idx].map(rate).fillna(self.prior).to_numpy()
        for name, key in keys.items():
            self.rates[name] = self._rate(key, labels)
            self.counts[name] = key.value_counts()
        for name in self.spec.categoricals:
            self.categories[name] = sorted(frame[name].astype(str).unique())
        derived = self._derived(frame)
        self.hs_reference = derived["_unit_value"].groupby(derived["_hs6"]).median()
        return self._assemble(frame, keys, {name: pd.Series(v) for name, v in out_of_fold.items()})

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.reset_index(drop=True)
        keys = self._entity_keys(frame)
        rates = {name: key.map(self.rates[name]).fillna(self.prior) for name, key in keys.items()}
        return self._assemble(frame, keys, rates)

    def _assemble(self, frame: pd.DataFrame, keys: dict, rates: dict) -> pd.DataFrame:
        derived = self._derived(frame)
        out = pd.DataFrame(index=frame.index)
        for name, key in keys.items():
            out[f"rate:{name}"] = rates[name].to_numpy()
            out[f"count:{name}"] = key.map(self.counts[name]).fillna(0).to_numpy()
        for name in self.spec.categoricals:
            mapping = {value: code for code, value in enumerate(self.categories[name])}
            out[f"code:{name}"] = frame[name].astype(str).map(mapping).fillna(-1).to_numpy()
        for name in self.spec.numerics:
            out[f"num:{name}"] = pd.to_numeric(frame[name], errors="coerce").fillna(0.0).to_numpy()
        reference = derived["_hs6"].map(self.hs_reference)
        out["unit_value"] = derived["_unit_value"].to_numpy()
        out["unit_value_vs_hs_reference"] = (derived["_unit_value"] / reference).fillna(1.0).to_numpy()
        out["log_value"] = derived["_log_value"].to_numpy()
        return out


FEATURE_WORDS = {
    "rate": "risk history of",
    "count": "how often we have seen",
    "code": "",
    "num": "",
}


def describe_feature(name: str) -> str:
    """Words an officer reads for a feature name, e.g. 'risk history of the addressee'."""
    kind, _, column = name.partition(":")
    column = column.lstrip("_").replace("_", " ")
    readable = {"hs2": "the HS chapter", "hs4": "the HS heading", "hs6": "the HS subheading"}.get(column, column)
    if name == "unit_value_vs_hs_reference":
        return "declared unit value against the HS reference"
    if name in {"unit_value", "log_value"}:
        return "declared value"
    prefix = FEATURE_WORDS.get(kind, "")
    return f"{prefix} {readable}".strip()
