from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header when the settings define one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.OPENCLEAR_CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class RefuseNulMiddleware:
    """A request with a NUL character in its path or query string is refused before any view runs.

    PostgreSQL stores no NUL in text, so such a value can only end in an
    error further down; here it gets a 400 that says why (api.md's JSON error
    for the API, a page elsewhere). Form fields are checked by their forms.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            return self._refused(request)
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> HttpResponse:
        message = _("The address contains a NUL character, which no field accepts.")
        if request.path.startswith("/api/"):
            error = {"code": "invalid_characters", "message": "The request contains a NUL character.", "details": []}
            return JsonResponse({"error": error}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
