"""The cart: one per shopper, across every shop of the town.

A guest's cart is found through their session, a signed-in shopper's through their account; at
sign-in the guest cart is merged into the account's. Every change locks the cart row first, so
two tabs adding at once queue instead of losing a line. Prices are never stored in the cart:
they are read live, and frozen only on the order lines at checkout.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from marketplace.catalogue.models import Variant
from marketplace.directory.models import Merchant
from marketplace.orders.errors import CartRefused
from marketplace.orders.models import Cart, CartLine

# The session key holding a guest's cart id (a signed-in shopper's cart hangs on their account).
CART_SESSION_KEY = "cart_id"
# A cart line is a shopper's purchase, not a wholesale order.
MAX_LINE_QUANTITY = 99


def merchant_takes_online_orders(merchant: Merchant) -> bool:
    """Approved, selling online, and offering at least one way to hand the goods over."""
    return (
        merchant.status == Merchant.Status.APPROVED
        and merchant.sells_online
        and (
            merchant.offers_click_collect
            or merchant.offers_local_delivery
            or merchant.offers_postal_delivery
            or merchant.offers_reserve_pay_in_shop
        )
    )


def variant_refusal(variant: Variant) -> str:
    """Why this variant cannot be bought online right now (translated), or "" when it can.

    Reads `variant.product.merchant`: select them with the variant. Stock is checked apart.
    """
    product = variant.product
    merchant = product.merchant
    if merchant.status != Merchant.Status.APPROVED:
        return _("%(shop)s is not open on the portal at the moment.") % {"shop": merchant.name}
    if not merchant_takes_online_orders(merchant):
        return _("%(shop)s does not take orders online.") % {"shop": merchant.name}
    if not product.is_published:
        return _("This product is no longer available.")
    if product.sold_in_shop_only:
        return _("This product is sold in the shop only.")
    return ""


def quantity_refusal(*, variant: Variant, quantity: int) -> str:
    """Why `quantity` units of this variant cannot be in a cart (translated), or ""."""
    if quantity < 1:
        return _("Choose a quantity of at least 1.")
    if quantity > MAX_LINE_QUANTITY:
        return _("You can order at most %(max)d of one item.") % {"max": MAX_LINE_QUANTITY}
    if variant.stock <= 0:
        return _("This product is out of stock.")
    if quantity > variant.stock:
        return _("Only %(available)d left in stock.") % {"available": variant.stock}
    return ""


def _variant_for_cart(variant_id: int) -> Variant:
    variant = Variant.objects.select_related("product__merchant").filter(pk=variant_id).first()
    if variant is None:
        raise CartRefused(_("This product is no longer available."))
    refusal = variant_refusal(variant)
    if refusal:
        raise CartRefused(refusal)
    return variant


def _locked(cart: Cart) -> Cart:
    return Cart.objects.select_for_update().get(pk=cart.pk)


def cart_get_or_create(*, user: User | None, cart_id: int | None) -> Cart:
    """The signed-in shopper's cart, or the guest cart the session names, made when missing."""
    if user is not None:
        own, _created = Cart.objects.get_or_create(user=user)
        return own
    guest = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    return guest or Cart.objects.create()


def cart_add(*, cart: Cart, variant_id: int, quantity: int = 1) -> CartLine:
    """Put `quantity` more units of a variant in the cart; refuses with CartRefused (nothing
    changed) what is not for sale online or more than the stock."""
    if quantity < 1:
        raise CartRefused(_("Choose a quantity of at least 1."))
    variant = _variant_for_cart(variant_id)
    with transaction.atomic(durable=True):
        locked = _locked(cart)
        line = CartLine.objects.filter(cart=cart, variant=variant).first()
        wanted = quantity + (line.quantity if line else 0)
        refusal = quantity_refusal(variant=variant, quantity=wanted)
        if refusal:
            raise CartRefused(refusal)
        if line is None:
            line = CartLine.objects.create(cart=cart, variant=variant, quantity=wanted)
        else:
            line.quantity = wanted
            line.save(update_fields=["quantity"])
        locked.save(update_fields=["updated_at"])
    return line


def cart_set_quantity(*, cart: Cart, variant_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity; 0 removes the line (and returns None)."""
    if quantity == 0:
        cart_remove(cart=cart, variant_id=variant_id)
        return None
    variant = _variant_for_cart(variant_id)
    with transaction.atomic(durable=True):
        locked = _locked(cart)
        line = CartLine.objects.filter(cart=cart, variant=variant).first()
        if line is None:
            raise CartRefused(_("This item is no longer in your cart."))
        refusal = quantity_refusal(variant=variant, quantity=quantity)
        if refusal:
            raise CartRefused(refusal)
        line.quantity = quantity
        line.save(update_fields=["quantity"])
        locked.save(update_fields=["updated_at"])
    return line


def cart_remove(*, cart: Cart, variant_id: int) -> None:
    """Take a variant out of the cart; removing what is not there does nothing."""
    with transaction.atomic(durable=True):
        _locked(cart)
        CartLine.objects.filter(cart=cart, variant_id=variant_id).delete()


def cart_merge(*, user: User, guest_cart_id: int | None) -> Cart | None:
    """At sign-in: move the guest cart's lines into the account's cart (adding quantities of a
    variant in both, up to the per-line maximum) and delete the guest cart.

    Stock is not checked here: the cart page shows what became short, checkout refuses it.
    """
    if not guest_cart_id:
        return None
    with transaction.atomic(durable=True):
        guest = Cart.objects.select_for_update().filter(pk=guest_cart_id, user__isnull=True).first()
        if guest is None:
            return None
        own = Cart.objects.select_for_update().filter(user=user).first()
        if own is None:
            guest.user = user
            guest.save(update_fields=["user", "updated_at"])
            return guest
        own_lines = {line.variant_id: line for line in CartLine.objects.filter(cart=own)}
        for line in CartLine.objects.filter(cart=guest).order_by("pk"):
            existing = own_lines.get(line.variant_id)
            if existing is None:
                line.cart = own
                line.save(update_fields=["cart"])
            else:
                existing.quantity = min(existing.quantity + line.quantity, MAX_LINE_QUANTITY)
                existing.save(update_fields=["quantity"])
        guest.delete()
        own.save(update_fields=["updated_at"])
        return own


def carts_abandoned_delete(*, idle_for: timedelta) -> int:
    """Delete guest carts untouched for `idle_for` (their session has expired, so no one can
    reach them any more); returns how many. Shoppers' own carts are kept."""
    _total, by_model = Cart.objects.filter(
        user__isnull=True, updated_at__lt=timezone.now() - idle_for
    ).delete()
    return by_model.get(Cart._meta.label, 0)
