"""The shop window's pages served from the cache: home, directory, product and search.

What these pages show below the header is the same for every visitor of a town at a given
minute, so it is rendered once and kept in the cache; each request then renders only the town's
shell around it (header with the visitor's cart and account links, messages, footer). Nothing
else changes: the page template, its blocks and their HTML are the view's own.

A cached page is keyed by the town (django-tenants' cache key function), the host and full
path, the language, the town's minute (a card's "open now" is right to the minute) and the
town's shop-window version. Every write to what these pages show bumps the version, so a
merchant sees a new price or photo on the next request: model signals cover saves and deletes,
and the few services that write in bulk (which sends no signal) call `shop_window_changed`
themselves. Entries expire after CACHE_SECONDS whatever happens, which bounds any staleness.
"""

import hashlib
import re
import time
from collections.abc import Callable
from functools import partial, wraps

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django_tenants.utils import schema_context
from render_block import render_block_to_string

from marketplace.directory.hours import town_now

# The cached page's parts: every block of base.html a shop-window page fills or inherits below
# the shell, so the shell renders exactly what the page's own template would.
PAGE_BLOCKS = ("title", "description", "opengraph", "meta", "head", "main")
CACHE_SECONDS = 120
VERSION_KEY = "shop-window:version"
# The apps whose rows the shop window shows; the town's own row (texts and images of the home
# page) is watched too.
SHOWN_APPS = frozenset({"catalogue", "directory", "campaigns"})
# A form's CSRF token is the visitor's own: the cached HTML keeps a marker in its place.
CSRF_INPUT = re.compile(r'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')
CSRF_MARKER = "\x00csrf-token\x00"

View = Callable[..., HttpResponse]


def shop_window_version() -> int:
    return cache.get(VERSION_KEY) or 0


def _version_bump(*, schema: str) -> None:
    with schema_context(schema):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            # A first (or evicted) version starts from the clock, never from a number whose old
            # entries may still be in the cache.
            cache.add(VERSION_KEY, time.time_ns(), timeout=None)


def shop_window_changed(*, schema: str | None = None) -> None:
    """Make a town's cached pages stale (the current town's by default): now, so this
    transaction reads its own writes, and again after commit (once per transaction), so a page
    rendered meanwhile from the old rows is not kept."""
    bump = partial(_version_bump, schema=schema or connection.schema_name)
    bump()
    if connection.in_atomic_block and not any(
        getattr(callback, "func", None) is _version_bump and callback.keywords == bump.keywords
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(bump, robust=True)


def _page_key(request: HttpRequest) -> str:
    minute = town_now().strftime("%Y-%m-%dT%H:%M")
    where = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"shop-window:page:{shop_window_version()}:{get_language()}:{minute}:{where}"


def _blocks_render(request: HttpRequest, response: TemplateResponse) -> dict[str, str]:
    blocks = {}
    for name in PAGE_BLOCKS:
        html = render_block_to_string(
            response.template_name, name, response.context_data, request=request
        )
        blocks[name] = CSRF_INPUT.sub(rf"\g<1>{CSRF_MARKER}\g<2>", html)
    return blocks


def _page_render(request: HttpRequest, blocks: dict[str, str]) -> HttpResponse:
    if any(CSRF_MARKER in html for html in blocks.values()):
        token = get_token(request)
        blocks = {name: html.replace(CSRF_MARKER, token) for name, html in blocks.items()}
    safe: dict[str, SafeString] = {name: mark_safe(html) for name, html in blocks.items()}  # noqa: S308 — rendered by our templates
    return render(request, "shop_window_page.html", {"blocks": safe})


def shop_window_page(view: View) -> View:
    """Serve a shop-window view's page from the cache. The view returns a TemplateResponse; any
    other answer (a redirect, an error) passes through and is not kept."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "GET" or getattr(request, "htmx", False):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        blocks = cache.get(key)
        if blocks is None:
            response = view(request, *args, **kwargs)
            if not isinstance(response, TemplateResponse) or response.status_code != 200:
                return response
            blocks = _blocks_render(request, response)
            cache.set(key, blocks, CACHE_SECONDS)
        return _page_render(request, blocks)

    return cached_view


def _row_changed(sender: type, instance: object, **kwargs: object) -> None:
    if sender._meta.label == "tenants.Town":
        shop_window_changed(schema=instance.schema_name)
    elif sender._meta.app_label in SHOWN_APPS:
        shop_window_changed()


def _relation_changed(sender: type, instance: object, action: str, **kwargs: object) -> None:
    if action.startswith("post_"):
        _row_changed(type(instance), instance=instance)


def shop_window_watch() -> None:
    """Connect the signals that bump the version when a watched row is saved or deleted."""
    post_save.connect(_row_changed, dispatch_uid="shop-window-save")
    post_delete.connect(_row_changed, dispatch_uid="shop-window-delete")
    m2m_changed.connect(_relation_changed, dispatch_uid="shop-window-relation")
