"""Booking an appointment with a shop, and cancelling it with the link of the e-mail."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.http import TownRequest
from marketplace.appointments.errors import AppointmentError, AppointmentInvalid
from marketplace.appointments.forms import BookingForm, CancelForm
from marketplace.appointments.models import Appointment
from marketplace.appointments.selectors import (
    appointment_by_token,
    merchant_taking_appointments,
    slots_bookable,
    slots_by_day,
)
from marketplace.appointments.services import appointment_book, appointment_cancel_by_shopper


@require_http_methods(["GET", "POST"])
def booking(request: TownRequest, slug: str) -> HttpResponse:
    merchant = merchant_taking_appointments(slug=slug)
    if merchant is None:
        raise Http404
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.full_name, "email": request.user.email}
    form = BookingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = appointment_book(
                merchant_id=merchant.pk,
                slot_id=data["slot"],
                shopper=request.user,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                note=data["note"],
            )
        except AppointmentInvalid as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except AppointmentError as error:
            form.add_error("slot", str(error))
        else:
            return redirect(
                "appointments:detail", slug=merchant.slug, token=appointment.cancel_token
            )
    slots = slots_bookable(merchant_id=merchant.pk, now=timezone.now())
    return render(
        request,
        "appointments/booking.html",
        {
            "merchant": merchant,
            "form": form,
            "days": slots_by_day(slots),
            "chosen_slot": str(form["slot"].value() or ""),
        },
        status=400 if form.errors else 200,
    )


def _appointment_of(slug: str, token: str) -> Appointment:
    appointment = appointment_by_token(cancel_token=token)
    if appointment is None or appointment.merchant.slug != slug:
        raise Http404
    return appointment


def appointment_detail(request: TownRequest, slug: str, token: str) -> HttpResponse:
    """The booking as the e-mail's link shows it, with the button to cancel it."""
    appointment = _appointment_of(slug, token)
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "merchant": appointment.merchant,
            "form": CancelForm(),
            "can_cancel": appointment.status == Appointment.Status.CONFIRMED
            and appointment.slot.starts_at > timezone.now(),
        },
    )


@require_POST
def appointment_cancel(request: TownRequest, slug: str, token: str) -> HttpResponse:
    appointment = _appointment_of(slug, token)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        appointment_cancel_by_shopper(cancel_token=appointment.cancel_token, reason=reason)
    except AppointmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your appointment is cancelled. The shop has been told."))
    return redirect("appointments:detail", slug=slug, token=token)
