import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults

# How long a browser or a client is asked to wait before trying again when the database is gone.
DATABASE_RETRY_AFTER_SECONDS = 10


def vendor_home(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/vendor_home.html")


def town_legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/town_legal_notice.html")


def town_accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/town_accessibility.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """Every host's 500 handler. When the failure is the database out of reach (restarting,
    failing over), a 503 page that asks to try again in a moment, rendered without touching the
    database; Django's connections reopen by themselves once it is back (CONN_HEALTH_CHECKS)."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503_database.html"), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
