from rest_framework.permissions import BasePermission

from postal.authentication import OperatorPrincipal


class IsPostalOperator(BasePermission):
    """Only a caller authenticated with an operator's API key."""

    message = "An operator API key is required."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, OperatorPrincipal)
