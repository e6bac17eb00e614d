"""Card payments: the shop connects its Stripe account (Express) and sees where it stands,
what it was paid for each order, Stripe's payouts to its bank, and its monthly statements.

Owners start or finish Stripe's onboarding; every member sees the state. Stripe sends the owner
back to the return page (which reads the account's state from Stripe at once) or, when the link
has expired, to the refresh page (which makes a fresh link).
"""

import re
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.errors import BillingError
from billing.selectors import connect_status, merchant_payouts, merchant_transfers
from billing.services.connect import connect_account_refresh, connect_account_start
from billing.statements import merchant_statement, statement_csv, statement_months
from comptoir.town import current_town
from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.views.base import backoffice_render
from marketplace.directory.permissions import MERCHANT_CHOICE_PARAM

TRANSFERS_PER_PAGE = 20
PAYOUTS_PER_PAGE = 10
# The two lists' page parameters: each list pages on its own, keeping the other's page.
TRANSFERS_PAGE, PAYOUTS_PAGE = "ventes", "virements"
MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


def _payments_page(request: BackofficeRequest, *, status: int = 200) -> HttpResponse:
    merchant = request.merchant
    transfers = Paginator(merchant_transfers(merchant_id=merchant.pk), TRANSFERS_PER_PAGE)
    payouts = Paginator(merchant_payouts(merchant_id=merchant.pk), PAYOUTS_PER_PAGE)
    transfers_page = transfers.get_page(request.GET.get(TRANSFERS_PAGE))
    payouts_page = payouts.get_page(request.GET.get(PAYOUTS_PAGE))
    return backoffice_render(
        request,
        "backoffice/payments.html",
        {
            "connect": connect_status(merchant_id=merchant.pk),
            "transfers": transfers_page,
            "payouts": payouts_page,
            "transfers_param": TRANSFERS_PAGE,
            "payouts_param": PAYOUTS_PAGE,
            "transfers_keep": f"{PAYOUTS_PAGE}={payouts_page.number}",
            "payouts_keep": f"{TRANSFERS_PAGE}={transfers_page.number}",
            "months": statement_months(merchant_id=merchant.pk),
        },
        status=status,
    )


def _onboarding(request: BackofficeRequest) -> HttpResponse:
    """Off to Stripe's onboarding; back to the payments page with the reason if it fails."""
    merchant = request.merchant
    town = current_town()
    back = urlencode({MERCHANT_CHOICE_PARAM: merchant.slug})
    try:
        url = connect_account_start(
            merchant_id=merchant.pk,
            actor=request.user,
            return_url=town.build_url(f"{reverse('backoffice:payments_return')}?{back}"),
            refresh_url=town.build_url(f"{reverse('backoffice:payments_refresh')}?{back}"),
        )
    except BillingError as error:
        messages.error(request, str(error))
        return redirect("backoffice:payments")
    # Stripe's own host: outside this site, so not through `redirect`'s URL checks.
    return HttpResponseRedirect(url)


@require_GET
@backoffice_view()
def payments(request: BackofficeRequest) -> HttpResponse:
    return _payments_page(request)


@require_POST
@backoffice_view(owner_only=True)
def payments_connect(request: BackofficeRequest) -> HttpResponse:
    return _onboarding(request)


@require_GET
@backoffice_view(owner_only=True)
def payments_refresh(request: BackofficeRequest) -> HttpResponse:
    """Stripe's link expired or was used: a fresh one, straight away (Stripe's protocol)."""
    return _onboarding(request)


@require_GET
@backoffice_view()
def payments_return(request: BackofficeRequest) -> HttpResponse:
    """Back from Stripe: its answer now, so the page does not wait for the webhook."""
    try:
        connect_account_refresh(merchant_id=request.merchant.pk)
    except BillingError as error:
        messages.error(request, str(error))
    return _payments_page(request)


def _month(text: str) -> date:
    found = MONTH.match(text)
    if not found or not 1 <= int(found["month"]) <= 12 or int(found["year"]) < 2000:
        raise Http404
    return date(int(found["year"]), int(found["month"]), 1)


@require_GET
@backoffice_view()
def payments_statement_pick(request: BackofficeRequest) -> HttpResponse:
    """The month picker's form: to that month's statement."""
    try:
        month = _month(request.GET.get("mois", ""))
    except Http404:
        messages.error(request, _("Choose a month in the list."))
        return redirect("backoffice:payments")
    return redirect("backoffice:payments_statement", month=f"{month:%Y-%m}")


@require_GET
@backoffice_view()
def payments_statement(request: BackofficeRequest, month: str) -> HttpResponse:
    """The shop's statement of `month` (YYYY-MM), as its accountant's CSV."""
    merchant = request.merchant
    statement = merchant_statement(merchant_id=merchant.pk, month=_month(month))
    response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
    filename = f"releve-{merchant.slug}-{month}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
