import pytest
from django.db import connection

from marketplace.catalogue.models import Product
from marketplace.catalogue.selectors import products_search
from marketplace.catalogue.services.products import product_create, product_update
from marketplace.directory.models import Merchant
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import category_create, merchant_create


def _titles(results) -> list[str]:
    return [product.title for product in results.products]


@pytest.fixture
def shelf(town_a, merchant_a):
    """A small town catalogue: an épicerie, a bakery, a florist."""
    food = category_create(town_a, name="Alimentation")
    delicatessen = category_create(town_a, name="Épicerie fine", parent=food)
    flowers = category_create(town_a, name="Fleuriste")
    bakery = merchant_create(town_a, name="Boulangerie Martin", category=food)
    florist = merchant_create(town_a, name="Les Fleurs de Lise", category=flowers)
    with inside(town_a):
        made = {
            "epicerie": product_create(
                merchant=merchant_a, title="Épicerie fine", price_cents=2500, stock=3,
                category=delicatessen, description="Un panier de produits de la région.",
            ),
            "coffret": product_create(
                merchant=merchant_a, title="Coffret de confitures", price_cents=1800, stock=5,
                category=delicatessen, tags="épicerie, cadeau",
                description="Trois confitures artisanales de notre épicerie.",
            ),
            "pain": product_create(
                merchant=bakery, title="Pain de campagne", price_cents=320, stock=20,
                description="Levain naturel, farine bio.",
            ),
            "bouquet": product_create(
                merchant=florist, title="Bouquet de roses", price_cents=3500, stock=4,
                description="Roses de saison, à offrir.",
            ),
        }  # fmt: skip
    return made


@pytest.mark.parametrize("q", ["epicerie", "épiceries", "Épicerie", "EPICERIES", "epicrie"])
def test_accents_plurals_and_typos_find_epicerie_fine(town_a, shelf, q):
    with inside(town_a):
        results = products_search(q=q)

    assert "Épicerie fine" in _titles(results)
    assert "Pain de campagne" not in _titles(results)


def test_title_match_ranks_above_tag_and_description_matches(town_a, shelf):
    with inside(town_a):
        results = products_search(q="épicerie")

    assert _titles(results) == ["Épicerie fine", "Coffret de confitures"]
    assert results.total == 2


def test_typos_are_looked_for_only_when_the_words_are_found_nowhere(town_a, shelf):
    with inside(town_a):
        # Not merchant_a's: its name, "Épicerie du Lac", is searched with its products.
        product_create(merchant=shelf["pain"].merchant, title="Épicier ambulant", price_cents=100)
        exact = products_search(q="epicerie")
        typo = products_search(q="epicier ambulnt")

    assert _titles(exact) == ["Épicerie fine", "Coffret de confitures"]
    assert _titles(typo) == ["Épicier ambulant"]


def test_typo_matching_leaves_out_words_that_only_start_alike(town_a, shelf, merchant_a):
    with inside(town_a):
        product_create(merchant=merchant_a, title="Chapeau de paille", price_cents=100)
        product_create(merchant=merchant_a, title="Vase en céramique", price_cents=100)
        pain = products_search(q="pain")
        typo = products_search(q="ceramqiue")

    assert _titles(pain) == ["Pain de campagne"]
    assert _titles(typo) == ["Vase en céramique"]


def test_merchant_name_and_description_are_searched(town_a, shelf):
    with inside(town_a):
        by_merchant = products_search(q="boulangerie")
        by_description = products_search(q="levain")

    assert _titles(by_merchant) == ["Pain de campagne"]
    assert _titles(by_description) == ["Pain de campagne"]


def test_matches_are_highlighted_and_escaped(town_a, shelf, merchant_a):
    with inside(town_a):
        product_create(
            merchant=merchant_a, title="Miel <script>alert(1)</script> de lavande",
            price_cents=900, stock=2, description="Un miel doux & parfumé.",
        )  # fmt: skip
        results = products_search(q="épiceries")
        honey = products_search(q="miel").products[0]

    first = results.products[0]
    assert first.title_highlighted == "<mark>Épicerie</mark> fine"
    coffret = results.products[1]
    assert "<mark>épicerie</mark>" in coffret.snippet
    assert honey.title_highlighted == (
        "<mark>Miel</mark> &lt;script&gt;alert(1)&lt;/script&gt; de lavande"
    )
    assert honey.snippet == "Un <mark>miel</mark> doux &amp; parfumé."


