"""Signing out lands on the town's home; reset links ignore a forged Host header."""

import pytest
from django.core import mail

from tests.conftest import signed_in, user_create

pytestmark = pytest.mark.django_db


def test_sign_out_lands_on_the_home_page_signed_out(client_a, town_a):
    user_create(town_a, "ana@example.org")
    client = signed_in(client_a, town_a, "ana@example.org")

    response = client.post("/compte/deconnexion/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "_auth_user_id" not in client.session
    assert "Vous êtes déconnecté·e." in response.content.decode()


def test_reset_link_uses_the_towns_domain_not_the_request_host(client_a, town_a):
    user_create(town_a, "ana@example.org")

    client_a.post(
        "/compte/mot-de-passe/oublie/",
        {"email": "ana@example.org"},
        # Routing strips "www." and ignores the port, so this forged Host still reaches town A.
        HTTP_HOST=f"www.{town_a.primary_domain_name}:6666",
    )

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"://{town_a.primary_host}/compte/activer/" in body
    assert "www." not in body and ":6666" not in body
