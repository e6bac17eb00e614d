"""The town's shell: home, legal notice and accessibility pages, landmarks, language, meta."""

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.routing import town_routing_forget
from tenants.models import Town
from tests.conftest import cache_empty, host_of, signed_in, user_create

pytestmark = pytest.mark.django_db

SHELL_PAGES = ["/", "/mentions-legales/", "/accessibilite/"]


@pytest.fixture(autouse=True)
def _fresh_routing_cache() -> Iterator[None]:
    """Town rows changed here are rolled back; the process's routing cache must forget them."""
    town_routing_forget()
    yield
    town_routing_forget()


def branding_set(town: Town, **fields: object) -> None:
    Town.objects.filter(pk=town.pk).update(**fields)
    town_routing_forget()


def html_of(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_the_towns_tagline_welcome_and_colours(client_a, town_a):
    branding_set(
        town_a,
        tagline="Le marché de la Mer",
        welcome_text="Premier paragraphe.\n\nSecond paragraphe.",
        primary_colour="#5a2d82",
        accent_colour="#8a1538",
    )

    body = html_of(client_a, "/")

    assert '<h1 id="hero-title">Alpha-sur-Mer</h1>' in body
    assert '<p class="hero-tagline">Le marché de la Mer</p>' in body
    assert "<p>Premier paragraphe.</p>\n\n<p>Second paragraphe.</p>" in body
    assert "--brand: #5a2d82; --accent: #8a1538;" in body
    assert '<meta name="theme-color" content="#5a2d82">' in body


def test_home_hero_image_is_veiled_and_shared(client_a, town_a):
    branding_set(town_a, hero_image="alpha/branding/hero_image.jpg", logo="alpha/branding/logo.png")

    body = html_of(client_a, "/")

    assert 'class="hero hero-with-image"' in body
    assert "--hero-image: url('/media/alpha/branding/hero_image.jpg')" in body
    assert (
        '<meta property="og:image" content="http://alpha.comptoir.test/media/alpha/branding/'
        'hero_image.jpg">'
    ) in body
    assert '<img src="/media/alpha/branding/logo.png" alt="" class="brand-logo"' in body


def test_logo_is_shared_when_there_is_no_hero_image(client_a, town_a):
    branding_set(town_a, logo="alpha/branding/logo.png")

    body = html_of(client_a, "/")

    assert "hero-with-image" not in body
    assert (
        '<meta property="og:image" content="http://alpha.comptoir.test/media/alpha/branding/logo.png">'
    ) in body


def test_opengraph_defaults_describe_the_town(client_a, town_a):
    branding_set(town_a, tagline="Achetez à Alpha")

    body = html_of(client_a, "/accessibilite/")

    assert '<meta property="og:type" content="website">' in body
    assert '<meta property="og:site_name" content="Alpha-sur-Mer">' in body
    assert '<meta property="og:title" content="Alpha-sur-Mer">' in body
    assert '<meta property="og:description" content="Achetez à Alpha">' in body
    assert '<meta property="og:url" content="http://alpha.comptoir.test/accessibilite/">' in body
    assert '<meta property="og:locale" content="fr_FR">' in body
    assert "og:image" not in body


def test_legal_notice_shows_the_towns_text(client_a, town_a):
    branding_set(
        town_a, legal_notice="Directeur de la publication : le maire.\nHébergeur : Comptoir."
    )

    body = html_of(client_a, "/mentions-legales/")

    assert "<p>Directeur de la publication : le maire.<br>Hébergeur : Comptoir.</p>" in body
    assert 'href="/mentions-legales/" aria-current="page"' in body


def test_accessibility_page_shows_the_towns_statement(client_a, town_a):
    branding_set(town_a, accessibility_statement="Ce site est partiellement conforme au RGAA 4.1.")

    body = html_of(client_a, "/accessibilite/")

    assert "<p>Ce site est partiellement conforme au RGAA 4.1.</p>" in body
    assert 'href="/accessibilite/" aria-current="page"' in body


def test_footer_gives_the_towns_contact(client_a, town_a):
    branding_set(
        town_a,
        contact_email="mairie@alpha.test",
        contact_phone="+33479000000",
        contact_address="1 place de la Mairie",
    )

    body = html_of(client_a, "/")

    assert '<a href="mailto:mairie@alpha.test">mairie@alpha.test</a>' in body
    assert '<a href="tel:+33479000000">04 79 00 00 00</a>' in body
    assert "<p>1 place de la Mairie</p>" in body


def test_each_town_shows_only_its_own_texts(client_a, client_b, town_a, town_b):
    branding_set(town_a, legal_notice="Mentions d'Alpha")
    branding_set(town_b, legal_notice="Mentions de Beta")

    body_b = html_of(client_b, "/mentions-legales/")

    assert "Mentions de Beta" in body_b
    assert "Mentions d&#x27;Alpha" not in body_b


@pytest.mark.parametrize("path", SHELL_PAGES)
def test_shell_pages_have_the_landmarks_and_one_h1(client_a, path):
    body = html_of(client_a, path)

    assert re.search(r'<html lang="fr">', body)
    assert '<a class="skip-link" href="#contenu">' in body
    assert body.count("<header") == 1
    assert '<nav class="main-nav" aria-label="Menu principal">' in body
    assert '<main id="contenu" tabindex="-1">' in body
    assert body.count("<footer") == 1
    assert body.count("<h1") == 1
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in body


# The home page's own content (campaign, shops, products) is the storefront's, which pins its
# queries; the shell's part of every page costs nothing for a visitor, and the user and the
# cart count for a signed-in one (the session is read from the cache).
TEXT_PAGES = ["/mentions-legales/", "/accessibilite/"]


@pytest.mark.parametrize("path", TEXT_PAGES)
def test_text_pages_queries_are_pinned_for_visitors(client_a, path, django_assert_num_queries):
    client_a.get(path)  # warms the routing cache

    with django_assert_num_queries(0):
        client_a.get(path)


@pytest.mark.parametrize("path", TEXT_PAGES)
def test_text_pages_queries_are_pinned_for_signed_in_people(
    client_a, town_a, path, django_assert_num_queries
):
    user_create(town_a, "shopper@alpha.test")
    signed_in(client_a, town_a, "shopper@alpha.test")
    client_a.get(path)

    # User and the menu's cart count, each after the town's search path.
    with django_assert_num_queries(4):
        client_a.get(path)


def queries_of(client: Client, path: str) -> int:
    client.get(path)  # warms the routing cache
    cache_empty()  # a page from the cache costs nothing: measure its rendering
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", SHELL_PAGES)
def test_shell_pages_queries_do_not_grow_with_the_branding(client_a, town_a, path):
    bare = queries_of(client_a, path)
    branding_set(
        town_a,
        logo="alpha/branding/logo.png",
        hero_image="alpha/branding/hero_image.jpg",
        welcome_text="Texte.\n" * 300,
        legal_notice="Mention.\n" * 2000,
        accessibility_statement="Déclaration.\n" * 2000,
        contact_email="mairie@alpha.test",
        contact_phone="04 79 00 00 00",
        contact_address="1 place de la Mairie",
    )

    assert queries_of(client_a, path) == bare


def test_language_switch_turns_the_page_english_and_back(client_a):
    response = client_a.post("/i18n/setlang/", {"language": "en", "next": "/mentions-legales/"})

    assert response.status_code == 302
    assert response["Location"] == "/mentions-legales/"
    body = html_of(client_a, "/mentions-legales/")
    assert '<html lang="en">' in body
    assert '<button type="submit" name="language" value="fr" lang="fr">Français</button>' in body
    assert '<meta property="og:locale" content="en_GB">' in body

    client_a.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    assert '<html lang="fr">' in html_of(client_a, "/")


def test_language_switch_never_redirects_to_another_host(client_a):
    response = client_a.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_vendor_home_has_the_landmarks_and_no_town(root_client, town_a):
    body = html_of(root_client, "/")

    assert body.count("<h1") == 1
    for tag in ("<header", "<nav", "<main", "<footer"):
        assert tag in body
    assert town_a.name not in body
    assert "--brand:" not in body
    assert '<meta property="og:site_name" content="Comptoir">' in body


def test_unknown_host_page_has_the_landmarks_and_no_language_switch(db):
    response = Client(HTTP_HOST="nowhere.comptoir.test").get("/")

    body = response.content.decode()
    assert response.status_code == 404
    assert body.count("<h1") == 1
    for tag in ("<header", "<nav", "<main", "<footer"):
        assert tag in body
    # Its host answers nothing else, so a language form would lead nowhere.
    assert "language-switch" not in body


def test_pages_of_a_town_use_its_host_for_shared_links(town_a):
    client = Client(HTTP_HOST=host_of(town_a))

    body = html_of(client, "/")

    assert '<meta property="og:url" content="http://alpha.comptoir.test/">' in body
