from django.contrib import admin

from risk.models import InspectionOutcome, ModelVersion, RiskAssessment, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Read-only: rules change through the maker-checker services (dashboard)."""

    list_display = ("code", "version", "kind", "status", "force_lane", "score", "created_by", "approved_by")
    list_filter = ("kind", "status")
    search_fields = ("code", "description")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("id", "algorithm", "trained_on", "is_active", "created_at", "promoted_by")
    exclude = ("artifact",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ("consignment", "consignment_version", "lane", "score", "model_score", "random_selection")
    list_filter = ("lane", "random_selection")
    raw_id_fields = ("consignment",)
    show_full_result_count = False


@admin.register(InspectionOutcome)
class InspectionOutcomeAdmin(admin.ModelAdmin):
    list_display = ("consignment", "officer", "irregularity_found", "kind", "additional_duty", "created_at")
    list_filter = ("irregularity_found", "kind")
    raw_id_fields = ("consignment",)
