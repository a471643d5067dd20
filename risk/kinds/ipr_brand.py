"""IPR_BRAND: brand words registered by a rights holder, looked for in descriptions.

Words match whole words of the description (plurals too), in any case,
accents, look-alike letters or digits for letters; an exclusion is a phrase
that does not count. A brand is a finding only beside a copy cue the goods
model reads (replica, 1:1, a misspelt brand, a price far below the brand's):
genuine goods carry their brand too.
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

BRAND_WORD = Reason(
    code="goods.brand_word",
    text=gettext_noop("%(rule)s (description mentions “%(word)s”)"),
    label=gettext_noop("Brand word in the description"),
    words=frozenset({"rule"}),
)


class BrandFields(forms.Form):
    keywords = text_entries_field(_("Brands to look for in descriptions (one per line)"), lines=True)
    brand_owner = forms.CharField(label=_("Rights holder"), required=False, max_length=200)


@kind_register
class IprBrand(RuleKindSpec):
    name = RuleKind.IPR_BRAND
    label = _("Brand keywords registered by a rights holder")
    legend = _("Which brand the description names")
    lists = frozenset({"keywords", "exclusions"})
    texts = frozenset({"brand_owner"})
    finders = frozenset({"keywords"})
    summary_labels = {"keywords": _("words"), "brand_owner": _("rights holder")}
    reasons = (BRAND_WORD,)
    Fields = BrandFields

    def compile(self, condition: dict[str, Any]) -> GoodsWords:
        return GoodsWords(condition)

    def match(self, compiled: GoodsWords, facts: ItemFacts, description: str) -> Finding | None:
        # A brand word alone is not a finding: genuine goods carry their brand. With a copy cue it is.
        if not facts.copy_cue:
            return None
        word = compiled.word(facts)
        return Finding(BRAND_WORD.code, {"rule": description, "word": word}) if word else None
