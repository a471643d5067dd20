from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import health_report, health_report_cached, public_summary
from core.ratelimit import allow, client_address, forgive


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front door: each kind of user finds their place."""
    return render(request, "home.html")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(static("core/favicon.svg"), permanent=True)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Up or not, for probes and anyone (from a report seconds old); the details, live, for staff."""
    if request.user.is_authenticated and request.user.is_staff:
        report, healthy = health_report()
    else:
        full, healthy = health_report_cached()
        report = public_summary(full)
    return JsonResponse(report, status=200 if healthy else 503)


class RateLimitedLoginView(auth_views.LoginView):
    """Django's login, with attempts limited per client address and username.

    The limit makes password guessing slow without locking the account
    itself, which anyone could otherwise do to an officer on purpose. Only
    failed attempts count: a correct login is taken back from the count (it
    is counted first, so that concurrent guesses never slip past the limit).
    """

    redirect_authenticated_user = True
    rate_scope = "login"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")[:150].lower()
        limit = settings.OPENCLEAR_LOGIN_ATTEMPTS_PER_MINUTE
        key = f"{client_address(request)}:{username}"
        if not allow(self.rate_scope, key, limit=limit):
            return render(request, self.template_name, {"form": self.get_form(), "throttled": True}, status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            forgive(self.rate_scope, key)
        return response
