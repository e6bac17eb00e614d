"""Signing in keeps what the guest put in their cart."""

from django.http import HttpRequest

from comptoir.accounts.models import User
from marketplace.orders.services.cart import CART_SESSION_KEY, cart_merge


def cart_merge_at_login(sender: type, request: HttpRequest | None, user: User, **kwargs: object):
    # Django's login() keeps the session's data while changing its key, so the guest cart's id
    # is still there; only a town's session can hold one (the root host has no carts).
    session = getattr(request, "session", None)
    if session is None:
        return
    guest_cart_id = session.pop(CART_SESSION_KEY, None)
    if guest_cart_id:
        cart_merge(user=user, guest_cart_id=guest_cart_id)
