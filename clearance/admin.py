from django.contrib import admin

from clearance.holds import PARTY_KEYS
from clearance.models import (
    Consignment,
    ConsignmentEvent,
    ContentLine,
    Decision,
    Office,
    PartyHold,
    PostalOperator,
)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country")
    search_fields = ("code", "name")


@admin.register(PostalOperator)
class PostalOperatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country", "is_active", "response_sequence")
    search_fields = ("code", "name")
    readonly_fields = ("response_sequence",)


class ContentLineInline(admin.TabularInline):
    model = ContentLine
    extra = 0
    can_delete = False
    readonly_fields = ("position", "description", "quantity", "net_weight_kg", "value", "hs_code", "origin_country")


@admin.register(Consignment)
class ConsignmentAdmin(admin.ModelAdmin):
    """Read-only here: states change only through the clearance services."""

    list_display = ("item_id", "operator", "state", "lane", "risk_score", "category", "total_value", "currency")
    list_filter = ("state", "lane", "category", "operator")
    search_fields = ("item_id", "addressee_name", "addressee_email", "sender_name")
    date_hierarchy = "pre_advised_at"
    inlines = [ContentLineInline]
    show_full_result_count = False  # no COUNT(*) over millions of rows

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("operator", "sequence", "consignment", "code", "decided_at", "decided_by")
    list_filter = ("code", "operator")
    raw_id_fields = ("consignment",)
    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsignmentEvent)
class ConsignmentEventAdmin(admin.ModelAdmin):
    list_display = ("consignment", "code", "occurred_at", "office_code")
    list_filter = ("code",)
    raw_id_fields = ("consignment",)


@admin.register(PartyHold)
class PartyHoldAdmin(admin.ModelAdmin):
    """Senders and addressees remembered after a seizure, a return or prohibited goods; `until` ends it early."""

    list_display = ["item_id", "kind", "recorded_at", "until"]
    list_filter = ["kind"]
    search_fields = ["item_id", "sender_key", "addressee_key"]
    readonly_fields = ["consignment", "item_id", "kind", "recorded_at", *(f for f in PARTY_KEYS)]
