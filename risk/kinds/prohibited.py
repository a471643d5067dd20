"""PROHIBITED: prohibited or restricted goods, by words in descriptions and by HS codes.

Words match whole words of the description (plurals too), in any case,
accents, look-alike letters or digits for letters; an exclusion is a phrase
that does not count ("water pistol" is not a weapon). With `hs_chapters` the
finding also says when the goods are declared under another chapter (a
revolver declared as a toy). The goods catalogue (risk.catalogue) carries
these rules, one a row. A row may name the kind of permit that lifts its hold
(`permit_kind`): a permit of that kind declared on a line and accepted by the
register makes the finding `permit.valid`, which forces no lane; a refused one
makes the refusal the finding, under the row's lane (risk.permits).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.normalize import screen_key
from risk.choices import RuleKind
from risk.goods.scoring import LineFacts
from risk.kinds.base import GoodsWords, ItemFacts, RuleKindSpec, text_entries_field
from risk.kinds.registry import kind_register
from risk.permits import PERMIT_REASONS, PERMIT_VALID, PermitKind, permit_finding
from risk.reasons import Finding, Reason

WORD = Reason(
    code="goods.prohibited_word",
    text=gettext_noop("%(rule)s (description mentions “%(word)s”)"),
    label=gettext_noop("Prohibited goods named in the description"),
    words=frozenset({"rule"}),
)
WORD_ELSEWHERE = Reason(
    code="goods.prohibited_elsewhere",
    text=gettext_noop("%(rule)s (description mentions “%(word)s”, declared under HS %(hs_code)s, not %(chapters)s)"),
    label=gettext_noop("Prohibited goods declared under another chapter"),
    words=frozenset({"rule"}),
)
HS_CODE = Reason(
    code="goods.prohibited_hs",
    text=gettext_noop("%(rule)s (HS %(hs_code)s)"),
    label=gettext_noop("Prohibited goods by HS code"),
    words=frozenset({"rule"}),
)


class ProhibitedFields(forms.Form):
    keywords = text_entries_field(_("Words to look for in descriptions (one per line)"), lines=True)
    hs_prefixes = text_entries_field(_("HS codes or prefixes that are findings on their own"))
    goods = forms.CharField(label=_("Goods (e.g. weapons)"), required=False, max_length=200)
    permit_kind = forms.ChoiceField(
        label=_("Permit that lifts the hold"), required=False, choices=[("", "—"), *PermitKind.choices]
    )


@kind_register
class Prohibited(RuleKindSpec):
    name = RuleKind.PROHIBITED
    label = _("Prohibited or restricted goods")
    legend = _("What the description says")
    lists = frozenset({"keywords", "hs_prefixes", "exclusions", "hs_chapters"})
    texts = frozenset({"goods", "permit_kind"})
    finders = frozenset({"keywords", "hs_prefixes"})
    summary_labels = {
        "keywords": _("words"),
        "hs_prefixes": _("HS"),
        "goods": _("goods"),
        "exclusions": _("except"),
        "hs_chapters": _("HS chapters"),
        "permit_kind": _("lifted by"),
    }
    catalogue_columns = ("goods", "keywords", "exclusions", "hs_chapters", "hs_prefixes", "permit_kind")
    reasons = (WORD, WORD_ELSEWHERE, HS_CODE, *PERMIT_REASONS)
    Fields = ProhibitedFields

    def own_errors(self, condition: dict[str, Any]) -> list[dict[str, str]]:
        kind = condition.get("permit_kind") or ""
        if kind and kind not in PermitKind.values:
            message = f"permit_kind is one of {', '.join(PermitKind.values)}, or empty."
            return [{"field": "permit_kind", "code": "invalid", "message": message}]
        return []

    def compile(self, condition: dict[str, Any]) -> GoodsWords:
        return GoodsWords(condition)

    def match(self, compiled: GoodsWords, facts: ItemFacts, description: str) -> Finding | None:
        finding = self._listed(compiled, facts, description)
        if finding is None or not compiled.permit_kind or not facts.permits:
            return finding
        # A row a permit lifts: the register's answer on each line the row finds is the finding (risk.permits).
        # A permit lifts the line it is declared on, never another: every such line needs a valid one.
        holder = facts.parties.get("addressee", {}).get("name", "")
        lifted = None
        for position in self._lines_found(compiled, facts, description):
            declared = tuple(permit for permit in facts.permits if permit.position == position)
            checked = permit_finding(
                kind=compiled.permit_kind,
                declared=declared,
                holder_key=holder,
                day=facts.day,
                item=facts.consignment_id,
                rule=description,
            )
            if checked is None or checked.code != PERMIT_VALID.code:
                return checked or finding
            lifted = lifted or checked
        return lifted or finding

    def _lines_found(self, compiled: GoodsWords, facts: ItemFacts, description: str) -> list[int]:
        """The positions of the lines the row finds goods on, each line read on its own."""
        return [
            position
            for position, line in enumerate(facts.lines, start=1)
            if self._listed(compiled, _one_line(facts, line), description)
        ]

    def _listed(self, compiled: GoodsWords, facts: ItemFacts, description: str) -> Finding | None:
        if word := compiled.word(facts):
            if declared := compiled.declared_elsewhere(facts.hs_codes):
                chapters = ", ".join(compiled.hs_chapters)
                params = {"rule": description, "word": word, "hs_code": declared, "chapters": chapters}
                return Finding(WORD_ELSEWHERE.code, params)
            return Finding(WORD.code, {"rule": description, "word": word})
        if hit := compiled.hs_code(facts):
            return Finding(HS_CODE.code, {"rule": description, "hs_code": hit})
        return None


def _one_line(facts: ItemFacts, line: LineFacts) -> ItemFacts:
    """The item's facts as one of its lines alone would give them (its words and code)."""
    return replace(facts, text=f" {screen_key(line.description)} ", hs_codes=(line.hs_code,) if line.hs_code else ())
