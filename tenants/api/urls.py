"""The vendor API, on the root host under /api/v1/."""

from django.urls import path

from tenants.api import apis

urlpatterns = [
    path("towns/", apis.TownListCreateApi.as_view(), name="vendor-towns"),
    path("towns/<slug:slug>/", apis.TownDetailApi.as_view(), name="vendor-town"),
    path("towns/<slug:slug>/suspend/", apis.TownSuspendApi.as_view(), name="vendor-town-suspend"),
    path(
        "towns/<slug:slug>/reactivate/",
        apis.TownReactivateApi.as_view(),
        name="vendor-town-reactivate",
    ),
]
