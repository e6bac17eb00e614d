"""URLs of a town's host (<slug>.<root>): the shop window, accounts, administration, API."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from comptoir import views

urlpatterns = [
    path("", views.town_home, name="home"),
    path("mentions-legales/", views.town_legal_notice, name="legal_notice"),
    path("accessibilite/", views.town_accessibility, name="accessibility"),
    path("compte/", include("comptoir.accounts.urls")),
    path("gestion/", include("tenants.town_admin.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("comptoir.api_urls")),
]
