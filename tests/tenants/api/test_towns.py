"""The vendor API: /api/v1/towns/ on the root host, for vendor staff tokens only."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_exists
from rest_framework.response import Response
from rest_framework.test import APIClient

from tenants.models import Domain, Town, TownStats, VendorAuditEvent
from tests.conftest import host_of, inside, signed_in, user_create
from tests.tenants.api.conftest import api_client_for

PROVISION = {
    "name": "Gamma-la-Forêt",
    "slug": "gamma",
    "insee_code": "73008",
    "admin_email": "mairie@gamma.test",
    "plan": "territory",
}
ENDPOINTS = [
    ("get", "/api/v1/towns/"),
    ("post", "/api/v1/towns/"),
    ("get", "/api/v1/towns/alpha/"),
    ("post", "/api/v1/towns/alpha/suspend/"),
    ("post", "/api/v1/towns/alpha/reactivate/"),
]


def _bare_town(slug: str, *, status: str = Town.Status.ACTIVE) -> Town:
    town = Town(name=slug.title(), slug=slug, schema_name=slug, status=status)
    town.auto_create_schema = False
    town.save()
    Domain.objects.create(domain=f"{slug}.comptoir.test", tenant=town, is_primary=True)
    return town


def _call(client: APIClient, method: str, path: str) -> Response:
    data = PROVISION if method == "post" and path == "/api/v1/towns/" else None
    return getattr(client, method)(path, data, format="json")


def _nothing_changed(town_a: Town) -> None:
    assert Town.objects.get(pk=town_a.pk).status == "active"
    assert not Town.objects.filter(slug="gamma").exists()
    assert not VendorAuditEvent.objects.exclude(action="provision").exists()


class TestAccess:
    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_without_a_token_nothing_is_answered(self, town_a, method, path):
        response = _call(api_client_for(None), method, path)

        assert response.status_code == 401
        _nothing_changed(town_a)

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_a_public_user_who_is_not_staff_is_refused(self, town_a, method, path):
        customer = user_create(None, "client@comptoir.test")

        response = _call(api_client_for(customer), method, path)

        assert response.status_code == 403
        _nothing_changed(town_a)

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_a_town_users_token_never_works_on_the_root_host(self, town_a, admin_a, method, path):
        # Even a town user flagged is_staff in their town: their token lives in the town's schema.
        admin_a.is_staff = True
        with inside(town_a):
            admin_a.save(update_fields=["is_staff"])

        response = _call(api_client_for(admin_a, schema="alpha"), method, path)

        assert response.status_code == 401
        _nothing_changed(town_a)

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_the_vendor_api_does_not_exist_on_a_town_host(
        self, town_a, vendor_staff, admin_a, method, path
    ):
        client = api_client_for(admin_a, host=host_of(town_a), schema="alpha")

        assert _call(client, method, path).status_code == 404
        _nothing_changed(town_a)

    def test_a_session_does_not_authenticate(self, town_a, vendor_staff):
        client = api_client_for(None)
        signed_in(client, None, vendor_staff.email)

        assert client.get("/api/v1/towns/").status_code == 401


class TestList:
    def test_lists_towns_with_figures_domains_and_urls(self, vendor_api, town_a, town_b):
        TownStats.objects.create(
            town=town_a, merchants=2, products=5, orders=1, refreshed_at=timezone.now()
        )

        response = vendor_api.get("/api/v1/towns/")

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert body["next"] is None
        alpha, beta = body["results"]
        assert alpha["slug"] == "alpha"
        assert alpha["name"] == "Alpha-sur-Mer"
        assert alpha["status"] == "active"
        assert alpha["plan"] == "essential"
        assert alpha["url"] == "http://alpha.comptoir.test/"
        assert alpha["domains"] == ["alpha.comptoir.test"]
        assert alpha["figures"]["merchants"] == 2
        assert (alpha["figures"]["products"], alpha["figures"]["orders"]) == (5, 1)
        assert beta["figures"] == {
            "merchants": None,
            "products": None,
            "orders": None,
            "refreshed_at": None,
        }

    @pytest.mark.parametrize("extra_towns", [0, 4])
    def test_answers_in_a_constant_number_of_queries(
        self, vendor_api, town_a, extra_towns, django_assert_num_queries
    ):
        for index in range(extra_towns):
            _bare_town(f"town{index}")

        # token with its user, count, page of towns with figures, their domains: each after
        # django-tenants' SET search_path
        with django_assert_num_queries(8):
            response = vendor_api.get("/api/v1/towns/")

        assert response.json()["count"] == 2 + extra_towns  # Alpha, Beta and the extras
        assert all(len(town["domains"]) == 1 for town in response.json()["results"])

    def test_is_paginated(self, vendor_api, town_a, town_b, monkeypatch):
        monkeypatch.setattr("tenants.api.apis.TownPagination.page_size", 1)

        first = vendor_api.get("/api/v1/towns/").json()
        second = vendor_api.get("/api/v1/towns/?page=2").json()

        assert [town["slug"] for town in first["results"]] == ["alpha"]
        assert first["next"] == "http://comptoir.test/api/v1/towns/?page=2"
        assert [town["slug"] for town in second["results"]] == ["beta"]

    def test_filters_by_status(self, vendor_api, town_a, town_b):
        Town.objects.filter(pk=town_b.pk).update(status=Town.Status.SUSPENDED)

        response = vendor_api.get("/api/v1/towns/?status=suspended")

        assert [town["slug"] for town in response.json()["results"]] == ["beta"]

    def test_an_unknown_status_is_a_400(self, vendor_api, town_a):
        response = vendor_api.get("/api/v1/towns/?status=deleted")

        assert response.status_code == 400
        assert set(response.json()) == {"status"}


class TestProvision:
    def test_provisions_a_town(self, vendor_api, vendor_staff):
        response = vendor_api.post("/api/v1/towns/", PROVISION, format="json")

        assert response.status_code == 201
        body = response.json()
        assert body["slug"] == "gamma"
        assert body["url"] == "http://gamma.comptoir.test/"
        assert body["plan"] == "territory"
        assert body["status"] == "trial"
        assert body["domains"] == ["gamma.comptoir.test"]
        assert body["figures"]["merchants"] == 0
        assert schema_exists("gamma")
        event = VendorAuditEvent.objects.get(town_schema="gamma")
        assert (event.action, event.actor_email) == ("provision", vendor_staff.email)

    def test_field_errors_from_the_service_are_a_400_and_nothing_is_made(self, vendor_api):
        response = vendor_api.post(
            "/api/v1/towns/",
            PROVISION | {"slug": "Not a slug", "admin_email": "nobody"},
            format="json",
        )

        assert response.status_code == 400
        assert set(response.json()) == {"slug", "admin_email"}
        assert response.json()["admin_email"] == ["Enter a valid e-mail address."]
        assert not Town.objects.filter(name="Gamma-la-Forêt").exists()
        assert not VendorAuditEvent.objects.filter(town_schema="gamma").exists()

    def test_a_taken_slug_is_a_400(self, vendor_api, town_a):
        response = vendor_api.post("/api/v1/towns/", PROVISION | {"slug": "alpha"}, format="json")

        assert response.status_code == 400
        assert response.json() == {"slug": ["The address “alpha” is already taken."]}
        assert Town.objects.filter(slug="alpha").count() == 1

    def test_missing_fields_are_a_400(self, vendor_api):
        response = vendor_api.post("/api/v1/towns/", {"plan": "gold"}, format="json")

        assert response.status_code == 400
        assert set(response.json()) == {"name", "slug", "admin_email", "plan"}
        assert not Town.objects.filter(slug="gamma").exists()


class TestDetail:
    def test_shows_one_town(self, vendor_api, town_a, django_assert_num_queries):
        # token with its user, the town with its figures, its domains (each after SET search_path)
        with django_assert_num_queries(6):
            response = vendor_api.get("/api/v1/towns/alpha/")

        assert response.status_code == 200
        assert response.json()["slug"] == "alpha"
        assert response.json()["domains"] == ["alpha.comptoir.test"]

    def test_unknown_town_is_a_404(self, vendor_api):
        assert vendor_api.get("/api/v1/towns/nowhere/").status_code == 404


class TestStatus:
    def test_suspends_then_reactivates(self, vendor_api, town_a, vendor_staff):
        suspended = vendor_api.post("/api/v1/towns/alpha/suspend/")
        assert suspended.status_code == 200
        assert suspended.json()["status"] == "suspended"
        assert Town.objects.get(pk=town_a.pk).status == "suspended"

        reactivated = vendor_api.post("/api/v1/towns/alpha/reactivate/")
        assert reactivated.status_code == 200
        assert reactivated.json()["status"] == "active"
        assert list(
            VendorAuditEvent.objects.filter(town_schema="alpha")
            .order_by("pk")
            .values_list("action", "actor_email")
        ) == [
            ("provision", ""),
            ("suspend", vendor_staff.email),
            ("reactivate", vendor_staff.email),
        ]

    def test_a_refused_move_is_a_409_and_changes_nothing(self, vendor_api, town_a):
        Town.objects.filter(pk=town_a.pk).update(status=Town.Status.ARCHIVED)

        response = vendor_api.post("/api/v1/towns/alpha/suspend/")

        assert response.status_code == 409
        assert "cannot become" in response.json()["detail"]
        assert Town.objects.get(pk=town_a.pk).status == "archived"
        assert not VendorAuditEvent.objects.filter(action="suspend").exists()

    def test_unknown_town_is_a_404(self, vendor_api):
        assert vendor_api.post("/api/v1/towns/nowhere/suspend/").status_code == 404

    def test_only_post_changes_a_status(self, vendor_api, town_a):
        assert vendor_api.get("/api/v1/towns/alpha/suspend/").status_code == 405
        assert Town.objects.get(pk=town_a.pk).status == "active"
