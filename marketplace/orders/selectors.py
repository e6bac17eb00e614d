"""Reads of carts and orders, each in a fixed number of queries whatever the amount of data."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.town import town_time_zone
from marketplace.catalogue.models import Product, ProductPhoto, Variant
from marketplace.directory.models import Merchant, MerchantMember
from marketplace.directory.selectors import merchant_hours_prefetch
from marketplace.orders.fulfilment import PICKUP_DAYS, fulfilments_offered, merchant_pickup_slots
from marketplace.orders.models import Cart, CartLine, Checkout, Order, OrderEvent, OrderLine
from marketplace.orders.payments import payment_providers
from marketplace.orders.services.cart import quantity_refusal, variant_refusal


@dataclass
class CartItem:
    line: CartLine
    variant: Variant
    product: Product
    photo: ProductPhoto | None
    # Why the line cannot be ordered as it is now (translated), or "".
    problem: str

    @property
    def unit_price_cents(self) -> int:
        return self.variant.price_cents

    @property
    def total_cents(self) -> int:
        return self.variant.price_cents * self.line.quantity


@dataclass
class CartGroup:
    """The part of the cart one shop will prepare: one order at checkout."""

    merchant: Merchant
    items: list[CartItem] = field(default_factory=list)

    @property
    def subtotal_cents(self) -> int:
        return sum(item.total_cents for item in self.items)

    @property
    def item_count(self) -> int:
        return sum(item.line.quantity for item in self.items)


@dataclass
class CartContents:
    cart: Cart | None
    groups: list[CartGroup]

    @property
    def total_cents(self) -> int:
        return sum(group.subtotal_cents for group in self.groups)

    @property
    def item_count(self) -> int:
        return sum(group.item_count for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def has_problems(self) -> bool:
        return any(item.problem for group in self.groups for item in group.items)


def cart_find(*, user: User | AnonymousUser | None, cart_id: int | None) -> Cart | None:
    """The signed-in shopper's cart, or the guest cart the session names (one query, or none)."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user).first()
    if not cart_id:
        return None
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first()


def cart_item_count(*, user: User | AnonymousUser | None, cart_id: int | None) -> int:
    """Units in the cart, for the header: one query, none for a guest without a cart."""
    if user is not None and user.is_authenticated:
        lines = CartLine.objects.filter(cart__user=user)
    elif cart_id:
        lines = CartLine.objects.filter(cart_id=cart_id, cart__user__isnull=True)
    else:
        return 0
    return lines.aggregate(units=Sum("quantity"))["units"] or 0


def cart_contents(*, cart: Cart | None) -> CartContents:
    """The cart's lines grouped by shop (shops by name), each with what may stop its ordering.

    Two queries: the lines with their variant, product and shop; the products' first photos.
    """
    if cart is None:
        return CartContents(cart=None, groups=[])
    lines = (
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product__merchant")
        .prefetch_related(
            Prefetch(
                "variant__product__photos",
                queryset=ProductPhoto.objects.order_by("position", "pk"),
                to_attr="ordered_photos",
            )
        )
        .order_by("pk")
    )
    groups: dict[int, CartGroup] = {}
    for line in lines:
        variant = line.variant
        product = variant.product
        merchant = product.merchant
        problem = variant_refusal(variant) or quantity_refusal(
            variant=variant, quantity=line.quantity
        )
        group = groups.setdefault(merchant.pk, CartGroup(merchant=merchant))
        group.items.append(
            CartItem(
                line=line,
                variant=variant,
                product=product,
                photo=next(iter(product.ordered_photos), None),  # type: ignore[attr-defined]
                problem=problem,
            )
        )
    ordered = sorted(
        groups.values(), key=lambda group: (group.merchant.name.lower(), group.merchant.pk)
    )
    return CartContents(cart=cart, groups=ordered)


def _pickup_hours_prefetch(today: date) -> list[Prefetch]:
    return merchant_hours_prefetch(since=today, until=today + timedelta(days=PICKUP_DAYS + 1))


def merchants_for_checkout(*, merchant_ids: list[int], today: date) -> dict[int, Merchant]:
    """Shops with the hours pickup slots need (three queries)."""
    merchants = Merchant.objects.filter(pk__in=merchant_ids).prefetch_related(
        *_pickup_hours_prefetch(today)
    )
    return {merchant.pk: merchant for merchant in merchants}


