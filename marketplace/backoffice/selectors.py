"""Reads of the back office. Every query is bounded to the shop the member runs, so a member of
one shop never reaches another's orders, products or people, whatever id they type."""

import unicodedata
from datetime import date, datetime, time

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from comptoir.town import town_time_zone
from marketplace.appointments.models import Appointment
from marketplace.appointments.selectors import appointments_upcoming
from marketplace.catalogue.models import Product, ProductPhoto, StockMovement, Variant
from marketplace.catalogue.selectors import LOW_STOCK_THRESHOLD
from marketplace.directory.models import MerchantMember
from marketplace.orders.models import Order, OrderEvent, OrderLine

DASHBOARD_ORDERS_SHOWN = 10
DASHBOARD_LOW_STOCK_SHOWN = 10
DASHBOARD_APPOINTMENTS_SHOWN = 5
STOCK_HISTORY_SHOWN = 100

# The inbox's tabs: slug in the URL → the statuses it lists.
ORDER_TABS: dict[str, tuple[str, ...]] = {
    "nouvelles": (Order.Status.PLACED,),
    "acceptees": (Order.Status.ACCEPTED,),
    "pretes": (Order.Status.READY,),
    "terminees": (Order.Status.COLLECTED, Order.Status.DELIVERED),
    "annulees": (Order.Status.REFUSED, Order.Status.CANCELLED),
}
ORDERS_TO_HANDLE = (Order.Status.PLACED, Order.Status.ACCEPTED, Order.Status.READY)


def _shop_orders(merchant_id: int) -> QuerySet[Order]:
    """The shop's orders once placed: one awaiting its payment, or cancelled because the
    payment never came, was never the shop's to prepare."""
    return (
        Order.objects.filter(merchant_id=merchant_id)
        .exclude(status=Order.Status.PENDING)
        .exclude(payment_status=Order.PaymentStatus.FAILED)
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=town_time_zone())


def orders_today_count(*, merchant_id: int, today: date) -> int:
    return _shop_orders(merchant_id).filter(created_at__gte=_day_start(today)).count()


def orders_to_handle(*, merchant_id: int) -> list[Order]:
    """The latest orders still to prepare or hand over, newest first."""
    return list(
        _shop_orders(merchant_id)
        .filter(status__in=ORDERS_TO_HANDLE)
        .select_related("checkout")
        .order_by("-created_at", "-pk")[:DASHBOARD_ORDERS_SHOWN]
    )


def variants_low_stock(*, merchant_id: int) -> list[Variant]:
    """Variants at or under the low-stock threshold, emptiest first (products sold online)."""
    return list(
        Variant.objects.filter(
            product__merchant_id=merchant_id,
            product__sold_in_shop_only=False,
            stock__lte=LOW_STOCK_THRESHOLD,
        )
        .select_related("product")
        .order_by("stock", "product__title", "pk")[:DASHBOARD_LOW_STOCK_SHOWN]
    )


def appointments_next(*, merchant_id: int, now: datetime) -> list[Appointment]:
    return list(
        appointments_upcoming(merchant_id=merchant_id, now=now)[:DASHBOARD_APPOINTMENTS_SHOWN]
    )


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def products_of_merchant(*, merchant_id: int, query: str = "") -> QuerySet[Product]:
    """The shop's products, newest first, with variants and photos (found by title, accents and
    case ignored)."""
    products = Product.objects.filter(merchant_id=merchant_id)
    query = query.strip()
    if query:
        products = products.filter(title__unaccent__icontains=_without_accents(query))
    return products.prefetch_related(
        Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
        Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "pk")),
    ).order_by("-created_at", "-pk")


def product_of_merchant(*, merchant_id: int, product_id: int) -> Product | None:
    return (
        Product.objects.filter(merchant_id=merchant_id, pk=product_id)
        .select_related("category")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "pk")),
        )
        .first()
    )


def variant_of_merchant(*, merchant_id: int, variant_id: int) -> Variant | None:
    return (
        Variant.objects.filter(pk=variant_id, product__merchant_id=merchant_id)
        .select_related("product")
        .first()
    )


def stock_history(*, variant_id: int) -> list[StockMovement]:
    """The variant's latest stock movements, newest first, with who made them."""
    return list(
        StockMovement.objects.filter(variant_id=variant_id)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:STOCK_HISTORY_SHOWN]
    )


def order_tab_counts(*, merchant_id: int) -> dict[str, int]:
    """How many orders each inbox tab holds (one query)."""
    figures = _shop_orders(merchant_id).aggregate(
        **{
            slug: Count("pk", filter=Q(status__in=statuses))
            for slug, statuses in ORDER_TABS.items()
        }
    )
    return {slug: figures[slug] for slug in ORDER_TABS}


def orders_in_tab(*, merchant_id: int, tab: str) -> QuerySet[Order]:
    """The tab's orders: the new ones oldest first (first come, first served), others newest first."""
    orders = (
        _shop_orders(merchant_id)
        .filter(status__in=ORDER_TABS[tab])
        .select_related("checkout")
        .annotate(item_count=Sum("lines__quantity"))
    )
    if tab in ("nouvelles", "acceptees", "pretes"):
        return orders.order_by("created_at", "pk")
    return orders.order_by("-created_at", "-pk")


def order_of_merchant(*, merchant_id: int, reference: str) -> Order | None:
    """One of the shop's orders with its lines, its history and who made each change."""
    return (
        _shop_orders(merchant_id)
        .filter(reference=reference)
        .select_related("checkout", "customer")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
            Prefetch(
                "events",
                queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "pk"),
            ),
        )
        .first()
    )


def staff_of_merchant(*, merchant_id: int) -> list[MerchantMember]:
    """The shop's members, owners first, with their accounts."""
    return list(
        MerchantMember.objects.filter(merchant_id=merchant_id)
        .select_related("user")
        .order_by("role", "user__email")
    )


def variants_of_merchant(*, merchant_id: int) -> QuerySet[Variant]:
    """Every variant of the shop with its product, by product title then variant order."""
    return (
        Variant.objects.filter(product__merchant_id=merchant_id)
        .select_related("product")
        .order_by("product__title", "product_id", "position", "pk")
    )
