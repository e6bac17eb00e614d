from datetime import time

import pytest
from django.db import connection

from comptoir.town import town_now
from marketplace.catalogue.services.products import VariantInput, product_create, product_update
from marketplace.directory.models import Merchant, OpeningHours
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import jpeg_upload, merchant_create

NBSP = "\u00a0"


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def scarf(town_a, merchant_a, media_root):
    with inside(town_a):
        return product_create(
            merchant=merchant_a, title="Écharpe en laine", price_cents=3950,
            description="Tricotée à la main, laine des Bauges.",
            variants=[
                VariantInput(colour="Rouge", stock=10),
                VariantInput(colour="Vert", stock=2, price_cents=4200),
                VariantInput(colour="Jaune", stock=0),
            ],
            photo=jpeg_upload(), photo_alt="Écharpe rouge pliée",
        )  # fmt: skip


@pytest.mark.smoke
def test_product_page_shows_the_product_its_variants_and_its_shop(client_a, town_a, scarf):
    with inside(town_a):
        red, _green, yellow = scarf.variants.order_by("position")
        OpeningHours.objects.create(
            merchant=scarf.merchant, weekday=town_now().weekday(),
            opens_at=time(0, 0), closes_at=time(23, 59, 59),
        )  # fmt: skip

    body = _page(client_a, f"/produits/{scarf.slug}/")

    assert '<h1 id="product-title">Écharpe en laine</h1>' in body
    assert f"39,50{NBSP}€" in body and f"42,00{NBSP}€" in body
    assert 'alt="Écharpe rouge pliée"' in body
    assert '<form method="post" action="/panier/ajouter/"' in body
    assert f'name="variant_id" id="variant-{red.pk}" value="{red.pk}" checked' in body
    assert f'id="variant-{yellow.pk}" value="{yellow.pk}" disabled' in body
    assert 'name="quantity"' in body
    assert "availability-in_stock" in body and "availability-low" in body
    assert "availability-out" in body
    assert "Épicerie du Lac" in body and "merchant-status-open" in body


def test_product_page_share_links_and_opengraph(client_a, town_a, scarf):
    body = _page(client_a, f"/produits/{scarf.slug}/")

    url = f"http://alpha.comptoir.test/produits/{scarf.slug}/"
    encoded = "http%3A%2F%2Falpha.comptoir.test%2Fproduits%2F" + scarf.slug + "%2F"
    assert f'<meta property="og:url" content="{url}">' in body
    assert '<meta property="og:title" content="Écharpe en laine">' in body
    assert (
        '<meta property="og:description" content="Tricotée à la main, laine des Bauges.">' in body
    )
    assert (
        '<meta property="og:image" content="http://alpha.comptoir.test/media/alpha/products/'
        'echarpe-en-laine.jpg">' in body
    )
    assert '<meta property="product:price:amount" content="39.50">' in body
    assert f"mailto:?subject=%C3%89charpe%20en%20laine&amp;body={encoded}" in body
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in body
    assert f"https://x.com/intent/tweet?url={encoded}" in body
    assert "https://wa.me/?text=" in body
    assert f'id="share-url" value="{url}" readonly' in body and "data-copy=" in body


def test_product_sold_in_shop_only_has_no_cart_form(client_a, town_a, merchant_a):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Fauteuil", price_cents=25000, stock=1,
            sold_in_shop_only=True,
        )  # fmt: skip

    body = _page(client_a, f"/produits/{product.slug}/")

    assert "product-shop-only" in body
    assert "/panier/ajouter/" not in body


def test_a_shop_window_merchants_products_have_no_cart_form(client_a, town_a):
    window = merchant_create(town_a, name="Vitrine")
    with inside(town_a):
        Merchant.objects.filter(pk=window.pk).update(sells_online=False)
        product = product_create(
            merchant=window, title="Lampe", price_cents=8000,
            variants=[VariantInput(name="Petite", stock=2), VariantInput(name="Grande", stock=1)],
        )  # fmt: skip

    body = _page(client_a, f"/produits/{product.slug}/")

    assert "product-shop-only" in body and "/panier/ajouter/" not in body
    assert f"Petite — 80,00{NBSP}€" in body


def test_hidden_products_answer_404(client_a, town_a, merchant_a):
    pending = merchant_create(town_a, name="En attente", status=Merchant.Status.PENDING)
    with inside(town_a):
        unpublished = product_create(merchant=merchant_a, title="Brouillon", price_cents=100)
        product_update(merchant=merchant_a, product_id=unpublished.pk, is_published=False)
        of_pending = product_create(merchant=pending, title="Pas encore", price_cents=100)

    assert client_a.get(f"/produits/{unpublished.slug}/").status_code == 404
    assert client_a.get(f"/produits/{of_pending.slug}/").status_code == 404
    assert client_a.get("/produits/nothing-here/").status_code == 404


def test_another_towns_product_is_not_found_on_this_host(client_b, town_a, scarf):
    response = client_b.get(f"/produits/{scarf.slug}/")

    assert response.status_code == 404
    assert "Écharpe" not in response.content.decode()


