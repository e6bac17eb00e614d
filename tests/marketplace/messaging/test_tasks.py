from django.core import mail

from comptoir.send_once.models import SentOnce
from marketplace.messaging.services import conversation_start_by_shopper
from marketplace.messaging.tasks import message_notify
from tests.conftest import inside


def test_the_notification_sent_to_town_b_does_not_reach_town_as_message(
    town_a, town_b, shop_a, shopper_a
):
    with inside(town_a):
        message = conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop_a.pk, body="Q")

    with inside(town_b):
        message_notify.apply(args=[message.pk])

    assert not mail.outbox
    with inside(town_a):
        assert not SentOnce.objects.filter(purpose="messaging.message").exists()
