"""Public pages of the directory, on a town's host (included at the root of the town's URLs)."""

from django.urls import path

from marketplace.directory import views

app_name = "directory"

urlpatterns = [
    path("commerces/", views.directory, name="directory"),
    path("commerces/<slug:slug>/", views.merchant_detail, name="merchant"),
    path("carte/", views.merchants_map, name="map"),
    path("carte/commerces.json", views.merchants_map_json, name="map_json"),
    path("widget/commerces/", views.widget, name="widget"),
    path("widget.js", views.widget_script, name="widget_script"),
    path("integrer/", views.embed_help, name="embed"),
    path("boutique/inscription/", views.merchant_apply, name="apply"),
    path("boutique/inscription/merci/", views.merchant_apply_done, name="apply_done"),
]
