"""The directory's public API, under /api/v1/ on a town's host."""

from django.urls import path

from marketplace.directory import apis

urlpatterns = [
    path("public/merchants/", apis.PublicMerchantListApi.as_view(), name="public-merchants"),
    path(
        "public/merchants/<slug:slug>/",
        apis.PublicMerchantDetailApi.as_view(),
        name="public-merchant",
    ),
]
