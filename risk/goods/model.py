"""The goods model's statistical layer: which controlled family a description resembles.

The vocabulary names goods it lists; this layer reads what it does not: a
misspelling nobody wrote down, an inflection, a slang word beside the usual
seller's words. Character n-grams of the normalised text (risk.goods.text) and
its words are hashed and scored by a linear model per family, so a chunk of
descriptions costs one sparse matrix product. A resemblance is never RED: it
sends the item to an officer YELLOW, with the family, its probability and the
words that weighed most.

The weights ship in risk/data/goods/model.npz, made by `manage.py goods_train`
(risk.goods.training) from open data and the vocabulary; nothing downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from risk.goods import text
from risk.goods.vocabulary import vocabulary

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "goods" / "model.npz"
NONE = "none"
N_FEATURES = 2**18


def model_text(description: str) -> str:
    """What the model reads: the words as the vocabulary reads them, and pinyin split into syllables."""
    tokens = text.words(description, vocabulary().known)
    syllables = text.syllable_stream(tokens)
    joined = " ".join(tokens)
    return joined if syllables == tokens else f"{joined} {' '.join(syllables)}"


@cache
def vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    chars = HashingVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), n_features=N_FEATURES, alternate_sign=False, norm="l2"
    )
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=N_FEATURES, alternate_sign=False, norm="l2",
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (a regular expression, not a password)
    )  # fmt: skip
    return chars, words


def features(texts: Sequence[str]) -> sparse.csr_matrix:
    chars, words = vectorizers()
    prepared = [model_text(t) for t in texts]
    return sparse.hstack([chars.transform(prepared), words.transform(prepared)], format="csr")


@dataclass(frozen=True)
class Resemblance:
    family: str
    probability: float


SEEN_LIMIT = 20_000  # ~600 bytes a description: about 12 MB per process at most


@dataclass
class GoodsModel:
    classes: tuple[str, ...]
    coef: sparse.csr_matrix  # classes x features
    intercept: np.ndarray

    # Each description's probabilities once worked out: the goods pass and the risk model's text signals read
    # the same lines, and the same descriptions ("Phone case") come back item after item.
    seen: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Rows: texts; columns: classes; softmax over the linear scores."""
        if not texts:
            return np.zeros((0, len(self.classes)))
        seen = self.seen  # this call's own reference: another thread may start a fresh dict meanwhile
        missing = [text for text in dict.fromkeys(texts) if text not in seen]
        if not missing:
            return np.array([seen[text] for text in texts])
        computed = dict(zip(missing, self._probabilities(missing), strict=True))
        if len(seen) + len(computed) > SEEN_LIMIT:
            self.seen = {}  # replaced, never cleared in place: a reader holding the old one still finds its rows
        self.seen.update(computed)
        return np.array([computed[text] if text in computed else seen[text] for text in texts])

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        scores = (features(texts) @ self.coef.T).toarray() + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def resemblances(self, texts: Sequence[str]) -> list[Resemblance]:
        """The most likely controlled family of each text (NONE when none is likelier)."""
        probabilities = self.probabilities(texts)
        best = probabilities.argmax(axis=1) if len(texts) else []
        return [Resemblance(self.classes[i], float(row[i])) for i, row in zip(best, probabilities, strict=True)]

    def save(self, path: Path = MODEL_PATH) -> None:
        coef = self.coef.tocsr()
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            data=coef.data.astype(np.float32),
            indices=coef.indices,
            indptr=coef.indptr,
            shape=np.array(coef.shape),
            intercept=self.intercept.astype(np.float64),
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> GoodsModel:
        with np.load(path, allow_pickle=False) as stored:
            coef = sparse.csr_matrix(
                (stored["data"].astype(np.float64), stored["indices"], stored["indptr"]), shape=tuple(stored["shape"])
            )
            return cls(classes=tuple(str(c) for c in stored["classes"]), coef=coef, intercept=stored["intercept"])


@cache
def goods_model() -> GoodsModel | None:
    """The shipped model, or None when it has not been trained (the vocabulary then reads alone)."""
    return GoodsModel.load() if MODEL_PATH.exists() else None
