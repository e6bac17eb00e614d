"""/gestion/commercants/: the town's administrators list applications and approve or refuse them."""

import re

import pytest

from marketplace.directory.models import Merchant
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.directory.conftest import member_create, merchant_create, queries_for


@pytest.fixture
def pending_a(town_a):
    merchant = merchant_create(town_a, name="La Fromagerie du Port", status=Merchant.Status.PENDING)
    member_create(town_a, merchant, "claire@fromagerie.test")
    return merchant


def status_of(town, merchant) -> str:
    with inside(town):
        return Merchant.objects.get(pk=merchant.pk).status


@pytest.mark.smoke
def test_the_admin_sees_pending_applications_with_their_applicant(
    client_a, town_a, admin_a, pending_a, english
):
    merchant_create(town_a, name="Déjà approuvé")
    signed_in(client_a, town_a, admin_a.email)

    response = client_a.get("/gestion/commercants/")

    assert response.status_code == 200
    body = response.content.decode()
    assert re.findall(r'data-merchant="(\d+)"', body) == [str(pending_a.pk)]
    assert "claire@fromagerie.test" in body
    assert f'action="/gestion/commercants/{pending_a.pk}/approuver/"' in body
    assert f'action="/gestion/commercants/{pending_a.pk}/refuser/"' in body
    assert "Déjà approuvé" not in body


def test_pending_list_queries_stay_the_same_for_one_or_many(client_a, town_a, admin_a, pending_a):
    signed_in(client_a, town_a, admin_a.email)
    one = queries_for(client_a, "/gestion/commercants/")

    for number in range(10):
        merchant = merchant_create(
            town_a, name=f"Candidat {number}", status=Merchant.Status.PENDING
        )
        member_create(town_a, merchant, f"candidat{number}@alpha.test")

    assert queries_for(client_a, "/gestion/commercants/") == one == 6


def test_approving_puts_the_merchant_on_the_portal(
    client_a, town_a, admin_a, pending_a, django_capture_on_commit_callbacks, mailoutbox
):
    signed_in(client_a, town_a, admin_a.email)
    assert client_a.get(f"/commerces/{pending_a.slug}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(f"/gestion/commercants/{pending_a.pk}/approuver/")

    assert response.status_code == 302
    assert response["Location"] == "/gestion/commercants/"
    assert status_of(town_a, pending_a) == Merchant.Status.APPROVED
    assert client_a.get(f"/commerces/{pending_a.slug}/").status_code == 200
    assert mailoutbox[0].to == ["claire@fromagerie.test"]


def test_refusing_needs_a_reason(client_a, town_a, admin_a, pending_a, mailoutbox):
    signed_in(client_a, town_a, admin_a.email)

    client_a.post(f"/gestion/commercants/{pending_a.pk}/refuser/", {"reason": ""})
    assert status_of(town_a, pending_a) == Merchant.Status.PENDING

    client_a.post(f"/gestion/commercants/{pending_a.pk}/refuser/", {"reason": "Hors commune."})
    with inside(town_a):
        merchant = Merchant.objects.get(pk=pending_a.pk)
    assert (merchant.status, merchant.review_reason) == (Merchant.Status.REJECTED, "Hors commune.")


def test_a_decided_application_gets_a_message_not_an_error(client_a, town_a, admin_a, english):
    approved = merchant_create(town_a)
    signed_in(client_a, town_a, admin_a.email)

    response = client_a.post(f"/gestion/commercants/{approved.pk}/approuver/", follow=True)

    assert response.status_code == 200
    assert "already decided" in response.content.decode()


def test_merchants_and_shoppers_get_a_403(client_a, town_a, pending_a):
    user_create(town_a, "paul@alpha.test")
    signed_in(client_a, town_a, "paul@alpha.test")

    assert client_a.get("/gestion/commercants/").status_code == 403
    assert client_a.post(f"/gestion/commercants/{pending_a.pk}/approuver/").status_code == 403
    assert status_of(town_a, pending_a) == Merchant.Status.PENDING


def test_anonymous_visitors_are_sent_to_sign_in(client_a, pending_a, town_a):
    response = client_a.post(f"/gestion/commercants/{pending_a.pk}/approuver/")

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    assert status_of(town_a, pending_a) == Merchant.Status.PENDING


def test_town_b_s_admin_session_is_worthless_on_town_a(
    client_b, town_a, town_b, admin_b, pending_a
):
    signed_in(client_b, town_b, admin_b.email)
    client_b.defaults["HTTP_HOST"] = town_a.primary_domain_name

    listing = client_b.get("/gestion/commercants/")
    approval = client_b.post(f"/gestion/commercants/{pending_a.pk}/approuver/")

    assert listing.status_code == approval.status_code == 302
    assert approval["Location"].startswith("/compte/connexion/")
    assert status_of(town_a, pending_a) == Merchant.Status.PENDING


def test_town_b_s_admin_cannot_reach_town_a_s_application_by_id(
    client_b, town_a, town_b, admin_b, pending_a
):
    signed_in(client_b, town_b, admin_b.email)

    response = client_b.post(f"/gestion/commercants/{pending_a.pk}/approuver/")

    assert response.status_code == 404
    assert status_of(town_a, pending_a) == Merchant.Status.PENDING
