"""The town's commission on card payments, and the shops that pay another rate."""

from typing import cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.errors import CommissionInvalid
from billing.selectors import commission_accounts
from billing.services.transfers import (
    merchant_commission_set,
    town_commission_bps,
    town_commission_set,
)
from comptoir.accounts.models import User
from comptoir.http import SignedInTownRequest
from surfaces.town_admin.access import town_admin_required
from surfaces.town_admin.forms.commission import MerchantCommissionForm, TownCommissionForm


@town_admin_required
@require_http_methods(["GET", "POST"])
def commission(request: SignedInTownRequest) -> HttpResponse:
    actor = cast(User, request.user)
    town_form = TownCommissionForm(initial={"rate_bps": town_commission_bps()})
    status = 200
    if request.method == "POST":
        is_shop = "merchant_id" in request.POST
        form = MerchantCommissionForm(request.POST) if is_shop else TownCommissionForm(request.POST)
        if form.is_valid():
            try:
                if isinstance(form, MerchantCommissionForm):
                    merchant_commission_set(
                        merchant_id=form.cleaned_data["merchant_id"],
                        rate_bps=form.cleaned_data["rate_bps"],
                        actor=actor,
                    )
                else:
                    town_commission_set(rate_bps=form.cleaned_data["rate_bps"], actor=actor)
            except CommissionInvalid as error:
                form.add_error("rate_bps", str(error))
            else:
                messages.success(request, _("Commission saved: it applies to the next payments."))
                return redirect("town_admin:commission")
        status = 400
        if isinstance(form, TownCommissionForm):
            town_form = form
        else:
            messages.error(
                request, " ".join(str(error) for error in form.errors.get("rate_bps", []))
            )
    accounts = commission_accounts()
    shop_forms = [
        (
            account,
            MerchantCommissionForm(
                auto_id=f"id_shop{account.merchant_id}_%s",
                initial={"merchant_id": account.merchant_id, "rate_bps": account.commission_bps},
            ),
        )
        for account in accounts
    ]
    return render(
        request,
        "town_admin/commission.html",
        {"town_form": town_form, "shop_forms": shop_forms},
        status=status,
    )
