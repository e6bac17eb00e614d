import logging

from django.test import override_settings

from marketplace.orders.sms import MemorySmsBackend, notify_sms


def test_the_default_backend_only_logs(caplog):
    with caplog.at_level(logging.INFO, logger="marketplace.orders.sms"):
        notify_sms(to=" 06 12 34 56 78 ", message="Votre commande est prête")

    assert "SMS to 06 12 34 56 78: Votre commande est prête" in caplog.text


@override_settings(SMS_BACKEND="marketplace.orders.sms.MemorySmsBackend")
def test_the_backend_is_chosen_by_the_setting_and_blank_numbers_are_skipped():
    MemorySmsBackend.outbox.clear()

    notify_sms(to="0612345678", message="Prête")
    notify_sms(to="  ", message="Personne")

    assert MemorySmsBackend.outbox == [("0612345678", "Prête")]
