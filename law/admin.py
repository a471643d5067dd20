"""The admin shows the law, read-only: a change is proposed and approved in the officer dashboard (maker-checker)."""

from django.contrib import admin

from law import models


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; adds, changes and deletes are refused (the dashboard's Law pages propose them)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EffectiveDatedAdmin(ReadOnlyAdmin):
    list_filter = ["regime"]
    date_hierarchy = "valid_from"


@admin.register(models.Regime)
class RegimeAdmin(ReadOnlyAdmin):
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


@admin.register(models.IossRegistration)
class IossRegistrationAdmin(EffectiveDatedAdmin):
    list_display = ["regime", "number", "holder", "status", "valid_from", "valid_to"]
    search_fields = ["number", "holder", "trading_names"]


@admin.register(models.LawChange)
class LawChangeAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "regime", "effective_from", "status", "author", "reviewer", "created_at"]
    list_filter = ["status", "kind", "regime"]
    exclude = ["entries"]
