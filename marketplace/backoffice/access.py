"""Who enters the back office, and which shop they work on.

DIRECTORY's `merchant_member_required` reads the shop from `?boutique=<slug>`. A member of
several shops chooses once (the chooser page, or any link carrying `?boutique=`): the choice is
kept in the session and handed to that decorator on every later page, so links need not carry it.
"""

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict

from comptoir.http import TownRequest
from marketplace.directory.models import MerchantMember
from marketplace.directory.permissions import (
    MERCHANT_CHOICE_PARAM,
    MerchantRequest,
    merchant_member_required,
)

View = Callable[..., HttpResponse]

SESSION_KEY = "backoffice_merchant"


class BackofficeRequest(MerchantRequest):
    """The request of a back-office page (`backoffice_view`)."""

    is_owner: bool


def _with_session_choice(view: View) -> View:
    @wraps(view)
    def wrapper(request: TownRequest, *args: object, **kwargs: object) -> HttpResponse:
        chosen = request.GET.get(MERCHANT_CHOICE_PARAM)
        remembered = request.session.get(SESSION_KEY) if request.user.is_authenticated else None
        if chosen:
            request.session[SESSION_KEY] = chosen
        elif remembered and request.user.is_authenticated:  # (only a signed-in user has one)
            original = request.GET
            query = original.copy()
            query[MERCHANT_CHOICE_PARAM] = remembered
            # Immutable, as Django's own: a view changing it would fail as it does elsewhere.
            request.GET = QueryDict(query.urlencode())
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                if MerchantMember.objects.filter(
                    user_id=request.user.pk, merchant__slug=remembered
                ).exists():
                    raise
                # No longer a member of the remembered shop: forget it, fall back to another.
                del request.session[SESSION_KEY]
                request.GET = original
        return view(request, *args, **kwargs)

    return wrapper


def backoffice_view(*, owner_only: bool = False) -> Callable[[View], View]:
    """A back-office page: members of the chosen shop only (owners only when asked); sets
    `request.merchant`, with `request.merchant.member_role`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: MerchantRequest, *args: object, **kwargs: object) -> HttpResponse:
            backoffice_request = cast(BackofficeRequest, request)
            backoffice_request.is_owner = request.merchant.member_role == MerchantMember.Role.OWNER
            return view(backoffice_request, *args, **kwargs)

        return _with_session_choice(merchant_member_required(owner_only=owner_only)(checked))

    return decorator
