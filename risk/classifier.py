"""The risk model: gradient-boosted trees over RiskFeaturizer's features."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from risk.features import FeatureSpec, RiskFeaturizer, describe_feature

ALGORITHM = "HistGradientBoostingClassifier over smoothed entity risk rates"


@dataclass
class RiskModel:
    featurizer: RiskFeaturizer
    classifier: HistGradientBoostingClassifier
    feature_names: list[str]
    typical_row: np.ndarray

    @classmethod
    def train(cls, frame: pd.DataFrame, labels: pd.Series, spec: FeatureSpec, *, seed: int = 0) -> RiskModel:
        featurizer = RiskFeaturizer(spec, seed=seed)
        features = featurizer.fit_transform(frame, labels)
        classifier = HistGradientBoostingClassifier(
            max_iter=300,
            learning_rate=0.06,
            max_leaf_nodes=48,
            min_samples_leaf=20,
            l2_regularization=1.0,
            random_state=seed,
        )
        classifier.fit(features.to_numpy(), labels.astype(int).to_numpy())
        return cls(featurizer, classifier, list(features.columns), features.median().to_numpy())

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        features = self.featurizer.transform(frame)
        return self.classifier.predict_proba(features.to_numpy())[:, 1]

    def top_contributions(self, frame: pd.DataFrame, limit: int = 3) -> list[list[str]]:
        """For each row, the features that lift its score most, in words.

        A feature's contribution is the score of a typical item (every feature
        at its training median) given this row's value of that feature alone,
        minus the typical item's score. Unlike leaving one feature out, this
        still names the reasons when several say the same thing.
        """
        features = self.featurizer.transform(frame)
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
            reasons.append([f"{describe_feature(names[i])} (+{row[i]:.2f})" for i in order if row[i] > 0.02])
        return reasons

    def dumps(self) -> bytes:
        return pickle.dumps(self)

    @staticmethod
    def loads(data: bytes) -> RiskModel:
        # Artifacts are written by risk_train into our own database, never from outside.
        return pickle.loads(data)  # noqa: S301


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
