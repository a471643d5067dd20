"""Training the goods model from open data and the vocabulary (`manage.py goods_train`).

Examples, each a description and the family it belongs to (or "none"):
- the Combined Nomenclature in 24 languages (risk/data/goods/sources): lines of
  a controlled family's codes are that family, the rest are ordinary goods;
- the synthetic HS set: labelled by its code's family, or ordinary goods;
- the vocabulary: each term that names controlled goods, alone and among the
  words sellers add (counts, "new", "gift", "free shipping"); and the same
  terms made harmless by their context ("leopard print", "glue gun",
  "nicotine-free", "case for pistol"), so the model learns context as well;
- a corpus of seller-style descriptions when one is present
  (risk/data/goods/corpus/*.jsonl, with its licence beside it).

Nothing here is measured on its own training text: risk/data/evaluation holds
the sets written apart from the vocabulary (`manage.py goods_evaluate`).
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from collections import Counter
from collections.abc import Iterator

import numpy as np
from scipy import sparse
from sklearn.linear_model import SGDClassifier

from risk.goods.model import NONE, GoodsModel, features
from risk.goods.vocabulary import DATA, FAMILIES, vocabulary

SOURCES = DATA / "sources"
CORPUS = DATA / "corpus"
# The seed's families as the vocabulary names them; CITES chapters are too broad to label (rabbit fur is 4301).
SEED_FAMILIES = {
    "weapons_arms_ammunition": "weapons_parts",
    "dangerous_goods_explosives_pyrotechnics": "ammunition_pyrotechnics",
    "dangerous_goods_radioactive": "dangerous_goods",
    "dangerous_goods_lithium_batteries": "dangerous_goods",
    "narcotics_psychotropics_precursors": "narcotics_nps",
    "medicines_pharmaceuticals": "medicines",
    "tobacco_nicotine": "nicotine",
    "ods_fgases": "waste_ods",
    "waste_scrap": "waste_ods",
}
LANGUAGES = (
    "en bg cs da de el es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()  # noqa: SIM905
)
# Words sellers put around the goods, in several languages.
FILLER = (
    "new", "2pcs", "1pc", "x2", "x10", "5 pcs", "10g", "100g", "1kg", "50ml", "black", "white", "gift", "sample",
    "free shipping", "high quality", "wholesale", "for men", "for women", "original", "100% new", "hot sale",
    "2024", "cadeau", "neuf", "lot de 2", "geschenk", "neu", "stück", "regalo", "nuevo", "nuovo", "novo",
    "poklon", "novo", "komad", "kom", "nowy", "szt", "hediye", "yeni", "adet", "novyj", "podarok", "li wu",
    "xin kuan", "bao you", "zheng pin", "mini", "set", "kit", "pack", "bulk", "cheap", "fast delivery",
)  # fmt: skip
SEED = 20261206


def training_examples(seed: int = SEED) -> Iterator[tuple[str, str]]:
    """(description, family or NONE) from every source."""
    rng = random.Random(seed)
    yield from _nomenclature(rng)
    yield from _synthetic_hs()
    yield from _vocabulary(rng)
    yield from _corpus()


def _family_of_code(code: str) -> str:
    for prefix, family in _seed_rules():
        if code.startswith(prefix):
            return family
    return NONE


def _seed_rules() -> list[tuple[str, str]]:
    with (SOURCES / "controlled_family_rules.csv").open(encoding="utf-8", newline="") as handle:
        rules = [(row["code_prefix"], SEED_FAMILIES.get(row["family"], "")) for row in csv.DictReader(handle)]
    # Ammunition (9306) is its own family in the vocabulary; longest prefix first.
    rules.append(("9306", "ammunition_pyrotechnics"))
    return sorted(((p, f) for p, f in rules if f), key=lambda rule: -len(rule[0]))


def _nomenclature(rng: random.Random) -> Iterator[tuple[str, str]]:
    with gzip.open(SOURCES / "cn2026_multilingual.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["level"] in ("heading", "subheading", "cn8")]
    headings = {row["code"][:4]: row for row in rows if row["level"] == "heading"}
    for row in rows:
        family = _family_of_code(row["code"])
        keep = family != NONE or rng.random() < 0.25  # ordinary goods are plenty: a sample
        if not keep:
            continue
        for language in LANGUAGES:
            own = row.get(language) or ""
            if not own or own.strip().lower() in ("other", "ostalo", "autres", "andere"):
                continue
            heading = headings.get(row["code"][:4], {}).get(language, "")
            yield (own if row["level"] == "heading" else f"{heading} {own}".strip(), family)


def _synthetic_hs() -> Iterator[tuple[str, str]]:
    with gzip.open(SOURCES / "hsclassify_micro_training_8f280b4.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row["text"], _family_of_code(row["hs_code"])


def _vocabulary(rng: random.Random) -> Iterator[tuple[str, str]]:
    vocab = vocabulary()
    harmless = _harmless_contexts()
    for terms in vocab.terms_by_first.values():
        for term in terms:
            yield from _term_examples(term.written, term.concept.family, term.weak, rng, harmless)
    for terms in vocab.pinyin_by_first.values():
        for term in terms:
            yield from _term_examples(term.written, term.concept.family, term.weak, rng, harmless)


def _term_examples(
    written: str, family: str, weak: bool, rng: random.Random, harmless: list[str]
) -> Iterator[tuple[str, str]]:
    if weak:  # a common word alone says nothing
        yield written, NONE
        return
    yield written, family
    for _ in range(2):
        words = [written, *rng.sample(FILLER, rng.randint(1, 3))]
        rng.shuffle(words)
        yield " ".join(words), family
    if family in ("counterfeit",):
        return
    template = rng.choice(harmless)
    yield template.format(term=written), NONE


def _harmless_contexts() -> list[str]:
    """Ways to make a term harmless: a colour, a scent, a print, a case for it, a test for it, without it."""
    return [
        "{term} print dress", "{term} pattern leggings", "{term} scented candle", "{term} flavour lollipop",
        "{term} free", "without {term}", "case for {term}", "{term} holder", "{term} test strips",
        "{term} detector", "{term} sticker", "{term} t-shirt", "{term} keychain toy", "poster {term}",
        "{term} colour nail polish", "motif {term}", "imprimé {term}", "sans {term}", "étui pour {term}",
        "{term} Muster", "ohne {term}", "{term}-frei", "estampado {term}", "sin {term}", "funda para {term}",
        "print {term}", "bez {term}", "futrola za {term}", "majica {term}", "{term} desenli", "{term} free herbal",
    ]  # fmt: skip


def _corpus() -> Iterator[tuple[str, str]]:
    if not CORPUS.exists():
        return
    for path in sorted(CORPUS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                label = row["label"] if row["label"] in FAMILIES else NONE
                yield row["text"], label


def train(seed: int = SEED, *, epochs: int = 8) -> tuple[GoodsModel, dict[str, int]]:
    """Fit the model on every example; returns it and the number of examples per class."""
    examples = list(training_examples(seed))
    texts = [text for text, _ in examples]
    labels = np.array([label for _, label in examples])
    counts = Counter(labels.tolist())
    matrix = features(texts)
    classifier = SGDClassifier(
        loss="log_loss",
        penalty="elasticnet",
        alpha=2e-6,
        l1_ratio=0.15,
        class_weight="balanced",
        max_iter=epochs,
        tol=None,
        random_state=seed,
    )
    classifier.fit(matrix, labels)
    coef = sparse.csr_matrix(np.where(np.abs(classifier.coef_) < 1e-4, 0.0, classifier.coef_))
    model = GoodsModel(classes=tuple(str(c) for c in classifier.classes_), coef=coef, intercept=classifier.intercept_)
    return model, dict(counts)
