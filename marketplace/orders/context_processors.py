from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from marketplace.orders.selectors import cart_item_count
from marketplace.orders.services.cart import CART_SESSION_KEY


def cart(request: HttpRequest) -> dict[str, object]:
    """`cart_count` for the header: at most one query, and only when a template shows it."""
    if getattr(request, "tenant", None) is None or not hasattr(request, "session"):
        return {}
    return {
        "cart_count": SimpleLazyObject(
            lambda: cart_item_count(
                user=request.user, cart_id=request.session.get(CART_SESSION_KEY)
            )
        )
    }
