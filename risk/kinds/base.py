"""What every kind of risk rule declares, and the checks and matching they share.

A kind is one class (a subclass of RuleKindSpec in its own module of this
package): the keys of its condition and how they are checked, the fields the
officer's rule form shows for it and how they become a condition, how a
condition is compiled and matched against a chunk of items, the reason codes
its findings carry (risk.reasons) and, for a kind the goods catalogue
carries, the catalogue's columns. The engine, the officer's rule form and
page, the catalogue loader and exporter read the kinds through the registry
(risk.kinds), never a list of their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms

from core.normalize import email_key, name_key, phone_key, screen_key, text_key
from risk.goods.scoring import LineFacts
from risk.goods.text import words as goods_words
from risk.permits import DeclaredPermit
from risk.reasons import Finding, Reason

LINES = forms.Textarea(attrs={"rows": 3})


@dataclass(frozen=True)
class ItemFacts:
    """What rules look at, prepared once per item."""

    hs_codes: tuple[str, ...]
    origins: frozenset[str]
    sender_country: str
    category: str
    operator: str
    platform: str
    currency: str
    value: Decimal
    weight: Decimal
    text: str  # descriptions as screens read them (screen_key), space-padded for whole-word search
    parties: dict[str, dict[str, Any]]  # sender/addressee -> name/email/phone keys
    # What the goods model read (risk.goods.findings): listed words that here only describe other goods
    # ("glue gun", "leopard print"), words that name controlled goods, and whether a copy cue is present.
    harmless_words: frozenset[str] = frozenset()
    naming_words: frozenset[str] = frozenset()
    copy_cue: bool = True
    lines: tuple[LineFacts, ...] = ()  # each line's description, code, quantity and value in euro
    consignment_id: int = 0
    day: date | None = None  # the day the item was pre-advised: permits must be valid on it
    permits: tuple[DeclaredPermit, ...] = ()  # the permit numbers declared on its lines


def text_entries_field(label: Any, *, lines: bool = False) -> forms.CharField:
    """A list typed as text: one entry per line, or separated by commas."""
    if lines:
        return forms.CharField(label=label, required=False, max_length=20_000, widget=LINES)
    return forms.CharField(label=label, required=False, max_length=2000)


def entries(text: str) -> list[str]:
    """One entry per line (or separated by commas or semicolons), blanks dropped."""
    return [entry.strip() for entry in re.split(r"[\n,;]+", text or "") if entry.strip()]


# How each list's entries are compared when scoring: an entry whose key is
# empty ("-", a zero-width space) would match every item, or none.
ENTRY_KEYS = {
    "keywords": screen_key,
    "exclusions": screen_key,
    "names": name_key,
    "platforms": text_key,
    "emails": email_key,
    "phones": phone_key,
}


class RuleKindSpec:
    """One kind of risk rule, declared once.

    `name` is what Rule.kind stores (12 characters at most). The condition's
    keys are `lists` (non-empty lists of texts), `numbers` (finite amounts of
    0 or more), `texts` and `records` (lists of records, each kind checks its
    own); when `finders` is set, a condition needs at least one of them (the
    others only refine). `Fields` is the form the officer fills in for this
    kind; its field names are the condition's keys.
    """

    name: ClassVar[str]
    label: ClassVar[Any]
    legend: ClassVar[Any]  # what the rule form says above this kind's fields
    lists: ClassVar[frozenset[str]] = frozenset()
    numbers: ClassVar[frozenset[str]] = frozenset()
    texts: ClassVar[frozenset[str]] = frozenset()
    records: ClassVar[frozenset[str]] = frozenset()  # lists of records (a watchlist's parties), checked by own_errors
    finders: ClassVar[frozenset[str]] = frozenset()
    upper: ClassVar[frozenset[str]] = frozenset()  # list keys whose entries are codes, kept in capitals
    summary_labels: ClassVar[Mapping[str, Any]] = {}
    catalogue_columns: ClassVar[tuple[str, ...]] = ()  # condition keys the goods catalogue carries as columns
    reasons: ClassVar[tuple[Reason, ...]] = ()
    Fields: ClassVar[type[forms.Form]]

    # --- the condition -----------------------------------------------------------------------

    def errors(self, condition: dict[str, Any]) -> list[dict[str, str]]:
        """Every problem of a condition, each with the key it concerns."""
        allowed = self.lists | self.numbers | self.texts | self.records
        errors = [
            {"field": key, "code": "unknown", "message": f"{key!r} is not a condition of {self.name} rules."}
            for key in condition
            if key not in allowed
        ]
        for key in sorted(self.lists & set(condition)):
            errors += list_errors(key, condition[key])
        errors += number_errors(sorted(self.numbers & set(condition)), condition)
        for key in sorted(self.texts & set(condition)):
            value = condition[key]
            if not isinstance(value, str) or "\x00" in value:
                errors.append({"field": key, "code": "invalid", "message": f"{key} is a text."})
        if self.finders and not set(condition) & self.finders:
            errors.append({"field": "", "code": "empty", "message": "Say what the rule looks for."})
        return errors + self.own_errors(condition)

    def own_errors(self, condition: dict[str, Any]) -> list[dict[str, str]]:
        """Checks of this kind beyond the keys' types."""
        return []

    def condition_from_fields(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The condition built from this kind's form fields (cleaned), in the order of the fields."""
        condition: dict[str, Any] = {}
        for name in self.Fields.base_fields:
            value = data.get(name)
            if isinstance(value, list | tuple):
                if value:
                    condition[name] = list(value)
            elif name in self.lists:
                if found := entries(value or ""):
                    condition[name] = [e.upper() for e in found] if name in self.upper else found
            elif name in self.numbers:
                if value is not None:
                    condition[name] = str(value)
            elif value:
                condition[name] = value
        return condition

    def summary(self, condition: dict[str, Any]) -> str:
        """The condition as an officer reads it: "HS 9302 · origin CN, HK · value 0–22"."""
        parts = [self.summary_of(key, value) for key, value in condition.items() if key not in self.numbers]
        parts += self.summary_extra(condition)
        return " · ".join(part for part in parts if part) or "–"

    def summary_of(self, key: str, value: Any) -> str:
        label = str(self.summary_labels.get(key, key))
        if isinstance(value, list):
            return f"{label} {', '.join(str(v) for v in value)}"
        return f"{label} {value}"

    def summary_extra(self, condition: dict[str, Any]) -> list[str]:
        return []

    # --- matching ----------------------------------------------------------------------------

    def compile(self, condition: dict[str, Any]) -> Any:
        """The condition made ready to test thousands of items (sets, patterns)."""
        raise NotImplementedError

    def match(self, compiled: Any, facts: ItemFacts, description: str) -> Finding | None:
        """The finding for one item (code and parameters), or None."""
        raise NotImplementedError

    def match_chunk(self, compiled: Any, chunk: Sequence[ItemFacts], description: str) -> list[Finding | None]:
        """The findings for a chunk of items, one per item; a kind may do better than one at a time."""
        return [self.match(compiled, facts, description) for facts in chunk]


def list_errors(key: str, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        return [{"field": key, "code": "invalid", "message": f"{key} is a non-empty list of texts."}]
    errors = []
    entry_key = ENTRY_KEYS.get(key, str.strip)
    for entry in value:
        if not isinstance(entry, str) or "\x00" in entry:
            errors.append({"field": key, "code": "invalid", "message": f"{key}: {str(entry)[:40]!r} is not a text."})
        elif not entry_key(entry):
            message = f"{key}: {entry[:40]!r} has nothing a screen can match (only punctuation or spaces)."
            errors.append({"field": key, "code": "invalid", "message": message})
    return errors


def number_errors(keys: list[str], condition: dict[str, Any]) -> list[dict[str, str]]:
    """Bounds must be finite, non-negative amounts, and a minimum no larger than its maximum.

    NaN or Infinity would make every comparison fail (or raise) while scoring.
    """
    errors, numbers = [], {}
    for key in keys:
        value = condition[key]
        number = None
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or number < 0:
            message = f"{key} must be a finite amount of 0 or more (got {str(value)[:40]!r})."
            errors.append({"field": key, "code": "invalid", "message": message})
        else:
            numbers[key] = number
    for low in [key for key in keys if key.endswith("_min")]:
        high = low[:-4] + "_max"
        if low in numbers and high in numbers and numbers[low] > numbers[high]:
            errors.append({"field": low, "code": "invalid", "message": f"{low} is larger than {high}."})
    return errors


# --- words in descriptions (the goods kinds) ---------------------------------------------------------------


def words_pattern(keywords: list[str]) -> re.Pattern[str] | None:
    """Whole words of a description, each word of a phrase in the plural too; None for no word."""
    words = sorted({screen_key(k) for k in keywords} - {""}, key=len, reverse=True)
    if not words:  # an empty alternation would match every description
        return None
    # "pistols", "pistolets à air comprimé"; "batteries" for "battery" is its own entry.
    phrases = (r"(?:s|es)? ".join(_singular_or_plural(part) for part in w.split(" ")) for w in words)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(phrases) + r")(?:s|es)?(?![a-z0-9])")


def _singular_or_plural(word: str) -> str:
    """'battery' also as 'batteries'; other plurals by the s or es the pattern adds."""
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        return re.escape(word[:-1]) + "(?:y|ie)"
    return re.escape(word)


def _only_describes(word: str, facts: ItemFacts) -> bool:
    """The goods model read this listed word here, and only as describing other goods."""
    if not facts.harmless_words:
        return False
    written = " ".join(goods_words(word))
    if any(written == n or written in n.split() for n in facts.naming_words):
        return False
    return any(written == h or written in h.split() or h in written.split() for h in facts.harmless_words)


class GoodsWords:
    """Words (and phrases that do not count) in descriptions, HS prefixes, the chapters goods belong to."""

    def __init__(self, condition: dict[str, Any]) -> None:
        self.keywords = words_pattern(condition["keywords"]) if condition.get("keywords") else None
        # Each keyword as the rule writes it, to name in the finding what the text matched ("sectest4068",
        # not the "sectestao6b" digits-for-letters reading it was matched through).
        self.written = [(words_pattern([k]), text_key(k)) for k in condition.get("keywords") or () if screen_key(k)]
        self.exclusions = words_pattern(condition["exclusions"]) if condition.get("exclusions") else None
        self.hs_prefixes = tuple(condition.get("hs_prefixes", ()))
        self.hs_chapters = tuple(condition.get("hs_chapters", ()))
        self.permit_kind = str(condition.get("permit_kind") or "")

    def word(self, facts: ItemFacts) -> str | None:
        """The listed word the description mentions (outside the phrases that do not count), unless the words
        around it show it only describes other goods ("leopard print", "glue gun", "nicotine-free")."""
        text = self.exclusions.sub(" ", facts.text) if self.exclusions else facts.text
        if not self.keywords:
            return None
        for match in self.keywords.finditer(text):
            if not _only_describes(match.group(1), facts):
                return self._as_written(match.group(0))
        return None

    def _as_written(self, matched: str) -> str:
        for pattern, keyword in self.written:
            if pattern is not None and pattern.fullmatch(matched):
                return keyword
        return matched

    def hs_code(self, facts: ItemFacts) -> str | None:
        """The item's first HS code under a listed prefix."""
        if not self.hs_prefixes:
            return None
        return next((h for h in facts.hs_codes if h.startswith(self.hs_prefixes)), None)

    def declared_elsewhere(self, hs_codes: tuple[str, ...]) -> str:
        """The HS code the goods were declared under, when it is not in the chapters such goods belong to."""
        if not self.hs_chapters or not hs_codes or any(h.startswith(self.hs_chapters) for h in hs_codes):
            return ""
        return hs_codes[0]
