"""The OpenAPI description on the root host lists the vendor API; a town's host does not."""

from django.conf import settings
from django.test import Client

from tests.conftest import host_of


def _paths(host: str) -> dict:
    response = Client(HTTP_HOST=host).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()["paths"]


def test_root_host_schema_lists_the_vendor_api(db):
    paths = _paths(settings.ROOT_DOMAIN)

    assert set(paths["/api/v1/towns/"]) == {"get", "post"}
    assert set(paths["/api/v1/towns/{slug}/"]) == {"get"}
    assert set(paths["/api/v1/towns/{slug}/suspend/"]) == {"post"}
    assert set(paths["/api/v1/towns/{slug}/reactivate/"]) == {"post"}
    created = paths["/api/v1/towns/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/VendorTown")
    assert paths["/api/v1/towns/"]["get"]["security"] == [{"tokenAuth": []}]


def test_a_town_host_schema_does_not_list_the_vendor_api(town_a):
    assert not any(path.startswith("/api/v1/towns/") for path in _paths(host_of(town_a)))
