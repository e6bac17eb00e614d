"""Card payments: the shop connects its Stripe account (Express) and sees where it stands.

Owners start or finish Stripe's onboarding; every member sees the state. Stripe sends the owner
back to the return page (which reads the account's state from Stripe at once) or, when the link
has expired, to the refresh page (which makes a fresh link).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from billing.errors import BillingError
from billing.selectors import connect_status
from billing.services.connect import connect_account_refresh, connect_account_start
from comptoir.town import current_town
from marketplace.backoffice.access import backoffice_view
from marketplace.backoffice.views.base import backoffice_render
from marketplace.directory.permissions import MERCHANT_CHOICE_PARAM


def _payments_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    merchant = request.merchant  # type: ignore[attr-defined]
    return backoffice_render(
        request,
        "backoffice/payments.html",
        {"connect": connect_status(merchant_id=merchant.pk)},
        status=status,
    )


def _onboarding(request: HttpRequest) -> HttpResponse:
    """Off to Stripe's onboarding; back to the payments page with the reason if it fails."""
    merchant = request.merchant  # type: ignore[attr-defined]
    town = current_town()
    back = urlencode({MERCHANT_CHOICE_PARAM: merchant.slug})
    try:
        url = connect_account_start(
            merchant_id=merchant.pk,
            actor=request.user,  # type: ignore[arg-type]
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
def payments(request: HttpRequest) -> HttpResponse:
    return _payments_page(request)


@require_POST
@backoffice_view(owner_only=True)
def payments_connect(request: HttpRequest) -> HttpResponse:
    return _onboarding(request)


@require_GET
@backoffice_view(owner_only=True)
def payments_refresh(request: HttpRequest) -> HttpResponse:
    """Stripe's link expired or was used: a fresh one, straight away (Stripe's protocol)."""
    return _onboarding(request)


@require_GET
@backoffice_view()
def payments_return(request: HttpRequest) -> HttpResponse:
    """Back from Stripe: its answer now, so the page does not wait for the webhook."""
    try:
        connect_account_refresh(merchant_id=request.merchant.pk)  # type: ignore[attr-defined]
    except BillingError as error:
        messages.error(request, str(error))
    return _payments_page(request)
