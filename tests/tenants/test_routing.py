import pytest
from django.test import Client

from tests.conftest import host_of, signed_in

pytestmark = pytest.mark.smoke


def test_town_host_serves_its_own_branding(client_a, client_b, town_a, town_b):
    page_a = client_a.get("/").content.decode()
    page_b = client_b.get("/").content.decode()

    assert town_a.name in page_a and town_b.name not in page_a
    assert town_b.name in page_b and town_a.name not in page_b


def test_unknown_host_gets_the_platform_404_not_a_town(db, town_a):
    response = Client(HTTP_HOST="nowhere.comptoir.test").get("/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "nowhere.comptoir.test" in body
    assert town_a.name not in body


def test_root_host_serves_the_vendor_site(root_client, town_a):
    response = root_client.get("/")

    assert response.status_code == 200
    assert town_a.name not in response.content.decode()


def test_health_endpoints_answer_on_every_host(db, town_a):
    for host in ("comptoir.test", host_of(town_a), "unknown.example.org"):
        client = Client(HTTP_HOST=host)
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["database"] == "ok"


def test_session_of_one_town_is_worthless_in_another(client_a, town_a, town_b, admin_a):
    signed_in(client_a, town_a, admin_a.email)
    assert client_a.get("/gestion/").status_code == 200

    # The same cookie jar, sent to the other town's host.
    client_a.defaults["HTTP_HOST"] = host_of(town_b)
    response = client_a.get("/gestion/")

    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


def test_sign_in_page_leads_to_sign_up(client_a):
    body = client_a.get("/compte/connexion/").content.decode()

    assert 'href="/compte/inscription/"' in body
