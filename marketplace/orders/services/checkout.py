"""Placing a checkout: one cart across several shops becomes one order per shop, atomically,
then its payment starts.

In one transaction: the checkout row is inserted first, under its idempotency key (a double
submit waits on that key's unique index until the first commits, then finds the first
checkout); the orders are created "awaiting payment", and the stock of every line of every shop
is reserved (held until `Checkout.reserved_until`, the count unchanged) in one call that locks
the variants in ascending pk order, so two carts holding the same items in opposite orders
queue instead of deadlocking. That transaction commits, releasing its locks; only then do the
payment providers start (services.checkout_payment), so no network call ever runs inside a lock.
"Pay in shop" answers at once, and its orders are placed there and then.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.french import from_name
from comptoir.phones import phone_normalise
from marketplace.catalogue.services.stock import stock_reserve_for_lines
from marketplace.directory.models import Merchant
from marketplace.orders.errors import CheckoutInvalid, PaymentMethodUnknown
from marketplace.orders.fulfilment import DELIVERIES, delivery_fee_cents
from marketplace.orders.models import Cart, CartLine, Checkout, Order, OrderLine
from marketplace.orders.payments import PayInShopProvider, payment_provider_get
from marketplace.orders.selectors import CheckoutInfo, ShopCheckout
from marketplace.orders.services.cart import variant_refusal
from marketplace.orders.services.checkout_payment import checkout_payments_start
from marketplace.orders.services.references import order_reference_new

Fulfilment = Order.Fulfilment
# What a shopper may write to a shop with the order: a few lines, not a letter.
NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class FulfilmentChoice:
    """How the shopper receives one shop's part of the cart."""

    fulfilment: str
    pickup_at: datetime | None = None
    address: str = ""
    postcode: str = ""
    city: str = ""
    note: str = ""
    payment_method: str = PayInShopProvider.code


@dataclass(frozen=True)
class CheckoutPlaced:
    checkout: Checkout
    # Where the payment needs the shopper (a provider's card form), "" for the confirmation.
    redirect_url: str


class _TwinSubmit(Exception):
    """The same checkout was placed meanwhile by a twin request."""


def _validate_choice(
    *, merchant: Merchant, shop: ShopCheckout | None, choice: FulfilmentChoice | None
) -> ShopCheckout:
    """The shop's part of the checkout, once the choice for it holds."""
    names = {"shop": merchant.name}
    # No shop: its items joined the cart after the checkout was read, so nothing was chosen.
    if choice is None or shop is None:
        raise CheckoutInvalid(
            _("Choose how to receive your order %(from_shop)s.")
            % {"from_shop": from_name(merchant.name)}
        )
    if choice.fulfilment not in shop.fulfilments:
        raise CheckoutInvalid(
            _("%(shop)s does not offer this way of receiving an order: choose another one.") % names
        )
    if choice.fulfilment == Fulfilment.CLICK_COLLECT:
        if choice.pickup_at is None:
            raise CheckoutInvalid(_("Choose a pickup time at %(shop)s.") % names)
        if choice.pickup_at not in shop.pickup_slots:
            raise CheckoutInvalid(
                _("This pickup time at %(shop)s is no longer available: choose another one.")
                % names
            )
    if len(choice.note.strip()) > NOTE_MAX_LENGTH:
        raise CheckoutInvalid(
            _("The note for %(shop)s is at most %(max)d characters long.")
            % (names | {"max": NOTE_MAX_LENGTH})
        )
    if choice.fulfilment in DELIVERIES and not (
        choice.address.strip() and choice.postcode.strip() and choice.city.strip()
    ):
        raise CheckoutInvalid(_("Give the delivery address for %(shop)s.") % names)
    try:
        payment_provider_get(choice.payment_method)
    except PaymentMethodUnknown as error:
        raise CheckoutInvalid(error.message) from None
    if choice.payment_method not in shop.payment_methods:
        raise CheckoutInvalid(
            _("%(shop)s cannot be paid this way: choose another payment method.") % names
        )
    return shop


def _contact_phone(contact: Contact) -> str:
    """The contact's phone in E.164, once the contact holds."""
    if not contact.name.strip():
        raise CheckoutInvalid(_("Give your name, so the shops know who comes."))
    if "@" not in contact.email:
        raise CheckoutInvalid(_("Give an e-mail address: your confirmation is sent there."))
    try:
        return phone_normalise(contact.phone)
    except ValidationError as error:
        raise CheckoutInvalid(" ".join(error.messages)) from None


