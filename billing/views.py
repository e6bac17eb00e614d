from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.errors import WebhookRefused
from billing.services.events import stripe_webhook_receive


@csrf_exempt  # Stripe signs its webhooks instead: the signature is checked on the raw body.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's webhooks (platform and Connect): 400 when the signature does not hold, else
    200 at once, the event's handling queued."""
    try:
        stripe_webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except WebhookRefused as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(status=200)
