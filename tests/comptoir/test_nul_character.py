"""A NUL character answers 400 with the platform's page, on every path, query and form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

# What a probe sent, each of which used to reach PostgreSQL and answer 500.
PROBED = [
    "/recherche/?q=a%00b",
    "/recherche/?categorie=%00",
    "/recherche/?commerce=%00",
    "/suivi/a%00/",
    "/commerces/boulangerie/rendez-vous/a%00/",
    "/compte/commandes/a%00/",
    "/compte/messages/nouveau/?commande=a%00",
    "/boutique/?boutique=a%00",
    "/boutique/commandes/a%00/",
    "/?a%00=key",
]


@pytest.mark.parametrize("path", PROBED)
def test_a_nul_in_a_path_or_query_is_a_bad_request_page(client_a, path):
    response = client_a.get(path)

    assert response.status_code == 400
    page = response.content.decode()
    assert "<main" in page and "Requête incomprise" in page


def test_a_nul_in_a_form_field_is_refused_before_any_view(client_a):
    response = client_a.post(
        "/compte/connexion/", {"username": "a\x00@alpha.test", "password": "x"}
    )

    assert response.status_code == 400


def test_an_escaped_nul_in_a_json_body_is_refused(client_a):
    response = client_a.post(
        "/api/v1/produits/", data='{"title": "a\\u0000b"}', content_type="application/json"
    )

    assert response.status_code == 400


def test_an_uploaded_file_may_hold_nul_bytes(client_a):
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    response = client_a.post("/compte/connexion/", {"username": "x", "file": upload})

    assert response.status_code == 200  # the sign-in form, with its own error


def test_the_same_pages_without_nul_still_answer(client_a):
    assert client_a.get("/recherche/?q=pain").status_code == 200
