"""The admin: assessments and payments are read and acted on; the law is edited in law.admin."""

from django.contrib import admin, messages

from core.actors import Actor
from payments import models, services


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AssessmentLineInline(admin.TabularInline):
    model = models.AssessmentLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["consignment", "number", "is_current", "irg_category", "total", "currency", "assessed_on"]
    list_filter = ["is_current", "irg_category", "regime"]
    search_fields = ["consignment__item_id"]
    inlines = [AssessmentLineInline]


class PaymentItemInline(admin.TabularInline):
    model = models.PaymentItem
    extra = 0
    can_delete = False
    readonly_fields = ["consignment", "assessment", "amount"]


@admin.action(description="Refund the selected payments' items")
def refund_payments(modeladmin, request, queryset):
    actor = Actor.for_user(request.user)
    count = 0
    for payment in queryset.filter(state="SUCCEEDED"):
        for item in payment.items.select_related("consignment"):
            services.refund_issue(
                payment=payment, consignment=item.consignment, reason="Refunded by an administrator", actor=actor
            )
            count += 1
    messages.info(request, f"{count} item(s) refunded.")


@admin.register(models.Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "state", "amount", "currency", "trader", "created_at", "paid_at"]
    list_filter = ["state", "provider"]
    search_fields = ["reference", "verification_code", "items__consignment__item_id"]
    inlines = [PaymentItemInline]
    actions = [refund_payments]


@admin.register(models.Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "consignment", "amount", "currency", "state", "reason", "created_at"]


@admin.register(models.Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases are answered in the officer dashboard; the admin shows them."""

    list_display = ["consignment", "kind", "grounds", "channel", "state", "deadline", "resolved_at"]
    list_filter = ["kind", "state", "channel"]
    readonly_fields = [
        "kind",
        "grounds",
        "channel",
        "consignment",
        "assessment",
        "line",
        "payment",
        "appeal_of",
        "reason",
        "contact_email",
        "language",
        "state",
        "deadline",
        "resolved_at",
        "resolved_by",
        "resolution",
        "corrected_assessment",
    ]


@admin.register(models.Trader)
class TraderAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["members"]


@admin.register(models.CollectionAgreement)
class CollectionAgreementAdmin(admin.ModelAdmin):
    """Which operators collect charges at the door, from when to when."""

    list_display = ["operator", "valid_from", "valid_to", "reference"]
    list_filter = ["operator"]


class AccountMandateInline(admin.TabularInline):
    """Who may name the account: an operator, for a platform or seller when given."""

    model = models.AccountMandate
    extra = 1


@admin.register(models.DeferredAccount)
class DeferredAccountAdmin(admin.ModelAdmin):
    """Accounts charged for prepaid (DDP) items; the code is what a pre-advice names as its collector."""

    list_display = ["code", "name", "kind", "currency", "limit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [AccountMandateInline]


@admin.register(models.ChargeWriteOff)
class ChargeWriteOffAdmin(ReadOnlyAdmin):
    list_display = ["consignment", "kind", "amount", "currency", "reason", "created_by", "created_at"]
    list_filter = ["kind"]


@admin.register(models.MoneyApprovalThreshold)
class MoneyApprovalThresholdAdmin(admin.ModelAdmin):
    """When giving up charges waits for a second officer: an amount, or a share of the charges, per currency."""

    list_display = ["currency", "amount", "share"]


@admin.register(models.MoneyApproval)
class MoneyApprovalAdmin(ReadOnlyAdmin):
    list_display = ["consignment", "kind", "before", "after", "currency", "requested_by", "state", "decided_by"]
    list_filter = ["state", "kind"]


@admin.register(models.AccountSettlement)
class AccountSettlementAdmin(admin.ModelAdmin):
    list_display = ["account", "amount", "received_at", "reference", "recorded_by"]
    list_filter = ["account"]

    def save_model(self, request, obj, form, change) -> None:
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return ["recorded_by"]


@admin.register(models.AccountCharge)
class AccountChargeAdmin(ReadOnlyAdmin):
    list_display = ["account", "consignment", "amount", "currency", "prepaid_amount", "reference", "created_at"]
    list_filter = ["account"]


@admin.register(models.CarrierCollection)
class CarrierCollectionAdmin(ReadOnlyAdmin):
    list_display = ["operator", "consignment", "amount", "currency", "collected_at", "reference", "statement"]
    list_filter = ["operator"]
