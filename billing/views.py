from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.errors import WebhookRefused
from billing.services.events import stripe_event_hand_over, stripe_webhook_receive


class _AnsweredThen(HttpResponse):
    """A response that does `then` once it is sent: a WSGI server calls close() after the
    answer's last byte (Django's test client as it returns the answer)."""

    def __init__(self, then: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._then = then

    def close(self) -> None:
        try:
            self._then()
        finally:
            super().close()


@csrf_exempt  # Stripe signs its webhooks instead: the signature is checked on the raw body.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's webhooks (platform and Connect): 400 when the signature does not hold, else
    200 as soon as the event is stored, its handling queued once the answer is sent."""
    try:
        event = stripe_webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except WebhookRefused as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    if event is None:
        return HttpResponse(status=200)
    return _AnsweredThen(lambda: stripe_event_hand_over(event=event), status=200)
