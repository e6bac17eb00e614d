"""The shop window's pages served from the cache: home, directory, product and search.

What these pages show below the header is the same for every visitor of a town at a given
minute, so it is rendered once and kept in the cache; each request then renders only the town's
shell around it (header with the visitor's cart and account links, messages, footer). A visitor
without a session has no shell of their own: they get the whole page as kept, with their CSRF
token put in. Nothing else changes: the page template, its blocks and their HTML are the view's
own.

A cached page is keyed by the town (django-tenants' cache key function), the host and full
path, the language and the town's minute (a card's "open now" is right to the minute), and kept
with the town's shop-window version it was rendered at. Every write to what these pages show
bumps the version, so a merchant sees a new price or photo on the next request: each app
declares, in its `AppConfig.ready()`, the models the shop window shows (`shop_window_shows`),
whose saves and deletes then bump it through model signals; the few services that write in
bulk (which sends no signal) call `shop_window_changed` themselves. Entries expire after CACHE_SECONDS whatever happens, which
bounds any staleness.

A page is kept with what the view said it shows (comptoir.page_seen), and a request served from
the cache is marked with it again: a cached page is counted as a visit like a rendered one.
"""

import hashlib
import re
import time
from collections.abc import Callable
from functools import partial, wraps
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django_tenants.utils import schema_context
from render_block import render_block_to_string

from comptoir.db import connection
from comptoir.metrics import page_cache_observed
from comptoir.page_seen import page_seen_mark, page_seen_of
from comptoir.town import town_now

# The cached page's parts: every block of base.html a shop-window page fills or inherits below
# the shell, so the shell renders exactly what the page's own template would.
PAGE_BLOCKS = ("title", "description", "opengraph", "meta", "head", "main")
CACHE_SECONDS = 120
VERSION_KEY = "shop-window:version"
# A CSRF token is the visitor's own: the cached HTML keeps a marker in its place, in forms and
# in the htmx headers of the shell.
CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*(")')
CSRF_MARKER = "\x00csrf-token\x00"
# The cookies that make a visitor's shell their own: a session (account, cart, support access)
# or messages waiting. A visitor with neither gets the same whole page as any other.
OWN_SHELL_COOKIES = frozenset({settings.SESSION_COOKIE_NAME, "messages"})

View = Callable[..., HttpResponse]


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
        isinstance(callback, partial)
        and callback.func is _version_bump
        and callback.keywords == bump.keywords
        for _savepoints, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(bump, robust=True)


def _page_key(request: HttpRequest, *, whole: bool) -> str:
    minute = town_now().strftime("%Y-%m-%dT%H:%M")
    where = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    part = "whole" if whole else "blocks"
    return f"shop-window:{part}:{get_language()}:{minute}:{where}"


def _tokens_hidden(html: str) -> str:
    return CSRF_TOKEN.sub(rf"\g<1>{CSRF_MARKER}\g<2>", html)


def _tokens_given(request: HttpRequest, html: str) -> str:
    return html.replace(CSRF_MARKER, get_token(request)) if CSRF_MARKER in html else html


def _blocks_render(request: HttpRequest, response: TemplateResponse) -> dict[str, str]:
    blocks = {}
    for name in PAGE_BLOCKS:
        html = render_block_to_string(
            response.template_name, name, response.context_data, request=request
        )
        blocks[name] = _tokens_hidden(html)
    return blocks


def _page_render(request: HttpRequest, blocks: dict[str, str]) -> HttpResponse:
    safe: dict[str, SafeString] = {
        name: mark_safe(_tokens_given(request, html))  # noqa: S308 — our templates' own output
        for name, html in blocks.items()
    }
    return render(request, "shop_window_page.html", {"blocks": safe})


def shop_window_page(view: View) -> View:
    """Serve a shop-window view's page from the cache. The view returns a TemplateResponse; any
    other answer (a redirect, an error) passes through and is not kept.

    A visitor without a session gets the whole page as kept (their token put in); any other
    visitor gets the kept blocks in a shell rendered for them."""

    @wraps(view)
    def cached_view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "GET" or getattr(request, "htmx", False):
            return view(request, *args, **kwargs)
        whole = not (OWN_SHELL_COOKIES & request.COOKIES.keys())
        key = _page_key(request, whole=whole)
        # The page is kept with the version it was rendered at: one round trip reads both.
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY, 0)
        entry = found.get(key, ())
        # An entry kept before pages carried what they show (a 2-tuple) is a miss.
        hit = len(entry) == 3 and entry[0] == version
        page_cache_observed(hit=hit)
        if hit:
            _version, kept, seen = entry
            if seen is not None:
                page_seen_mark(request, seen)
            if whole:
                return HttpResponse(_tokens_given(request, kept))
            return _page_render(request, kept)
        response = view(request, *args, **kwargs)
        if not isinstance(response, TemplateResponse) or response.status_code != 200:
            return response
        blocks = _blocks_render(request, response)
        page = _page_render(request, blocks)
        kept = _tokens_hidden(page.content.decode()) if whole else blocks
        cache.set(key, (version, kept, page_seen_of(request)), CACHE_SECONDS)
        return page

    return cached_view


def _current_schema(instance: Model) -> str:
    return connection.schema_name


_M = TypeVar("_M", bound=Model)


def shop_window_shows(model: type[_M], *, schema_of: Callable[[_M], str] = _current_schema) -> None:
    """Declare that the shop window shows this model's rows: a save or delete of one (or a change
    of its many-to-many relations) makes cached pages stale. `schema_of` names the town a row
    belongs to, for a row kept outside the town's schema (the Town itself)."""

    def row_changed(sender: type[_M], instance: _M, **kwargs: object) -> None:
        shop_window_changed(schema=schema_of(instance))

    def relation_changed(sender: type[Model], action: str, **kwargs: object) -> None:
        if action.startswith("post_"):
            shop_window_changed()

    uid = f"shop-window:{model._meta.label}"
    # weak=False: the receivers are closures, which nothing else keeps alive.
    post_save.connect(row_changed, sender=model, weak=False, dispatch_uid=f"{uid}:save")
    post_delete.connect(row_changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            relation_changed,
            sender=field.remote_field.through,
            weak=False,
            dispatch_uid=f"{uid}:{field.name}",
        )
