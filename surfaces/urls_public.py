"""URLs of the root host: the vendor's site, the console, the vendor API and Stripe's webhooks."""

from django.urls import include, path

from comptoir import views

handler500 = views.server_error

urlpatterns = [
    path("", views.vendor_home, name="vendor_home"),
    path("console/abonnements/", include("billing.console.urls")),
    path("console/", include("tenants.console.urls")),
    path("billing/", include("billing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("tenants.api.urls")),
    path("api/v1/", include("surfaces.api_urls")),
]
