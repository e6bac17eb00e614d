"""The shopper's account pages under /compte/: sign-up, orders, favourites, addresses, GDPR."""

import json
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.accounts.models import User
from comptoir.http import SignedInTownRequest, TownRequest
from comptoir.redirects import next_url_safe
from marketplace.orders.errors import OrdersError
from marketplace.orders.models import Order
from marketplace.orders.selectors import order_of_customer, orders_of_customer
from marketplace.orders.services.transitions import order_cancel
from marketplace.shoppers.errors import ShopperError
from marketplace.shoppers.forms import (
    AccountDeleteForm,
    AddressForm,
    SignUpForm,
    form_add_service_error,
)
from marketplace.shoppers.selectors import (
    address_of,
    addresses_of,
    favourite_merchants_of,
    favourite_products_of,
    shopper_data_export,
)
from marketplace.shoppers.services import (
    address_create,
    address_delete,
    address_update,
    favourite_merchant_add,
    favourite_merchant_remove,
    favourite_product_add,
    favourite_product_remove,
    shopper_delete,
    shopper_sign_up,
)

ORDERS_PAGE_SIZE = 10
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _shopper(request: TownRequest) -> User:
    """The signed-in shopper of a login_required view."""
    return cast(User, request.user)


@require_http_methods(["GET", "POST"])
def sign_up(request: TownRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("shoppers:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = shopper_sign_up(
                email=data["email"], password=data["password"], full_name=data["full_name"]
            )
        except ShopperError as error:
            form_add_service_error(form, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect(next_url_safe(request, default=reverse("shoppers:dashboard")))
    next_url = request.GET.get("next", "")
    action = f"{reverse('shoppers:sign_up')}?{urlencode({'next': next_url})}" if next_url else ""
    return render(request, "shoppers/sign_up.html", {"form": form, "action": action})


@login_required
@require_GET
def dashboard(request: SignedInTownRequest) -> HttpResponse:
    page = Paginator(orders_of_customer(user=_shopper(request)), ORDERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "shoppers/dashboard.html", {"page": page})


@login_required
@require_GET
def order_detail(request: SignedInTownRequest, reference: str) -> HttpResponse:
    order = order_of_customer(user=_shopper(request), reference=reference)
    if order is None:
        raise Http404
    return render(
        request,
        "shoppers/order_detail.html",
        {"order": order, "can_cancel": order.status == Order.Status.PLACED},
    )


@login_required
@require_POST
def order_cancel_view(request: SignedInTownRequest, reference: str) -> HttpResponse:
    order = Order.objects.filter(customer=_shopper(request), reference=reference).only("pk").first()
    if order is None:
        raise Http404
    try:
        order_cancel(
            order_id=order.pk, actor=_shopper(request), reason=request.POST.get("reason", "")[:255]
        )
    except OrdersError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your order is cancelled. The shop has been told."))
    return redirect("shoppers:order", reference=reference)


@login_required
@require_GET
def favourites(request: SignedInTownRequest) -> HttpResponse:
    return render(
        request,
        "shoppers/favourites.html",
        {
            "merchants": favourite_merchants_of(user=_shopper(request)),
            "products": favourite_products_of(user=_shopper(request)),
        },
    )


def _favourite_change(request: TownRequest, change, done: str, **ids: int) -> HttpResponse:
    try:
        change(user=_shopper(request), **ids)
    except ShopperError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(next_url_safe(request, default=reverse("shoppers:favourites")))


@login_required
@require_POST
def favourite_merchant_add_view(request: SignedInTownRequest, merchant_id: int) -> HttpResponse:
    return _favourite_change(
        request,
        favourite_merchant_add,
        _("Shop added to your favourites."),
        merchant_id=merchant_id,
    )


@login_required
@require_POST
def favourite_merchant_remove_view(request: SignedInTownRequest, merchant_id: int) -> HttpResponse:
    return _favourite_change(
        request,
        favourite_merchant_remove,
        _("Shop removed from your favourites."),
        merchant_id=merchant_id,
    )


@login_required
@require_POST
def favourite_product_add_view(request: SignedInTownRequest, product_id: int) -> HttpResponse:
    return _favourite_change(
        request,
        favourite_product_add,
        _("Product added to your favourites."),
        product_id=product_id,
    )


@login_required
@require_POST
def favourite_product_remove_view(request: SignedInTownRequest, product_id: int) -> HttpResponse:
    return _favourite_change(
        request,
        favourite_product_remove,
        _("Product removed from your favourites."),
        product_id=product_id,
    )


@login_required
@require_GET
def addresses(request: SignedInTownRequest) -> HttpResponse:
    return render(
        request, "shoppers/addresses.html", {"addresses": addresses_of(user=_shopper(request))}
    )


@login_required
@require_http_methods(["GET", "POST"])
def address_new(request: SignedInTownRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address_create(user=_shopper(request), **form.cleaned_data)
        messages.success(request, _("Address saved."))
        return redirect("shoppers:addresses")
    return render(request, "shoppers/address_form.html", {"form": form, "address": None})


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request: SignedInTownRequest, address_id: int) -> HttpResponse:
    address = address_of(user=_shopper(request), address_id=address_id)
    if address is None:
        raise Http404
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        address_update(address=address, **form.cleaned_data)
        messages.success(request, _("Address saved."))
        return redirect("shoppers:addresses")
    return render(request, "shoppers/address_form.html", {"form": form, "address": address})


@login_required
@require_POST
def address_delete_view(request: SignedInTownRequest, address_id: int) -> HttpResponse:
    if not address_delete(user=_shopper(request), address_id=address_id):
        raise Http404
    messages.success(request, _("Address deleted."))
    return redirect("shoppers:addresses")


@login_required
@require_GET
def data_export(request: SignedInTownRequest) -> HttpResponse:
    town = request.tenant
    data = {
        "town": town.name,
        "exported_at": timezone.now().isoformat(),
        **shopper_data_export(user=_shopper(request)),
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"mes-donnees-{town.slug}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: SignedInTownRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shopper_delete(user=_shopper(request), password=form.cleaned_data["password"])
        except ShopperError as error:
            form_add_service_error(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Goodbye, and thank you."))
            return redirect("home")
    return render(request, "shoppers/account_delete.html", {"form": form})