def test_facets_count_per_category_and_per_merchant(town_a, shelf, merchant_a):
    with inside(town_a):
        everything = products_search(q="")

    assert everything.total == 4
    assert {(f.name, f.count) for f in everything.category_facets} == {
        ("Épicerie fine", 2), ("Alimentation", 1), ("Fleuriste", 1),
    }  # fmt: skip
    assert [(f.name, f.count) for f in everything.merchant_facets] == [
        ("Épicerie du Lac", 2), ("Boulangerie Martin", 1), ("Les Fleurs de Lise", 1),
    ]  # fmt: skip


def test_category_filter_includes_sub_categories_and_merchant_filter(town_a, shelf):
    with inside(town_a):
        food = shelf["pain"].merchant.category
        by_parent = products_search(q="", category=food.slug)
        by_merchant = products_search(q="", merchant=shelf["bouquet"].merchant.slug)

    assert sorted(_titles(by_parent)) == [
        "Coffret de confitures", "Pain de campagne", "Épicerie fine",
    ]  # fmt: skip
    assert _titles(by_merchant) == ["Bouquet de roses"]
    assert [(f.name, f.count) for f in by_merchant.merchant_facets] == [("Les Fleurs de Lise", 1)]


def test_unpublished_products_and_unapproved_merchants_are_not_found(town_a, shelf, merchant_a):
    with inside(town_a):
        product_update(merchant=merchant_a, product_id=shelf["epicerie"].pk, is_published=False)
        Merchant.objects.filter(pk=shelf["pain"].merchant_id).update(
            status=Merchant.Status.SUSPENDED
        )
        epicerie = products_search(q="epicerie")
        pain = products_search(q="pain")
        everything = products_search(q="")

    assert _titles(epicerie) == ["Coffret de confitures"]
    assert pain.total == 0 and pain.products == []
    assert sorted(_titles(everything)) == ["Bouquet de roses", "Coffret de confitures"]


def test_merchants_are_found_by_name(town_a, shelf):
    with inside(town_a):
        Merchant.objects.create(
            name="Fleurs en Herbe", slug="fleurs-en-herbe", status=Merchant.Status.PENDING,
            category=shelf["bouquet"].merchant.category,
        )  # fmt: skip
        results = products_search(q="fleurs")
        typo = products_search(q="boulangrie")

    assert [m.name for m in results.merchants] == ["Les Fleurs de Lise"]
    assert [m.name for m in typo.merchants] == ["Boulangerie Martin"]


def test_pagination(town_a, merchant_a):
    with inside(town_a):
        for number in range(5):
            product_create(merchant=merchant_a, title=f"Savon n°{number}", price_cents=500, stock=1)
        first = products_search(q="savon", per_page=2)
        last = products_search(q="savon", per_page=2, page=3)

    assert (first.total, first.num_pages, first.has_next, first.has_previous) == (5, 3, True, False)
    assert len(first.products) == 2
    assert (len(last.products), last.has_next, last.has_previous) == (1, False, True)
    assert (last.first_index, last.last_index) == (5, 5)


def test_search_columns_and_indexes_live_in_the_town_schema(town_a, shelf):
    with inside(town_a):
        vector, normalised = (
            Product.objects.filter(pk=shelf["epicerie"].pk)
            .values_list("search_vector", "title_normalised")
            .get()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                [town_a.schema_name, Product._meta.db_table],
            )
            indexes = {row[0] for row in cursor.fetchall()}

    assert "'epicer':1A" in vector and "'fin':2A" in vector
    assert normalised == "epicerie fine"
    assert {"product_search_vector_gin", "product_title_trgm_gin"} <= indexes


def test_one_town_never_finds_another_towns_products(town_a, town_b, shelf, merchant_b):
    with inside(town_b):
        product_create(merchant=merchant_b, title="Épicerie de Beta", price_cents=100, stock=1)
        results = products_search(q="épicerie")

    assert _titles(results) == ["Épicerie de Beta"]
    assert [f.name for f in results.merchant_facets] == ["Bazar de Beta"]


def test_a_renamed_merchant_is_found_once_its_products_are_refreshed(town_a, shelf):
    from marketplace.catalogue.services.search import products_search_refresh_for_merchant

    bakery = shelf["pain"].merchant
    with inside(town_a):
        Merchant.objects.filter(pk=bakery.pk).update(name="Fournil des Halles")
        before = products_search(q="fournil")
        refreshed = products_search_refresh_for_merchant(merchant_id=bakery.pk)
        after = products_search(q="fournil")

    assert before.total == 0
    assert refreshed == 1
    assert _titles(after) == ["Pain de campagne"]
