from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing.selectors import connect_status
from comptoir.town import town_now
from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.selectors import (
    appointments_next,
    orders_to_handle,
    orders_today_count,
    variants_low_stock,
)
from marketplace.backoffice.views.base import backoffice_render
from marketplace.directory.selectors import merchants_of_member
from reporting.selectors import merchant_visits


@require_GET
@backoffice_view()
def dashboard(request: BackofficeRequest) -> HttpResponse:
    merchant_id = request.merchant.pk
    today = town_now().date()
    return backoffice_render(
        request,
        "backoffice/dashboard.html",
        {
            "orders_today": orders_today_count(merchant_id=merchant_id, today=today),
            "orders_to_handle": orders_to_handle(merchant_id=merchant_id),
            "low_stock": variants_low_stock(merchant_id=merchant_id),
            "visits": merchant_visits(merchant_id=merchant_id, today=today),
            "appointments": appointments_next(merchant_id=merchant_id, now=timezone.now()),
            "connect": connect_status(merchant_id=merchant_id),
        },
    )


@require_GET
@backoffice_view()
def shop_choose(request: BackofficeRequest) -> HttpResponse:
    """The shops this person runs; each link carries `?boutique=` and so switches to it."""
    return render(
        request,
        "backoffice/shop_choose.html",
        {"merchant": request.merchant, "shops": merchants_of_member(request.user)},
    )
