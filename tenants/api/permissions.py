from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from comptoir.accounts.models import User
from comptoir.db import connection


class VendorAPIRequest(Request):
    """The request of a vendor API view, past IsVendorStaff: signed-in vendor staff."""

    user: User


class IsVendorStaff(BasePermission):
    """Active vendor staff, authenticated against the public schema (root host only).

    Tokens live per schema: on the root host only public-schema tokens are looked up, so a town
    user's token authenticates nobody here; the schema check keeps it so if routing changes.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and getattr(request._request, "tenant", None) is None
            and connection.schema_name == get_public_schema_name()
        )
