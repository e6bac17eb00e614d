"""Each request's id and its one log line: method, path, status, latency, URL pattern, user kind.

The id is the ingress's `X-Request-ID` when it sends a sane one (ingress-nginx does), else a new
one; it is answered back in `X-Request-ID`, stamped on every log line written while the request
runs (`comptoir.log_filters.TownLogFilter`) and set as a Sentry tag, so a shopper's complaint,
the ingress's log, ours and Sentry's event meet on one value.
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

import sentry_sdk
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from comptoir.metrics import view_label

logger = logging.getLogger("comptoir.request")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Probes every few seconds: logged only when they fail.
_QUIET_PATHS = frozenset({"/healthz", "/readyz"})


def request_id_from(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _SANE_ID.match(given) else uuid.uuid4().hex


def user_kind(request: HttpRequest) -> str:
    """Who made the request, as far as the request already knows: a user the request never
    loaded is not loaded for the log line (that would cost a query on every page)."""
    lazy = request.__dict__.get("user")
    if lazy is None:
        return "anonymous"
    user = getattr(lazy, "_wrapped", lazy)
    if user is empty:
        return "unknown"
    if not user.is_authenticated:
        return "anonymous"
    if user.is_staff:
        return "vendor"
    if getattr(user, "is_town_admin", False):
        return "town_admin"
    return "member"


class RequestLogMiddleware:
    """Names the request, then writes its line once it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        # Kept until the response is closed (request_finished, below): Django logs a 4xx or 5xx
        # answer ("Not Found: …") after the middleware chain has returned.
        request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if request.path_info not in _QUIET_PATHS or response.status_code >= 400:
            latency_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.info(
                "%s %s %s",
                request.method,
                request.path_info,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path_info,
                    "status": response.status_code,
                    "latency_ms": latency_ms,
                    "view": view_label(request),
                    "user_kind": user_kind(request),
                },
            )
        return response


def _request_id_forget(**kwargs: object) -> None:
    request_id_var.set("-")


request_finished.connect(_request_id_forget, dispatch_uid="comptoir.request_log")
