"""Who may run a merchant's back office: its members (owner or staff)."""

from collections.abc import Callable
from functools import wraps
from typing import overload

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from marketplace.directory.models import MerchantMember
from marketplace.directory.selectors import merchant_for_member

View = Callable[..., HttpResponse]

# The query parameter choosing which shop a member of several shops is working on.
MERCHANT_CHOICE_PARAM = "boutique"


@overload
def merchant_member_required(view: View) -> View: ...


@overload
def merchant_member_required(*, owner_only: bool = False) -> Callable[[View], View]: ...


def merchant_member_required(
    view: View | None = None, *, owner_only: bool = False
) -> View | Callable[[View], View]:
    """Let members of a merchant in, with `request.merchant` set to the merchant they run
    (`?boutique=<slug>` picks one when they run several; `request.merchant.member_role` is their
    role). Anonymous visitors sign in first; signed-in non-members, or staff on an owner-only
    page, get a 403.

    Use as `@merchant_member_required` or `@merchant_member_required(owner_only=True)`.
    """

    def decorator(inner: View) -> View:
        @wraps(inner)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            slug = request.GET.get(MERCHANT_CHOICE_PARAM) or None
            merchant = merchant_for_member(request.user, merchant_slug=slug)
            if merchant is None:
                raise PermissionDenied
            if owner_only and getattr(merchant, "member_role", None) != MerchantMember.Role.OWNER:
                raise PermissionDenied
            request.merchant = merchant  # type: ignore[attr-defined]
            return inner(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorator(view)
    return decorator
