"""A suspended town is closed but to its administrators; an archived one is read-only."""

import pytest
from django.test import Client

from tenants.models import Town
from tenants.services.lifecycle import town_status_set
from tests.conftest import TEST_PASSWORD, host_of, user_create

pytestmark = pytest.mark.smoke

SUSPENDED_TEXT = "This portal is temporarily unavailable"
READ_ONLY_TEXT = "This portal is archived: it can be read, not changed."


def english_client(town: Town) -> Client:
    return Client(HTTP_HOST=host_of(town), HTTP_ACCEPT_LANGUAGE="en")


def sign_in(client: Client, email: str) -> None:
    response = client.post("/compte/connexion/", {"username": email, "password": TEST_PASSWORD})
    assert response.status_code == 302


class TestSuspended:
    @pytest.fixture
    def suspended(self, town_a: Town) -> Town:
        return town_status_set(town=town_a, status=Town.Status.SUSPENDED)

    @pytest.mark.parametrize("path", ["/", "/commerces/", "/gestion/", "/api/v1/schema/"])
    def test_shoppers_get_the_suspended_page(self, suspended, path):
        response = english_client(suspended).get(path)

        assert response.status_code == 503
        body = response.content.decode()
        assert SUSPENDED_TEXT in body
        assert suspended.name in body

    def test_a_signed_in_shopper_is_closed_out_too(self, suspended):
        user_create(suspended, "shopper@alpha.test")
        client = english_client(suspended)
        sign_in(client, "shopper@alpha.test")

        response = client.get("/")

        assert response.status_code == 503
        assert SUSPENDED_TEXT in response.content.decode()

    def test_the_town_admin_signs_in_and_works(self, suspended, admin_a):
        client = english_client(suspended)
        assert client.get("/compte/connexion/").status_code == 200

        sign_in(client, admin_a.email)

        assert client.get("/gestion/").status_code == 200
        assert client.get("/").status_code == 200

    def test_other_towns_stay_open(self, suspended, town_b):
        assert english_client(town_b).get("/").status_code == 200

    def test_reactivated_it_serves_everyone_again(self, suspended):
        town_status_set(town=suspended, status=Town.Status.ACTIVE)

        response = english_client(suspended).get("/")

        assert response.status_code == 200
        assert SUSPENDED_TEXT not in response.content.decode()

    def test_health_still_answers(self, suspended):
        assert english_client(suspended).get("/healthz").status_code == 200


class TestArchived:
    @pytest.fixture
    def archived(self, town_a: Town) -> Town:
        return town_status_set(town=town_a, status=Town.Status.ARCHIVED)

    def test_pages_can_be_read(self, archived):
        response = english_client(archived).get("/")

        assert response.status_code == 200
        assert archived.name in response.content.decode()

    def test_a_write_is_refused_with_the_read_only_page(self, archived, admin_a, mailoutbox):
        response = english_client(archived).post(
            "/compte/mot-de-passe/oublie/", {"email": admin_a.email}
        )

        assert response.status_code == 403
        assert READ_ONLY_TEXT in response.content.decode()
        assert mailoutbox == []

    def test_its_admin_may_still_sign_in_and_read(self, archived, admin_a):
        client = english_client(archived)

        sign_in(client, admin_a.email)

        assert client.get("/gestion/").status_code == 200
        assert client.post("/gestion/").status_code == 403

    def test_once_active_writes_work_again(self, archived, admin_a, mailoutbox):
        town_status_set(town=archived, status=Town.Status.ACTIVE)

        response = english_client(archived).post(
            "/compte/mot-de-passe/oublie/", {"email": admin_a.email}
        )

        assert response.status_code == 302
        assert [m.to for m in mailoutbox] == [[admin_a.email]]


def test_the_suspended_page_speaks_french_by_default(town_a):
    town_status_set(town=town_a, status=Town.Status.SUSPENDED)

    response = Client(HTTP_HOST=host_of(town_a)).get("/")

    assert response.status_code == 503
    assert "Ce portail est temporairement indisponible" in response.content.decode()
