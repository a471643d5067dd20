"""PROHIBITED: prohibited or restricted goods, by words in descriptions and by HS codes.

Words match whole words of the description (plurals too), in any case,
accents, look-alike letters or digits for letters; an exclusion is a phrase
that does not count ("water pistol" is not a weapon). With `hs_chapters` the
finding also says when the goods are declared under another chapter (a
revolver declared as a toy). The goods catalogue (risk.catalogue) carries
these rules, one a row.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from risk.choices import RuleKind
from risk.kinds.base import GoodsWords, ItemFacts, RuleKindSpec, text_entries_field
from risk.kinds.registry import kind_register
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


@kind_register
class Prohibited(RuleKindSpec):
    name = RuleKind.PROHIBITED
    label = _("Prohibited or restricted goods")
    legend = _("What the description says")
    lists = frozenset({"keywords", "hs_prefixes", "exclusions", "hs_chapters"})
    texts = frozenset({"goods"})
    finders = frozenset({"keywords", "hs_prefixes"})
    summary_labels = {
        "keywords": _("words"),
        "hs_prefixes": _("HS"),
        "goods": _("goods"),
        "exclusions": _("except"),
        "hs_chapters": _("HS chapters"),
    }
    catalogue_columns = ("goods", "keywords", "exclusions", "hs_chapters", "hs_prefixes")
    reasons = (WORD, WORD_ELSEWHERE, HS_CODE)
    Fields = ProhibitedFields

    def compile(self, condition: dict[str, Any]) -> GoodsWords:
        return GoodsWords(condition)

    def match(self, compiled: GoodsWords, facts: ItemFacts, description: str) -> Finding | None:
        if word := compiled.word(facts):
            if declared := compiled.declared_elsewhere(facts.hs_codes):
                chapters = ", ".join(compiled.hs_chapters)
                params = {"rule": description, "word": word, "hs_code": declared, "chapters": chapters}
                return Finding(WORD_ELSEWHERE.code, params)
            return Finding(WORD.code, {"rule": description, "word": word})
        if hit := compiled.hs_code(facts):
            return Finding(HS_CODE.code, {"rule": description, "hs_code": hit})
        return None
