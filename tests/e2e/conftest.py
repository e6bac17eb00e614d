"""Browser tests: a live server per test process, driven through Debian's Chromium.

pytest-django's live_server is not used: it flushes the database after each test, which would
delete the session's towns. Instead one threaded server per process (so per xdist worker, each
with its own test database) serves the real middleware stack on 127.0.0.1 and a free port, and
Chromium resolves every *.comptoir.test host to it. The server's threads have their own database
connections, so they only see committed data: the fixtures here commit what a test needs through
django_db_blocker.unblock() and delete it afterwards. Tests here must not use the `db` fixture
(its transaction would hide their data from the server); town_a, town_b, admin_a and admin_b are
redefined below without it.

Fixtures: page (fresh context, French, no network beyond the test hosts), browser,
live_url(town, path), root_live_url(path), sign_in(page, town, email, then=path),
committed_user(town, email, **fields), town_restored(town), axe_check(page).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.forms.models import model_to_dict
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, Route, sync_playwright

from comptoir.accounts.models import User
from comptoir.routing import town_routing_forget
from tenants.models import Town
from tests.conftest import TEST_PASSWORD, public_user_delete, user_create

E2E_DIR = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    f"--host-resolver-rules=MAP *.{settings.ROOT_DOMAIN} 127.0.0.1, MAP {settings.ROOT_DOMAIN} 127.0.0.1",
]
# axe-core impacts that fail a test; "moderate" and "minor" findings do not.
AXE_BLOCKING_IMPACTS = ("serious", "critical")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            # pytest-django creates the test database only for a session holding a test that
            # asks for one; without this, running tests/e2e alone would reach the real database.
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _django_db_marker() -> None:
    """Replaces pytest-django's fixture of that name for the tests here: the django_db marker
    above must not wrap them in a transaction the server's threads could not see through."""


# --- Server ---------------------------------------------------------------------------------


def _whitenoise_serves_static(app: Any) -> Any:
    # WhiteNoise (with finders in test settings) is in the middleware, as in production.
    return app


class _RequestHandler(QuietWSGIRequestHandler):
    # An idle keep-alive connection gives up its thread (and database connection) in time.
    timeout = 30


class _JoiningWSGIServer(ThreadedWSGIServer):
    """Joins its request threads when closed, so none still holds a database connection when
    pytest-django drops the test database."""

    daemon_threads = False
    block_on_close = True


