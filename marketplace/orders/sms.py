"""Text messages to shoppers, through a backend named by settings.SMS_BACKEND.

Comptoir sends no real SMS yet: the default backend writes the message to the log, so the
notifications are ready for a provider's backend (a class with the same `send`) to be plugged in.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, to: str, message: str) -> None: ...


class ConsoleSmsBackend:
    """Sends nothing: logs who would have received what."""

    def send(self, *, to: str, message: str) -> None:
        logger.info("SMS to %s: %s", to, message)


class MemorySmsBackend:
    """Keeps the messages in `outbox`, as Django's locmem e-mail backend does, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, to: str, message: str) -> None:
        MemorySmsBackend.outbox.append((to, message))


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def notify_sms(*, to: str, message: str) -> None:
    """Send `message` to the phone number `to` through the configured backend."""
    if to.strip():
        sms_backend().send(to=to.strip(), message=message)
