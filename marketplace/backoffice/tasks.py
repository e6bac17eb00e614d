"""The e-mail inviting a person to a shop's staff."""

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

from comptoir.town import current_town
from marketplace.backoffice.models import StaffInvitation
from marketplace.backoffice.services import staff_invitation_claim, staff_invitation_release


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def staff_invitation_send(self, invitation_id: int) -> None:
    """A new account gets a one-time link to choose its password (then lands in the back office);
    an existing one gets the address to sign in. Sends once, however retried."""
    if not staff_invitation_claim(invitation_id=invitation_id):
        return
    try:
        invitation = StaffInvitation.objects.select_related("merchant", "user", "invited_by").get(
            pk=invitation_id
        )
        user, merchant = invitation.user, invitation.merchant
        town = current_town()
        choice = urlencode({"boutique": merchant.slug})
        if user.has_usable_password():
            backoffice = reverse("backoffice:dashboard", urlconf=settings.ROOT_URLCONF)
            link = town.build_url(f"{backoffice}?{choice}")
            template = "backoffice/email/staff_added.txt"
        else:
            path = reverse(
                "backoffice:activate",
                urlconf=settings.ROOT_URLCONF,
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            # The activation view lands on the back office; a new account runs only this shop.
            link = town.build_url(path)
            template = "backoffice/email/staff_invitation.txt"
        with override(settings.LANGUAGE_CODE):
            context = {
                "town": town,
                "merchant": merchant,
                "invited_by": invitation.invited_by,
                "link": link,
            }
            send_mail(
                subject=_("You are invited to run %(shop)s on %(town)s's portal")
                % {"shop": merchant.name, "town": town.name},
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=[user.email],
            )
    except Exception as error:
        staff_invitation_release(invitation_id=invitation_id)
        raise self.retry(exc=error) from error
