"""Who may run a merchant's back office: its members (owner or staff)."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, cast, overload

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from comptoir.http import SignedInTownRequest, TownRequest
from marketplace.directory.models import Merchant, MerchantMember
from marketplace.directory.selectors import MemberRole, merchant_for_member

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

View = Callable[..., HttpResponse]

# The query parameter choosing which shop a member of several shops is working on.
MERCHANT_CHOICE_PARAM = "boutique"


class MerchantRequest(SignedInTownRequest):
    """The request of a view behind `merchant_member_required`."""

    merchant: "WithAnnotations[Merchant, MemberRole]"


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
        def wrapper(request: TownRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            slug = request.GET.get(MERCHANT_CHOICE_PARAM) or None
            merchant = merchant_for_member(request.user, merchant_slug=slug)
            if merchant is None:
                raise PermissionDenied
            if owner_only and getattr(merchant, "member_role", None) != MerchantMember.Role.OWNER:
                raise PermissionDenied
            # From here on the request is a MerchantRequest: it gets its merchant.
            member_request = cast(MerchantRequest, request)
            member_request.merchant = merchant
            return inner(member_request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorator(view)
    return decorator
