"""Appointments' background jobs: e-mails after booking and cancelling, slots kept ahead."""

from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from comptoir.send_once.services import send_once
from comptoir.town import current_town
from marketplace.appointments.models import Appointment
from marketplace.appointments.selectors import merchants_with_slot_rules
from marketplace.appointments.services import slots_generate
from marketplace.messaging.selectors import merchant_contact_emails
from tenants.selectors import towns_to_refresh


def _send_both(*, appointment: Appointment, kind: str) -> None:
    """The customer's e-mail (with the cancellation link) and the shop's, in French."""
    town = current_town()
    merchant = appointment.merchant
    cancel_path = reverse(
        "appointments:detail",
        urlconf=settings.ROOT_URLCONF,
        kwargs={"slug": merchant.slug, "token": appointment.cancel_token},
    )
    backoffice_path = reverse("backoffice:appointments", urlconf=settings.ROOT_URLCONF)
    # Dates in the e-mails read on the town's clock, in French.
    with override(settings.LANGUAGE_CODE), timezone.override(ZoneInfo(town.time_zone)):
        context = {
            "town": town,
            "appointment": appointment,
            "merchant": merchant,
            "cancel_link": town.build_url(cancel_path),
            "backoffice_link": town.build_url(f"{backoffice_path}?boutique={merchant.slug}"),
        }
        if kind == "confirmation":
            shopper_subject = _("Your appointment at %(shop)s") % {"shop": merchant.name}
            shop_subject = _("New appointment: %(name)s") % {"name": appointment.name}
        else:
            shopper_subject = _("Appointment cancelled at %(shop)s") % {"shop": merchant.name}
            shop_subject = _("Appointment cancelled: %(name)s") % {"name": appointment.name}
        send_mail(
            subject=shopper_subject,
            message=render_to_string(f"appointments/email/{kind}_shopper.txt", context),
            from_email=None,
            recipient_list=[appointment.email],
        )
        shop_recipients = merchant_contact_emails(merchant=merchant)
        if shop_recipients:
            send_mail(
                subject=shop_subject,
                message=render_to_string(f"appointments/email/{kind}_shop.txt", context),
                from_email=None,
                recipient_list=shop_recipients,
            )


def _notify(*, appointment_id: int, kind: str) -> bool:
    appointment = (
        Appointment.objects.select_related("slot", "merchant").filter(pk=appointment_id).first()
    )
    if appointment is None:
        return False
    return send_once(
        purpose=f"appointments.{kind}",
        key=appointment.pk,
        send=lambda: _send_both(appointment=appointment, kind=kind),
    )


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def appointment_confirmation_send(appointment_id: int) -> bool:
    """Confirm a booking to the customer and tell the shop. Sends once, however retried."""
    return _notify(appointment_id=appointment_id, kind="confirmation")


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def appointment_cancellation_send(appointment_id: int) -> bool:
    """Tell the customer and the shop an appointment was cancelled. Sends once."""
    return _notify(appointment_id=appointment_id, kind="cancellation")


@shared_task
def appointment_slots_extend() -> int:
    """Generate the slots that came inside the horizon, for every shop of this town's schema."""
    return sum(
        slots_generate(merchant_id=merchant_id) for merchant_id in merchants_with_slot_rules()
    )


@shared_task
def appointment_slots_extend_all() -> int:
    """Send one `appointment_slots_extend` per town still in use, each in its schema."""
    schema_names = list(towns_to_refresh().values_list("schema_name", flat=True))
    for schema_name in schema_names:
        appointment_slots_extend.apply_async(headers={"_schema_name": schema_name})
    return len(schema_names)
