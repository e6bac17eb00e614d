"""The shop's appointments: upcoming bookings, cancelling one, and the weekly slot rules."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.appointments.errors import (
    AppointmentError,
    AppointmentInvalid,
    AppointmentNotFound,
)
from marketplace.appointments.forms import MerchantCancelForm, SlotRuleForm
from marketplace.appointments.selectors import appointments_of_merchant, slot_rules_of_merchant
from marketplace.appointments.services import (
    appointment_cancel_by_merchant,
    slot_rule_add,
    slot_rule_delete,
)
from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.views.base import backoffice_render

APPOINTMENTS_PER_PAGE = 25


@require_GET
@backoffice_view()
def appointment_list(request: BackofficeRequest) -> HttpResponse:
    """Appointments from today on, confirmed and cancelled, soonest first."""
    merchant = request.merchant
    appointments = appointments_of_merchant(merchant_id=merchant.pk, since=timezone.now())
    page = Paginator(appointments, APPOINTMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return backoffice_render(
        request,
        "backoffice/appointments/list.html",
        {"page": page, "cancel_form": MerchantCancelForm()},
    )


@require_POST
@backoffice_view()
def appointment_cancel(request: BackofficeRequest, pk: int) -> HttpResponse:
    form = MerchantCancelForm(request.POST)
    try:
        appointment_cancel_by_merchant(
            actor=request.user,
            merchant_id=request.merchant.pk,
            appointment_id=pk,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except AppointmentNotFound:
        raise Http404 from None
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The appointment is cancelled; the customer has been told."))
    return redirect("backoffice:appointments")


@require_http_methods(["GET", "POST"])
@backoffice_view()
def slot_rules(request: BackofficeRequest) -> HttpResponse:
    """The weekly rules that make the bookable slots, and the form adding one."""
    merchant = request.merchant
    form = SlotRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slot_rule_add(actor=request.user, merchant_id=merchant.pk, **form.cleaned_data)
        except AppointmentInvalid as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except AppointmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Slots added: shoppers can book them now."))
            return redirect("backoffice:slot_rules")
    return backoffice_render(
        request,
        "backoffice/appointments/rules.html",
        {"rules": list(slot_rules_of_merchant(merchant_id=merchant.pk)), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@backoffice_view()
def slot_rule_remove(request: BackofficeRequest, pk: int) -> HttpResponse:
    try:
        slot_rule_delete(actor=request.user, merchant_id=request.merchant.pk, rule_id=pk)
    except AppointmentNotFound:
        raise Http404 from None
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Rule removed. Slots already booked are kept."))
    return redirect("backoffice:slot_rules")
