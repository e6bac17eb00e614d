"""The search corrects a misspelt word against the town's lexicon before searching."""

import pytest

from marketplace.catalogue.models import Product, SearchWord
from marketplace.catalogue.selectors import products_search, query_corrected
from marketplace.catalogue.services.products import product_create, product_update
from marketplace.catalogue.services.search import products_search_refresh_all
from tests.conftest import inside


@pytest.fixture
def cheese_shop(town_a, merchant_a):
    """A catalogue with some long words, some short ones and close neighbours."""
    with inside(town_a):
        for title, description in [
            ("Fromage de chèvre", "Affiné à la ferme."),
            ("Plateau de fromages", "Pour six personnes."),
            ("Livre de recettes", "Le fromage en cent recettes."),
            ("Boulangerie du coin : pain de campagne", "Cuit au feu de bois."),
            ("Vase en céramique", "Tourné à la main."),
            ("Confiture de pommes", "Pommes du verger."),
            ("Carnet libre", "Pages blanches."),
        ]:
            product_create(
                merchant=merchant_a, title=title, description=description, price_cents=500
            )


def _corrected(town, q: str) -> str:
    with inside(town):
        return query_corrected(q=q)


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        ("fromge", "fromage"),  # a letter dropped
        ("fromaeg", "fromage"),  # two neighbours swapped
        ("fromaxe", "fromage"),  # a letter replaced
        ("froomage", "fromage"),  # a letter added
        ("lirve", "livre"),
        ("plateu", "plateau"),
        ("pomes", "pommes"),
        ("vrger", "verger"),
        ("frme", "ferme"),  # four letters typed, but the word meant has five
    ],
)
def test_one_typo_is_corrected_from_five_letters(town_a, cheese_shop, typed, corrected):
    assert _corrected(town_a, typed) == corrected


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        ("boulngrie", "boulangerie"),  # nine letters: two dropped
        ("confitrue", "confiture"),  # nine letters: one swap
        ("ceramqiue", "céramique"),
        ("cnofitrue", "confiture"),  # two swaps
        ("cofitre", "confiture"),  # seven letters typed, two dropped from nine
    ],
)
def test_two_typos_are_corrected_from_nine_letters(town_a, cheese_shop, typed, corrected):
    assert _corrected(town_a, typed) == corrected


@pytest.mark.parametrize(
    "typed",
    [
        "frmge",  # five letters, two typos
        "fromaxs",  # seven letters, two typos
        "bolangrei",  # nine letters, three typos
        "pian",  # "pain" swapped: both under five letters
        "coln",  # "coin" replaced
        "vse",
    ],
)
def test_too_many_typos_or_too_short_words_are_left_alone(town_a, cheese_shop, typed):
    assert _corrected(town_a, typed) == typed


@pytest.mark.parametrize(
    "typed",
    [
        "libre",  # in the lexicon, one letter from the more common "livre"
        "fromages",  # another form of a known word (the same French stem)
        "recette",
        "notre",  # a stop word
        "Fromâge",  # a known word, once unaccented
    ],
)
def test_known_words_are_never_corrected(town_a, cheese_shop, typed):
    assert _corrected(town_a, typed) == typed


def test_the_first_letter_is_kept(town_a, cheese_shop):
    # "gomme" is one letter from "pomme", the first one.
    assert _corrected(town_a, "gomme") == "gomme"


def test_accents_and_capitals_follow_the_catalogue_and_the_query(town_a, cheese_shop):
    assert _corrected(town_a, "céramiqe") == "céramique"
    assert _corrected(town_a, "Fromge de chèvre") == "Fromage de chèvre"
    assert _corrected(town_a, '"plateu de fromge" -chevre') == '"plateau de fromage" -chevre'


def test_a_corrected_query_finds_what_the_right_spelling_finds(town_a, cheese_shop):
    with inside(town_a):
        typo = products_search(q="fromge")
        right = products_search(q="fromage")
        uncorrected = products_search(q="fromge", with_corrections=False)

    assert typo.corrected_query == "fromage" and right.corrected_query == ""
    assert [p.pk for p in typo.products] == [p.pk for p in right.products]
    assert typo.total == right.total == 3
    assert uncorrected.total == 1  # only the title the trigrams find


def test_words_only_unpublished_products_use_are_never_suggested(town_a, cheese_shop, merchant_a):
    with inside(town_a):
        draft = product_create(merchant=merchant_a, title="Reblochon", price_cents=900)
        shown = query_corrected(q="reblchon")
        product_update(merchant=merchant_a, product_id=draft.pk, is_published=False)
        hidden = query_corrected(q="reblchon")

    assert (shown, hidden) == ("reblochon", "reblchon")


def test_the_lexicon_learns_new_words_and_a_full_refresh_forgets_old_ones(
    town_a, cheese_shop, merchant_a
):
    with inside(town_a):
        product = product_create(merchant=merchant_a, title="Reblochon fermier", price_cents=900)
        learnt = SearchWord.objects.filter(word="reblochon").values_list("spelling", "documents")
        learnt = list(learnt)
        Product.objects.filter(pk=product.pk).delete()
        kept = SearchWord.objects.filter(word="reblochon").exists()
        products_search_refresh_all()
        forgotten = not SearchWord.objects.filter(word="reblochon").exists()
        ceramique = SearchWord.objects.get(word="ceramique")

    assert learnt == [("reblochon", 1)]
    assert kept and forgotten
    assert (ceramique.spelling, ceramique.stem, ceramique.documents) == ("céramique", "ceram", 1)


def test_another_towns_words_never_correct_a_query(town_a, town_b, cheese_shop, merchant_b):
    with inside(town_b):
        product_create(merchant=merchant_b, title="Reblochon fermier", price_cents=900)
        in_b = query_corrected(q="reblchon")
    with inside(town_a):
        in_a = query_corrected(q="reblchon")
        found_in_a = products_search(q="reblchon")

    assert in_b == "reblochon"
    assert in_a == "reblchon"
    assert (found_in_a.total, found_in_a.corrected_query) == (0, "")
