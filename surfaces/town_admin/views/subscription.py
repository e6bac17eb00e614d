"""The town's subscription to the platform, for its administrators: plan, state, invoices
(Stripe's hosted pages) and Stripe's customer portal for the finance department. It stays
open while the portal is read-only for an unpaid invoice: it is where one pays."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from billing.errors import StripeUnavailable, SubscriptionInvalid
from billing.services.subscriptions import subscription_portal_url
from billing.shared.selectors import subscription_invoices, town_subscription
from comptoir.http import SignedInTownRequest
from surfaces.town_admin.access import town_admin_required


@town_admin_required
@require_http_methods(["GET", "POST"])
def subscription(request: SignedInTownRequest) -> HttpResponse:
    town = request.tenant
    if request.method == "POST":
        try:
            url = subscription_portal_url(
                town=town,
                return_url=request.build_absolute_uri(reverse("town_admin:subscription")),
            )
        except (SubscriptionInvalid, StripeUnavailable) as error:
            messages.error(request, str(error))
            return redirect("town_admin:subscription")
        return redirect(url)
    current = town_subscription(town_id=town.pk)
    return render(
        request,
        "town_admin/subscription.html",
        {
            "subscription": current,
            "invoices": subscription_invoices(subscription_id=current.pk) if current else [],
        },
    )
