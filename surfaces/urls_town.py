"""URLs of a town's host (<slug>.<root>): the shop window, accounts, administration, API."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from comptoir import views
from marketplace.storefront import views as storefront_views

handler500 = views.server_error

urlpatterns = [
    path("", storefront_views.town_home, name="home"),
    path("mentions-legales/", views.town_legal_notice, name="legal_notice"),
    path("accessibilite/", views.town_accessibility, name="accessibility"),
    path("", include("marketplace.directory.urls")),
    path("", include("marketplace.catalogue.urls")),
    path("", include("marketplace.orders.urls")),
    path("", include("marketplace.appointments.urls")),
    path("", include("marketplace.campaigns.urls")),
    path("compte/messages/", include("marketplace.messaging.urls")),
    path("compte/", include("comptoir.accounts.urls")),
    path("compte/", include("marketplace.shoppers.urls")),
    path("boutique/", include("marketplace.backoffice.urls")),
    path("gestion/", include("surfaces.town_admin.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("surfaces.api_urls")),
    path("api/v1/", include("marketplace.directory.api_urls")),
    path("api/v1/", include("marketplace.catalogue.api_urls")),
]

# Uploaded files (logos, hero images, photos) under `make dev`; static() adds nothing unless
# DEBUG. In production S3 or the web server serves them.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
