"""WATCHLIST: senders or addressees, by the parts of their names and by what else identifies them.

An entry is a name, or a party: a name with the address, phone, e-mail and
company number known for it. Names match part by part (risk.names): a part
dropped or added, an initial, another script or transliteration, a company's
short name; each part weighs by how common it is. A name alone is a
resemblance, sent to an officer as YELLOW at most with its score; the name
with a second identifier (the same phone, e-mail, street address or company
number), or two identifiers, is the party, and the rule's lane applies. A
listed e-mail or phone on its own is that identifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from clearance.choices import Lane
from core.normalize import email_mailbox, name_key, phone_key
from risk.choices import RuleKind
from risk.kinds.base import ItemFacts, RuleKindSpec, text_entries_field
from risk.kinds.registry import kind_register
from risk.names import Party, PartyIndex
from risk.reasons import Finding, Reason

PARTIES = ("sender", "addressee", "any")
WORDS = frozenset({"rule", "party"})
# A party entry's fields, in the order an officer types them on one line, separated by "|".
PARTY_FIELDS = ("name", "address", "postcode", "city", "country", "phone", "email", "company_number")
IDENTIFIER_WORDS = {
    "phone": gettext_noop("phone"),
    "email": gettext_noop("e-mail"),
    "address": gettext_noop("street address"),
    "company_number": gettext_noop("company number"),
}


def _identifiers(params: Mapping[str, Any]) -> dict[str, Any]:
    """["phone", "address"] as 'phone, street address' in the reader's language."""
    said = [_gettext(IDENTIFIER_WORDS.get(str(name), str(name))) for name in params.get("identifiers") or []]
    return {"identifiers": ", ".join(said) or "?"}


