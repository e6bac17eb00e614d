"""Shopper accounts: signing up, favourites, saved addresses and deleting the account (GDPR)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from marketplace.catalogue.models import Product
from marketplace.directory.models import Merchant, MerchantMember
from marketplace.directory.selectors import merchants_visible
from marketplace.orders.models import Checkout, Order
from marketplace.shoppers.errors import AccountDeletionRefused, FavouriteRefused, SignUpRefused
from marketplace.shoppers.models import Address, FavouriteMerchant, FavouriteProduct

# Orders still on their way: deleting the account now would leave a shop preparing an order
# for someone it can no longer reach.
ORDERS_IN_PROGRESS = (
    Order.Status.PENDING,
    Order.Status.PLACED,
    Order.Status.ACCEPTED,
    Order.Status.READY,
)


def shopper_sign_up(*, email: str, password: str, full_name: str = "") -> User:
    """Create a shopper's account in the current town. The password was validated by the form."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise SignUpRefused(
            _("An account already exists with this e-mail: sign in, or reset your password."),
            field="email",
        )
    try:
        with transaction.atomic(durable=True):
            return User.objects.create_user(email, password, full_name=full_name.strip())
    except IntegrityError:
        raise SignUpRefused(
            _("An account already exists with this e-mail: sign in, or reset your password."),
            field="email",
        ) from None


def favourite_merchant_add(*, user: User, merchant_id: int) -> FavouriteMerchant:
    merchant = merchants_visible().filter(pk=merchant_id).first()
    if merchant is None:
        raise FavouriteRefused(_("This shop is not on the portal."))
    favourite, _created = FavouriteMerchant.objects.get_or_create(user=user, merchant=merchant)
    return favourite


def favourite_merchant_remove(*, user: User, merchant_id: int) -> None:
    FavouriteMerchant.objects.filter(user=user, merchant_id=merchant_id).delete()


def favourite_product_add(*, user: User, product_id: int) -> FavouriteProduct:
    product = (
        Product.objects.filter(
            pk=product_id, is_published=True, merchant__status=Merchant.Status.APPROVED
        )
        .only("pk")
        .first()
    )
    if product is None:
        raise FavouriteRefused(_("This product is not on the portal."))
    favourite, _created = FavouriteProduct.objects.get_or_create(user=user, product=product)
    return favourite


def favourite_product_remove(*, user: User, product_id: int) -> None:
    FavouriteProduct.objects.filter(user=user, product_id=product_id).delete()


ADDRESS_FIELDS = ("label", "recipient", "street", "postcode", "city", "phone")


def address_create(*, user: User, **fields: str) -> Address:
    return Address.objects.create(user=user, **_address_fields(fields))


def address_update(*, address: Address, **fields: str) -> Address:
    for name, value in _address_fields(fields).items():
        setattr(address, name, value)
    address.save(update_fields=list(ADDRESS_FIELDS))
    return address


def address_delete(*, user: User, address_id: int) -> bool:
    deleted, _by_model = Address.objects.filter(user=user, pk=address_id).delete()
    return bool(deleted)


def _address_fields(fields: dict[str, str]) -> dict[str, str]:
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown address fields: {sorted(unknown)}")
    return {name: fields.get(name, "").strip() for name in ADDRESS_FIELDS}


def shopper_delete(*, user: User, password: str) -> None:
    """Delete the shopper's account after checking their password (GDPR art. 17).

    Their orders stay with the shops (accounting needs them) but lose every link to the person:
    detached from the account, contact details, delivery address and note erased; the order
    lines keep their product and price snapshots. Addresses, favourites and the cart go with the
    account. Refused while an order is in progress, and for accounts that run a shop or the town.
    """
    if not user.check_password(password):
        raise AccountDeletionRefused(_("This is not your password."), field="password")
    if user.is_town_admin or user.is_staff:
        raise AccountDeletionRefused(
            _("This account administers the town's portal: ask another administrator to close it.")
        )
    if MerchantMember.objects.filter(user=user).exists():
        raise AccountDeletionRefused(
            _(
                "This account runs a shop on the portal: hand the shop over first, or contact the town."
            )
        )
    with transaction.atomic(durable=True):
        locked = User.objects.select_for_update().get(pk=user.pk)
        statuses = list(
            Order.objects.select_for_update()
            .filter(customer=locked)
            .order_by("pk")
            .values_list("status", flat=True)
        )
        if any(status in ORDERS_IN_PROGRESS for status in statuses):
            raise AccountDeletionRefused(
                _(
                    "You have orders in progress: wait until they are collected or delivered, "
                    "or cancel them, then delete your account."
                )
            )
        Checkout.objects.filter(orders__customer=locked).update(
            customer=None, contact_name="", contact_email="", contact_phone=""
        )
        Checkout.objects.filter(customer=locked).update(
            customer=None, contact_name="", contact_email="", contact_phone=""
        )
        Order.objects.filter(customer=locked).update(
            customer=None, delivery_address="", delivery_postcode="", delivery_city="", note=""
        )
        locked.delete()
