"""What every back-office page shares: the shop's name, the menu and its unread badge."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from marketplace.messaging.selectors import merchant_unread_total


def backoffice_render(
    request: HttpRequest,
    template: str,
    context: dict[str, object] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    merchant = request.merchant  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "merchant": merchant,
            "is_owner": request.is_owner,  # type: ignore[attr-defined]
            "unread_messages": merchant_unread_total(merchant_id=merchant.pk),
            **(context or {}),
        },
        status=status,
    )
