"""The benchmark's minimal town page, in front of the town's own URLs."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from comptoir.db import connection


def ping(request: HttpRequest) -> HttpResponse:
    """One query, so the town's search path is really set, as on any page; answers the schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse(connection.schema_name, content_type="text/plain")


urlpatterns = [
    path("banc/ping/", ping),
    path("", include("surfaces.urls_town")),
]
