from django.contrib import admin

from agencies.models import Agency, AgencyMember, Permit


class AgencyMemberInline(admin.TabularInline):
    """The agency's users: give each the role "Other agency" in their account."""

    model = AgencyMember
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [AgencyMemberInline]


@admin.register(Permit)
class PermitAdmin(admin.ModelAdmin):
    """Read-only: the registers are loaded with manage.py permits_load."""

    list_display = ("kind", "number", "holder", "quantity", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("number", "holder")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
