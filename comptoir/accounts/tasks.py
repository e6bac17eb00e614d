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


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def account_invitation_send(user_id: int) -> bool:
    """E-mail a town administrator their one-time activation link. Sends once, however retried."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False

    def send() -> None:
        town = current_town()
        path = reverse(
            "accounts:activate",
            urlconf=settings.ROOT_URLCONF,
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        with override(settings.LANGUAGE_CODE):
            context = {"town": town, "user": user, "link": town.build_url(path)}
            send_mail(
                subject=_("Your administrator access to the portal %(of_town)s")
                % {"of_town": of_name(town.name)},
                message=render_to_string("accounts/email/invitation.txt", context),
                from_email=None,
                recipient_list=[user.email],
            )

    return send_once(purpose="accounts.invitation", key=user.pk, send=send)
