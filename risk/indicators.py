"""Built-in risk indicators, applied to one consignment and its content lines.

Each indicator returns the reasons it found, in words an officer reads, with a
score contribution or a forced lane.
"""

from __future__ import annotations

from dataclasses import dataclass

from clearance.choices import ItemCategory, Lane
from core.normalize import screen_key, text_key

# UPU Convention prohibitions and the usual restricted goods (domain.md §5.1).
PROHIBITED_WORDS = {
    "narcotic": "narcotics",
    "cocaine": "narcotics",
    "heroin": "narcotics",
    "cannabis": "narcotics",
    "marijuana": "narcotics",
    "fentanyl": "narcotics",
    "explosive": "explosives",
    "firework": "explosives",
    "detonator": "explosives",
    "gunpowder": "explosives",
    "pistol": "weapons",
    "revolver": "weapons",
    "firearm": "weapons",
    "ammunition": "weapons",
    "ivory": "CITES wildlife",
    "rhino horn": "CITES wildlife",
    "pangolin": "CITES wildlife",
    "banknote": "currency",
    "counterfeit": "counterfeit goods",
    "replica": "counterfeit goods",
}
VAGUE_DESCRIPTIONS = {"gift", "gifts", "accessories", "parts", "goods", "sample", "samples", "items", "stuff", "other"}
# HS chapter 93 (arms and ammunition) and heading 3601-3604 (explosives, fireworks).
PROHIBITED_HS_PREFIXES = {
    "93": "weapons",
    "3601": "explosives",
    "3602": "explosives",
    "3603": "explosives",
    "3604": "explosives",
}


@dataclass(frozen=True)
class Finding:
    reason: str
    score: float = 0.0
    force_lane: str | None = None


def _words(text: str) -> str:
    """The description as screens see it (core.normalize.screen_key), space-padded for whole words."""
    return f" {screen_key(text)} "


def prohibited_goods(descriptions: list[str], hs_codes: list[str]) -> list[Finding]:
    findings = []
    for description in descriptions:
        text = _words(description)
        for word, kind in PROHIBITED_WORDS.items():
            if f" {word}" in text:
                findings.append(Finding(f"Possible {kind}: description mentions “{word}”.", 1.0, Lane.RED))
    for hs_code in hs_codes:
        for prefix, kind in PROHIBITED_HS_PREFIXES.items():
            if hs_code.startswith(prefix):
                findings.append(Finding(f"Possible {kind}: HS code {hs_code} is restricted.", 1.0, Lane.RED))
    return findings


def vague_descriptions(descriptions: list[str], category: str) -> list[Finding]:
    if category == ItemCategory.DOCUMENTS:
        return []
    vague = [d for d in descriptions if text_key(d) in VAGUE_DESCRIPTIONS]
    if not vague:
        return []
    return [Finding(f"Vague description “{vague[0]}” does not say what the goods are.", 0.3)]
