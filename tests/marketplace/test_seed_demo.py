"""seed_demo: a demo town full of fictional but realistic content, made once.

One demo town is seeded into the test database with the small size; everything happens in the
test's transaction (the new schema included), so it is all rolled back afterwards.
"""

import io
import random
import re
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Sum
from django_tenants.utils import schema_context
from PIL import Image

from comptoir.town import town_now
from marketplace.appointments.models import Appointment, Slot
from marketplace.campaigns.models import Campaign
from marketplace.campaigns.selectors import campaign_current
from marketplace.catalogue.models import Product, ProductPhoto, StockMovement, Variant
from marketplace.demo.content import TOWN_PROFILES, TRADES
from marketplace.demo.directory import (
    SMALL,
    _unique_name,
    categories_by_slug,
    demo_category,
    siret_make,
)
from marketplace.demo.images import initials, product_renditions
from marketplace.directory.models import (
    Category,
    Merchant,
    MerchantMember,
    OpeningHours,
    SpecialHours,
    validate_siret,
)
from marketplace.messaging.models import Message
from marketplace.orders.models import Order
from reporting.models import PageKind, PageViewsDaily, PageViewsHourly, VisitorsDaily
from tenants.models import Town, TownStats

DEMO_SLUG = "chalons"


def _counts() -> dict[str, int]:
    return {
        "merchants": Merchant.objects.count(),
        "members": MerchantMember.objects.count(),
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "photos": ProductPhoto.objects.count(),
        "orders": Order.objects.count(),
        "messages": Message.objects.count(),
        "slots": Slot.objects.count(),
        "appointments": Appointment.objects.count(),
        "campaigns": Campaign.objects.count(),
        "visits": PageViewsDaily.objects.count(),
        "movements": StockMovement.objects.count(),
    }


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", town=DEMO_SLUG, size="small", stdout=out)
    return Town.objects.get(slug=DEMO_SLUG), out.getvalue()


def test_the_demo_town_is_created_branded_and_active(seeded):
    town, output = seeded

    assert town.status == Town.Status.ACTIVE
    assert town.name == "Châlons-en-Champagne"
    assert town.welcome_text.startswith("Le cœur marchand de Châlons-en-Champagne")
    assert f"{town.name:<22} {town.url}  (created;" in output
    # The console's figures are there at once, without beat.
    stats = TownStats.objects.get(town=town)
    with schema_context(town.schema_name):
        assert (stats.merchants, stats.products, stats.orders) == (
            Merchant.objects.count(),
            Product.objects.count(),
            Order.objects.count(),
        )
    assert stats.merchants > 0


def test_merchants_of_every_kind_with_true_details(seeded):
    town, _output = seeded
    profile = TOWN_PROFILES[DEMO_SLUG]
    south, north, west, east = profile.box

    with schema_context(town.schema_name):
        merchants = list(Merchant.objects.select_related("category"))
        kinds = {merchant.category.kind for merchant in merchants}
        statuses = [merchant.status for merchant in merchants]

        assert len(merchants) == SMALL.merchants
        assert kinds == set(Category.Kind.values)
        assert statuses.count(Merchant.Status.PENDING) == 1
        assert statuses.count(Merchant.Status.APPROVED) == SMALL.merchants - 1
        for merchant in merchants:
            assert south <= merchant.latitude <= north
            assert west <= merchant.longitude <= east
            assert merchant.latitude == merchant.latitude.quantize(Decimal("0.000001"))
            assert merchant.city == town.name
            assert merchant.logo and default_storage.exists(merchant.logo.name)
            assert merchant.logo.name.startswith(f"{town.schema_name}/merchants/")
            if merchant.siret:
                validate_siret(merchant.siret)
        assert MerchantMember.objects.filter(role=MerchantMember.Role.OWNER).count() == len(
            merchants
        )
        # Several ranges a day, some Sundays, and a few exceptional days.
        assert OpeningHours.objects.filter(weekday=6).exists()
        assert OpeningHours.objects.values("merchant", "weekday").distinct().count() < (
            OpeningHours.objects.count()
        )
        assert SpecialHours.objects.filter(is_closed=True).exists()
        assert SpecialHours.objects.filter(is_closed=False).exists()


