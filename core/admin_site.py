"""The Django admin as OpenClear runs it: for administrators only, its logins limited like the officers'."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.ratelimit import allow, client_address, forgive


class OpenClearAdminSite(admin.AdminSite):
    site_header = _("OpenClear administration")
    site_title = _("OpenClear")
    index_title = _("Accounts, operators, reference data")
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        """Administrators only: officers and supervisors work in the dashboard, whatever their staff flag."""
        user = request.user
        return bool(user.is_active and user.is_staff and (user.is_superuser or user.role == Role.ADMIN))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's admin login, with failed attempts limited per client address and username."""
        if request.method != "POST":
            return super().login(request, extra_context)
        key = f"{client_address(request)}:{request.POST.get('username', '')[:150].lower()}"
        if not allow("admin-login", key, limit=settings.OPENCLEAR_LOGIN_ATTEMPTS_PER_MINUTE):
            context = {**self.each_context(request), "title": _("Too many attempts")}
            return render(request, "admin/throttled.html", context, status=429)
        response = super().login(request, extra_context)
        if request.user.is_authenticated:  # a correct login does not count against the limit
            forgive("admin-login", key)
        return response


class OpenClearAdminConfig(AdminConfig):
    """Django's admin app, serving the site above."""

    default_site = "core.admin_site.OpenClearAdminSite"