@dataclass(frozen=True)
class ShopCheckout:
    """One shop's part of a checkout: its cart lines, the ways it hands them over, when they
    can be collected (no times when the shop offers no click & collect), and the payment
    methods (providers' codes) that may pay for it."""

    group: CartGroup
    fulfilments: tuple[str, ...]
    pickup_slots: tuple[datetime, ...]
    payment_methods: tuple[str, ...] = ("pay_in_shop",)

    @property
    def merchant(self) -> Merchant:
        return self.group.merchant


@dataclass(frozen=True)
class CheckoutInfo:
    """A cart as checkout sees it, read once per request (as Saleor's fetch_checkout_info): the
    page renders it, and checkout_place validates the shopper's choices against it."""

    contents: CartContents
    # In the order of the cart's groups (shops by name).
    shops: tuple[ShopCheckout, ...]

    @property
    def cart(self) -> Cart | None:
        return self.contents.cart

    def shop(self, merchant_id: int) -> ShopCheckout | None:
        return next((shop for shop in self.shops if shop.merchant.pk == merchant_id), None)


def checkout_info_fetch(*, cart: Cart | None, now: datetime | None = None) -> CheckoutInfo:
    """The cart's lines per shop, each shop's ways of handing over and pickup times from `now`
    (the present by default), and which payment methods each may take. Four queries:
    cart_contents' two, then the shops' hours; and what each payment method asks (one for
    card payment)."""
    contents = cart_contents(cart=cart)
    if contents.is_empty:
        return CheckoutInfo(contents=contents, shops=())
    now = now or timezone.now()
    # The shops came with the lines: only their hours are left to read.
    today = now.astimezone(town_time_zone()).date()
    prefetch_related_objects(
        [group.merchant for group in contents.groups], *_pickup_hours_prefetch(today)
    )
    merchant_ids = [group.merchant.pk for group in contents.groups]
    offers = [
        (provider.code, provider.offered_to(merchant_ids=merchant_ids))
        for provider in payment_providers()
    ]
    shops = []
    for group in contents.groups:
        offered = fulfilments_offered(group.merchant)
        slots = (
            merchant_pickup_slots(group.merchant, now=now)
            if Order.Fulfilment.CLICK_COLLECT in offered
            else []
        )
        methods = tuple(code for code, offered_to in offers if group.merchant.pk in offered_to)
        shops.append(ShopCheckout(group, tuple(offered), tuple(slots), methods))
    return CheckoutInfo(contents=contents, shops=tuple(shops))


def checkout_with_orders(*, checkout_id: int) -> Checkout | None:
    """A checkout and its orders (with their shops), for the confirmation page: two queries."""
    return (
        Checkout.objects.filter(pk=checkout_id)
        .prefetch_related(
            Prefetch(
                "orders",
                queryset=Order.objects.select_related("merchant").order_by("pk"),
                to_attr="ordered_orders",
            )
        )
        .first()
    )


def _order_detail_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("merchant", "checkout").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
    )


def order_by_tracking_token(*, token: str) -> Order | None:
    """The order a tracking link names, with its lines and history (three queries)."""
    return _order_detail_queryset().filter(tracking_token=token).first()


def order_of_customer(*, user: User, reference: str) -> Order | None:
    """One of the shopper's own orders, by reference, with lines and history (three queries)."""
    return _order_detail_queryset().filter(customer=user, reference=reference).first()


def orders_of_customer(*, user: User) -> QuerySet[Order]:
    """The shopper's orders, newest first, with their shop and number of items."""
    return (
        Order.objects.filter(customer=user)
        .select_related("merchant")
        .annotate(item_count=Sum("lines__quantity"))
        .order_by("-created_at", "-pk")
    )


def merchant_notification_emails(*, merchant: Merchant) -> list[str]:
    """Who hears of a shop's new orders: its active members, else the shop's own e-mail."""
    emails = list(
        MerchantMember.objects.filter(merchant=merchant, user__is_active=True)
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    if not emails and merchant.email:
        emails = [merchant.email]
    return emails
