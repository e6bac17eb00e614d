"""Where to send a visitor back to, when the address comes from the request."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_url_safe(request: HttpRequest, url: str, *, default: str) -> str:
    """`url` when it stays on this site (and on HTTPS when the request came by HTTPS), else
    `default`: an address someone put in a link must never send the visitor to another site."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def next_url_safe(request: HttpRequest, *, default: str) -> str:
    """The `next` of the posted form, else of the query string, when it is safe; else
    `default`."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    return redirect_url_safe(request, url, default=default)
