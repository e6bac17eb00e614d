"""Order notifications and sweeps, run by Celery in the town's schema (tenant-schemas-celery's
header); the beat sends each sweep to every town.

Each notification goes through send_once, so a retried or duplicated task sends it exactly once.
"""

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from comptoir.french import of_name
from comptoir.send_once.services import send_once
from comptoir.town import current_town
from marketplace.orders.models import Checkout, Order
from marketplace.orders.selectors import merchant_notification_emails
from marketplace.orders.services.cart import carts_abandoned_delete
from marketplace.orders.sms import notify_sms
from tenants.models import Town
from tenants.selectors import towns_to_refresh

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TOWN_URLCONF = settings.ROOT_URLCONF


def tracking_url(town: Town, order: Order) -> str:
    path = reverse("orders:tracking", urlconf=TOWN_URLCONF, kwargs={"token": order.tracking_token})
    return town.build_url(path)


def back_office_url(town: Town, order: Order) -> str:
    """The order's page in its shop's back office; `boutique` picks the shop for a member of
    several."""
    path = reverse(
        "backoffice:order_detail", urlconf=TOWN_URLCONF, kwargs={"reference": order.reference}
    )
    return town.build_url(f"{path}?{urlencode({'boutique': order.merchant.slug})}")


def _merchant_email_once(
    *, order: Order, kind: str, subject: "StrOrPromise", template: str
) -> bool:
    """E-mail the shop's team about `order`, once per `kind`, in the town's language and time.

    `subject` may name %(reference)s and %(shop)s.
    """
    recipients = merchant_notification_emails(merchant=order.merchant)
    if not recipients:
        return False
    town = current_town()

    def send() -> None:
        with override(settings.LANGUAGE_CODE), timezone.override(town.time_zone):
            context = {
                "town": town,
                "order": order,
                "back_office_url": back_office_url(town, order),
            }
            send_mail(
                subject=str(subject) % {"reference": order.reference, "shop": order.merchant.name},
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=recipients,
            )

    return send_once(purpose=f"orders.{kind}", key=order.pk, send=send)


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def checkout_confirmation_send(checkout_id: int) -> bool:
    """E-mail the shopper one summary of their checkout, with a tracking link per order."""
    checkout = Checkout.objects.filter(pk=checkout_id).first()
    if checkout is None or not checkout.contact_email:
        return False
    orders = list(
        checkout.orders.select_related("merchant").prefetch_related("lines").order_by("pk")
    )
    if not orders:
        return False
    town = current_town()

    def send() -> None:
        with (
            override(checkout.language or settings.LANGUAGE_CODE),
            timezone.override(town.time_zone),
        ):
            context = {
                "town": town,
                "checkout": checkout,
                "orders": [(order, tracking_url(town, order)) for order in orders],
            }
            send_mail(
                subject=_("Your order on the portal %(of_town)s (%(reference)s)")
                % {"of_town": of_name(town.name), "reference": checkout.reference},
                message=render_to_string("orders/email/checkout_confirmation.txt", context),
                from_email=None,
                recipient_list=[checkout.contact_email],
            )

    return send_once(purpose="orders.checkout_confirmation", key=checkout.pk, send=send)


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def order_placed_notify_merchant(order_id: int) -> bool:
    """E-mail the shop's team that a new order came in."""
    order = (
        Order.objects.select_related("merchant", "checkout")
        .prefetch_related("lines")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return False
    return _merchant_email_once(
        order=order,
        kind="merchant_new_order",
        subject=gettext_lazy("New order %(reference)s for %(shop)s"),
        template="orders/email/merchant_new_order.txt",
    )


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def order_cancelled_notify_merchant(order_id: int) -> bool:
    """E-mail the shop's team that the shopper cancelled their order."""
    order = Order.objects.select_related("merchant", "checkout").filter(pk=order_id).first()
    if order is None or order.status != Order.Status.CANCELLED:
        return False
    return _merchant_email_once(
        order=order,
        kind="merchant_cancelled",
        subject=gettext_lazy("Order %(reference)s cancelled by the shopper"),
        template="orders/email/merchant_order_cancelled.txt",
    )


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def order_status_notify(order_id: int, status: str) -> bool:
    """Tell the shopper their order moved to `status`: an e-mail, and an SMS when they gave a
    phone number. Each status is told once (an order never comes back to a status)."""
    order = Order.objects.select_related("merchant", "checkout").filter(pk=order_id).first()
    if order is None or order.status != status:
        return False
    checkout = order.checkout
    town = current_town()
    link = tracking_url(town, order)
    language = checkout.language or settings.LANGUAGE_CODE
    sent = False

    if checkout.contact_email:

        def send_email() -> None:
            with override(language), timezone.override(town.time_zone):
                context = {"town": town, "order": order, "tracking_url": link}
                send_mail(
                    subject=_("Your order %(reference)s at %(shop)s: %(status)s")
                    % {
                        "reference": order.reference,
                        "shop": order.merchant.name,
                        "status": order.get_status_display().lower(),
                    },
                    message=render_to_string("orders/email/order_status.txt", context),
                    from_email=None,
                    recipient_list=[checkout.contact_email],
                )

        sent = send_once(purpose=f"orders.shopper_{status}", key=order.pk, send=send_email)

    if checkout.contact_phone:

        def send_sms() -> None:
            with override(language):
                notify_sms(
                    to=checkout.contact_phone,
                    message=_("%(shop)s: your order %(reference)s is %(status)s. %(link)s")
                    % {
                        "shop": order.merchant.name,
                        "reference": order.reference,
                        "status": order.get_status_display().lower(),
                        "link": link,
                    },
                )

        sent = send_once(purpose=f"orders.sms_{status}", key=order.pk, send=send_sms) or sent
    return sent


@shared_task
def carts_abandoned_purge() -> int:
    """Delete the town's guest carts whose session can no longer exist."""
    return carts_abandoned_delete(idle_for=timedelta(seconds=settings.SESSION_COOKIE_AGE))


def _to_every_town(task: Any) -> int:
    """Send `task` once per town still in use, each in its schema; returns how many."""
    schema_names = list(towns_to_refresh().values_list("schema_name", flat=True))
    for schema_name in schema_names:
        task.apply_async(headers={"_schema_name": schema_name})
    return len(schema_names)


@shared_task
def carts_abandoned_purge_all() -> int:
    """Send one `carts_abandoned_purge` per town still in use, each in its schema."""
    return _to_every_town(carts_abandoned_purge)


@shared_task
def reservations_expired_release() -> int:
    """Cancel the town's orders whose payment did not come in time, and free their stock."""
    # The checkout services queue this module's notifications: imported here, not at the top.
    from marketplace.orders.services.checkout_payment import checkouts_expired_release

    return checkouts_expired_release()


@shared_task
def reservations_expired_release_all() -> int:
    """Send one `reservations_expired_release` per town still in use, each in its schema."""
    return _to_every_town(reservations_expired_release)
