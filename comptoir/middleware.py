"""Routing each request to its town's schema, and answering for towns that are not open."""

from collections.abc import Callable

import sentry_sdk
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from comptoir.db import connection
from comptoir.health import healthz, readyz
from comptoir.http import PlatformRequest
from comptoir.page_seen import page_seen_count, page_seen_of
from comptoir.routing import host_is_root, town_for_host

_HEALTH_VIEWS = {"/healthz": healthz, "/readyz": readyz}
# Root-host endpoints answered as soon as the host is known, before sessions, users, CSRF and
# the rest of the stack: calls from machines that need none of it and must be answered fast
# (Stripe's webhooks: a 2xx within its timeout, whatever the load). Filled by the apps.
_ROOT_ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {}


def root_endpoint_register(path: str, view: Callable[[HttpRequest], HttpResponse]) -> None:
    """Answer `path` on the root host with `view`, past the middleware that follows routing.
    The view does its own checks (method, signature): nothing else runs before it."""
    _ROOT_ENDPOINTS[path] = view


# Paths a suspended town still serves, so its administrators can sign in and fix things.
_SUSPENDED_TOWN_OPEN_PATHS = (
    "/compte/connexion/",
    "/compte/deconnexion/",
    "/static/",
    "/i18n/",
    # Vendor staff's one-time link from the console, to help a suspended town.
    "/gestion/acces-vendeur/",
)
_ARCHIVED_TOWN_WRITABLE_PATHS = ("/compte/connexion/", "/compte/deconnexion/", "/i18n/")
# A town read-only for an unpaid subscription still lets its administrators reach the page
# where they pay (Stripe's customer portal opens from a form there).
_UNPAID_TOWN_WRITABLE_PATHS = (*_ARCHIVED_TOWN_WRITABLE_PATHS, "/gestion/abonnement/")


class TownRoutingMiddleware(TenantMainMiddleware):
    """Root host → public schema and the vendor's URLs; a town's host → its schema and URLs;
    any other host → the platform's 404 page, never a town's content."""

    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        # Host names are case-insensitive and may end with the root's dot: one town, one name.
        domain, _port = split_domain_port(request.get_host())
        return remove_www(domain)

    def process_request(self, request: PlatformRequest) -> HttpResponse | None:
        connection.set_schema_to_public()
        health_view = _HEALTH_VIEWS.get(request.path_info)
        if health_view is not None:
            return health_view(request)
        hostname = self.hostname_from_request(request)
        if host_is_root(hostname):
            request.tenant = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            sentry_sdk.set_tag("town", "public")
            endpoint = _ROOT_ENDPOINTS.get(request.path_info)
            return endpoint(request) if endpoint is not None else None
        town = town_for_host(hostname)
        if town is None:
            request.tenant = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            # Answered before LocaleMiddleware runs: speak the visitor's language all the same.
            with translation.override(translation.get_language_from_request(request)):
                return render(
                    request, "comptoir/unknown_host.html", {"hostname": hostname}, status=404
                )
        request.tenant = town
        connection.set_tenant(town)
        sentry_sdk.set_tag("town", town.schema_name)
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return None


class TownAvailabilityMiddleware:
    """A suspended town answers 503 but to its administrators; an archived one, or one unpaid
    past its grace period, is read-only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: PlatformRequest) -> HttpResponse:
        town = getattr(request, "tenant", None)
        if town is not None:
            user = request.user
            is_admin = user.is_authenticated and user.is_town_admin
            if (
                town.is_suspended
                and not is_admin
                and not request.path_info.startswith(_SUSPENDED_TOWN_OPEN_PATHS)
            ):
                return render(request, "comptoir/town_suspended.html", status=503)
            writable = (
                _UNPAID_TOWN_WRITABLE_PATHS
                if town.is_read_only_unpaid
                else _ARCHIVED_TOWN_WRITABLE_PATHS
            )
            if (
                town.is_read_only
                and request.method not in ("GET", "HEAD", "OPTIONS")
                and not request.path_info.startswith(writable)
            ):
                return render(
                    request,
                    "comptoir/town_read_only.html",
                    {
                        "message": _(
                            "This portal is read-only for the time being: you can still browse "
                            "its shops and products, but orders, sign-ups and changes are paused. "
                            "Nothing is lost: everything is kept as it was."
                        )
                        if town.is_read_only_unpaid and town.status != town.Status.ARCHIVED
                        else _("This portal is archived: it can be read, not changed."),
                        "unpaid": town.is_read_only_unpaid,
                        "is_admin": is_admin,
                    },
                    status=403,
                )
        return self.get_response(request)


def _carries_nul(values: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in listed) for key, listed in values.lists()
    )


class NulCharacterRefusalMiddleware:
    """A NUL character anywhere in a request's path, query or form fields (or escaped in a JSON
    body) answers 400 with the platform's page: PostgreSQL cannot store or compare it, and no
    person types one. Uploaded files are not read: a file's bytes may be anything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or _carries_nul(request.GET)
            or (request.method == "POST" and _carries_nul(request.POST))
            or (request.content_type == "application/json" and b"\\u0000" in request.body)
        ):
            raise BadRequest("A NUL character in the request.")
        return self.get_response(request)


class PageSeenMiddleware:
    """Counts the public page a request showed (the view or the page cache marked it, see
    comptoir.page_seen) once the response has been sent: Django closes a response after the
    server wrote it out, and runs its closers then, so the visitor never waits for the count.
    Only a 200 is counted; the schema is read now, before anything else can move the
    connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        seen = page_seen_of(request)
        if seen is not None and response.status_code == 200:
            schema_name = connection.schema_name
            # Django's own hook for work after the response (HttpResponseBase.close), which
            # the stubs do not declare.
            closers = response._resource_closers  # type: ignore[attr-defined]
            closers.append(lambda: page_seen_count(request, seen, schema_name))
        return response
