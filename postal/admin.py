from django.contrib import admin, messages

from postal.choices import DeliveryStatus
from postal.delivery import webhook_delivery_retry
from postal.models import ApiKey, GoodsOutOfControl, WebhookDelivery, WebhookEndpoint
from postal.services import api_key_issue, api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued here and shown once; only their hash is kept."""

    list_display = ("operator", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("operator",)
    fields = ("operator", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None

    def save_model(self, request, obj, form, change) -> None:
        api_key, raw_key = api_key_issue(operator=obj.operator, name=obj.name)
        obj.pk = api_key.pk
        self.message_user(
            request,
            f"API key for {obj.operator}: {raw_key} — copy it now, it will not be shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("operator", "url", "is_active", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("decision", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["retry"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry the selected dead deliveries")
    def retry(self, request, queryset) -> None:
        dead = queryset.filter(status=DeliveryStatus.DEAD)
        for delivery in dead:
            webhook_delivery_retry(delivery=delivery)
        self.message_user(request, f"Queued {dead.count()} delivery(ies) again.")


@admin.register(GoodsOutOfControl)
class GoodsOutOfControlAdmin(admin.ModelAdmin):
    """Goods reported gone while customs held them, with the operator's liability."""

    list_display = ["consignment", "operator", "event_code", "occurred_at", "state", "liability", "currency"]
    list_filter = ["operator", "event_code", "state"]
    readonly_fields = [
        "operator",
        "consignment",
        "event_code",
        "occurred_at",
        "state",
        "reason",
        "liability",
        "currency",
    ]
