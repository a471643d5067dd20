"""WATCHLIST: senders or addressees by name, e-mail or phone.

Names match whatever the script, the order of the names, or a small spelling
difference (core.normalize.name_key and OPENCLEAR_WATCHLIST_NAME_SIMILARITY);
names written in Arabic or Hebrew script are compared by their consonants.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from rapidfuzz import fuzz, process

from core.normalize import consonant_key, consonant_run, email_mailbox, is_abjad, name_key, name_words, phone_key
from risk.choices import RuleKind
from risk.kinds.base import ItemFacts, RuleKindSpec, text_entries_field
from risk.kinds.registry import kind_register
from risk.reasons import Finding, Reason

# Names shorter than this (as keys) are matched exactly only.
MIN_FUZZY_NAME = 8
# Consonant keys shorter than this are too common to compare ("mhmd" alone).
MIN_CONSONANTS = 6
PARTIES = ("sender", "addressee", "any")
WORDS = frozenset({"rule", "party"})
NAME = Reason(
    code="watchlist.name",
    text=gettext_noop("%(rule)s (%(party)s name on the watchlist)"),
    label=gettext_noop("Name on a watchlist"),
    words=WORDS,
)
NAME_CLOSE = Reason(
    code="watchlist.name_close",
    text=gettext_noop("%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, %(similarity)s%%)"),
    label=gettext_noop("Name close to one on a watchlist"),
    words=WORDS,
)
NAME_CONSONANTS = Reason(
    code="watchlist.name_consonants",
    text=gettext_noop("%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, same consonants)"),
    label=gettext_noop("Name with a watchlist name's consonants"),
    words=WORDS,
)
EMAIL = Reason(
    code="watchlist.email",
    text=gettext_noop("%(rule)s (%(party)s e-mail on the watchlist)"),
    label=gettext_noop("E-mail on a watchlist"),
    words=WORDS,
)
PHONE = Reason(
    code="watchlist.phone",
    text=gettext_noop("%(rule)s (%(party)s phone on the watchlist)"),
    label=gettext_noop("Phone on a watchlist"),
    words=WORDS,
)


class WatchlistFields(forms.Form):
    party = forms.ChoiceField(
        label=_("Who is watched"),
        choices=[("any", _("Sender or addressee")), ("sender", _("Sender")), ("addressee", _("Addressee"))],
        required=False,
        initial="any",
    )
    names = text_entries_field(_("Names (one per line)"), lines=True)
    emails = text_entries_field(_("E-mail addresses (one per line)"), lines=True)
    phones = text_entries_field(_("Phone numbers (one per line)"), lines=True)

    def clean_party(self) -> str:
        return self.cleaned_data["party"] or "any"


class Compiled:
    def __init__(self, condition: dict[str, Any]) -> None:
        self.party = condition.get("party", "any")
        self.names = {name_key(v): v for v in condition.get("names", []) if name_key(v)}
        self.names_in_order = {name_words(v): v for v in condition.get("names", []) if name_words(v)}
        # Names compared by their consonants when one side is written in Arabic or Hebrew script.
        self.consonants = {
            key: (v, is_abjad(v))
            for v in condition.get("names", [])
            if len(consonant_run(v)) >= MIN_CONSONANTS
            for key in (consonant_key(v), consonant_run(v))
        }
        self.emails = {email_mailbox(v) for v in condition.get("emails", [])}
        self.phones = {phone_key(v) for v in condition.get("phones", []) if phone_key(v)}

    def finding(self, f: ItemFacts, description: str) -> Finding | None:
        parties = ("sender", "addressee") if self.party == "any" else (self.party,)
        for party in parties:
            keys = f.parties[party]
            said = {"rule": description, "party": party}
            if self.names and (entry := self._consonants(keys)):
                return Finding(NAME_CONSONANTS.code, {**said, "seen": keys["display"], "entry": entry})
            if self.names and keys["name"] and (found := self._name(keys["name"], keys["words"])):
                entry, similarity = found
                if similarity >= 100:
                    return Finding(NAME.code, said)
                params = {**said, "seen": keys["display"], "entry": entry, "similarity": f"{similarity:.0f}"}
                return Finding(NAME_CLOSE.code, params)
            for reason, wanted, key in ((EMAIL, self.emails, "mailbox"), (PHONE, self.phones, "phone")):
                if wanted and keys[key] and keys[key] in wanted:
                    return Finding(reason.code, said)
        return None

    def _consonants(self, keys: dict[str, Any]) -> str | None:
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


@kind_register
class Watchlist(RuleKindSpec):
    name = RuleKind.WATCHLIST
    label = _("Watchlist of senders or addressees")
    legend = _("Who is on the watchlist")
    lists = frozenset({"names", "emails", "phones"})
    texts = frozenset({"party"})
    finders = frozenset({"names", "emails", "phones"})
    summary_labels = {"names": _("names"), "emails": _("e-mails"), "phones": _("phones")}
    party_labels = {
        "any": _("sender or addressee"),
        "sender": _("sender"),
        "addressee": _("addressee"),
    }
    reasons = (NAME, NAME_CLOSE, NAME_CONSONANTS, EMAIL, PHONE)
    Fields = WatchlistFields

    def own_errors(self, condition: dict[str, Any]) -> list[dict[str, str]]:
        if condition.get("party", "any") not in PARTIES:
            return [{"field": "party", "code": "invalid", "message": "sender, addressee or any."}]
        return []

    def summary_of(self, key: str, value: Any) -> str:
        if key == "party":
            return str(_("watching the %(party)s")) % {"party": self.party_labels.get(str(value), value)}
        return super().summary_of(key, value)

    def compile(self, condition: dict[str, Any]) -> Compiled:
        return Compiled(condition)

    def match(self, compiled: Compiled, facts: ItemFacts, description: str) -> Finding | None:
        return compiled.finding(facts, description)
