"""Offline evaluation of the risk pipeline on the customs declarations dataset.

The official protocol (risk/data/customs-declarations/README.md): train on the
2020 file, score the 2021-Q2 test file, inspect the top n% by score; report
precision and recall at n = 1, 2, 5, 10 %, ROC AUC, the same on the test rows
whose exact Item Price never occurs in training, and baseline rankings.

The dataset's prices are label-pure clusters: the exact price seen in training
ranks the test file at ≈ 0.97 on its own. So the figure that counts is the one
on a copy of the test file with every price moved by half a percent (labels
unchanged): a pipeline that learnt prices rather than reasons falls there. It
is reported beside the raw figure, with the exact-price lookup on both.

The model's settings (trees, learning rate, value jitter, the value groups,
an average of five seeds) were chosen on the validation file (2021-Q1), never
on the test file.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from risk.classifier import RiskEnsemble, ranking_metrics
from risk.features import FeatureSpec

DATA_DIR = Path(__file__).resolve().parent / "data" / "customs-declarations"
PAPER_BEST = {
    "LightGBM": {"5": 0.762, "10": 0.641},
    "XGBoost": {"5": 0.675, "10": 0.579},
    "logistic regression": {"5": 0.258, "10": 0.248},
}

# The dataset's columns in the roles of the production pipeline: importer =
# addressee, seller = sender, declarant and courier = operator. No exact value
# is an entity (risk.features).
DATASET_SPEC = FeatureSpec(
    entities=(
        "Declarant ID",
        "Importer ID",
        "Seller ID",
        "Courier ID",
        "Office ID",
        "Country of Origin",
        "Country of Departure",
    ),
    categoricals=(
        "Process Type",
        "Import Type",
        "Import Use",
        "Payment Type",
        "Mode of Transport",
        "Tax Type",
        "Country of Origin Indicator",
    ),
    numerics=("Tax Rate", "Net Mass", "Item Price"),
    hs_column="HS6 Code",
    value_column="Item Price",
    mass_column="Net Mass",
    value_groups=(("Country of Origin",), ("Tax Type",)),
)
TREES, LEARNING_RATE, MEMBERS = 800, 0.03, 5  # chosen on the validation file
PRICE_MOVE = 0.005
TARGETS = {"5": 0.90, "10": 0.82}


def load(name: str, data_dir: Path = DATA_DIR, rows: int | None = None) -> pd.DataFrame:
    frame = pd.read_csv(data_dir / f"df_syn_{name}_eng.csv", dtype={"HS6 Code": str}, nrows=rows)
    frame["HS6 Code"] = frame["HS6 Code"].str.zfill(6)
    return frame.fillna({"Seller ID": "", "Courier ID": ""})


def moved_prices(frame: pd.DataFrame, share: float = PRICE_MOVE, seed: int = 1) -> pd.DataFrame:
    """A copy with every Item Price moved up or down by `share` (whole won), labels unchanged."""
    rng = np.random.default_rng(seed)
    moved = frame.copy()
    signs = rng.choice([-1.0, 1.0], len(moved))
    moved["Item Price"] = (moved["Item Price"].astype(float) * (1 + signs * share)).round(0)
    return moved


def exact_price_lookup(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """The training fraud rate of each test row's exact Item Price (the prior when never seen)."""
    prior = train["Fraud"].mean()
    rate = train.groupby("Item Price")["Fraud"].mean()
    return test["Item Price"].map(rate).fillna(prior).to_numpy()


def _baselines(train: pd.DataFrame, test: pd.DataFrame, moved: pd.DataFrame, labels: np.ndarray, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    importer = train.groupby("Importer ID")["Fraud"].agg(["sum", "count"])
    prior = train["Fraud"].mean()
    importer_rate = (importer["sum"] + prior * 20) / (importer["count"] + 20)
    rankings = {
        "random": rng.random(len(test)),
        "highest_item_price": test["Item Price"].to_numpy(dtype=float),
        "importer_history": test["Importer ID"].map(importer_rate).fillna(prior).to_numpy(),
        "exact_price_lookup": exact_price_lookup(train, test),
        "exact_price_lookup_moved_prices": exact_price_lookup(train, moved),
    }
    return {name: ranking_metrics(labels, scores) for name, scores in rankings.items()}


def evaluate(*, data_dir: Path = DATA_DIR, seed: int = 0, rows: int | None = None) -> dict:
    started = time.monotonic()
    train, test = load("train", data_dir, rows), load("test", data_dir, rows)
    moved = moved_prices(test)
    model = RiskEnsemble.train(
        train, train["Fraud"], DATASET_SPEC, seed=seed, size=MEMBERS, trees=TREES, learning_rate=LEARNING_RATE
    )
    labels = test["Fraud"].to_numpy()
    scores, moved_scores = model.scores(test), model.scores(moved)
    single = model.members[0].scores(moved)
    unseen = ~test["Item Price"].isin(set(train["Item Price"])).to_numpy()
    result = ranking_metrics(labels, scores)
    result["moved_prices"] = ranking_metrics(labels, moved_scores)
    result["moved_prices_one_member"] = ranking_metrics(labels, single)
    result["moved_by"] = {
        n: round(abs(result["precision"][n] - result["moved_prices"]["precision"][n]), 4) for n in TARGETS
    }
    result["targets"] = {
        n: {"target": t, "on_moved_prices": result["moved_prices"]["precision"][n]} for n, t in TARGETS.items()
    }
    result["unseen_price"] = {**ranking_metrics(labels[unseen], scores[unseen]), "rows": int(unseen.sum())}
    result["baselines"] = _baselines(train, test, moved, labels, seed)
    result["published"] = PAPER_BEST
    result["data"] = {"train_rows": len(train), "test_rows": len(test), "test_fraud_rate": round(labels.mean(), 4)}
    result["seconds"] = round(time.monotonic() - started, 1)
    return result
