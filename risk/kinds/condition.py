"""CONDITION: a rule on the item itself (HS codes, origin, sender country, category, operator, platform,
currency, declared value and weight); every key given must match."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from clearance.choices import ItemCategory
from core.normalize import text_key
from risk.choices import RuleKind
from risk.kinds.base import ItemFacts, RuleKindSpec, text_entries_field
from risk.kinds.registry import kind_register
from risk.reasons import Finding, Reason

SETS = ("origin_countries", "sender_countries", "categories", "operators", "currencies")
BOUNDS = ("value_min", "value_max", "weight_min", "weight_max")
FIRED = Reason(
    code="rule.condition",
    text="%(rule)s",
    label=gettext_noop("Condition on the item"),
    words=frozenset({"rule"}),
)


class ConditionFields(forms.Form):
    hs_prefixes = text_entries_field(_("HS codes or prefixes (e.g. 9302, 610910)"))
    origin_countries = text_entries_field(_("Countries of origin (ISO codes, e.g. CN, HK)"))
    sender_countries = text_entries_field(_("Sender countries (ISO codes)"))
    categories = forms.MultipleChoiceField(
        label=_("Item categories"), choices=ItemCategory.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    operators = text_entries_field(_("Postal operators (codes)"))
    platforms = text_entries_field(_("Sales platforms"))
    currencies = text_entries_field(_("Declared currencies (ISO codes)"))
    value_min = forms.DecimalField(
        label=_("Declared value from"), required=False, min_value=0, max_digits=13, decimal_places=2
    )
    value_max = forms.DecimalField(
        label=_("Declared value up to"), required=False, min_value=0, max_digits=13, decimal_places=2
    )
    weight_min = forms.DecimalField(
        label=_("Weight from (kg)"), required=False, min_value=0, max_digits=10, decimal_places=3
    )
    weight_max = forms.DecimalField(
        label=_("Weight up to (kg)"), required=False, min_value=0, max_digits=10, decimal_places=3
    )


class Compiled:
    def __init__(self, condition: dict[str, Any]) -> None:
        self.hs_prefixes = tuple(condition.get("hs_prefixes", ()))
        self.sets = {key: {v.upper() for v in condition.get(key, [])} for key in SETS}
        self.platforms = {text_key(v) for v in condition.get("platforms", [])}
        self.bounds = {key: Decimal(str(condition[key])) for key in BOUNDS if key in condition}

    def fires(self, f: ItemFacts) -> bool:
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


@kind_register
class Condition(RuleKindSpec):
    name = RuleKind.CONDITION
    label = _("Condition on the item (HS, origin, value, weight, category, operator, platform)")
    legend = _("Which items (every field filled in must match)")
    lists = frozenset({"hs_prefixes", *SETS, "platforms"})
    numbers = frozenset(BOUNDS)
    upper = frozenset({"origin_countries", "sender_countries", "operators", "currencies"})
    summary_labels = {
        "hs_prefixes": _("HS"),
        "origin_countries": _("origin"),
        "sender_countries": _("sender country"),
        "categories": _("category"),
        "operators": _("operator"),
        "platforms": _("platform"),
        "currencies": _("currency"),
    }
    reasons = (FIRED,)
    Fields = ConditionFields

    def summary_extra(self, condition: dict[str, Any]) -> list[str]:
        """Each bound pair as one range: "value 0–30", "weight 1–∞ kg"."""
        parts = []
        for measure, label, unit in (("value", _("value"), ""), ("weight", _("weight"), " kg")):
            low, high = condition.get(f"{measure}_min"), condition.get(f"{measure}_max")
            if low is not None or high is not None:
                parts.append(f"{label} {low if low is not None else '0'}–{high if high is not None else '∞'}{unit}")
        return parts

    def compile(self, condition: dict[str, Any]) -> Compiled:
        return Compiled(condition)

    def match(self, compiled: Compiled, facts: ItemFacts, description: str) -> Finding | None:
        return Finding(FIRED.code, {"rule": description}) if compiled.fires(facts) else None
