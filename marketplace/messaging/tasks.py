"""E-mails telling the other side of a conversation that a message arrived."""

from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from comptoir.french import from_name
from comptoir.send_once.services import send_once
from comptoir.town import current_town
from marketplace.messaging.models import Message, Side
from marketplace.messaging.selectors import merchant_contact_emails


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def message_notify(message_id: int) -> bool:
    """E-mail the side that did not write the message. Sends once, however retried."""
    message = (
        Message.objects.select_related(
            "conversation__merchant", "conversation__shopper", "conversation__order"
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return False
    conversation = message.conversation
    merchant = conversation.merchant
    if message.side == Side.SHOPPER:
        recipients = merchant_contact_emails(merchant=merchant)
        path = reverse(
            "backoffice:message_thread",
            urlconf=settings.ROOT_URLCONF,
            kwargs={"pk": conversation.pk},
        )
        # A member of several shops lands on the right one.
        path = f"{path}?{urlencode({'boutique': merchant.slug})}"
        sender = conversation.shopper.get_full_name()
    else:
        recipients = [conversation.shopper.email]
        path = reverse(
            "messaging:thread", urlconf=settings.ROOT_URLCONF, kwargs={"pk": conversation.pk}
        )
        sender = merchant.name
    if not recipients:
        return False

    def send() -> None:
        town = current_town()
        with override(settings.LANGUAGE_CODE):
            context = {
                "town": town,
                "message": message,
                "conversation": conversation,
                "sender": sender,
                "link": town.build_url(path),
            }
            if conversation.order is not None:
                subject = _("New message about order %(reference)s") % {
                    "reference": conversation.order.reference
                }
            else:
                subject = _("New message %(from_sender)s") % {"from_sender": from_name(sender)}
            send_mail(
                subject=subject,
                message=render_to_string("messaging/email/new_message.txt", context),
                from_email=None,
                recipient_list=recipients,
            )

    return send_once(purpose="messaging.message", key=message.pk, send=send)
