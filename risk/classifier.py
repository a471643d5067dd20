"""The risk model: gradient-boosted trees over RiskFeaturizer's features."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from risk.features import FeatureSpec, RiskFeaturizer

# A score's explanation: the features that lift it most, with their lift.
Factors = list[tuple[str, float]]

ALGORITHM = "HistGradientBoostingClassifier over smoothed entity risk rates and value places"
# Training values are moved by up to this share, so that no exact value can be learnt as a fingerprint.
VALUE_JITTER = 0.01


def jittered(frame: pd.DataFrame, column: str, share: float, seed: int) -> pd.DataFrame:
    """A copy with each value multiplied by a random factor within 1 ± share (the labels stay)."""
    if not share:
        return frame
    moved = frame.copy()
    factors = np.random.default_rng(seed).uniform(1 - share, 1 + share, len(frame))
    moved[column] = pd.to_numeric(moved[column], errors="coerce").fillna(0.0).to_numpy() * factors
    return moved


@dataclass
class RiskModel:
    featurizer: RiskFeaturizer
    classifier: HistGradientBoostingClassifier
    feature_names: list[str]
    typical_row: np.ndarray

    @classmethod
    def train(
        cls,
        frame: pd.DataFrame,
        labels: pd.Series,
        spec: FeatureSpec,
        *,
        seed: int = 0,
        trees: int = 300,
        learning_rate: float = 0.06,
        value_jitter: float = VALUE_JITTER,
        weights: np.ndarray | None = None,
    ) -> RiskModel:
        featurizer = RiskFeaturizer(spec, seed=seed)
        features = featurizer.fit_transform(jittered(frame, spec.value_column, value_jitter, seed), labels)
        classifier = HistGradientBoostingClassifier(
            max_iter=trees,
            learning_rate=learning_rate,
            max_leaf_nodes=48,
            min_samples_leaf=20,
            l2_regularization=1.0,
            random_state=seed,
        )
        classifier.fit(features.to_numpy(), labels.astype(int).to_numpy(), sample_weight=weights)
        return cls(featurizer, classifier, list(features.columns), features.median().to_numpy())

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        features = self.featurizer.transform(frame)
        return self.classifier.predict_proba(features.to_numpy())[:, 1]

    def top_contributions(self, frame: pd.DataFrame, limit: int = 3) -> list[list[tuple[str, float]]]:
        """For each row, the features that lift its score most: (feature name, lift).

        A feature's contribution is the score of a typical item (every feature
        at its training median) given this row's value of that feature alone,
        minus the typical item's score. Unlike leaving one feature out, this
        still names the reasons when several say the same thing.
        """
        return self._contributions(self.featurizer.transform(frame), limit)

    def scores_explained(self, frame: pd.DataFrame, threshold: float) -> tuple[np.ndarray, dict[int, Factors]]:
        """Each row's score, and the top contributions of the rows scoring at or above the threshold (by
        position): the features are worked out once for both (each row's depend on that row alone)."""
        features = self.featurizer.transform(frame)
        scores = self.classifier.predict_proba(features.to_numpy())[:, 1]
        flagged = np.flatnonzero(scores >= threshold)
        explained = self._contributions(features.iloc[flagged], 3) if len(flagged) else []
        return scores, dict(zip(flagged.tolist(), explained, strict=True))

    def _contributions(self, features: pd.DataFrame, limit: int) -> list[Factors]:
        values = features.to_numpy()
        rows, width = values.shape
        base = self.classifier.predict_proba(self.typical_row[None, :])[0, 1]
        # One probe per (row, feature), scored in a single call.
        probes = np.tile(self.typical_row, (rows * width, 1))
        row_index = np.repeat(np.arange(rows), width)
        column_index = np.tile(np.arange(width), rows)
        probes[np.arange(rows * width), column_index] = values[row_index, column_index]
        lifts = (self.classifier.predict_proba(probes)[:, 1] - base).reshape(rows, width)
        names = list(features.columns)
        reasons = []
        for row in lifts:
            order = np.argsort(row)[::-1][:limit]
            reasons.append([(names[i], float(row[i])) for i in order if row[i] > 0.02])
        return reasons

    def dumps(self) -> bytes:
        return pickle.dumps(self)

    @staticmethod
    def loads(data: bytes) -> RiskModel:
        # Artifacts are written by risk_train into our own database, never from outside.
        return pickle.loads(data)  # noqa: S301


@dataclass
class RiskEnsemble:
    """RiskModels trained with different seeds (folds, jitter), their scores averaged.

    One model's ranking moves by a few points with its seed; the average of
    five holds still and ranks better (risk_evaluate reports both).
    """

    members: list[RiskModel]

    @classmethod
    def train(cls, frame: pd.DataFrame, labels: pd.Series, spec: FeatureSpec, *, seed: int = 0, size: int = 5, **kw):
        return cls([RiskModel.train(frame, labels, spec, seed=seed + n, **kw) for n in range(size)])

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        return np.mean([member.scores(frame) for member in self.members], axis=0)

    def top_contributions(self, frame: pd.DataFrame, limit: int = 3) -> list[list[tuple[str, float]]]:
        return self.members[0].top_contributions(frame, limit)


def ranking_metrics(labels: np.ndarray, scores: np.ndarray, shares=(1, 2, 5, 10)) -> dict:
    """Precision and recall when the top n% by score are inspected, and ROC AUC."""
    order = np.argsort(-scores, kind="stable")
    ranked = labels[order]
    total = max(int(labels.sum()), 1)
    precision, recall = {}, {}
    for share in shares:
        top = max(1, int(round(len(labels) * share / 100)))
        found = int(ranked[:top].sum())
        precision[str(share)] = round(found / top, 4)
        recall[str(share)] = round(found / total, 4)
    auc = round(float(roc_auc_score(labels, scores)), 4) if 0 < labels.sum() < len(labels) else None
    return {"precision": precision, "recall": recall, "auc": auc}