class _ServerThread(LiveServerThread):
    server_class = _JoiningWSGIServer

    def _create_server(self, connections_override: Any = None) -> ThreadedWSGIServer:
        return self.server_class(
            (self.host, self.port),
            _RequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture(scope="session")
def e2e_server(django_db_setup, django_db_blocker) -> Iterator[LiveServerThread]:
    with django_db_blocker.unblock():
        # Django calls static_handler with the WSGI handler: any callable will do, though its
        # stubs ask for a handler class.
        thread = _ServerThread(
            "127.0.0.1",
            _whitenoise_serves_static,  # type: ignore[arg-type]
            port=0,
        )
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield thread
        thread.terminate()


@pytest.fixture(autouse=True)
def _committed_database_access(django_db_blocker) -> Iterator[None]:
    """The server's threads and the fixtures use the database for the whole test; the routing
    cache, shared with the server's threads, starts and ends empty."""
    with django_db_blocker.unblock():
        town_routing_forget()
        yield
        town_routing_forget()
        # While Playwright runs, Django's connections (context-local) are not the ones
        # pytest-django closes before dropping the test database: close them here.
        connections.close_all()


@pytest.fixture
def live_url(e2e_server: LiveServerThread) -> Callable[[Town, str], str]:
    """live_url(town, "/path/") → the page's address on the town's host."""

    def build(town: Town, path: str = "/") -> str:
        return f"http://{town.primary_domain_name}:{e2e_server.port}{path}"

    return build


@pytest.fixture
def root_live_url(e2e_server: LiveServerThread) -> Callable[[str], str]:
    """root_live_url("/path/") → the page's address on the vendor's root host."""

    def build(path: str = "/") -> str:
        return f"http://{settings.ROOT_DOMAIN}:{e2e_server.port}{path}"

    return build


# --- Committed data -------------------------------------------------------------------------


@pytest.fixture
def town_a() -> Town:
    return Town.objects.get(slug="alpha")


@pytest.fixture
def town_b() -> Town:
    return Town.objects.get(slug="beta")


@pytest.fixture
def committed_user() -> Iterator[Callable[..., User]]:
    """committed_user(town, email, **fields): a user the server sees (password TEST_PASSWORD),
    deleted after the test with every session opened meanwhile in that town (a town of None:
    a public-schema user, vendor staff)."""
    made: list[tuple[str, User, set[str]]] = []

    def create(town: Town | None, email: str, **fields: object) -> User:
        schema = town.schema_name if town else "public"
        with schema_context(schema):
            sessions_before = set(Session.objects.values_list("session_key", flat=True))
        user = user_create(town, email, **fields)
        made.append((schema, user, sessions_before))
        return user

    yield create
    for schema, user, sessions_before in reversed(made):
        with schema_context(schema):
            Session.objects.exclude(session_key__in=sessions_before).delete()
            if schema == "public":
                public_user_delete(user)
            else:
                User.objects.filter(pk=user.pk).delete()


@pytest.fixture
def admin_a(town_a: Town, committed_user: Callable[..., User]) -> User:
    return committed_user(town_a, "admin@alpha.test", is_town_admin=True, full_name="Adèle Alpha")


@pytest.fixture
def admin_b(town_b: Town, committed_user: Callable[..., User]) -> User:
    return committed_user(town_b, "admin@beta.test", is_town_admin=True, full_name="Bruno Beta")


@pytest.fixture
def town_restored() -> Iterator[Callable[[Town], Town]]:
    """town_restored(town): put the town's row back as it is now once the test ends, for tests
    that change it through the browser (branding, status…)."""
    saved: list[tuple[int, dict[str, Any]]] = []

    def keep(town: Town) -> Town:
        row = Town.objects.get(pk=town.pk)
        saved.append((row.pk, model_to_dict(row, exclude=["id"])))
        return row

    yield keep
    for pk, values in saved:
        Town.objects.filter(pk=pk).update(**values)
    town_routing_forget()


# --- Browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(e2e_server: LiveServerThread) -> Iterator[Browser]:
    # Depends on the server so that it closes first: its keep-alive connections end, and the
    # server's threads with them, before the server and then the test database go.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` (apt's chromium).")
    # Playwright's sync API keeps an event loop on the main thread while it lives, and Django
    # then refuses the fixtures' ORM calls as if they were async code. They are plain blocking
    # calls made between browser commands, never inside the loop.
    allow_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if allow_before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allow_before


def _local_only(route: Route) -> None:
    """Tests never touch the network: anything not served by the test server is refused."""
    host = urlsplit(route.request.url).hostname or ""
    if host == settings.ROOT_DOMAIN or host.endswith(f".{settings.ROOT_DOMAIN}"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in a fresh context (no cookies), French like most of the towns' visitors."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.route("**/*", _local_only)
    new_page = context.new_page()
    yield new_page
    context.close()


@pytest.fixture
def sign_in(live_url: Callable[[Town, str], str]) -> Callable[..., None]:
    """sign_in(page, town, email, then="/"): through the town's real sign-in form, landing on
    the `then` path."""

    def submit(page: Page, town: Town, email: str, then: str = "/") -> None:
        page.goto(live_url(town, f"/compte/connexion/?next={then}"))
        page.locator("#id_username").fill(email)
        page.locator("#id_password").fill(TEST_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(live_url(town, then))

    return submit


# --- Accessibility --------------------------------------------------------------------------


def axe_blocking_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    violations = Axe().run(page).response["violations"]
    return [v for v in violations if v["impact"] in AXE_BLOCKING_IMPACTS]


def axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}")
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.fixture
def axe_check() -> Callable[[Page], None]:
    """axe_check(page): fail, listing them, if axe-core finds serious or critical violations."""

    def check(page: Page) -> None:
        violations = axe_blocking_violations(page)
        if violations:
            report = axe_report(violations)
            print(f"axe-core violations on {page.url}:\n{report}")
            pytest.fail(f"axe-core violations on {page.url}:\n{report}", pytrace=False)

    return check
