"""E-mails about merchants' applications and teams, sent once the change commits."""

from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from comptoir.accounts.models import User
from comptoir.french import of_name
from comptoir.send_once.services import send_once
from comptoir.town import current_town
from marketplace.directory.models import Merchant, StaffInvitation
from marketplace.directory.selectors import merchant_owner_emails
from tenants.models import Town


def _town_url(town: Town, name: str, **kwargs: object) -> str:
    return town.build_url(reverse(name, urlconf=settings.ROOT_URLCONF, kwargs=kwargs or None))


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def merchant_application_notify(merchant_id: int) -> bool:
    """Tell the town's administrators a merchant applied. Sends once, however retried."""
    merchant = Merchant.objects.select_related("category").filter(pk=merchant_id).first()
    recipients = list(
        User.objects.filter(is_town_admin=True, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if merchant is None or not recipients:
        return False

    def send() -> None:
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

    return send_once(purpose="directory.merchant_application", key=merchant.pk, send=send)


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def merchant_decision_notify(merchant_id: int) -> bool:
    """Tell the applicant the town approved or refused their shop (it is decided only once).
    Sends once, however retried."""
    merchant = Merchant.objects.filter(pk=merchant_id).first()
    if merchant is None or merchant.status not in (
        Merchant.Status.APPROVED,
        Merchant.Status.REJECTED,
    ):
        return False
    recipients = merchant_owner_emails(merchant_id=merchant_id)
    if not recipients:
        return False

    def send() -> None:
        town = current_town()
        with override(settings.LANGUAGE_CODE):
            context = {
                "town": town,
                "merchant": merchant,
                "backoffice_link": town.build_url("/boutique/"),
                "page_link": _town_url(town, "directory:merchant", slug=merchant.slug),
            }
            if merchant.status == Merchant.Status.APPROVED:
                subject = _("Your shop is on the portal %(of_town)s") % {
                    "of_town": of_name(town.name)
                }
                template = "directory/email/application_approved.txt"
            else:
                subject = _("Your application to the portal %(of_town)s") % {
                    "of_town": of_name(town.name)
                }
                template = "directory/email/application_rejected.txt"
            send_mail(
                subject=subject,
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=recipients,
            )

    return send_once(purpose="directory.merchant_decision", key=merchant.pk, send=send)


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def staff_invitation_send(invitation_id: int) -> bool:
    """A new account gets a one-time link to choose its password (then lands in the back office);
    an existing one gets the address to sign in. Sends once, however retried."""
    invitation = (
        StaffInvitation.objects.select_related("merchant", "user", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    user, merchant = invitation.user, invitation.merchant

    def send() -> None:
        town = current_town()
        if user.has_usable_password():
            backoffice = reverse("backoffice:dashboard", urlconf=settings.ROOT_URLCONF)
            link = town.build_url(f"{backoffice}?{urlencode({'boutique': merchant.slug})}")
            template = "directory/email/staff_added.txt"
        else:
            # The activation view lands on the back office; a new account runs only this shop.
            link = _town_url(
                town,
                "backoffice:activate",
                uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
                token=default_token_generator.make_token(user),
            )
            template = "directory/email/staff_invitation.txt"
        with override(settings.LANGUAGE_CODE):
            context = {
                "town": town,
                "merchant": merchant,
                "invited_by": invitation.invited_by,
                "link": link,
            }
            send_mail(
                subject=_("You are invited to run %(shop)s on the portal %(of_town)s")
                % {"shop": merchant.name, "of_town": of_name(town.name)},
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=[user.email],
            )

    return send_once(purpose="directory.staff_invitation", key=invitation.pk, send=send)
