"""The OpenAPI description, on every host: each host describes the API it serves."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class HostSchemaView(SpectacularAPIView):
    def _get_schema_response(self, request: Request) -> Response:
        # The generator reads settings.ROOT_URLCONF (the towns' URLs) unless told otherwise:
        # describe the URLconf the routing middleware chose for this host.
        self.urlconf = getattr(request, "urlconf", None) or self.urlconf
        return super()._get_schema_response(request)


urlpatterns = [
    path("schema/", HostSchemaView.as_view(permission_classes=[]), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[]),
        name="api-docs",
    ),
]
