"""Risk rules as data: checking a rule's condition, and matching it against items.

Condition keys by kind (all optional keys must match together):
- CONDITION: hs_prefixes, origin_countries, sender_countries, categories,
  operators, platforms, currencies, value_min, value_max, weight_min, weight_max
- WATCHLIST: party ("sender", "addressee" or "any"), names, emails, phones
- IPR_BRAND: keywords, exclusions, brand_owner
- PROHIBITED: keywords and/or hs_prefixes, exclusions, hs_chapters, goods (e.g. "weapons")

Words match whole words of the description (plurals too), in any case,
accents, look-alike letters or digits for letters; an exclusion is a phrase
that does not count ("water pistol" is not a weapon). A PROHIBITED rule with
`hs_chapters` also says when the goods are declared under another chapter (a
revolver declared as a toy). Watchlist names match whatever the script,
order of the names, or a small spelling difference (core.normalize.name_key
and OPENCLEAR_WATCHLIST_NAME_SIMILARITY).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from rapidfuzz import fuzz, process

from core.exceptions import ApplicationError
from core.normalize import (
    consonant_key,
    consonant_run,
    email_key,
    email_mailbox,
    is_abjad,
    name_key,
    name_words,
    phone_key,
    screen_key,
    text_key,
)
from risk.choices import RuleKind

LIST_KEYS = {
    RuleKind.CONDITION: {
        "hs_prefixes",
        "origin_countries",
        "sender_countries",
        "categories",
        "operators",
        "platforms",
        "currencies",
    },
    RuleKind.WATCHLIST: {"names", "emails", "phones"},
    RuleKind.IPR_BRAND: {"keywords", "exclusions"},
    RuleKind.PROHIBITED: {"keywords", "hs_prefixes", "exclusions", "hs_chapters"},
}
# Keys that refine a rule but cannot make it fire on their own.
REFINING_KEYS = {"exclusions", "hs_chapters"}
NUMBER_KEYS = {RuleKind.CONDITION: {"value_min", "value_max", "weight_min", "weight_max"}}
TEXT_KEYS = {RuleKind.WATCHLIST: {"party"}, RuleKind.IPR_BRAND: {"brand_owner"}, RuleKind.PROHIBITED: {"goods"}}


# Names shorter than this (as keys) are matched exactly only.
MIN_FUZZY_NAME = 8
# Consonant keys shorter than this are too common to compare ("mhmd" alone).
MIN_CONSONANTS = 6


class InvalidRule(ApplicationError):
    code = "invalid_rule"


def validate_condition(kind: str, condition: Any) -> dict[str, Any]:
    """The condition, checked; raises InvalidRule listing every problem."""
    if not isinstance(condition, dict) or not condition:
        raise InvalidRule("A rule needs a condition.")
    allowed = LIST_KEYS.get(kind, set()) | NUMBER_KEYS.get(kind, set()) | TEXT_KEYS.get(kind, set())
    errors = [
        {"field": key, "code": "unknown", "message": f"{key!r} is not a condition of {kind} rules."}
        for key in condition
        if key not in allowed
    ]
    for key in sorted(LIST_KEYS.get(kind, set()) & set(condition)):
        errors += _list_errors(key, condition[key])
    errors += _number_errors(kind, condition)
    for key in sorted(TEXT_KEYS.get(kind, set()) & set(condition)):
        value = condition[key]
        if not isinstance(value, str) or "\x00" in value:
            errors.append({"field": key, "code": "invalid", "message": f"{key} is a text."})
    if kind == RuleKind.WATCHLIST and condition.get("party", "any") not in ("sender", "addressee", "any"):
        errors.append({"field": "party", "code": "invalid", "message": "sender, addressee or any."})
    if kind in {RuleKind.IPR_BRAND, RuleKind.PROHIBITED, RuleKind.WATCHLIST} and not (
        set(condition) & (LIST_KEYS[kind] - REFINING_KEYS)
    ):
        errors.append({"field": "", "code": "empty", "message": "Say what the rule looks for."})
    if errors:
        raise InvalidRule("The rule's condition is not valid.", details=errors)
    return condition


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


def _list_errors(key: str, value: Any) -> list[dict[str, str]]:
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


def _number_errors(kind: str, condition: dict[str, Any]) -> list[dict[str, str]]:
    """Bounds must be finite, non-negative amounts, and a minimum no larger than its maximum.

    NaN or Infinity would make every comparison fail (or raise) while scoring.
    """
    errors, numbers = [], {}
    for key in sorted(NUMBER_KEYS.get(kind, set()) & set(condition)):
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
    for low, high in (("value_min", "value_max"), ("weight_min", "weight_max")):
        if low in numbers and high in numbers and numbers[low] > numbers[high]:
            errors.append({"field": low, "code": "invalid", "message": f"{low} is larger than {high}."})
    return errors


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
    parties: dict[str, dict[str, str]]  # sender/addressee -> name/email/phone keys


def _words_pattern(keywords: list[str]) -> re.Pattern | None:
    words = sorted({screen_key(k) for k in keywords} - {""}, key=len, reverse=True)
    if not words:  # an empty alternation would match every description
        return None
    # Whole words, each word of a phrase in the plural too ("pistols", "pistolets à air
    # comprimé"); "batteries" for "battery" is its own entry.
    phrases = (r"(?:s|es)? ".join(_singular_or_plural(part) for part in w.split(" ")) for w in words)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(phrases) + r")(?:s|es)?(?![a-z0-9])")


def _singular_or_plural(word: str) -> str:
    """'battery' also as 'batteries'; other plurals by the s or es the pattern adds."""
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        return re.escape(word[:-1]) + "(?:y|ie)"
    return re.escape(word)


class CompiledRule:
    """A rule ready to test thousands of items: lists became sets and regexes."""

    def __init__(
        self, *, code: str, version: int, kind: str, description: str, condition: dict, force_lane: str, score: Decimal
    ) -> None:
        self.code, self.version, self.kind = code, version, kind
        self.description, self.force_lane, self.score = description, force_lane, float(score)
        c = condition
        self.hs_prefixes = tuple(c.get("hs_prefixes", ()))
        self.sets = {
            key: {v.upper() for v in c.get(key, [])}
            for key in ("origin_countries", "sender_countries", "categories", "operators", "currencies")
        }
        self.platforms = {text_key(v) for v in c.get("platforms", [])}
        self.bounds = {key: Decimal(str(c[key])) for key in NUMBER_KEYS[RuleKind.CONDITION] if key in c}
        self.keywords = _words_pattern(c["keywords"]) if c.get("keywords") else None
        self.exclusions = _words_pattern(c["exclusions"]) if c.get("exclusions") else None
        self.hs_chapters = tuple(c.get("hs_chapters", ()))
        self.party = c.get("party", "any")
        self.names = {name_key(v): v for v in c.get("names", []) if name_key(v)}
        self.names_in_order = {name_words(v): v for v in c.get("names", []) if name_words(v)}
        # Names compared by their consonants when one side is written in Arabic or Hebrew script.
        self.consonants = {
            key: (v, is_abjad(v))
            for v in c.get("names", [])
            if len(consonant_run(v)) >= MIN_CONSONANTS
            for key in (consonant_key(v), consonant_run(v))
        }
        self.emails = {email_mailbox(v) for v in c.get("emails", [])}
        self.phones = {phone_key(v) for v in c.get("phones", []) if phone_key(v)}

    def matches(self, facts: ItemFacts) -> str | None:
        """The reason an officer reads when the rule fires, else None."""
        if self.kind == RuleKind.WATCHLIST:
            return self._watchlist(facts)
        if self.kind in {RuleKind.IPR_BRAND, RuleKind.PROHIBITED}:
            return self._goods(facts)
        return self.description if self._condition(facts) else None

    def _condition(self, f: ItemFacts) -> bool:
        if self.hs_prefixes and not any(h.startswith(self.hs_prefixes) for h in f.hs_codes):
            return False
        checks = [
            ("origin_countries", f.origins),
            ("sender_countries", {f.sender_country}),
            ("categories", {f.category}),
            ("operators", {f.operator.upper()}),
            ("currencies", {f.currency}),
        ]
        if any(self.sets[key] and not (self.sets[key] & values) for key, values in checks):
            return False
        if self.platforms and text_key(f.platform) not in self.platforms:
            return False
        b = self.bounds
        return not (
            ("value_min" in b and f.value < b["value_min"])
            or ("value_max" in b and f.value > b["value_max"])
            or ("weight_min" in b and f.weight < b["weight_min"])
            or ("weight_max" in b and f.weight > b["weight_max"])
        )

    def _goods(self, f: ItemFacts) -> str | None:
        text = self.exclusions.sub(" ", f.text) if self.exclusions else f.text
        if self.keywords and (match := self.keywords.search(text)):
            word = match.group(1)
            if declared := self._declared_elsewhere(f.hs_codes):
                chapters = ", ".join(self.hs_chapters)
                where = f"declared under HS {declared}, not {chapters}"
                return f"{self.description} (description mentions “{word}”, {where})"
            return f"{self.description} (description mentions “{word}”)"
        if self.hs_prefixes and (hit := next((h for h in f.hs_codes if h.startswith(self.hs_prefixes)), None)):
            return f"{self.description} (HS {hit})"
        return None

    def _declared_elsewhere(self, hs_codes: tuple[str, ...]) -> str:
        """The HS code the goods were declared under, when it is not in the chapters such goods belong to."""
        if not self.hs_chapters or not hs_codes or any(h.startswith(self.hs_chapters) for h in hs_codes):
            return ""
        return hs_codes[0]

    def _watchlist(self, f: ItemFacts) -> str | None:
        parties = ("sender", "addressee") if self.party == "any" else (self.party,)
        for party in parties:
            keys = f.parties[party]
            if self.names and (entry := self._consonants(keys)):
                return (
                    f"{self.description} ({party} name “{keys['display']}” matches “{entry}” on the watchlist, "
                    "same consonants)"
                )
            if self.names and keys["name"] and (found := self._name(keys["name"], keys["words"])):
                entry, similarity = found
                if similarity >= 100:
                    return f"{self.description} ({party} name on the watchlist)"
                return (
                    f"{self.description} ({party} name “{keys['display']}” matches “{entry}” on the watchlist, "
                    f"{similarity:.0f}%)"
                )
            for label, wanted, key in (("e-mail", self.emails, "mailbox"), ("phone", self.phones, "phone")):
                if wanted and keys[key] and keys[key] in wanted:
                    return f"{self.description} ({party} {label} on the watchlist)"
        return None

    def _consonants(self, keys: dict) -> str | None:
        """The entry a name in Arabic or Hebrew script matches by its consonants (or the other way round)."""
        entry = self.consonants.get(keys["consonants"]) or self.consonants.get(keys["consonant_run"])
        return entry[0] if entry and (keys["abjad"] or entry[1]) else None

    def _name(self, key: str, words: str = "") -> tuple[str, float] | None:
        """(the watchlist entry, similarity in %) for a name key, exact or close enough.

        Close in sorted order (a reordered name) or in the order written (a slip
        in a first letter moves the word when sorted).
        """
        if key in self.names:
            return self.names[key], 100.0
        if len(key) < MIN_FUZZY_NAME:  # short names are too easily close to another
            return None
        cutoff = settings.OPENCLEAR_WATCHLIST_NAME_SIMILARITY * 100
        best = process.extractOne(key, self.names.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
        if best:
            return self.names[best[0]], best[1]
        best = process.extractOne(words, self.names_in_order.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
        return (self.names_in_order[best[0]], best[1]) if best and words else None
