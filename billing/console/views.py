"""The console's subscription pages (vendor staff only, root host): every town's plan, state,
next invoice and the platform's commission per month; one town's subscription, made, moved
to another plan or cancelled there."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing.console.forms import PlanChangeForm, SubscriptionCreateForm
from billing.errors import StripeUnavailable, SubscriptionInvalid
from billing.services.subscriptions import (
    town_subscription_cancel,
    town_subscription_create,
    town_subscription_plan_change,
)
from billing.shared.selectors import (
    commissions_by_town,
    commissions_counted_at,
    months_back,
    subscription_invoices,
    subscriptions_by_town,
    town_subscription,
)
from tenants.console.access import ConsoleRequest, vendor_staff_required
from tenants.models import Town

TOWNS_PER_PAGE = 50
# Months of commission the list shows (this one first), and one town's page.
LIST_MONTHS = 3
DETAIL_MONTHS = 12


@vendor_staff_required
def subscription_list(request: ConsoleRequest) -> HttpResponse:
    towns = Town.objects.exclude(schema_name="public").order_by("name")
    page = Paginator(towns.only("name", "slug", "standing"), TOWNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    town_ids = [town.pk for town in page.object_list]
    months = months_back(today=timezone.localdate(), count=LIST_MONTHS)
    subscriptions = subscriptions_by_town(town_ids=town_ids)
    commissions = commissions_by_town(town_ids=town_ids, months=months)
    rows = [(town, subscriptions.get(town.pk), commissions[town.pk]) for town in page.object_list]
    return render(
        request,
        "billing/console/subscriptions.html",
        {
            "page": page,
            "rows": rows,
            "months": months,
            "counted_at": commissions_counted_at(),
        },
    )


@vendor_staff_required
@require_http_methods(["GET", "POST"])
def subscription_detail(request: ConsoleRequest, slug: str) -> HttpResponse:
    town = get_object_or_404(Town.objects.exclude(schema_name="public"), slug=slug)
    action = request.POST.get("action", "")
    create_form = SubscriptionCreateForm(
        request.POST if action == "create" else None,
        initial={"billing_email": town.contact_email},
    )
    change_form = PlanChangeForm(request.POST if action == "change" else None)
    status = 200
    if request.method == "POST":
        try:
            if action == "create" and create_form.is_valid():
                town_subscription_create(
                    town=town,
                    plan_id=create_form.cleaned_data["plan"].pk,
                    billing_email=create_form.cleaned_data["billing_email"],
                    trial_days=create_form.cleaned_data["trial_days"],
                )
                messages.success(request, _("The subscription is created."))
                return redirect("console_billing:subscription", slug=town.slug)
            if action == "change" and change_form.is_valid():
                town_subscription_plan_change(
                    town=town, plan_id=change_form.cleaned_data["plan"].pk
                )
                messages.success(request, _("The plan is changed."))
                return redirect("console_billing:subscription", slug=town.slug)
            if action == "cancel":
                town_subscription_cancel(town=town)
                messages.success(
                    request,
                    _("The subscription is cancelled: the portal is read-only, its data kept."),
                )
                return redirect("console_billing:subscription", slug=town.slug)
        except (SubscriptionInvalid, StripeUnavailable) as error:
            messages.error(request, str(error))
        status = 400
    subscription = town_subscription(town_id=town.pk)
    months = months_back(today=timezone.localdate(), count=DETAIL_MONTHS)
    return render(
        request,
        "billing/console/subscription_detail.html",
        {
            "managed_town": town,
            "subscription": subscription,
            "invoices": subscription_invoices(subscription_id=subscription.pk)
            if subscription
            else [],
            "create_form": create_form,
            "change_form": change_form,
            "commissions": list(
                zip(
                    months,
                    commissions_by_town(town_ids=[town.pk], months=months)[town.pk],
                    strict=True,
                )
            ),
        },
        status=status,
    )
