"""A slug made from a title is the first one free among the table's rows."""

from comptoir.slugs import slug_free
from marketplace.directory.models import Category
from tests.conftest import inside


def _free(text: str) -> str:
    return slug_free(
        rows=Category.objects.all(), text=text, base_length=40, fallback="slug-test-rayon"
    )


def test_a_title_no_row_has_gives_its_own_slug(town_a):
    with inside(town_a):
        assert _free("Épicerie fine & Vins") == "epicerie-fine-vins"


def test_a_taken_slug_gets_the_first_free_number(town_a):
    with inside(town_a):
        for slug in ("slug-test-cave", "slug-test-cave-2", "slug-test-cave-4", "slug-test-caveau"):
            Category.objects.create(name=slug, slug=slug)

        assert _free("Slug test cave") == "slug-test-cave-3"
        assert _free("Slug test caveau") == "slug-test-caveau-2"


def test_a_title_without_letters_gets_the_fallback(town_a):
    with inside(town_a):
        assert _free("!!!") == "slug-test-rayon"


def test_the_base_is_cut_to_leave_room_for_the_number(town_a):
    with inside(town_a):
        slug = slug_free(
            rows=Category.objects.all(), text="a" * 30 + " b", base_length=31, fallback="rayon"
        )

    assert slug == "a" * 30
