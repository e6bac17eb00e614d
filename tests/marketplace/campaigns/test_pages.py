"""Campaign pages: the administration's list and form under /gestion/campagnes/, and the public
page /campagnes/<slug>/, with the other town kept out of both."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from marketplace.campaigns.models import Campaign
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.campaigns.factories import (
    campaign_create_row,
    merchant_create,
    product_create,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2030, 12, 10, 11, 0, tzinfo=PARIS)
DEC_1, DEC_24 = date(2030, 12, 1), date(2030, 12, 24)


@pytest.fixture(autouse=True)
def _frozen_town_clock(monkeypatch):
    monkeypatch.setattr("marketplace.campaigns.views.town_now", lambda: NOW)
    monkeypatch.setattr("surfaces.town_admin.views.campaigns.town_now", lambda: NOW)


@pytest.fixture
def admin_client_a(client_a, town_a, admin_a):
    return signed_in(client_a, town_a, admin_a.email)


@pytest.fixture
def admin_client_b(client_b, town_b, admin_b):
    return signed_in(client_b, town_b, admin_b.email)


# --- administration ---------------------------------------------------------------------------


@pytest.mark.smoke
def test_the_list_asks_a_visitor_to_sign_in(client_a):
    response = client_a.get("/gestion/campagnes/")

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=/gestion/campagnes/")


def test_the_list_is_forbidden_to_a_shopper(client_a, town_a):
    user_create(town_a, "client@alpha.test")
    signed_in(client_a, town_a, "client@alpha.test")

    assert client_a.get("/gestion/campagnes/").status_code == 403


@pytest.mark.parametrize("count", [1, 5])
def test_the_list_shows_every_campaign_in_constant_queries(
    admin_client_a, town_a, count, django_assert_num_queries
):
    merchant = merchant_create(town_a)
    for number in range(count):
        campaign_create_row(
            town_a,
            title=f"Campagne {number}",
            starts_on=DEC_1,
            ends_on=DEC_24,
            merchants=[merchant],
            products=[product_create(town_a, merchant)],
        )

    admin_client_a.get("/gestion/campagnes/")  # warm the routing cache

    # user, count, cart badge, page of campaigns (the session is read from the cache); each
    # after django-tenants' SET search_path
    with django_assert_num_queries(2 * 4, connection=connection):
        response = admin_client_a.get("/gestion/campagnes/")

    assert response.status_code == 200
    assert len(response.context["campaigns"]) == count
    assert response.context["campaigns"][0].merchant_count == 1
    assert response.context["campaigns"][0].product_count == 1
    assert "Campagne 0" in response.content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_the_form_pages_cost_the_same_queries_whatever_the_merchants(
    admin_client_a, town_a, count, django_assert_num_queries
):
    merchants = [merchant_create(town_a, name=f"Boutique {n}") for n in range(count)]
    products = [product_create(town_a, merchant) for merchant in merchants]
    campaign = campaign_create_row(
        town_a, starts_on=DEC_1, ends_on=DEC_24, merchants=merchants, products=products
    )
    admin_client_a.get("/gestion/campagnes/")  # warm the routing cache

    # user, cart badge (each after django-tenants' SET search_path; the session is read from
    # the cache), then the merchants to choose from, read through a server-side cursor on the
    # same search path
    with django_assert_num_queries(2 * 2 + 1, connection=connection):
        blank = admin_client_a.get("/gestion/campagnes/nouvelle/")
    # the same, and the campaign with its merchants and its products
    with django_assert_num_queries(2 * 5 + 1, connection=connection):
        edit = admin_client_a.get(f"/gestion/campagnes/{campaign.pk}/")

    assert blank.status_code == edit.status_code == 200
    assert edit.content.decode().count('name="merchants"') == count
    assert len(edit.context["form"].initial["products"].splitlines()) == count


def test_admin_creates_a_campaign_through_the_form(admin_client_a, town_a):
    merchant = merchant_create(town_a, name="Fleurs du Lac")
    product = product_create(town_a, merchant, title="Couronne de l'Avent")

    response = admin_client_a.get("/gestion/campagnes/nouvelle/")
    assert response.status_code == 200
    assert "Fleurs du Lac" in response.content.decode()

    response = admin_client_a.post(
        "/gestion/campagnes/nouvelle/",
        {
            "title": "Noël dans nos commerces",
            "text": "Des cadeaux près de chez vous.",
            "starts_on": "2030-12-01",
            "ends_on": "2030-12-24",
            "image_alt": "",
            "merchants": [merchant.pk],
            "products": f"https://{town_a.primary_domain_name}/produits/{product.slug}/\n\n",
        },
    )

    with inside(town_a):
        campaign = Campaign.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/gestion/campagnes/{campaign.pk}/"
        assert campaign.title == "Noël dans nos commerces"
        assert campaign.is_published is False
        assert list(campaign.featured_merchants.all()) == [merchant]
        assert list(campaign.featured_products.all()) == [product]


def test_the_form_names_lines_that_are_not_products_and_creates_nothing(admin_client_a, town_a):
    response = admin_client_a.post(
        "/gestion/campagnes/nouvelle/",
        {
            "title": "Noël",
            "starts_on": "2030-12-01",
            "ends_on": "2030-12-24",
            "products": "/produits/nulle-part/\nn'importe quoi",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "products": [
            "These lines are not products on the portal: n'importe quoi, /produits/nulle-part/"
        ]
    }
    with inside(town_a):
        assert Campaign.objects.count() == 0


def test_an_over_long_text_is_refused_and_the_form_says_the_limit(admin_client_a, town_a):
    assert "5,000 characters at most." in (
        admin_client_a.get("/gestion/campagnes/nouvelle/").content.decode()
    )

    response = admin_client_a.post(
        "/gestion/campagnes/nouvelle/",
        {
            "title": "Noël",
            "starts_on": "2030-12-01",
            "ends_on": "2030-12-24",
            "text": "a" * 200_000,
        },
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["text"]
    with inside(town_a):
        assert Campaign.objects.count() == 0


def test_the_services_refusal_shows_on_the_form_field(admin_client_a, town_a):
    response = admin_client_a.post(
        "/gestion/campagnes/nouvelle/",
        {"title": "Noël", "starts_on": "2030-12-24", "ends_on": "2030-12-01"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "ends_on": ["The last day cannot come before the first day."]
    }
    with inside(town_a):
        assert Campaign.objects.count() == 0


def test_admin_edits_a_campaign(admin_client_a, town_a):
    merchant = merchant_create(town_a)
    product = product_create(town_a, merchant)
    campaign = campaign_create_row(
        town_a, title="Noël", starts_on=DEC_1, ends_on=DEC_24, products=[product]
    )

    page = admin_client_a.get(f"/gestion/campagnes/{campaign.pk}/")
    assert page.status_code == 200
    assert page.context["form"].initial["products"] == f"/produits/{product.slug}/"

    response = admin_client_a.post(
        f"/gestion/campagnes/{campaign.pk}/",
        {
            "title": "Noël solidaire",
            "text": "",
            "starts_on": "2030-12-01",
            "ends_on": "2030-12-31",
            "products": "",
        },
    )

    assert response.status_code == 302
    with inside(town_a):
        campaign.refresh_from_db()
        assert (campaign.title, campaign.ends_on) == ("Noël solidaire", date(2030, 12, 31))
        assert campaign.featured_products.count() == 0


def test_admin_publishes_withdraws_and_deletes(admin_client_a, town_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, is_published=False)

    assert admin_client_a.post(f"/gestion/campagnes/{campaign.pk}/publier/").status_code == 302
    with inside(town_a):
        assert Campaign.objects.get(pk=campaign.pk).is_published is True

    refused = admin_client_a.post(f"/gestion/campagnes/{campaign.pk}/supprimer/", follow=True)
    assert "Withdraw the campaign from the portal before deleting it." in refused.content.decode()
    with inside(town_a):
        assert Campaign.objects.filter(pk=campaign.pk).exists()

    assert admin_client_a.post(f"/gestion/campagnes/{campaign.pk}/retirer/").status_code == 302
    # The list's "Delete" leads to a page that asks first; opening it deletes nothing.
    confirm = admin_client_a.get(f"/gestion/campagnes/{campaign.pk}/supprimer/")
    assert confirm.status_code == 200
    assert "Delete the campaign" in confirm.content.decode()
    with inside(town_a):
        assert Campaign.objects.filter(pk=campaign.pk).exists()
    assert admin_client_a.post(f"/gestion/campagnes/{campaign.pk}/supprimer/").status_code == 302
    with inside(town_a):
        assert not Campaign.objects.filter(pk=campaign.pk).exists()


def test_actions_are_post_only(admin_client_a, town_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, is_published=False)

    assert admin_client_a.get(f"/gestion/campagnes/{campaign.pk}/publier/").status_code == 405
    with inside(town_a):
        assert Campaign.objects.get(pk=campaign.pk).is_published is False


# --- isolation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", ""),
        ("post", "publier/"),
        ("post", "retirer/"),
        ("get", "supprimer/"),
        ("post", "supprimer/"),
    ],
)
def test_another_towns_admin_cannot_reach_a_campaign(admin_client_b, town_a, method, suffix):
    # Given a draft campaign of Alpha, and Beta with no campaign at all
    campaign = campaign_create_row(
        town_a, title="Noël", starts_on=DEC_1, ends_on=DEC_24, is_published=False
    )

    # When Beta's admin aims at its id on Beta's host
    response = getattr(admin_client_b, method)(
        f"/gestion/campagnes/{campaign.pk}/{suffix}",
        {"title": "Piraté", "starts_on": "2030-12-01", "ends_on": "2030-12-02"},
    )

    # Then it does not exist there, and Alpha's campaign is untouched
    assert response.status_code == 404
    with inside(town_a):
        campaign.refresh_from_db()
        assert (campaign.title, campaign.is_published) == ("Noël", False)


def test_another_towns_admin_session_means_nothing_on_this_town(admin_client_b, town_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, is_published=False)

    response = admin_client_b.post(
        f"/gestion/campagnes/{campaign.pk}/publier/", HTTP_HOST=town_a.primary_domain_name
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    with inside(town_a):
        assert Campaign.objects.get(pk=campaign.pk).is_published is False


# --- public page -----------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 10])
def test_the_page_shows_the_featured_items_in_constant_queries(
    client_a, town_a, count, django_assert_num_queries
):
    merchants = [
        merchant_create(town_a, name=f"Boutique {n}", opens=time(9), closes=time(19))
        for n in range(count)
    ]
    products = [
        product_create(town_a, merchant, title=f"Cadeau {n}", photo=True)
        for n, merchant in enumerate(merchants)
    ]
    campaign = campaign_create_row(
        town_a,
        title="Noël dans nos commerces",
        text="Des idées près de chez vous.",
        starts_on=DEC_1,
        ends_on=DEC_24,
        merchants=merchants,
        products=products,
    )

    client_a.get("/")  # warm the routing cache

    # campaign, products, variants, photos, merchants, opening hours, special hours
    with django_assert_num_queries(2 * 7, connection=connection):
        response = client_a.get(f"/campagnes/{campaign.slug}/")

    assert response.status_code == 200
    content = response.context["content"]
    assert len(content.products) == count
    assert len(content.merchants) == count
    assert content.is_running is True
    assert all(merchant.open_now for merchant in content.merchants)
    html = response.content.decode()
    assert '<h1 id="campaign-title">Noël dans nos commerces</h1>' in html
    assert "Cadeau 0" in html


def test_a_draft_is_hidden_from_the_public_and_previewed_by_admins(client_a, town_a, admin_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, is_published=False)

    assert client_a.get(f"/campagnes/{campaign.slug}/").status_code == 404

    signed_in(client_a, town_a, admin_a.email)
    preview = client_a.get(f"/campagnes/{campaign.slug}/")
    assert preview.status_code == 200
    assert preview.context["is_preview"] is True


def test_an_upcoming_campaign_is_not_public_yet(client_a, town_a):
    campaign = campaign_create_row(town_a, starts_on=date(2030, 12, 11), ends_on=DEC_24)

    assert client_a.get(f"/campagnes/{campaign.slug}/").status_code == 404


def test_an_ended_campaign_keeps_its_page_and_says_so(client_a, town_a):
    campaign = campaign_create_row(town_a, starts_on=date(2030, 11, 1), ends_on=date(2030, 11, 30))

    response = client_a.get(f"/campagnes/{campaign.slug}/")

    assert response.status_code == 200
    assert response.context["content"].has_ended is True
    assert "This campaign has ended" in response.content.decode()


def test_the_page_leaves_out_items_no_longer_on_the_portal(client_a, town_a):
    shown = merchant_create(town_a, name="Visible")
    suspended = merchant_create(town_a, name="Suspendue", status="suspended")
    unpublished = product_create(town_a, shown, title="Retiré", is_published=False)
    campaign = campaign_create_row(
        town_a,
        starts_on=DEC_1,
        ends_on=DEC_24,
        merchants=[shown, suspended],
        products=[unpublished],
    )

    content = client_a.get(f"/campagnes/{campaign.slug}/").context["content"]

    assert [m.name for m in content.merchants] == ["Visible"]
    assert content.products == []


def test_a_campaign_slug_of_one_town_is_a_404_on_another(client_b, town_a):
    campaign = campaign_create_row(town_a, starts_on=DEC_1, ends_on=DEC_24, slug="noel-alpha")

    assert client_b.get(f"/campagnes/{campaign.slug}/").status_code == 404
