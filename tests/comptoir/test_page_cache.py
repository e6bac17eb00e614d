"""The shop window's pages from the cache: a page seen again costs no query and reads the same,
a merchant's change shows on the next request, and nothing crosses from one town to another."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.town import town_now
from marketplace.catalogue.models import StockMovement
from marketplace.catalogue.services.products import (
    VariantChange,
    product_create,
    product_update,
    products_bulk_update,
)
from marketplace.catalogue.services.stock import stock_set
from marketplace.orders.models import CartLine
from tests.conftest import host_of, inside, signed_in, user_create
from tests.marketplace.catalogue.conftest import merchant_create

NBSP = "\u00a0"
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)')


@pytest.fixture
def soap(town_a):
    merchant = merchant_create(town_a, name="Épicerie du Lac")
    with inside(town_a):
        return product_create(
            merchant=merchant, title="Savon au lait d'ânesse", price_cents=1250, stock=10
        )


def _pages(soap) -> list[str]:
    return ["/", "/commerces/", f"/produits/{soap.slug}/", "/recherche/?q=savon"]


def _get(client: Client, path: str, **headers: Any) -> tuple[str, int]:
    """The page's HTML and the SQL statements the request cost."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode(), len(queries)


def _tokens(html: str) -> list[str]:
    return [match.group(2) for match in TOKEN.finditer(html)]


def _without_tokens(html: str) -> str:
    return TOKEN.sub(r"\g<1>…", html)


@pytest.mark.smoke
def test_a_page_seen_again_costs_no_query_and_reads_the_same(client_a, town_a, soap):
    for path in _pages(soap):
        first, rendering = _get(client_a, path)
        again, cached = _get(client_a, path)

        assert rendering > 0, path
        assert cached == 0, path
        assert _without_tokens(again) == _without_tokens(first), path
        assert "Épicerie du Lac" in again, path


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        pytest.param(
            lambda soap, variant: product_update(
                merchant=soap.merchant, product_id=soap.pk, title="Savon à la lavande"
            ),
            "Savon à la lavande",
            id="title",
        ),
        pytest.param(
            lambda soap, variant: products_bulk_update(
                merchant=soap.merchant,
                changes=[VariantChange(variant_id=variant.pk, price_cents=990)],
            ),
            f"9,90{NBSP}€",
            id="bulk price",
        ),
        pytest.param(
            lambda soap, variant: stock_set(
                variant_id=variant.pk, quantity=0, reason=StockMovement.Reason.MANUAL
            ),
            "Out of stock for now",
            id="stock",
        ),
    ],
)
def test_a_merchant_s_change_shows_on_the_next_request(
    client_a, town_a, soap, english, change, shown
):
    path = f"/produits/{soap.slug}/"
    before, _queries = _get(client_a, path)
    assert shown not in before

    with inside(town_a):
        change(soap, soap.variants.get())

    after, queries = _get(client_a, path)
    assert queries > 0
    assert shown in after


def test_the_next_minute_renders_the_page_again(client_a, town_a, soap, monkeypatch):
    now = town_now()
    monkeypatch.setattr("comptoir.page_cache.town_now", lambda: now)
    _get(client_a, "/")
    assert _get(client_a, "/")[1] == 0

    monkeypatch.setattr("comptoir.page_cache.town_now", lambda: now + timedelta(minutes=1))

    assert _get(client_a, "/")[1] > 0


def test_each_language_has_its_own_page(client_a, town_a, soap):
    french, _queries = _get(client_a, "/commerces/")
    english, queries = _get(client_a, "/commerces/", HTTP_ACCEPT_LANGUAGE="en")

    assert queries > 0
    assert '<html lang="fr">' in french and "Commerces et services" in french
    assert '<html lang="en">' in english and "Shops and services" in english


def test_a_cached_page_s_form_carries_the_visitor_s_own_token(town_a, soap):
    path = f"/produits/{soap.slug}/"
    Client(HTTP_HOST=host_of(town_a)).get(path)  # somebody else's visit renders the page
    visitor = Client(HTTP_HOST=host_of(town_a), enforce_csrf_checks=True)

    html, queries = _get(visitor, path)
    form_token = _tokens(html)[-1]
    added = visitor.post(
        "/panier/ajouter/",
        {"csrfmiddlewaretoken": form_token, "variant_id": soap.variants.get().pk},
    )

    assert queries == 0
    assert added.status_code == 302
    with inside(town_a):
        assert CartLine.objects.get().quantity == 1


def test_an_error_or_a_redirect_is_not_kept(client_a, town_a, soap):
    for _visit in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client_a.get("/produits/no-such-product/").status_code == 404
        assert len(queries) > 0
        with CaptureQueriesContext(connection) as queries:
            assert client_a.get("/recherche/?q=savon&page=9").status_code == 302
        assert len(queries) > 0


def test_an_htmx_request_is_rendered_each_time(client_a, town_a, soap):
    for _visit in range(2):
        assert _get(client_a, "/commerces/", HTTP_HX_REQUEST="true")[1] > 0


def test_one_town_s_cached_pages_never_show_on_another(client_a, client_b, town_a, town_b, soap):
    merchant_create(town_b, name="Bazar de Beta")
    for path in _pages(soap):
        _get(client_a, path)

    assert client_b.get(f"/produits/{soap.slug}/").status_code == 404
    for path in ("/", "/commerces/", "/recherche/?q=savon"):
        html, queries = _get(client_b, path)
        assert queries > 0, path
        assert "Épicerie du Lac" not in html and "Savon" not in html, path


def test_a_change_in_one_town_leaves_the_other_s_pages_cached(client_a, client_b, town_a, soap):
    _get(client_b, "/")
    with inside(town_a):
        product_update(merchant=soap.merchant, product_id=soap.pk, title="Savon à la lavande")

    assert _get(client_b, "/")[1] == 0
    assert _get(client_a, "/")[1] > 0


def test_a_signed_in_visitor_gets_their_own_header_around_a_kept_page(client_a, town_a, soap):
    user_create(town_a, "lea@example.fr")
    shopper = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, "lea@example.fr")
    anonymous, _queries = _get(client_a, "/")  # no session: the whole page is kept

    mine, _queries = _get(shopper, "/")
    anonymous_again, cached = _get(client_a, "/")
    mine_again, _queries = _get(shopper, "/")

    assert cached == 0
    assert 'deconnexion/"' in mine and 'deconnexion/"' in mine_again
    assert 'deconnexion/"' not in anonymous and 'deconnexion/"' not in anonymous_again
    assert "Épicerie du Lac" in mine_again and "Épicerie du Lac" in anonymous_again
    assert not set(_tokens(anonymous_again)) & set(_tokens(mine_again))
