import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from tests.conftest import host_of, signed_in
from tests.surfaces.town_admin.conftest import branding_of, image_upload, stored_files

pytestmark = pytest.mark.django_db

BRANDING_URL = "/gestion/identite-visuelle/"
PREVIEW_URL = "/gestion/identite-visuelle/apercu/"


def branding_post(town, **changes):
    """A complete branding form as the page would send it, with these changes."""
    saved = branding_of(town)
    data = {
        name: value
        for name, value in saved.items()
        if name not in ("logo", "hero_image") and value is not None
    }
    data.update(changes)
    return data


@pytest.fixture
def admin_client_a(client_a, town_a, admin_a):
    return signed_in(client_a, town_a, admin_a.email)


def test_dashboard_links_to_branding_only_real_pages(admin_client_a, english):
    response = admin_client_a.get("/gestion/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{BRANDING_URL}"' in body
    assert 'aria-label="Administration"' in body
    assert 'href="/mentions-legales/"' in body and 'href="/accessibilite/"' in body


def test_dashboard_queries_are_pinned(admin_client_a, django_assert_num_queries):
    admin_client_a.get("/gestion/")  # warms the routing cache

    # User and the menu's cart count, each after the town's search path.
    with django_assert_num_queries(4):
        response = admin_client_a.get("/gestion/")

    assert response.status_code == 200


def test_branding_page_shows_the_saved_values(admin_client_a, town_a):
    response = admin_client_a.get(BRANDING_URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="primary_colour" value="#1d4e89"' in body
    assert town_a.legal_notice.split(".")[0] in body
    assert 'enctype="multipart/form-data"' in body
    assert f'hx-get="{PREVIEW_URL}"' in body
    # Nothing to remove yet: no checkbox offering it.
    assert 'name="logo_remove"' not in body


def test_branding_page_queries_are_pinned(admin_client_a, django_assert_num_queries):
    admin_client_a.get(BRANDING_URL)

    # User and the menu's cart count, each after the town's search path, then the
    # saved branding, after the public one.
    with django_assert_num_queries(6):
        response = admin_client_a.get(BRANDING_URL)

    assert response.status_code == 200


def test_admin_saves_branding_and_the_portal_shows_it_at_once(
    admin_client_a, town_a, media_root, django_capture_on_commit_callbacks, english
):
    admin_client_a.get("/")  # the routing cache now holds the old branding

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post(
            BRANDING_URL,
            branding_post(
                town_a,
                tagline="Le marché d'Alpha, en ligne",
                primary_colour="#5A2D82",
                logo=image_upload("logo.png"),
            ),
        )

    assert response.status_code == 302
    assert response["Location"] == BRANDING_URL
    saved = branding_of(town_a)
    assert saved["tagline"] == "Le marché d'Alpha, en ligne"
    assert saved["primary_colour"] == "#5a2d82"
    assert saved["logo"] == "alpha/branding/logo.png"
    assert stored_files(media_root) == ["alpha/branding/logo.png"]
    page = admin_client_a.get(BRANDING_URL).content.decode()
    assert "Branding saved: the portal shows it now." in page
    assert 'name="logo_remove"' in page
    home = admin_client_a.get("/").content.decode()
    assert "Le marché d&#x27;Alpha, en ligne" in home
    assert "--brand: #5a2d82" in home
    assert 'src="/media/alpha/branding/logo.png"' in home


def test_admin_removes_the_logo(
    admin_client_a, town_a, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_a.post(BRANDING_URL, branding_post(town_a, logo=image_upload()))
        response = admin_client_a.post(BRANDING_URL, branding_post(town_a, logo_remove="on"))

    assert response.status_code == 302
    assert branding_of(town_a)["logo"] == ""
    assert stored_files(media_root) == []


def test_low_contrast_colour_is_refused_on_the_page_and_nothing_changes(
    admin_client_a, town_a, media_root
):
    before = branding_of(town_a)

    with translation.override("en"):
        response = admin_client_a.post(
            BRANDING_URL,
            branding_post(town_a, primary_colour="#ffff00", tagline="Jaune", logo=image_upload()),
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 400
    body = response.content.decode()
    assert "White text on #ffff00 has a contrast ratio of 1.07:1" in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_primary_colour_helptext id_primary_colour_error"' in body
    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


def test_missing_required_text_is_refused_and_nothing_changes(admin_client_a, town_a):
    before = branding_of(town_a)

    response = admin_client_a.post(
        BRANDING_URL, branding_post(town_a, legal_notice="", tagline="Sans mentions")
    )

    assert response.status_code == 400
    assert 'id="id_legal_notice_error"' in response.content.decode()
    assert branding_of(town_a) == before


def test_not_an_image_is_refused_and_nothing_changes(admin_client_a, town_a, media_root):
    before = branding_of(town_a)
    fake = SimpleUploadedFile("hero.png", b"<?php echo 'hello'; ?>", content_type="image/png")

    response = admin_client_a.post(BRANDING_URL, branding_post(town_a, hero_image=fake))

    assert response.status_code == 400
    assert 'id="id_hero_image_error"' in response.content.decode()
    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


def test_live_preview_reports_the_contrast(admin_client_a, django_assert_num_queries):
    admin_client_a.get(PREVIEW_URL)

    with django_assert_num_queries(2):  # the user, after the search path
        response = admin_client_a.get(
            PREVIEW_URL,
            {"primary_colour": "#1d4e89", "accent_colour": "#ffff00"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'style="background: #1d4e89"' in body
    assert "Main colour: contrast 8.38:1 with white, readable." in body
    assert "Accent colour: White text on #ffff00 has a contrast ratio of 1.07:1" in body


def test_live_preview_never_puts_raw_input_in_a_style(admin_client_a):
    response = admin_client_a.get(
        PREVIEW_URL, {"primary_colour": "red;background:url(x)", "accent_colour": ""}
    )

    assert response.status_code == 200
    assert "url(x)" not in response.content.decode().split("</p>")[0]
    assert 'style="background: red' not in response.content.decode()


@pytest.mark.parametrize("url", ["/gestion/", BRANDING_URL, PREVIEW_URL])
def test_anonymous_visitor_is_sent_to_sign_in(client_a, url):
    response = client_a.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/compte/connexion/?next={url}")


def test_anonymous_post_is_sent_to_sign_in_and_changes_nothing(client_a, town_a):
    before = branding_of(town_a)

    response = client_a.post(BRANDING_URL, branding_post(town_a, tagline="Anonyme"))

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    assert branding_of(town_a) == before


@pytest.mark.parametrize("url", ["/gestion/", BRANDING_URL, PREVIEW_URL])
def test_shopper_is_refused(client_a, town_a, shopper_a, url):
    signed_in(client_a, town_a, shopper_a.email)

    assert client_a.get(url).status_code == 403


def test_shopper_post_is_refused_and_changes_nothing(client_a, town_a, shopper_a, media_root):
    signed_in(client_a, town_a, shopper_a.email)
    before = branding_of(town_a)

    response = client_a.post(
        BRANDING_URL, branding_post(town_a, tagline="Pirate", logo=image_upload())
    )

    assert response.status_code == 403
    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


@pytest.mark.parametrize("url", ["/gestion/", BRANDING_URL, PREVIEW_URL])
def test_other_towns_admin_session_cannot_open_town_a(client_b, town_a, town_b, admin_b, url):
    signed_in(client_b, town_b, admin_b.email)
    client_b.defaults["HTTP_HOST"] = host_of(town_a)

    response = client_b.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


def test_other_towns_admin_session_cannot_post_to_town_a(client_b, town_a, town_b, admin_b):
    signed_in(client_b, town_b, admin_b.email)
    before = branding_of(town_a)
    client_b.defaults["HTTP_HOST"] = host_of(town_a)

    response = client_b.post(BRANDING_URL, branding_post(town_a, tagline="Pirate de Beta"))

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    assert branding_of(town_a) == before


def test_town_b_admin_edits_only_town_b(client_b, town_a, town_b, admin_b):
    signed_in(client_b, town_b, admin_b.email)
    before_a = branding_of(town_a)

    response = client_b.post(BRANDING_URL, branding_post(town_b, tagline="Beta seulement"))

    assert response.status_code == 302
    assert branding_of(town_b)["tagline"] == "Beta seulement"
    assert branding_of(town_a) == before_a


def test_csrf_is_required(town_a, admin_a):
    client = signed_in(
        Client(HTTP_HOST=host_of(town_a), enforce_csrf_checks=True), town_a, admin_a.email
    )
    before = branding_of(town_a)

    response = client.post(BRANDING_URL, branding_post(town_a, tagline="Sans jeton"))

    assert response.status_code == 403
    assert branding_of(town_a) == before
