"""Pages and e-mails in French, the site's default, as a French town writes them: "d’Aix-les-Bains"
(never "de Aix-les-Bains"), a narrow no-break space before a colon, "mer. 9 déc.", and each
label saying one thing once."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import formats, translation

from marketplace.catalogue.services.stock import stock_adjust
from marketplace.orders.models import Order, OrderEvent
from marketplace.orders.tasks import checkout_confirmation_send
from tenants.models import Town
from tests.conftest import host_of, inside, signed_in
from tests.marketplace.backoffice.builders import (
    order_add,
    product_add,
    shop_create,
    variants_of,
)
from tests.marketplace.directory.conftest import member_create, merchant_create
from tests.marketplace.orders.factories import guest_cart_fill, order_place, variant_create
from tests.marketplace.orders.factories import shop_create as selling_shop_create

PARIS = ZoneInfo("Europe/Paris")
NNBSP = "\u202f"
OF_AIX = "d’Aix-les-Bains"


@pytest.fixture
def aix(town_a: Town) -> Town:
    """Town Alpha under a name that takes an elision."""
    Town.objects.filter(pk=town_a.pk).update(name="Aix-les-Bains")
    return Town.objects.get(pk=town_a.pk)


@pytest.fixture
def french_client(aix: Town) -> Client:
    """A browser that names no language: the site's default, French."""
    return Client(HTTP_HOST=host_of(aix))


def test_the_directory_and_the_widget_name_the_town_with_its_elision(french_client, aix):
    merchant_create(aix, name="Épicerie du Lac")

    directory = french_client.get("/commerces/").content.decode()
    widget = french_client.get("/widget/commerces/").content.decode()

    assert f"services publics et activités {OF_AIX}{NNBSP}: horaires" in directory
    assert f"<title>Les commerces {OF_AIX}</title>" in widget
    assert f"Tous les commerces {OF_AIX} sur son portail" in widget
    assert "de Aix" not in directory + widget


def test_the_order_e_mail_names_the_town_with_its_elision_and_spaces_its_colons(aix, mailoutbox):
    shop = selling_shop_create(aix, name="Le Fournil")
    checkout = order_place(aix, [(variant_create(aix, shop, price_cents=8010), 1)])

    connection.set_schema_to_public()
    checkout_confirmation_send.apply(
        args=[checkout.pk], headers={"_schema_name": aix.schema_name}
    ).get()

    [mail] = mailoutbox
    assert mail.subject == f"Votre commande sur le portail {OF_AIX} ({checkout.reference})"
    assert f"Merci pour votre commande sur le portail {OF_AIX} " in mail.body
    assert f"Total{NNBSP}: 80,10\u00a0€" in mail.body
    assert f"À bientôt dans les commerces {OF_AIX}{NNBSP}!" in mail.body


def test_the_cart_total_has_a_narrow_no_break_space_before_its_colon(french_client, aix):
    shop = selling_shop_create(aix, name="Le Fournil")
    guest_cart_fill(french_client, [(variant_create(aix, shop, price_cents=8010), 1)])

    body = french_client.get("/panier/").content.decode()

    assert f"Total{NNBSP}: 80,10\u00a0€" in body
    assert "Articles du Fournil" in body


# --- dates ---------------------------------------------------------------------------------


def test_every_language_defines_the_projects_date_formats():
    names = ["SHORT_WEEKDAY_DATETIME_FORMAT", "SHORT_WEEKDAY_DATETIME_YEAR_FORMAT"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            assert [formats.get_format(name) for name in names] != names, code


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        (datetime(2026, 12, 9, 10, 30), "mer. 9 déc., 10:30"),
        (datetime(2026, 1, 1, 8, 0), "jeu. 1 janv., 08:00"),
        (datetime(2026, 2, 14, 8, 0), "sam. 14 févr., 08:00"),
        (datetime(2026, 3, 2, 8, 0), "lun. 2 mars, 08:00"),
    ],
)
def test_the_short_weekday_format_abbreviates_as_french_does(when, shown):
    with translation.override("fr"):
        assert formats.date_format(when, "SHORT_WEEKDAY_DATETIME_FORMAT") == shown


def test_the_order_inbox_shows_the_pickup_day_as_french_writes_it(aix):
    shop = shop_create(aix, name="Fleurs de Lys", owner="owner@alpha.test")
    variant = variants_of(aix, product_add(aix, shop))[0]
    order_add(
        aix, shop, lines=[(variant, 1)], pickup_at=datetime(2026, 12, 9, 10, 30, tzinfo=PARIS)
    )
    client = signed_in(Client(HTTP_HOST=host_of(aix)), aix, "owner@alpha.test")

    body = client.get("/boutique/commandes/").content.decode()

    assert "mer. 9 déc., 10:30" in body
    assert "Déc" not in body


# --- one label, one meaning ----------------------------------------------------------------


def test_the_merchants_order_history_says_placed_once(aix):
    shop = shop_create(aix, name="Fleurs de Lys", owner="owner@alpha.test")
    variant = variants_of(aix, product_add(aix, shop))[0]
    order = order_add(aix, shop, lines=[(variant, 1)])
    with inside(aix):
        # As the checkout records it.
        OrderEvent.objects.create(order=order, to_status=Order.Status.PLACED)
    client = signed_in(Client(HTTP_HOST=host_of(aix)), aix, "owner@alpha.test")

    body = client.get(f"/boutique/commandes/{order.reference}/").content.decode()

    [history] = re.findall(r'<ol class="backoffice-timeline">(.*?)</ol>', body, re.S)
    assert history.count("Passée") == 1


def test_a_stock_change_is_a_variation_and_a_file_change_is_modifier(aix):
    shop = shop_create(aix, name="Fleurs de Lys", owner="owner@alpha.test")
    variant = variants_of(aix, product_add(aix, shop, stocks=(0,)))[0]
    with inside(aix):
        stock_adjust(variant_id=variant.pk, delta=2, reason="manual", actor=None)
    client = signed_in(Client(HTTP_HOST=host_of(aix)), aix, "owner@alpha.test")

    stock_page = client.get(f"/boutique/produits/variantes/{variant.pk}/stock/").content.decode()

    class Current:
        url = "/media/campagne.jpg"

        def __str__(self) -> str:
            return "campagne.jpg"

    with translation.override("fr"):
        file_input = forms.ClearableFileInput().render("image", Current())
    assert '<th scope="col">Variation</th>' in stock_page
    assert "Modifier" in file_input
    assert "Variation" not in file_input


@pytest.mark.parametrize(
    ("pending", "shown", "hidden"),
    [
        (0, "Aucune demande en attente.", "demande attend"),
        (1, "1 demande attend votre décision.", "Aucune demande"),
        (2, "2 demandes attendent votre décision.", "Aucune demande"),
    ],
)
def test_the_applications_page_says_how_many_wait_or_that_none_does(
    aix, admin_a, pending, shown, hidden
):
    for number in range(pending):
        merchant = merchant_create(aix, name=f"Candidat {number}", status="pending")
        member_create(aix, merchant, f"candidat{number}@alpha.test")
    client = signed_in(Client(HTTP_HOST=host_of(aix)), aix, admin_a.email)

    body = client.get("/gestion/commercants/").content.decode()

    assert shown in body
    assert hidden not in body
