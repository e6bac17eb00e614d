"""What django-axes needs from the platform to throttle sign-ins: who is asking, and what to
answer when they must wait."""

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str:
    """The visitor's address. Behind TRUSTED_PROXY_COUNT proxies (the ingress) it is the entry
    they added to X-Forwarded-For, counted from the right: entries further left come from the
    client and may be forged. Without this, every visitor would share the ingress's address,
    and one attacker could lock a whole town out."""
    proxies = settings.TRUSTED_PROXY_COUNT
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(hops) >= proxies and hops[-proxies]:
        return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def sign_in_locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The page every sign-in form answers once an account or an address failed too often:
    when to try again, and the way out that needs no password."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