NAME = Reason(
    code="watchlist.name",
    text=gettext_noop("%(rule)s (%(party)s name on the watchlist)"),
    label=gettext_noop("Name on a watchlist"),
    words=WORDS,
    ceiling=Lane.YELLOW,
)
NAME_CLOSE = Reason(
    code="watchlist.name_close",
    text=gettext_noop("%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, %(similarity)s%%)"),
    label=gettext_noop("Name close to one on a watchlist"),
    words=WORDS,
    ceiling=Lane.YELLOW,
)
NAME_CONSONANTS = Reason(
    code="watchlist.name_consonants",
    text=gettext_noop("%(rule)s (%(party)s name “%(seen)s” matches “%(entry)s” on the watchlist, same consonants)"),
    label=gettext_noop("Name with a watchlist name's consonants"),
    words=WORDS,
    ceiling=Lane.YELLOW,
)
PARTY = Reason(
    code="watchlist.party",
    text=gettext_noop(
        "%(rule)s (%(party)s “%(seen)s” is “%(entry)s” on the watchlist: name %(similarity)s%%, same %(identifiers)s)"
    ),
    label=gettext_noop("Party on a watchlist"),
    words=WORDS,
    prepare=_identifiers,
)
IDENTIFIERS = Reason(
    code="watchlist.identifiers",
    text=gettext_noop("%(rule)s (%(party)s “%(seen)s” gives the %(identifiers)s of “%(entry)s” on the watchlist)"),
    label=gettext_noop("Identifiers of a party on a watchlist"),
    words=WORDS,
    prepare=_identifiers,
)
CONTACT = Reason(
    code="watchlist.contact",
    text=gettext_noop(
        "%(rule)s (%(party)s “%(seen)s” gives the %(identifiers)s of “%(entry)s” on the watchlist, under another name)"
    ),
    label=gettext_noop("One identifier of a party on a watchlist"),
    words=WORDS,
    prepare=_identifiers,
    ceiling=Lane.YELLOW,  # a household, a shared office: one identifier alone is for an officer to look at
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


def party_of(line: str) -> dict[str, str]:
    """'Amra Hodžić | Titova 12 | 71000 | Sarajevo | BA | +387 61 234 567' as a party entry."""
    values = [value.strip() for value in line.split("|")]
    return {field: value for field, value in zip(PARTY_FIELDS, values, strict=False) if value}


class WatchlistFields(forms.Form):
    party = forms.ChoiceField(
        label=_("Who is watched"),
        choices=[("any", _("Sender or addressee")), ("sender", _("Sender")), ("addressee", _("Addressee"))],
        required=False,
        initial="any",
    )
    names = text_entries_field(_("Names (one per line)"), lines=True)
    parties = forms.CharField(
        label=_(
            "Parties (one per line: name | street address | postcode | city | country | phone | e-mail | "
            "company number)"
        ),
        help_text=_(
            "Leave a part empty between its bars when it is not known. A name with one more "
            "identifier is the party; a name alone only resembles it."
        ),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    emails = text_entries_field(_("E-mail addresses (one per line)"), lines=True)
    phones = text_entries_field(_("Phone numbers (one per line)"), lines=True)

    def clean_party(self) -> str:
        return self.cleaned_data["party"] or "any"

    def clean_parties(self) -> list[dict[str, str]]:
        lines = [line for line in (self.cleaned_data["parties"] or "").splitlines() if line.strip()]
        return [party_of(line) for line in lines]


class Compiled:
    def __init__(self, condition: dict[str, Any]) -> None:
        self.party = condition.get("party", "any")
        entries = [Party(name=name) for name in condition.get("names", [])]
        entries += [Party(**entry) for entry in condition.get("parties", [])]
        self.index = PartyIndex(entries) if entries else None
        self.names = {name_key(entry.name): entry.name for entry in entries}  # the listed names, by key
        self.emails = {email_mailbox(v) for v in condition.get("emails", [])}
        self.phones = {phone_key(v) for v in condition.get("phones", []) if phone_key(v)}

    def finding(self, f: ItemFacts, description: str) -> Finding | None:
        parties = ("sender", "addressee") if self.party == "any" else (self.party,)
        found = [finding for party in parties if (finding := self._finding(f, party, description))]
        # the strongest: a party (name and identifier) before a lone identifier before a name alone
        return min(found, key=lambda finding: ORDER.index(finding.code)) if found else None

    def _finding(self, f: ItemFacts, party: str, description: str) -> Finding | None:
        keys = f.parties[party]
        said = {"rule": description, "party": party}
        match = self.index.match(keys["party"]) if self.index else None
        if match and match.confirmed:
            entry = {"seen": keys["display"], "entry": match.entry.name, "identifiers": list(match.identifiers)}
            if match.name_score > 0:
                return Finding(PARTY.code, {**said, **entry, "similarity": f"{match.name_score * 100:.0f}"})
            return Finding(IDENTIFIERS.code, {**said, **entry})
        for reason, wanted, key in ((EMAIL, self.emails, "mailbox"), (PHONE, self.phones, "phone")):
            if wanted and keys[key] and keys[key] in wanted:
                return Finding(reason.code, said)
        if match and match.identifiers:  # one identifier of a listed party, the name another
            params = {"seen": keys["display"], "entry": match.entry.name, "identifiers": list(match.identifiers)}
            return Finding(CONTACT.code, {**said, **params})
        if match and match.name_score > 0:
            if match.name_score >= 1 and name_key(match.entry.name) == keys["name"]:
                return Finding(NAME.code, {**said, "entry": match.entry.name})
            params = {"seen": keys["display"], "entry": match.entry.name, "similarity": f"{match.name_score * 100:.0f}"}
            return Finding(NAME_CLOSE.code, {**said, **params})
        return None


ORDER = [
    PARTY.code,
    IDENTIFIERS.code,
    EMAIL.code,
    PHONE.code,
    CONTACT.code,
    NAME.code,
    NAME_CLOSE.code,
    NAME_CONSONANTS.code,
]


@kind_register
class Watchlist(RuleKindSpec):
    name = RuleKind.WATCHLIST
    label = _("Watchlist of senders or addressees")
    legend = _("Who is on the watchlist")
    lists = frozenset({"names", "emails", "phones"})
    texts = frozenset({"party"})
    records = frozenset({"parties"})
    finders = frozenset({"names", "parties", "emails", "phones"})
    summary_labels = {"names": _("names"), "parties": _("parties"), "emails": _("e-mails"), "phones": _("phones")}
    party_labels = {
        "any": _("sender or addressee"),
        "sender": _("sender"),
        "addressee": _("addressee"),
    }
    reasons = (NAME, NAME_CLOSE, NAME_CONSONANTS, PARTY, IDENTIFIERS, CONTACT, EMAIL, PHONE)
    Fields = WatchlistFields

    def own_errors(self, condition: dict[str, Any]) -> list[dict[str, str]]:
        errors = _party_errors(condition["parties"]) if "parties" in condition else []
        if condition.get("party", "any") not in PARTIES:
            errors.append({"field": "party", "code": "invalid", "message": "sender, addressee or any."})
        return errors

    def summary_of(self, key: str, value: Any) -> str:
        if key == "party":
            return str(_("watching the %(party)s")) % {"party": self.party_labels.get(str(value), value)}
        if key == "parties" and isinstance(value, list):
            names = [str(entry.get("name", "")) for entry in value if isinstance(entry, dict)]
            return f"{self.summary_labels['parties']} {', '.join(names)}"
        return super().summary_of(key, value)

    def compile(self, condition: dict[str, Any]) -> Compiled:
        return Compiled(condition)

    def match(self, compiled: Compiled, facts: ItemFacts, description: str) -> Finding | None:
        return compiled.finding(facts, description)


def _party_errors(parties: Any) -> list[dict[str, str]]:
    """Each party entry needs a name a screen can match; its other fields are texts, its country two letters."""
    if not isinstance(parties, list) or not parties:
        return [{"field": "parties", "code": "invalid", "message": "parties is a non-empty list of parties."}]
    errors = []
    for number, entry in enumerate(parties, start=1):
        where = f"parties: entry {number}"
        if not isinstance(entry, dict) or set(entry) - set(PARTY_FIELDS):
            errors.append({"field": "parties", "code": "invalid", "message": f"{where} has fields {PARTY_FIELDS}."})
            continue
        if any(not isinstance(value, str) or "\x00" in value or len(value) > 300 for value in entry.values()):
            errors.append({"field": "parties", "code": "invalid", "message": f"{where}: each field is a short text."})
        elif not name_key(entry.get("name", "")):
            errors.append({"field": "parties", "code": "invalid", "message": f"{where} needs a name."})
        elif (country := entry.get("country", "")) and not (len(country) == 2 and country.isalpha()):
            errors.append({"field": "parties", "code": "invalid", "message": f"{where}: country is two letters."})
        elif (email := entry.get("email", "")) and "@" not in email:
            errors.append({"field": "parties", "code": "invalid", "message": f"{where}: {email[:40]!r} is no e-mail."})
        elif (phone := entry.get("phone", "")) and len(phone_key(phone)) < 6:
            errors.append({"field": "parties", "code": "invalid", "message": f"{where}: {phone[:40]!r} is no phone."})
    return errors
