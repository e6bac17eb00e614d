"""A `next` address from the request is followed only when it stays on the site."""

import pytest
from django.test import RequestFactory

from comptoir.redirects import next_url_safe, redirect_url_safe

HOST = "alpha.comptoir.test"


@pytest.fixture
def requests() -> RequestFactory:
    return RequestFactory(HTTP_HOST=HOST)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/compte/favoris/", "/compte/favoris/"),
        (f"http://{HOST}/panier/", f"http://{HOST}/panier/"),
        ("https://evil.example/panier/", "/default/"),
        ("//evil.example/panier/", "/default/"),
        ("", "/default/"),
    ],
)
def test_only_an_address_on_this_site_is_kept(requests, url, expected):
    assert redirect_url_safe(requests.get("/"), url, default="/default/") == expected


def test_a_plain_http_address_is_refused_on_an_https_request(requests):
    request = requests.get("/", secure=True)

    assert redirect_url_safe(request, f"http://{HOST}/", default="/default/") == "/default/"


def test_next_comes_from_the_form_first_then_from_the_query_string(requests):
    both = requests.post("/?next=/from-query/", {"next": "/from-form/"})
    query_only = requests.post("/?next=/from-query/", {})
    unsafe = requests.post("/?next=/from-query/", {"next": "https://evil.example/"})

    assert next_url_safe(both, default="/default/") == "/from-form/"
    assert next_url_safe(query_only, default="/default/") == "/from-query/"
    assert next_url_safe(unsafe, default="/default/") == "/default/"
