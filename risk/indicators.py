"""Built-in risk indicators, applied to one consignment and its content lines.

Each indicator returns the findings it made (risk.reasons), with a score
contribution or a forced lane.
"""

from __future__ import annotations

import re

from clearance.choices import ItemCategory
from core.normalize import text_key
from risk.reasons import VAGUE_DESCRIPTION, Finding

# Words that name no product: a description made only of these (and small words)
# says nothing an officer can check, whatever it is declared at.
GENERIC_TEXT = """
gift gifts present presents accessory accessories part parts spare spares piece pieces goods good
item items article articles product products thing things stuff sample samples merchandise merchandises
general misc miscellaneous various assorted mixed other others personal effects belongings package packages
parcel parcels box boxes set sets kit kits supplies supply material materials order orders purchase new used
commodity commodities ware wares cadeau cadeaux pièce pièces produit produits divers
marchandise marchandises objet objets échantillon échantillons colis
"""
GENERIC_WORDS = frozenset(text_key(word) for word in GENERIC_TEXT.split())
VAGUE_SCORE = 0.3
SMALL_WORDS = frozenset(
    ["a", "an", "and", "of", "for", "the", "with", "x"]
    + ["de", "des", "du", "et", "la", "le", "les", "pour", "avec", "en"]
)


# "3", "x3", "3x", "10pcs": a count says nothing about what the goods are.
QUANTITY = re.compile(r"x?\d+(x|pcs?|pieces?|units?)?")


def vague_descriptions(descriptions: list[str], category: str) -> list[Finding]:
    """Descriptions that name no product: every word generic ("spare parts", "misc items", "gift").

    Measured, not listed: any mix of generic words is caught, and the reason
    says which words there were.
    """
    if category == ItemCategory.DOCUMENTS:
        return []
    for description in descriptions:
        words = [w for w in text_key(description).split() if w not in SMALL_WORDS and not QUANTITY.fullmatch(w)]
        if not words or all(w in GENERIC_WORDS for w in words):
            shown = description.strip() or "(empty)"
            return [Finding(VAGUE_DESCRIPTION.code, {"text": shown}, weight=VAGUE_SCORE)]
    return []
