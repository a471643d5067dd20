"""The admin: the law is edited here, one effective-dated row per change."""

from django.contrib import admin

from law import models


class EffectiveDatedAdmin(admin.ModelAdmin):
    list_filter = ["regime"]
    date_hierarchy = "valid_from"


@admin.register(models.Regime)
class RegimeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "currency"]


@admin.register(models.RegimeTerms)
class RegimeTermsAdmin(EffectiveDatedAdmin):
    list_display = ["regime", "valid_from", "valid_to", "valuation_basis", "low_value_ceiling", "storage_days"]


@admin.register(models.DeMinimis)
class DeMinimisAdmin(EffectiveDatedAdmin):
    list_display = ["regime", "kind", "category", "amount", "basis", "valid_from", "valid_to"]


@admin.register(models.DutyRate)
class DutyRateAdmin(EffectiveDatedAdmin):
    list_display = [
        "regime",
        "hs_prefix",
        "origin_country",
        "rate",
        "rate_text",
        "valid_from",
        "valid_to",
        "description",
    ]
    search_fields = ["hs_prefix", "description"]
    list_filter = ["regime", "specific_unit"]
    list_per_page = 100


@admin.register(models.FlatDuty)
class FlatDutyAdmin(EffectiveDatedAdmin):
    list_display = [
        "regime",
        "amount",
        "max_intrinsic_value",
        "applies_with_ioss",
        "applies_without_ioss",
        "valid_from",
    ]


@admin.register(models.VatRate)
class VatRateAdmin(EffectiveDatedAdmin):
    list_display = ["regime", "country", "hs_prefix", "rate", "valid_from", "valid_to"]


@admin.register(models.Fee)
class FeeAdmin(EffectiveDatedAdmin):
    list_display = ["regime", "name", "basis", "amount", "only_when_charges_due", "valid_from", "valid_to"]


@admin.register(models.ExchangeRate)
class ExchangeRateAdmin(EffectiveDatedAdmin):
    list_display = ["regime", "currency", "units_per_regime_unit", "published_on", "valid_from", "valid_to"]
    list_filter = ["regime", "currency"]
