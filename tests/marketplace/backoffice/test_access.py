"""Who reaches the back office: members of the shop only, each in their own shop and town."""

import pytest
from django.test import Client

from marketplace.directory.models import MerchantMember
from tests.conftest import host_of, inside, signed_in
from tests.marketplace.backoffice.builders import member_add, shop_create

PAGES = [
    "/boutique/",
    "/boutique/choisir/",
    "/boutique/produits/",
    "/boutique/produits/nouveau/",
    "/boutique/produits/prix-et-stock/",
    "/boutique/commandes/",
    "/boutique/profil/",
    "/boutique/horaires/",
    "/boutique/equipe/",
    "/boutique/messages/",
    "/boutique/rendez-vous/",
    "/boutique/rendez-vous/creneaux/",
]


@pytest.mark.smoke
@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client_a, shop_a, url):
    response = client_a.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=")


@pytest.mark.smoke
@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_shopper_who_runs_no_shop_is_refused(shopper_client, shop_a, url):
    assert shopper_client.get(url).status_code == 403


@pytest.mark.smoke
@pytest.mark.parametrize("url", PAGES)
def test_the_owner_reaches_every_page(owner_client, url):
    assert owner_client.get(url).status_code == 200


@pytest.mark.parametrize("url", [page for page in PAGES if page != "/boutique/equipe/"])
def test_staff_reach_every_page_but_the_team(staff_client, url):
    assert staff_client.get(url).status_code == 200


def test_staff_cannot_open_the_team_page(staff_client):
    assert staff_client.get("/boutique/equipe/").status_code == 403


def test_a_session_of_town_b_is_anonymous_on_town_a(town_a, town_b, shop_a, shop_b):
    client = signed_in(Client(HTTP_HOST=host_of(town_b)), town_b, "owner@beta.test")
    assert client.get("/boutique/").status_code == 200

    client.defaults["HTTP_HOST"] = host_of(town_a)
    response = client.get("/boutique/")

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


def test_a_member_of_two_shops_chooses_one_and_stays_on_it(english, town_a, shop_a, owner_a):
    second = shop_create(town_a, name="Zinnia Atelier")
    member_add(town_a, second, owner_a.email, MerchantMember.Role.STAFF)
    client = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, owner_a.email)

    chooser = client.get("/boutique/choisir/").content.decode()
    assert "Fleurs de Lys" in chooser and "Zinnia Atelier" in chooser
    # The first shop by name until another is chosen.
    assert client.get("/boutique/").context["merchant"].pk == shop_a.pk

    assert client.get(f"/boutique/?boutique={second.slug}").context["merchant"].pk == second.pk
    assert client.get("/boutique/produits/").context["merchant"].pk == second.pk
    # Staff there: the team page is the owner's only.
    assert client.get("/boutique/equipe/").status_code == 403


def test_a_remembered_shop_the_member_left_falls_back_to_another(town_a, shop_a, owner_a):
    second = shop_create(town_a, name="Zinnia Atelier")
    member_add(town_a, second, owner_a.email, MerchantMember.Role.OWNER)
    client = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, owner_a.email)
    client.get(f"/boutique/?boutique={second.slug}")
    with inside(town_a):
        MerchantMember.objects.filter(merchant=second).delete()

    response = client.get("/boutique/")

    assert response.status_code == 200
    assert response.context["merchant"].pk == shop_a.pk


def test_choosing_a_shop_one_does_not_run_is_refused(owner_client, rival_a):
    assert owner_client.get(f"/boutique/?boutique={rival_a.slug}").status_code == 403