def checkout_place(
    *,
    info: CheckoutInfo,
    contact: Contact,
    choices_per_merchant: dict[int, FulfilmentChoice],
    idempotency_key: str,
    customer: User | None = None,
) -> CheckoutPlaced:
    """Turn the cart `info` was read for (orders.selectors.checkout_info_fetch) into one order
    per shop, all or nothing, and empty it; then start paying for them.

    Each shop's choice is checked against `info`'s ways and pickup times; the cart's lines are
    read again under the cart's lock, so a change made meanwhile in another tab counts. Raises
    CheckoutInvalid (an unavailable item, a fulfilment the shop does not offer, a pickup time
    gone, a missing address) or catalogue's InsufficientStock (counting the stock other
    checkouts hold); either way nothing is created and no stock is held. The same
    `idempotency_key` from the same cart again returns the first checkout (and where its
    payment wants the shopper); from any other cart it is refused as expired, and reveals
    nothing.
    """
    if not idempotency_key:
        raise _form_expired()
    cart = info.cart
    existing = Checkout.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _placed(_twin_of(existing, cart=cart))
    phone = _contact_phone(contact)
    if cart is None:
        raise CheckoutInvalid(_("Your cart is empty."))
    reserved_until = timezone.now() + timedelta(minutes=settings.STOCK_RESERVATION_MINUTES)
    try:
        with transaction.atomic(durable=True):
            try:
                with transaction.atomic():
                    checkout = Checkout.objects.create(
                        idempotency_key=idempotency_key,
                        cart=cart,
                        customer=customer,
                        contact_name=contact.name.strip(),
                        contact_email=contact.email.strip(),
                        contact_phone=phone,
                        language=get_language() or "",
                        reserved_until=reserved_until,
                    )
            except IntegrityError:
                raise _TwinSubmit from None
            _place(
                checkout=checkout,
                cart=cart,
                info=info,
                choices=choices_per_merchant,
                reserved_until=reserved_until,
            )
    except _TwinSubmit:
        checkout = _twin_of(Checkout.objects.get(idempotency_key=idempotency_key), cart=cart)
    return _placed(checkout)


def _placed(checkout: Checkout) -> CheckoutPlaced:
    # Committed, no lock held: the providers may call the network now.
    return CheckoutPlaced(
        checkout=checkout, redirect_url=checkout_payments_start(checkout=checkout)
    )


def _form_expired() -> CheckoutInvalid:
    return CheckoutInvalid(_("This form has expired: please reload the page."))


def _twin_of(existing: Checkout, *, cart: Cart | None) -> Checkout:
    """The checkout a double submit of this cart already made; a key that another cart used
    is a replay, answered like any expired form."""
    if cart is None or existing.cart_id != cart.pk:
        raise _form_expired()
    return existing


def _place(
    *,
    checkout: Checkout,
    cart: Cart,
    info: CheckoutInfo,
    choices: dict[int, FulfilmentChoice],
    reserved_until: datetime,
) -> None:
    # Locking the cart makes a second tab's checkout of the same cart wait, then find it empty.
    if not Cart.objects.select_for_update().filter(pk=cart.pk).exists():
        raise CheckoutInvalid(_("Your cart is empty."))
    lines = list(
        CartLine.objects.filter(cart_id=cart.pk)
        .select_related("variant__product__merchant")
        .order_by("pk")
    )
    if not lines:
        raise CheckoutInvalid(_("Your cart is empty."))
    for line in lines:
        refusal = variant_refusal(line.variant)
        if refusal:
            raise CheckoutInvalid(
                _("%(label)s: %(problem)s")
                % {"label": line.variant.product.title, "problem": refusal}
            )
    merchants = {line.variant.product.merchant_id: line.variant.product.merchant for line in lines}
    merchant_ids = sorted(merchants)
    shops = {
        merchant_id: _validate_choice(
            merchant=merchants[merchant_id],
            shop=info.shop(merchant_id),
            choice=choices.get(merchant_id),
        )
        for merchant_id in merchant_ids
    }

    orders: list[Order] = []
    order_lines: list[OrderLine] = []
    for merchant_id in merchant_ids:
        # The shop as the checkout read it: its fees are those the shopper was shown.
        merchant = shops[merchant_id].merchant
        choice = choices[merchant_id]
        own = [line for line in lines if line.variant.product.merchant_id == merchant_id]
        subtotal = sum(line.variant.price_cents * line.quantity for line in own)
        fee = delivery_fee_cents(merchant, choice.fulfilment)
        is_delivery = choice.fulfilment in DELIVERIES
        order = Order(
            reference=order_reference_new(),
            checkout=checkout,
            merchant=merchant,
            customer=checkout.customer,
            status=Order.Status.PENDING,
            fulfilment=choice.fulfilment,
            pickup_at=choice.pickup_at if choice.fulfilment == Fulfilment.CLICK_COLLECT else None,
            delivery_address=choice.address.strip() if is_delivery else "",
            delivery_postcode=choice.postcode.strip() if is_delivery else "",
            delivery_city=choice.city.strip() if is_delivery else "",
            payment_method=choice.payment_method,
            payment_status=Order.PaymentStatus.AWAITING,
            subtotal_cents=subtotal,
            delivery_fee_cents=fee,
            total_cents=subtotal + fee,
            note=choice.note.strip(),
        )
        orders.append(order)
        order_lines.extend(
            OrderLine(
                order=order,
                variant=line.variant,
                product_title=line.variant.product.title,
                variant_name=line.variant.name,
                sku=line.variant.sku,
                unit_price_cents=line.variant.price_cents,
                vat_rate=line.variant.product.vat_rate,
                quantity=line.quantity,
            )
            for line in own
        )

    stock_reserve_for_lines(
        lines={
            order.reference: [
                (line.variant_id, line.quantity)
                for line in lines
                if line.variant.product.merchant_id == order.merchant_id
            ]
            for order in orders
        },
        until=reserved_until,
    )
    Order.objects.bulk_create(orders)
    OrderLine.objects.bulk_create(order_lines)
    CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