@pytest.mark.parametrize("variants", [1, 30])
def test_product_page_query_count_is_constant(
    client_a, town_a, merchant_a, media_root, django_assert_num_queries, variants
):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Bouton", price_cents=50,
            variants=[VariantInput(name=f"Modèle {n}", stock=n) for n in range(variants)],
            photo=jpeg_upload(),
        )  # fmt: skip
    client_a.get("/")  # warm the routing cache

    # product+merchant+category, variants, photos, opening hours, special hours; each after
    # django-tenants' SET search_path
    with django_assert_num_queries(2 * 5, connection=connection):
        _page(client_a, f"/produits/{product.slug}/")


@pytest.mark.smoke
def test_search_page_finds_misspelt_words_with_facets(client_a, town_a, merchant_a):
    with inside(town_a):
        product_create(merchant=merchant_a, title="Épicerie fine", price_cents=2500, stock=3)

    body = _page(client_a, "/recherche/?q=epicrie")

    assert "<mark>Épicerie</mark> fine" in body  # corrected to "épicerie", then found
    assert 'role="search"' in body
    assert "merchant-card-category" in body  # the shop "Épicerie du Lac" is listed too
    assert f'href="?q=epicrie&amp;commerce={merchant_a.slug}"' in body


def test_search_page_highlights_and_paginates(client_a, town_a, merchant_a):
    with inside(town_a):
        for number in range(30):
            product_create(merchant=merchant_a, title=f"Savon n°{number}", price_cents=500, stock=5)

    first = _page(client_a, "/recherche/?q=savons")
    second = _page(client_a, "/recherche/?q=savons&page=2")

    assert first.count('class="card product-card"') == 24
    assert "<mark>Savon</mark>" in first
    assert 'href="?q=savons&amp;page=2" rel="next"' in first
    assert second.count('class="card product-card"') == 6
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_search_page_corrects_a_typo_and_says_so(client_a, town_a, merchant_a):
    with inside(town_a):
        product_create(merchant=merchant_a, title="Fromage de chèvre", price_cents=650)
        product_create(merchant=merchant_a, title="Plateau de fromages", price_cents=2400)

    corrected = _page(client_a, "/recherche/?q=fromge")
    right = _page(client_a, "/recherche/?q=fromage")

    assert (
        '<p class="search-correction">Vouliez-vous dire '
        '« <a href="?q=fromage">fromage</a> »\u202f?</p>'
    ) in corrected
    assert "<mark>Fromage</mark> de chèvre" in corrected
    assert "Plateau de <mark>fromages</mark>" in corrected
    assert "2 produits trouvés" in corrected
    assert "search-correction" not in right and "2 produits trouvés" in right


def test_search_page_beyond_the_last_goes_to_the_last(client_a, town_a, merchant_a):
    with inside(town_a):
        product_create(merchant=merchant_a, title="Savon", price_cents=500)

    response = client_a.get("/recherche/?q=savon&page=7")

    assert response.status_code == 302
    assert response["Location"] == "/recherche/?q=savon&page=1"


def test_search_page_without_results_helps(client_a, town_a, merchant_a):
    body = _page(client_a, "/recherche/?q=zzzyyyxxx")

    assert "search-help" in body
    assert 'href="/commerces/"' in body


def test_search_page_filters_by_facet(client_a, town_a, merchant_a):
    other = merchant_create(town_a, name="Autre Boutique")
    with inside(town_a):
        honey = product_create(merchant=merchant_a, title="Bougie au miel", price_cents=900)
        christmas = product_create(merchant=other, title="Bougie de Noël", price_cents=900)

    body = _page(client_a, f"/recherche/?q=bougie&commerce={other.slug}")

    assert f'href="/produits/{christmas.slug}/"' in body
    assert f'href="/produits/{honey.slug}/"' not in body
    assert f'href="?q=bougie&amp;commerce={other.slug}" aria-current="true"' in body


def test_search_page_on_another_town_never_finds_this_towns_products(client_b, town_a, merchant_a):
    with inside(town_a):
        product_create(merchant=merchant_a, title="Épicerie fine", price_cents=2500, stock=3)

    body = _page(client_b, "/recherche/?q=epicerie")

    assert "Épicerie fine" not in body and "search-help" in body


@pytest.mark.parametrize("q", ["savon", "svaon"])
@pytest.mark.parametrize("products", [1, 30])
def test_search_page_query_count_is_constant(
    client_a, town_a, merchant_a, media_root, django_assert_num_queries, products, q
):
    with inside(town_a):
        for number in range(products):
            product_create(
                merchant=merchant_a, title=f"Savon n°{number}", price_cents=500, stock=5,
                photo=jpeg_upload() if number < 2 else None,
            )  # fmt: skip
    client_a.get("/")

    # The spelling's correction ("svaon" is "savon"), the matches (count, page ids, facets,
    # matching shops), then the page's products with their prices, stock and first photo;
    # each after django-tenants' SET search_path.
    with django_assert_num_queries(2 * 3, connection=connection):
        body = _page(client_a, f"/recherche/?q={q}")

    assert body.count('class="card product-card"') == min(products, 24)


def test_header_has_a_labelled_search_form(client_a, town_a):
    body = _page(client_a, "/")

    assert '<label for="header-q"' in body and 'action="/recherche/"' in body
