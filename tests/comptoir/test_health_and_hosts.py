"""Health endpoints, the root host and unknown hosts, answered before or instead of any town."""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir import health, routing
from comptoir.routing import town_for_host
from tenants.models import Domain
from tests.conftest import host_of

pytestmark = pytest.mark.smoke


class UnreachableDatabase:
    def cursor(self):
        raise OperationalError("connection refused")


class TestReadiness:
    def test_answers_503_when_the_database_is_unreachable(self, db, monkeypatch, settings):
        settings.REDIS_URL = ""
        monkeypatch.setattr(health, "connection", UnreachableDatabase())

        response = Client(HTTP_HOST="comptoir.test").get("/readyz")

        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "status": "unavailable",
            "database": "unreachable",
            "redis": "not configured",
        }

    def test_answers_503_when_redis_is_unreachable(self, db, settings):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"

        response = Client(HTTP_HOST="comptoir.test").get("/readyz")

        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "database": "ok",
            "redis": "unreachable",
        }

    def test_answers_200_when_all_is_well_even_on_an_unknown_host(self, db, settings):
        settings.REDIS_URL = ""

        response = Client(HTTP_HOST="nowhere.example.org").get("/readyz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}

    def test_liveness_needs_no_database(self, monkeypatch):
        monkeypatch.setattr(health, "connection", UnreachableDatabase())

        response = Client(HTTP_HOST="comptoir.test").get("/healthz")

        assert (response.status_code, response.json()) == (200, {"status": "ok"})


class TestHosts:
    @pytest.mark.parametrize("host", ["nowhere.comptoir.test", "alpha.example.org", "comptoir.fr"])
    def test_an_unknown_host_gets_the_platform_404_page(self, town_a, town_b, host):
        response = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en").get("/commerces/")

        assert response.status_code == 404
        body = response.content.decode()
        assert "There is no portal at this address" in body
        assert host in body
        assert town_a.name not in body and town_b.name not in body

    def test_an_unknown_host_speaks_the_visitors_language(self, db):
        english = Client(HTTP_HOST="nowhere.example.org", HTTP_ACCEPT_LANGUAGE="en").get("/")
        default = Client(HTTP_HOST="nowhere.example.org").get("/")

        assert '<html lang="en"' in english.content.decode()
        assert '<html lang="fr"' in default.content.decode()
        assert "There is no portal at this address" not in default.content.decode()

    def test_an_unknown_host_reaches_no_town_or_console_page(self, town_a):
        client = Client(HTTP_HOST="nowhere.comptoir.test")

        for path in ("/", "/console/", "/gestion/", "/api/v1/towns/", "/compte/connexion/"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert town_a.name not in response.content.decode()

    @pytest.mark.parametrize("host", ["comptoir.test", "www.comptoir.test"])
    def test_the_root_host_serves_the_vendor_site(self, town_a, host):
        response = Client(HTTP_HOST=host).get("/")

        assert response.status_code == 200
        assert response.context["town"] is None
        assert town_a.name not in response.content.decode()

    def test_a_town_host_is_matched_whatever_its_case_and_port(self, town_a):
        response = Client(HTTP_HOST=f"{host_of(town_a).upper()}:8000").get("/")

        assert response.status_code == 200
        assert response.context["town"].pk == town_a.pk

    def test_a_town_host_with_the_root_dot_is_the_town(self, town_a):
        response = Client(HTTP_HOST=f"{host_of(town_a)}.").get("/")

        assert response.status_code == 200
        assert response.context["town"].pk == town_a.pk


def domain_lookups(queries: CaptureQueriesContext) -> int:
    return sum('FROM "tenants_domain"' in query["sql"] for query in queries.captured_queries)


class TestRoutingCache:
    def test_a_known_host_costs_no_query_once_seen(self, town_a):
        with CaptureQueriesContext(connection) as first:
            assert town_for_host(host_of(town_a)).pk == town_a.pk
        with CaptureQueriesContext(connection) as second:
            again = town_for_host(host_of(town_a))

        assert (domain_lookups(first), len(second)) == (1, 0)
        assert again.pk == town_a.pk
        assert again.domain_url == host_of(town_a)

    def test_each_lookup_gets_its_own_copy(self, town_a):
        first = town_for_host(host_of(town_a))
        first.name = "Changed by a view"
        first._state.fields_cache["stats"] = None

        second = town_for_host(host_of(town_a))

        assert second is not first
        assert (second.pk, second.name, second._state.adding) == (town_a.pk, town_a.name, False)
        assert second._state.fields_cache == {}

    def test_unknown_hosts_are_not_remembered(self, db):
        """Any client may send any Host header: the cache never grows with them."""
        with CaptureQueriesContext(connection) as queries:
            for number in range(50):
                assert town_for_host(f"random-{number}.example.org") is None

        assert domain_lookups(queries) == 50
        assert routing._towns_by_host == {}

    def test_a_new_domain_routes_at_once_after_being_unknown(self, town_a):
        assert town_for_host("commerces.alpha.fr") is None

        Domain.objects.create(domain="commerces.alpha.fr", tenant=town_a, is_primary=False)

        assert town_for_host("commerces.alpha.fr").pk == town_a.pk
