"""Public pages of the catalogue, on a town's host (included at the root of the town's URLs)."""

from django.urls import path

from marketplace.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("produits/<slug:slug>/", views.product_detail, name="product"),
    path("recherche/", views.search, name="search"),
]
