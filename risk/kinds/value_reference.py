"""VALUE_REF: the least a kind of high-value goods is worth, kept by supervisors.

Phones, computers and graphics cards, watches, gold and jewellery, drones,
consoles: goods whose worth does not depend on who sells them. An entry names
the goods as descriptions write them (model names, in any language), the HS
codes they are honestly declared under, and the least one piece (or one gram)
sells for, in euro. A line read as these goods (not a case, a strap or a part
for them: the goods model's contexts decide) and declared below half of it is a
finding; it adds the rule's score and sends the item to the rule's lane. Like
every rule, an entry takes effect when a second supervisor approves it; the
shipped list (risk/data/goods/values.txt) is read beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.forms import AmountField
from risk.goods.findings import PER
from risk.goods.scoring import below_references
from risk.goods.vocabulary import ValuedGoods, Vocabulary, valued_vocabulary
from risk.kinds.base import ItemFacts, RuleKindSpec, text_entries_field
from risk.kinds.registry import kind_register
from risk.reasons import Finding, Reason

NAME = "VALUE_REF"
PERS = ("item", "gram")
BELOW_LISTED = Reason(
    code="value.below_listed",
    text=gettext_noop(
        "%(rule)s: %(goods)s declared at %(declared)s EUR %(per)s, %(share)s%% of the least such goods are worth "
        "(%(reference)s EUR) (line %(line)s)."
    ),
    label=gettext_noop("Declared far below a supervisor's value reference"),
    words=frozenset({"rule", "per"}),
)


class ValueReferenceFields(forms.Form):
    goods = forms.CharField(label=_("Goods"), required=False, max_length=200)
    terms = text_entries_field(_("Names of the goods as descriptions write them (one per line)"), lines=True)
    hs_prefixes = text_entries_field(_("HS codes they are declared under (optional)"))
    least = AmountField(label=_("The least one piece (or one gram) is worth, in euro"), required=False)
    per = forms.ChoiceField(
        label=_("Valued by"), choices=[("item", _("the piece")), ("gram", _("the gram"))], required=False
    )
    least_piece = AmountField(
        label=_("Valued by the gram: the least one piece is worth, in euro (optional)"), required=False
    )

    def clean_per(self) -> str:
        return self.cleaned_data["per"] or "item"


class Compiled:
    def __init__(self, code: str, condition: dict[str, Any]) -> None:
        least_piece = condition.get("least_piece")
        self.goods = ValuedGoods(
            key=code,
            terms=tuple(condition["terms"]),
            hs_prefixes=tuple(condition.get("hs_prefixes", ())),
            floor_eur=Decimal(str(condition["least"])),
            per=condition.get("per", "item"),
            least_eur=Decimal(str(least_piece)) if least_piece is not None else None,
        )
        self.vocabulary: Vocabulary = valued_vocabulary([self.goods])

    def finding(self, facts: ItemFacts, description: str) -> Finding | None:
        found = below_references(facts.lines, self.vocabulary)
        if found is None:
            return None
        params = {**found.params, "rule": description, "per": PER.get(found.params.get("per", "item"), "")}
        return Finding(BELOW_LISTED.code, params)


@kind_register
class ValueReference(RuleKindSpec):
    name = NAME
    label = _("Value reference of high-value goods")
    legend = _("Which goods, and the least they are worth")
    lists = frozenset({"terms", "hs_prefixes"})
    numbers = frozenset({"least", "least_piece"})
    texts = frozenset({"goods", "per"})
    finders = frozenset({"terms"})
    summary_labels = {"goods": _("goods"), "terms": _("names"), "hs_prefixes": _("HS"), "per": _("valued by")}
    reasons = (BELOW_LISTED,)
    Fields = ValueReferenceFields

    def own_errors(self, condition: dict[str, Any]) -> list[dict[str, str]]:
        errors = []
        if "least" not in condition:
            errors.append({"field": "least", "code": "required", "message": "Say the least the goods are worth."})
        elif Decimal(str(condition["least"])) <= 0:
            errors.append({"field": "least", "code": "invalid", "message": "The least is more than zero."})
        if condition.get("per", "item") not in PERS:
            errors.append({"field": "per", "code": "invalid", "message": "Valued by the item or by the gram."})
        return errors

    def summary_extra(self, condition: dict[str, Any]) -> list[str]:
        if "least" not in condition:
            return []
        per = _("a gram") if condition.get("per") == "gram" else _("a piece")
        return [f"≥ {condition['least']} EUR {per}"]

    def compile(self, condition: dict[str, Any]) -> Compiled:
        return Compiled(str(condition.get("goods") or "reference"), condition)

    def match(self, compiled: Compiled, facts: ItemFacts, description: str) -> Finding | None:
        return compiled.finding(facts, description)

    def match_chunk(self, compiled: Compiled, chunk: Sequence[ItemFacts], description: str) -> list[Finding | None]:
        return [compiled.finding(facts, description) for facts in chunk]
