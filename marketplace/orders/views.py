"""The shopper's cart, checkout, confirmation and order tracking, on a town's host."""

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.accounts.models import User
from comptoir.http import TownRequest
from comptoir.redirects import redirect_url_safe
from marketplace.catalogue.services.stock import InsufficientStock
from marketplace.orders.errors import OrdersError
from marketplace.orders.forms import (
    CartLineForm,
    ContactForm,
    ShopFulfilmentForm,
    TrackingCancelForm,
    new_idempotency_key,
)
from marketplace.orders.hooks import checkout_address_initial
from marketplace.orders.models import Cart, Order
from marketplace.orders.selectors import (
    CartGroup,
    CheckoutInfo,
    cart_contents,
    cart_find,
    cart_item_count,
    checkout_info_fetch,
    checkout_with_orders,
    order_by_tracking_token,
)
from marketplace.orders.services.cart import (
    CART_SESSION_KEY,
    cart_add,
    cart_get_or_create,
    cart_remove,
    cart_set_quantity,
)
from marketplace.orders.services.checkout import checkout_place
from marketplace.orders.services.transitions import order_cancel

CHECKOUT_SESSION_KEY = "checkout_id"


def _signed_in_user(request: TownRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _cart(request: TownRequest) -> Cart | None:
    return cart_find(user=request.user, cart_id=request.session.get(CART_SESSION_KEY))


def _cart_for_writing(request: TownRequest) -> Cart:
    cart = cart_get_or_create(
        user=_signed_in_user(request), cart_id=request.session.get(CART_SESSION_KEY)
    )
    if not request.user.is_authenticated:
        request.session[CART_SESSION_KEY] = cart.pk
    return cart


@require_GET
def cart(request: TownRequest) -> HttpResponse:
    contents = cart_contents(cart=_cart(request))
    # The header's count comes from the lines already read, not from one more query.
    return render(
        request, "orders/cart.html", {"contents": contents, "cart_count": contents.item_count}
    )


@require_POST
def cart_add_view(request: TownRequest) -> HttpResponse:
    """Add to the cart from a product page. Works as a plain form (redirect with a message); an
    htmx request gets a status fragment and the header's new count instead."""
    form = CartLineForm(request.POST)
    ok = False
    if not form.is_valid():
        message = _("Choose a product and a quantity between 1 and 99.")
    else:
        try:
            line = cart_add(
                cart=_cart_for_writing(request),
                variant_id=form.cleaned_data["variant_id"],
                quantity=form.quantity_or(1),
            )
        except OrdersError as error:
            message = error.message
        else:
            ok = True
            message = _("Added to your cart (%(quantity)d in it).") % {"quantity": line.quantity}
    if request.htmx:
        count = cart_item_count(user=request.user, cart_id=request.session.get(CART_SESSION_KEY))
        return render(
            request,
            "orders/partials/cart_added.html",
            {"ok": ok, "message": message, "cart_count": count},
        )
    (messages.success if ok else messages.error)(request, message)
    return redirect(
        redirect_url_safe(request, request.POST.get("next", ""), default=reverse("orders:cart"))
    )


@require_POST
def cart_update(request: TownRequest) -> HttpResponse:
    form = CartLineForm(request.POST)
    cart = _cart(request)
    if not form.is_valid() or cart is None:
        messages.error(request, _("Choose a quantity between 0 and 99."))
        return redirect("orders:cart")
    try:
        cart_set_quantity(
            cart=cart,
            variant_id=form.cleaned_data["variant_id"],
            quantity=form.quantity_or(1),
        )
    except OrdersError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your cart is updated."))
    return redirect("orders:cart")


@require_POST
def cart_remove_view(request: TownRequest) -> HttpResponse:
    form = CartLineForm(request.POST)
    cart = _cart(request)
    if form.is_valid() and cart is not None:
        cart_remove(cart=cart, variant_id=form.cleaned_data["variant_id"])
        messages.success(request, _("The item is removed from your cart."))
    return redirect("orders:cart")


def _initial_contact(request: TownRequest) -> dict[str, str]:
    user = _signed_in_user(request)
    if user is None:
        return {}
    return {"name": user.full_name, "email": user.email}


def _initial_address(request: TownRequest) -> dict[str, str]:
    user = _signed_in_user(request)
    if user is None:
        return {}
    return checkout_address_initial(user=user)


def _shop_forms(
    request: TownRequest, info: CheckoutInfo, *, data: QueryDict | None = None
) -> list[tuple[CartGroup, ShopFulfilmentForm]]:
    initial = _initial_address(request)
    return [
        (
            shop.group,
            ShopFulfilmentForm(data, prefix=f"shop-{shop.merchant.pk}", shop=shop, initial=initial),
        )
        for shop in info.shops
    ]


@require_http_methods(["GET", "POST"])
def checkout(request: TownRequest) -> HttpResponse:
    info = checkout_info_fetch(cart=_cart(request))
    contents = info.contents
    if contents.is_empty:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    if contents.has_problems:
        messages.error(request, _("Some items cannot be ordered as they are: see below."))
        return redirect("orders:cart")
    if request.method == "POST":
        contact_form = ContactForm(request.POST)
        shops = _shop_forms(request, info, data=request.POST)
        if contact_form.is_valid() and all(form.is_valid() for _group, form in shops):
            try:
                placed = checkout_place(
                    info=info,
                    contact=contact_form.contact(),
                    choices_per_merchant={
                        form.merchant.pk: form.choice() for _group, form in shops
                    },
                    idempotency_key=contact_form.cleaned_data["idempotency_key"],
                    customer=_signed_in_user(request),
                )
            except InsufficientStock as error:
                titles = {
                    item.variant.pk: item.product.title
                    for group in contents.groups
                    for item in group.items
                }
                contact_form.add_error(
                    None,
                    _("%(label)s: %(problem)s")
                    % {"label": titles.get(error.variant_id, ""), "problem": error},
                )
            except OrdersError as error:
                contact_form.add_error(None, error.message)
            else:
                request.session[CHECKOUT_SESSION_KEY] = placed.checkout.pk
                # Where the payment wants the shopper (a card form), else the confirmation.
                return redirect(placed.redirect_url or reverse("orders:confirmation"))
    else:
        contact_form = ContactForm(
            initial={**_initial_contact(request), "idempotency_key": new_idempotency_key()}
        )
        shops = _shop_forms(request, info)
    return render(
        request,
        "orders/checkout.html",
        {
            "contents": contents,
            "contact_form": contact_form,
            "shops": shops,
            "has_errors": request.method == "POST",
            "cart_count": contents.item_count,
            "offers_card": any(form.offers_payment_choice for _group, form in shops),
        },
    )


@require_GET
def confirmation(request: TownRequest) -> HttpResponse:
    checkout_id = request.session.get(CHECKOUT_SESSION_KEY)
    placed = checkout_with_orders(checkout_id=checkout_id) if checkout_id else None
    if placed is None:
        return redirect("orders:cart")
    states = {order.payment_status for order in placed.ordered_orders}  # type: ignore[attr-defined]
    return render(
        request,
        "orders/confirmation.html",
        {
            "checkout": placed,
            "awaiting_payment": Order.PaymentStatus.AWAITING in states,
            "payment_failed": Order.PaymentStatus.FAILED in states,
            "placed_any": bool(states - {Order.PaymentStatus.AWAITING, Order.PaymentStatus.FAILED}),
        },
    )


@require_GET
def tracking(request: TownRequest, token: str) -> HttpResponse:
    order = order_by_tracking_token(token=token)
    if order is None:
        raise Http404
    return render(
        request,
        "orders/tracking.html",
        {
            "order": order,
            "can_cancel": order.status == Order.Status.PLACED,
            "cancel_form": TrackingCancelForm(),
        },
    )


@require_POST
def tracking_cancel(request: TownRequest, token: str) -> HttpResponse:
    order = Order.objects.filter(tracking_token=token).only("pk").first()
    if order is None:
        raise Http404
    form = TrackingCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        order_cancel(order_id=order.pk, actor=request.user, reason=reason, tracking_token=token)
    except OrdersError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your order is cancelled. The shop has been told."))
    return redirect("orders:tracking", token=token)
