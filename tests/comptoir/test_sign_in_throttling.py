"""Sign-in throttling (django-axes) on every sign-in form: per account, per address, per town."""

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import TEST_PASSWORD, host_of, user_create

pytestmark = pytest.mark.django_db

LOCKED = "La connexion a échoué trop de fois"


def _sign_in(client: Client, path: str, email: str, password: str, address: str = "10.0.0.1"):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=address)


def _fail(client: Client, path: str, email: str, times: int, *, addresses=None) -> None:
    for attempt in range(times):
        address = addresses[attempt] if addresses else "10.0.0.1"
        response = _sign_in(client, path, email, "wrong-password", address)
        # The form again, with its error; the failure that reaches the limit locks at once.
        locking = attempt + 1 == settings.AXES_FAILURE_LIMIT
        assert response.status_code == (429 if locking else 200)


def test_five_wrong_passwords_then_the_right_one_is_refused_with_when_to_retry(client_a, town_a):
    user_create(town_a, "marie@alpha.test")
    _fail(client_a, "/compte/connexion/", "marie@alpha.test", settings.AXES_FAILURE_LIMIT)

    response = _sign_in(client_a, "/compte/connexion/", "marie@alpha.test", TEST_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "réessayez dans 15 minutes" in page
    assert "_auth_user_id" not in client_a.session


def test_an_account_is_locked_whatever_address_the_attempts_come_from(client_a, town_a):
    user_create(town_a, "marie@alpha.test")
    addresses = [f"10.0.1.{number}" for number in range(settings.AXES_FAILURE_LIMIT)]
    _fail(client_a, "/compte/connexion/", "marie@alpha.test", len(addresses), addresses=addresses)

    response = _sign_in(
        client_a, "/compte/connexion/", "marie@alpha.test", TEST_PASSWORD, "10.9.9.9"
    )

    assert response.status_code == 429


def test_an_address_is_locked_whatever_account_it_tries(client_a, town_a):
    user_create(town_a, "paul@alpha.test")
    for number in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client_a, "/compte/connexion/", f"guess{number}@alpha.test", "x")

    assert (
        _sign_in(client_a, "/compte/connexion/", "paul@alpha.test", TEST_PASSWORD).status_code
        == 429
    )
    # Another address signs the same account in.
    other = _sign_in(client_a, "/compte/connexion/", "paul@alpha.test", TEST_PASSWORD, "10.0.0.2")
    assert other.status_code == 302


def test_a_success_before_the_limit_clears_the_count(client_a, town_a):
    user_create(town_a, "marie@alpha.test")
    _fail(client_a, "/compte/connexion/", "marie@alpha.test", settings.AXES_FAILURE_LIMIT - 1)
    assert (
        _sign_in(client_a, "/compte/connexion/", "marie@alpha.test", TEST_PASSWORD).status_code
        == 302
    )
    client_a.post("/compte/deconnexion/")

    _fail(client_a, "/compte/connexion/", "marie@alpha.test", settings.AXES_FAILURE_LIMIT - 1)

    assert (
        _sign_in(client_a, "/compte/connexion/", "marie@alpha.test", TEST_PASSWORD).status_code
        == 302
    )


def test_failures_in_one_town_lock_nothing_in_another(client_a, client_b, town_a, town_b):
    user_create(town_a, "marie@alpha.test")
    user_create(town_b, "marie@alpha.test")
    _fail(client_a, "/compte/connexion/", "marie@alpha.test", settings.AXES_FAILURE_LIMIT)
    assert (
        _sign_in(client_a, "/compte/connexion/", "marie@alpha.test", TEST_PASSWORD).status_code
        == 429
    )

    response = _sign_in(client_b, "/compte/connexion/", "marie@alpha.test", TEST_PASSWORD)

    assert response.status_code == 302
    assert host_of(town_b) in response.wsgi_request.get_host()


def test_the_console_sign_in_is_throttled_too(vendor_staff):
    root = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    _fail(root, "/console/connexion/", vendor_staff.email, settings.AXES_FAILURE_LIMIT)

    response = _sign_in(root, "/console/connexion/", vendor_staff.email, TEST_PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_behind_the_ingress_each_visitor_is_counted_by_their_own_address(
    client_a, town_a, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    user_create(town_a, "paul@alpha.test")
    for number in range(settings.AXES_FAILURE_LIMIT):
        client_a.post(
            "/compte/connexion/",
            {"username": f"guess{number}@alpha.test", "password": "x"},
            REMOTE_ADDR="10.1.1.1",  # the ingress
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",  # a forged entry, then the attacker
        )

    # Another visitor behind the same ingress is not locked out with the attacker.
    response = client_a.post(
        "/compte/connexion/",
        {"username": "paul@alpha.test", "password": TEST_PASSWORD},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert response.status_code == 302
