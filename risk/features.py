"""Features for the risk model, the same pipeline for postal items and the evaluation data.

A `FeatureSpec` names the roles of the columns: entities (traders, offices,
countries, HS codes) become smoothed historical risk rates and counts;
categorical columns become codes; numeric columns stay as magnitudes. Values
enter as magnitudes and as their place among the goods they are declared
with: the unit value's ratio to the HS reference, and its distance (in
standard deviations of the log unit value) from the typical value of its HS
subheading, heading and of the groups the spec names (the subheading with the
origin, say).

No exact declared value is an entity: an exact price seen in history is a
fingerprint of its label, not a reason (a price moved by half a percent would
lose it). Training values are also jittered by `value_jitter` so the trees
cannot learn such fingerprints through the magnitudes.

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
    # Columns that, with the HS subheading, form groups whose typical unit value an item is compared with.
    value_groups: tuple[tuple[str, ...], ...] = ()


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
    unit_stats: dict[str, pd.DataFrame] = field(default_factory=dict)  # group -> mean, std, count of log unit value

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
        log_unit = np.log1p(derived["_unit_value"])
        self.unit_stats = {
            name: log_unit.groupby(key).agg(["mean", "std", "count"]) for name, key in self._value_groups(frame).items()
        }
        return self._assemble(frame, keys, {name: pd.Series(v) for name, v in out_of_fold.items()})

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.reset_index(drop=True)
        keys = self._entity_keys(frame)
        rates = {name: key.map(self.rates[name]).fillna(self.prior) for name, key in keys.items()}
        return self._assemble(frame, keys, rates)

    def _value_groups(self, frame: pd.DataFrame) -> dict[str, pd.Series]:
        hs = frame[self.spec.hs_column].astype(str)
        groups = {"hs6": hs.str[:6], "hs4": hs.str[:4]}
        for columns in self.spec.value_groups:
            key = hs.str[:6]
            for column in columns:
                key = key + "|" + frame[column].astype(str)
            groups["hs6+" + "+".join(columns)] = key
        return groups

    def _value_places(self, frame: pd.DataFrame, log_unit: pd.Series) -> pd.DataFrame:
        """How far each unit value lies from its groups' typical one, in standard deviations, and group sizes."""
        out = pd.DataFrame(index=frame.index)
        for name, key in self._value_groups(frame).items():
            stats = getattr(self, "unit_stats", {}).get(name)
            if stats is None:  # a model trained before these features existed
                continue
            mean = key.map(stats["mean"])
            spread = key.map(stats["std"]).fillna(1.0).clip(lower=0.05)
            out[f"value_z:{name}"] = ((log_unit - mean) / spread).fillna(0.0).to_numpy()
            out[f"value_n:{name}"] = key.map(stats["count"]).fillna(0).to_numpy()
        return out

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
        out["log_mass"] = np.log1p(pd.to_numeric(frame[self.spec.mass_column], errors="coerce").fillna(0.0)).to_numpy()
        places = self._value_places(frame, np.log1p(derived["_unit_value"]))
        return pd.concat([out, places], axis=1)
