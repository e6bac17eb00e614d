"""The catalogue's API on a town's host (included under /api/v1/)."""

from django.urls import path

from marketplace.catalogue import apis

urlpatterns = [
    path("public/products/", apis.PublicProductListApi.as_view(), name="public-products"),
    path(
        "public/products/<slug:slug>/",
        apis.PublicProductDetailApi.as_view(),
        name="public-product",
    ),
]
