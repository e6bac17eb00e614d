"""Opening a town's administration as vendor: audited, two minutes, once, for that town only."""

import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core import signing
from django.test import Client

from comptoir.accounts.models import User
from tenants.models import Town, VendorAccessNonce, VendorAuditEvent
from tests.conftest import host_of, inside, signed_in

SUPPORT_EMAIL = "vendor+staff@comptoir.invalid"


def _open(console: Client, town: Town) -> str:
    """Press the console's button; returns the path of the link on the town's host."""
    response = console.post(f"/console/villes/{town.slug}/ouvrir-gestion/")
    assert response.status_code == 302
    link = urlsplit(response["Location"])
    assert (link.scheme, link.netloc) == ("http", host_of(town))
    return link.path


def _support_users(town: Town) -> list[str]:
    with inside(town):
        return list(
            User.objects.filter(email__startswith="vendor+").values_list("email", flat=True)
        )


def test_opening_is_audited_and_gives_a_link_to_the_town(console, town_a, vendor_staff):
    path = _open(console, town_a)

    assert path.startswith("/gestion/acces-vendeur/")
    event = VendorAuditEvent.objects.get(town_schema="alpha", action="open_admin")
    assert event.actor_email == vendor_staff.email
    nonce = VendorAccessNonce.objects.get()
    assert (nonce.town_schema, nonce.staff_email, nonce.used_at) == (
        "alpha",
        vendor_staff.email,
        None,
    )


def test_the_link_signs_in_as_the_towns_support_administrator(console, client_a, town_a, english):
    path = _open(console, town_a)

    response = client_a.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/gestion/"
    with inside(town_a):
        support = User.objects.get(email=SUPPORT_EMAIL)
    assert support.is_town_admin is True
    assert support.full_name == "Comptoir support (Vera Vendor)"
    assert not is_password_usable(support.password)
    assert client_a.get("/gestion/").status_code == 200
    assert VendorAccessNonce.objects.get().used_at is not None


def test_the_link_works_once(console, client_a, town_a, english):
    path = _open(console, town_a)
    assert client_a.get(path).status_code == 302
    replay = Client(HTTP_HOST=host_of(town_a))

    response = replay.get(path)

    assert response.status_code == 403
    assert "already been used" in response.content.decode()
    assert replay.get("/gestion/").status_code == 302
    assert _support_users(town_a) == [SUPPORT_EMAIL]


def test_an_expired_link_is_refused(console, client_a, town_a, monkeypatch, english):
    issued = time.time() - 121
    monkeypatch.setattr(signing.time, "time", lambda: issued)
    path = _open(console, town_a)
    monkeypatch.undo()

    response = client_a.get(path)

    assert response.status_code == 403
    assert "expired" in response.content.decode()
    assert _support_users(town_a) == []
    assert VendorAccessNonce.objects.get().used_at is None


def test_a_link_for_another_town_is_refused(console, client_b, town_a, town_b, english):
    path = _open(console, town_a)

    response = client_b.get(path)

    assert response.status_code == 403
    assert "another town" in response.content.decode()
    assert _support_users(town_b) == []
    assert _support_users(town_a) == []
    assert VendorAccessNonce.objects.get().used_at is None
    assert client_b.get("/gestion/").status_code == 302


def test_a_forged_link_is_refused(client_a, town_a):
    forged = signing.dumps({"nonce": "x", "schema": "alpha"}, salt="another-salt")

    response = client_a.get(f"/gestion/acces-vendeur/{forged}/")

    assert response.status_code == 403
    assert _support_users(town_a) == []


def test_a_second_visit_reuses_the_support_account(console, town_a):
    for _ in range(2):
        assert Client(HTTP_HOST=host_of(town_a)).get(_open(console, town_a)).status_code == 302

    assert _support_users(town_a) == [SUPPORT_EMAIL]
    assert VendorAuditEvent.objects.filter(town_schema="alpha", action="open_admin").count() == 2


def test_a_disabled_support_account_is_refused_and_the_link_kept(console, client_a, town_a):
    with inside(town_a):
        User.objects.create_user(SUPPORT_EMAIL, None, is_town_admin=True, is_active=False)
    path = _open(console, town_a)

    response = client_a.get(path)

    assert response.status_code == 403
    assert VendorAccessNonce.objects.get().used_at is None


def test_works_on_a_suspended_town(console, client_a, town_a):
    Town.objects.filter(pk=town_a.pk).update(status=Town.Status.SUSPENDED)

    response = client_a.get(_open(console, town_a))

    assert response.status_code == 302
    assert client_a.get("/gestion/").status_code == 200


def test_town_users_cannot_open_another_towns_administration(client_a, town_a, admin_a):
    signed_in(client_a, town_a, admin_a.email)

    response = client_a.post("/console/villes/beta/ouvrir-gestion/")

    assert response.status_code == 404
    assert not VendorAccessNonce.objects.exists()
    assert not VendorAuditEvent.objects.filter(action="open_admin").exists()


@pytest.mark.parametrize("method", ["get", "put"])
def test_only_post_opens_a_town(console, town_a, method):
    response = getattr(console, method)("/console/villes/alpha/ouvrir-gestion/")

    assert response.status_code == 405
    assert not VendorAccessNonce.objects.exists()
