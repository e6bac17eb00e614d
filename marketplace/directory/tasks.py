"""E-mails about merchants' applications, sent after the application or decision commits."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from comptoir.accounts.models import User
from comptoir.town import current_town
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import merchant_owner_emails
from marketplace.directory.services.merchants import (
    merchant_notification_claim,
    merchant_notification_release,
)
from tenants.models import Town


def _town_url(town: Town, name: str, **kwargs: object) -> str:
    return town.build_url(reverse(name, urlconf=settings.ROOT_URLCONF, kwargs=kwargs or None))


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def merchant_application_notify(self, merchant_id: int) -> None:
    """Tell the town's administrators a merchant applied. Sends once, however retried."""
    if not merchant_notification_claim(merchant_id=merchant_id, kind="application"):
        return
    try:
        merchant = Merchant.objects.select_related("category").get(pk=merchant_id)
        recipients = list(
            User.objects.filter(is_town_admin=True, is_active=True)
            .order_by("pk")
            .values_list("email", flat=True)
        )
        if recipients:
            town = current_town()
            with override(settings.LANGUAGE_CODE):
                context = {
                    "town": town,
                    "merchant": merchant,
                    "link": _town_url(town, "town_admin:merchants"),
                }
                send_mail(
                    subject=_("New shop awaiting approval: %(name)s") % {"name": merchant.name},
                    message=render_to_string("directory/email/application_received.txt", context),
                    from_email=None,
                    recipient_list=recipients,
                )
    except Exception as error:
        merchant_notification_release(merchant_id=merchant_id, kind="application")
        raise self.retry(exc=error) from error


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def merchant_decision_notify(self, merchant_id: int) -> None:
    """Tell the applicant the town approved or refused their shop. Sends once per decision."""
    if not merchant_notification_claim(merchant_id=merchant_id, kind="decision"):
        return
    try:
        merchant = Merchant.objects.get(pk=merchant_id)
        recipients = merchant_owner_emails(merchant_id=merchant_id)
        approved = merchant.status == Merchant.Status.APPROVED
        if recipients and merchant.status in (Merchant.Status.APPROVED, Merchant.Status.REJECTED):
            town = current_town()
            with override(settings.LANGUAGE_CODE):
                context = {
                    "town": town,
                    "merchant": merchant,
                    "backoffice_link": town.build_url("/boutique/"),
                    "page_link": _town_url(town, "directory:merchant", slug=merchant.slug),
                }
                if approved:
                    subject = _("Your shop is on %(town)s's portal") % {"town": town}
                    template = "directory/email/application_approved.txt"
                else:
                    subject = _("Your application to %(town)s's portal") % {"town": town}
                    template = "directory/email/application_rejected.txt"
                send_mail(
                    subject=subject,
                    message=render_to_string(template, context),
                    from_email=None,
                    recipient_list=recipients,
                )
    except Exception as error:
        merchant_notification_release(merchant_id=merchant_id, kind="decision")
        raise self.retry(exc=error) from error