def test_products_with_variants_stock_history_and_local_pictures(seeded):
    town, _output = seeded

    with schema_context(town.schema_name):
        selling = Merchant.objects.filter(
            sells_online=True, status=Merchant.Status.APPROVED
        ).exclude(category__kind=Category.Kind.ASSOCIATION)
        for merchant in selling:
            assert SMALL.products[0] <= merchant.products.count() <= SMALL.products[1]
        clothing = demo_category("Fashion", "Clothing", known=categories_by_slug())
        clothes = Product.objects.filter(merchant__category=clothing).first()
        assert [v.size for v in clothes.variants.all()] == ["S", "M", "L", "XL"]
        assert not Product.objects.filter(search_vector__isnull=True).exists()
        assert StockMovement.objects.filter(reason=StockMovement.Reason.IMPORT).exists()
        photo = ProductPhoto.objects.first()
        with default_storage.open(photo.thumbnail.name) as thumbnail:
            assert Image.open(thumbnail).size == (400, 400)
        assert photo.webp.name.endswith(".webp")
        assert ProductPhoto.objects.count() == Product.objects.count()


def test_orders_in_every_state_messages_appointments_campaign_and_visits(seeded):
    town, _output = seeded

    with schema_context(town.schema_name):
        # Every state after placement: a demo order awaiting payment would be swept within
        # minutes (its hold runs out), and the demo pays in shop.
        assert set(Order.objects.values_list("status", flat=True)) == set(Order.Status.values) - {
            Order.Status.PENDING
        }
        fulfilments = set(Order.objects.values_list("fulfilment", flat=True))
        assert Order.Fulfilment.CLICK_COLLECT in fulfilments
        assert fulfilments & {Order.Fulfilment.LOCAL_DELIVERY, Order.Fulfilment.POSTAL}
        assert Message.objects.filter(side="shopper").exists()
        assert Message.objects.filter(side="merchant").exists()
        assert Appointment.objects.filter(status=Appointment.Status.CONFIRMED).count() >= 1
        assert Appointment.objects.filter(status=Appointment.Status.CANCELLED).count() == 1
        campaign = campaign_current(today=town_now().date())
        assert campaign is not None
        assert campaign.is_published
        assert campaign.featured_merchants.exists()
        assert campaign.featured_products.exists()
        assert campaign.image.name.startswith(f"{town.schema_name}/campaigns/")
        # A month of visits in the counter's own tables, the evening busier than the night.
        assert PageViewsDaily.objects.filter(kind=PageKind.MERCHANT, views__gt=0).exists()
        assert PageViewsDaily.objects.filter(kind=PageKind.PRODUCT, views__gt=0).exists()
        assert VisitorsDaily.objects.count() == 30
        hourly = dict(PageViewsHourly.objects.values_list("hour").annotate(Sum("views")))
        assert hourly[21] > hourly.get(3, 0)


def test_a_second_run_keeps_everything_and_adds_nothing(seeded):
    town, _output = seeded
    with schema_context(town.schema_name):
        before = _counts()

    out = io.StringIO()
    call_command("seed_demo", town=DEMO_SLUG, size="small", stdout=out)

    with schema_context(town.schema_name):
        assert _counts() == before
    assert "(kept;" in out.getvalue()
    assert "content kept" in out.getvalue()
    assert Town.objects.filter(slug=DEMO_SLUG).count() == 1


def test_the_home_page_of_the_demo_town_shows_its_content(seeded):
    from django.test import Client

    town, _output = seeded

    response = Client(HTTP_HOST=town.primary_domain_name).get("/")

    home = response.context["home"]
    assert response.status_code == 200
    assert home.campaign is not None
    assert home.categories
    assert home.newest_products


@pytest.mark.parametrize("seed", range(50))
def test_generated_siret_numbers_pass_the_checksum(seed):
    validate_siret(siret_make(random.Random(seed)))


def test_pictures_are_drawn_locally_with_initials():
    renditions = product_renditions("Miel de lavande", (96, 120, 60))

    assert initials("Miel de lavande") == "ML"
    assert initials("L'Atelier de Camille") == "AC"
    assert initials("Coffret épicerie fine") == "CE"  # the built-in font has no "É"
    assert Image.open(io.BytesIO(renditions.image)).format == "JPEG"
    assert Image.open(io.BytesIO(renditions.thumbnail)).size == (400, 400)
    assert Image.open(io.BytesIO(renditions.webp)).format == "WEBP"
    assert product_renditions("Miel de lavande", (96, 120, 60)) is renditions


def test_demo_shop_names_elide_de_before_a_vowel():
    """ "Le Comptoir d’Inès", never "Le Comptoir de Inès", whichever first or family name."""
    profile = TOWN_PROFILES[DEMO_SLUG]
    rng = random.Random(8)
    taken: set[str] = set()

    names = [
        _unique_name(trade, rng=rng, town="Châlons-en-Champagne", profile=profile, taken=taken)
        for trade in TRADES.values()
        for _ in range(40)
    ]

    assert [name for name in names if re.search(r"\bde [AEIOUÉÈÊÂÎÔaeiouéèêâîô]", name)] == []
    assert any("d’" in name for name in names)
