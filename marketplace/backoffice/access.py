"""Who enters the back office, and which shop they work on.

DIRECTORY's `merchant_member_required` reads the shop from `?boutique=<slug>`. A member of
several shops chooses once (the chooser page, or any link carrying `?boutique=`): the choice is
kept in the session and handed to that decorator on every later page, so links need not carry it.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from marketplace.directory.models import MerchantMember
from marketplace.directory.permissions import MERCHANT_CHOICE_PARAM, merchant_member_required

View = Callable[..., HttpResponse]

SESSION_KEY = "backoffice_merchant"


def _with_session_choice(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        chosen = request.GET.get(MERCHANT_CHOICE_PARAM)
        remembered = request.session.get(SESSION_KEY) if request.user.is_authenticated else None
        if chosen:
            request.session[SESSION_KEY] = chosen
        elif remembered:
            original = request.GET
            query = original.copy()
            query[MERCHANT_CHOICE_PARAM] = remembered
            request.GET = query
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
        def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            request.is_owner = request.merchant.member_role == MerchantMember.Role.OWNER  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return _with_session_choice(merchant_member_required(owner_only=owner_only)(checked))

    return decorator
