"""Reads of a shopper's own data: addresses, favourites, and everything for the data export."""

from typing import Any

from django.db.models import Min, Prefetch, QuerySet

from comptoir.accounts.models import User
from marketplace.catalogue.models import ProductPhoto
from marketplace.orders.models import Order, OrderLine
from marketplace.shoppers.models import Address, FavouriteMerchant, FavouriteProduct


def addresses_of(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("label", "pk")


def address_first(*, user: User) -> Address | None:
    """The address checkout proposes first (the first by name)."""
    return addresses_of(user=user).first()


def address_initial_for_checkout(user: User) -> dict[str, str]:
    """The checkout form's address, from the shopper's first saved one (registered with orders)."""
    address = address_first(user=user)
    if address is None:
        return {}
    return {"address": address.street, "postcode": address.postcode, "city": address.city}


def address_of(*, user: User, address_id: int) -> Address | None:
    return Address.objects.filter(user=user, pk=address_id).first()


def favourite_merchants_of(*, user: User) -> QuerySet[FavouriteMerchant]:
    return (
        FavouriteMerchant.objects.filter(user=user)
        .select_related("merchant__category")
        .order_by("-created_at", "-pk")
    )


def favourite_products_of(*, user: User) -> QuerySet[FavouriteProduct]:
    """Favourite products with their shop, lowest price and first photo."""
    return (
        FavouriteProduct.objects.filter(user=user)
        .select_related("product__merchant")
        .annotate(lowest_price_cents=Min("product__variants__price_cents"))
        .prefetch_related(
            Prefetch(
                "product__photos",
                queryset=ProductPhoto.objects.order_by("position", "pk"),
                to_attr="ordered_photos",
            ),
        )
        .order_by("-created_at", "-pk")
    )


def shopper_data_export(*, user: User) -> dict[str, Any]:
    """Everything the portal keeps about the shopper, as JSON-ready data (GDPR art. 15 and 20).

    Six queries whatever the amount: profile, addresses, both favourites, orders, their lines.
    """
    orders = (
        Order.objects.filter(customer=user)
        .select_related("merchant", "checkout")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    return {
        "profile": {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "addresses": [
            {
                "label": address.label,
                "recipient": address.recipient,
                "street": address.street,
                "postcode": address.postcode,
                "city": address.city,
                "phone": address.phone,
            }
            for address in addresses_of(user=user)
        ],
        "favourite_merchants": [
            {
                "name": favourite.merchant.name,
                "slug": favourite.merchant.slug,
                "added_at": favourite.created_at.isoformat(),
            }
            for favourite in FavouriteMerchant.objects.filter(user=user)
            .select_related("merchant")
            .order_by("created_at", "pk")
        ],
        "favourite_products": [
            {
                "title": favourite.product.title,
                "slug": favourite.product.slug,
                "added_at": favourite.created_at.isoformat(),
            }
            for favourite in FavouriteProduct.objects.filter(user=user)
            .select_related("product")
            .order_by("created_at", "pk")
        ],
        "orders": [
            {
                "reference": order.reference,
                "shop": order.merchant.name,
                "placed_at": order.created_at.isoformat(),
                "status": order.status,
                "fulfilment": order.fulfilment,
                "pickup_at": order.pickup_at.isoformat() if order.pickup_at else None,
                "delivery_address": order.delivery_address,
                "delivery_postcode": order.delivery_postcode,
                "delivery_city": order.delivery_city,
                "contact": {
                    "name": order.checkout.contact_name,
                    "email": order.checkout.contact_email,
                    "phone": order.checkout.contact_phone,
                },
                "note": order.note,
                "payment_status": order.payment_status,
                "subtotal_cents": order.subtotal_cents,
                "delivery_fee_cents": order.delivery_fee_cents,
                "total_cents": order.total_cents,
                "lines": [
                    {
                        "product": line.product_title,
                        "variant": line.variant_name,
                        "sku": line.sku,
                        "unit_price_cents": line.unit_price_cents,
                        "vat_rate_basis_points": line.vat_rate,
                        "quantity": line.quantity,
                    }
                    for line in order.lines.all()
                ],
            }
            for order in orders
        ],
    }
