"""Requests as the platform's middlewares (settings.MIDDLEWARE) leave them, for annotations.

Views annotate `request` with the narrowest of these that holds for their URLs; the apps
that add attributes of their own (the back office's `request.merchant`) subclass them.
Nothing here changes a request: Django builds plain `HttpRequest`s and the middlewares set
these attributes on them.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AnonymousUser

    from comptoir.accounts.models import User
    from tenants.models import Town

    class OTPUser(User):
        """The request's user after django_otp's OTPMiddleware, which adds `is_verified`."""

        is_verified: Callable[[], bool]

    class OTPAnonymousUser(AnonymousUser):
        is_verified: Callable[[], bool]


class PlatformRequest(HttpRequest):
    """Any request, on any host."""

    # TownRoutingMiddleware: the host's Town; None on the root host (the vendor's URLs).
    tenant: "Town | None"
    # django_htmx's HtmxMiddleware.
    htmx: HtmxDetails
    user: "OTPUser | OTPAnonymousUser"


class TownRequest(PlatformRequest):
    """A request on a town's host: the views of the town's URLconf."""

    tenant: "Town"


class SignedInTownRequest(TownRequest):
    """A TownRequest behind `login_required` (or a check of its own that the user signed in)."""

    user: "OTPUser"


class TownAPIRequest(Request):
    """A request of the JSON API on a town's host. DRF's Request hands the attributes it lacks
    to the HttpRequest it wraps, so the middlewares' show through."""

    tenant: "Town"
