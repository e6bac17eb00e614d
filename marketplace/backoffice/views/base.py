"""What every back-office page shares: the shop's name, the menu and its unread badge."""

from django.http import HttpResponse
from django.shortcuts import render

from marketplace.backoffice.access import BackofficeRequest
from marketplace.messaging.selectors import merchant_unread_total


def backoffice_render(
    request: BackofficeRequest,
    template: str,
    context: dict[str, object] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    merchant = request.merchant
    return render(
        request,
        template,
        {
            "merchant": merchant,
            "is_owner": request.is_owner,
            "unread_messages": merchant_unread_total(merchant_id=merchant.pk),
            **(context or {}),
        },
        status=status,
    )
