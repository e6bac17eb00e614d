"""The embeddable widget: an iframe-able list, the script that inserts it, and the help page."""

import re
from datetime import UTC, datetime

import pytest

from marketplace.directory.models import Merchant
from tests.marketplace.directory.conftest import (
    WEEKDAYS_9_TO_19,
    category_create,
    merchant_create,
    queries_for,
)


@pytest.fixture(autouse=True)
def _monday_morning(frozen_now, english):
    frozen_now(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))


def listed(response) -> list[str]:
    return re.findall(r'data-merchant="([^"]+)"', response.content.decode())


@pytest.mark.smoke
def test_the_widget_may_be_framed_and_links_to_the_portal(client_a, town_a):
    shop = merchant_create(town_a, name="Épicerie du Lac", week=WEEKDAYS_9_TO_19)
    merchant_create(town_a, name="En attente", status=Merchant.Status.PENDING)

    response = client_a.get("/widget/commerces/")

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    body = response.content.decode()
    assert listed(response) == [shop.slug]
    assert f'href="http://alpha.comptoir.test/commerces/{shop.slug}/" target="_blank"' in body
    assert 'data-open="true"' in body


def test_other_pages_still_refuse_to_be_framed(client_a, town_a):
    assert client_a.get("/commerces/").headers["X-Frame-Options"] == "DENY"
    assert client_a.get("/integrer/").headers["X-Frame-Options"] == "DENY"


def test_the_widget_shows_one_category_when_asked(client_a, town_a):
    food = category_create(town_a, name="Alimentation")
    grocer = merchant_create(town_a, name="Épicerie", category=food)
    merchant_create(town_a, name="Librairie")

    assert listed(client_a.get(f"/widget/commerces/?categorie={food.slug}")) == [grocer.slug]


def test_widget_queries_stay_the_same_for_one_or_thirty_shops(client_a, town_a):
    category = category_create(town_a)
    merchant_create(town_a, name="Seul", category=category)
    one = queries_for(client_a, "/widget/commerces/")

    for number in range(29):
        merchant_create(town_a, name=f"Commerce {number:02d}", category=category)

    assert queries_for(client_a, "/widget/commerces/") == one == 5


def test_town_b_s_widget_never_lists_town_a(client_b, town_a, town_b):
    merchant_create(town_a, name="Épicerie du Lac")
    mine = merchant_create(town_b, name="Bazar de Beta")

    assert listed(client_b.get("/widget/commerces/")) == [mine.slug]


@pytest.mark.smoke
def test_the_script_inserts_the_towns_iframe_where_it_is(client_a, client_b, town_a):
    response = client_a.get("/widget.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    script = response.content.decode()
    assert 'var src = "http://alpha.comptoir.test/widget/commerces/";' in script
    assert "document.currentScript" in script
    assert "insertBefore(iframe, script.nextSibling)" in script
    assert "alpha.comptoir.test" not in client_b.get("/widget.js").content.decode()


@pytest.mark.smoke
def test_the_embed_page_gives_copy_paste_snippets(client_a, town_a):
    category = category_create(town_a, name="Alimentation")

    body = client_a.get("/integrer/").content.decode()

    assert (
        '&lt;script src="http://alpha.comptoir.test/widget.js" data-hauteur="480" async&gt;'
        "&lt;/script&gt;" in body
    )
    assert "&lt;iframe src=" in body and "http://alpha.comptoir.test/widget/commerces/" in body
    assert "http://alpha.comptoir.test/api/v1/public/merchants/" in body
    assert f"<code>{category.slug}</code>" in body
