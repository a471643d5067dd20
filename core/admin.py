from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.models import AuditEntry, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "office", "is_active")
    list_filter = ("role", "office", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("OpenClear", {"fields": ("role", "office")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("OpenClear", {"fields": ("role", "office")}))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only (a database trigger enforces it too)."""

    list_display = ("at", "action", "actor_label", "target_type", "target_id", "reason")
    list_filter = ("action", "actor_kind", "target_type")
    search_fields = ("actor_label", "reason", "action")
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
