"""Lighthouse (mobile) scores of every shopper page of a served demo town: performance and
accessibility, with LCP, TBT and CLS. Target (issue 8): performance ≥ 90 and accessibility 100
on every page.

Not part of `make test` nor of `make bench`: it needs Lighthouse, which the project does not
install, and a town being served. Install Lighthouse once, outside the repository
(`cd /tmp/lh && npm install lighthouse`), serve the demo towns (`make dev PORT=8711`, or
production-like: collectstatic with `CompressedManifestStaticFilesStorage`, then
`runserver --nostatic` so that WhiteNoise serves the compressed files), then:

    LIGHTHOUSE_BIN=/tmp/lh/node_modules/.bin/lighthouse SITE_PORT=8711 \\
        python -m comptoir.devenv python -m tests.bench.lighthouse

Nothing is downloaded here. Settings, all optional: CHROME_PATH (/usr/bin/chromium),
LIGHTHOUSE_TOWN (aix-les-bains), SITE_PORT (8000), LIGHTHOUSE_RUNS (1; with more, each page
reports its run of median performance), LIGHTHOUSE_TRACKING_TOKEN (else an order of the town's
guests is looked up through Django, in DATABASE_URL's database), LIGHTHOUSE_QUERY (miel),
LIGHTHOUSE_REPORT_DIR (keeps each run's JSON report there). Arguments: names of the pages to
run (all by default).
"""

import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --no-first-run"
)
TARGET_PERFORMANCE = 90
TARGET_ACCESSIBILITY = 100


@dataclass(frozen=True)
class Score:
    performance: int
    accessibility: int
    lcp_ms: float
    tbt_ms: float
    cls: float
    failing: tuple[str, ...]


def lighthouse_bin() -> str | None:
    path = os.environ.get("LIGHTHOUSE_BIN", "")
    return path if path and os.access(path, os.X_OK) else None


def base_url() -> str:
    town = os.environ.get("LIGHTHOUSE_TOWN", "aix-les-bains")
    return f"http://{town}.localhost:{os.environ.get('SITE_PORT', '8000')}"


def opener(jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    # *.localhost is this machine (as Chromium resolves it); urllib would ask the resolver.
    class Loopback(urllib.request.HTTPHandler):
        def http_open(self, req):
            host = req.host.split(":")
            req.host = f"127.0.0.1:{host[1]}" if len(host) > 1 else "127.0.0.1"
            return super().http_open(req)

    return urllib.request.build_opener(Loopback, urllib.request.HTTPCookieProcessor(jar))


def page_get(browser: urllib.request.OpenerDirector, url: str, data: dict | None = None) -> str:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(data).encode() if data is not None else None,
        headers={"Host": urllib.parse.urlsplit(url).netloc, "Referer": url},
    )
    with browser.open(request, timeout=30) as response:
        return response.read().decode()


def first_link(page: str, prefix: str, *, where: str = "the home page") -> str:
    match = re.search(rf'href="({re.escape(prefix)}[^"/?#]+/)"', page)
    if match is None:
        raise SystemExit(f"No link to {prefix}… on {where}: is the demo town seeded?")
    return match.group(1)


def field_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    if match is None:
        raise SystemExit(f"No {name} field on the page.")
    return match.group(1)


def csrf_token(page: str) -> str:
    return field_value(page, "csrfmiddlewaretoken")


def cookie_header(jar: http.cookiejar.CookieJar) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def cart_filled(base: str, product_path: str) -> str:
    """A session with one product in its cart (added as a shopper's form would): the Cookie
    header that carries it."""
    jar = http.cookiejar.CookieJar()
    browser = opener(jar)
    page = page_get(browser, base + product_path)
    form = re.search(r'<form[^>]*action="/panier/ajouter/".*?</form>', page, re.S)
    if form is None:
        raise SystemExit(f"No add-to-cart form on {product_path}.")
    variant = field_value(form.group(0), "variant_id")
    page_get(
        browser,
        base + "/panier/ajouter/",
        {"csrfmiddlewaretoken": csrf_token(form.group(0)), "variant_id": variant},
    )
    return cookie_header(jar)


def signed_in(base: str) -> tuple[list[tuple[str, str]], str]:
    """The demo shopper's own pages, and the Cookie header of her session."""
    town = os.environ.get("LIGHTHOUSE_TOWN", "aix-les-bains")
    jar = http.cookiejar.CookieJar()
    browser = opener(jar)
    login = page_get(browser, base + "/compte/connexion/")
    account = page_get(
        browser,
        base + "/compte/connexion/",
        {
            "csrfmiddlewaretoken": csrf_token(login),
            "username": f"camille.durand@{town}.demo",
            "password": "comptoir-demo",
            "next": "/compte/",
        },
    )
    messages = page_get(browser, base + "/compte/messages/")
    return [
        ("account", "/compte/"),
        ("order", first_link(account, "/compte/commandes/", where="the shopper's account")),
        ("favourites", "/compte/favoris/"),
        ("messages", "/compte/messages/"),
        ("thread", first_link(messages, "/compte/messages/", where="the shopper's messages")),
        ("addresses", "/compte/adresses/"),
    ], cookie_header(jar)


def tracking_token() -> str:
    token = os.environ.get("LIGHTHOUSE_TRACKING_TOKEN")
    if token:
        return token
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.dev")
    import django

    django.setup()
    from django_tenants.utils import schema_context

    from marketplace.orders.models import Order
    from tenants.models import Town

    town = Town.objects.get(slug=os.environ.get("LIGHTHOUSE_TOWN", "aix-les-bains"))
    with schema_context(town.schema_name):
        order = Order.objects.filter(status=Order.Status.PLACED).order_by("pk").first()
        if order is None:
            raise SystemExit("No placed order in the town: set LIGHTHOUSE_TRACKING_TOKEN.")
        return order.tracking_token


def pages(base: str) -> list[tuple[str, str, str | None]]:
    """(name, path, Cookie header or None) of the shopper pages: a new visitor's, those of a
    visitor with a product in the cart, then those of the signed-in demo shopper."""
    home = page_get(opener(http.cookiejar.CookieJar()), base + "/")
    product = first_link(home, "/produits/")
    query = urllib.parse.quote(os.environ.get("LIGHTHOUSE_QUERY", "miel"))
    cart = cart_filled(base, product)
    own, session = signed_in(base)
    return [
        ("home", "/", None),
        ("directory", "/commerces/", None),
        ("map", "/carte/", None),
        ("merchant", first_link(home, "/commerces/"), None),
        ("product", product, None),
        ("search", f"/recherche/?q={query}", None),
        ("campaign", first_link(home, "/campagnes/"), None),
        ("cart", "/panier/", cart),
        ("checkout", "/commande/", cart),
        ("tracking", f"/suivi/{tracking_token()}/", None),
        ("login", "/compte/connexion/", None),
        ("signup", "/compte/inscription/", None),
        *((name, path, session) for name, path in own),
    ]


def lighthouse_run(binary: str, url: str, *, cookie: str | None, keep: Path | None) -> Score:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            binary,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={CHROME_FLAGS}",
        ]
        if cookie:
            headers = Path(folder) / "headers.json"
            headers.write_text(json.dumps({"Cookie": cookie}))
            command.append(f"--extra-headers={headers}")
        environment = {
            **os.environ,
            "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
        }
        subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
        result = json.loads(report.read_text())
        if keep is not None:
            keep.write_text(report.read_text())
    categories = result["categories"]
    audits = result["audits"]
    failing = tuple(
        ref["id"]
        for ref in categories["accessibility"]["auditRefs"]
        if ref["weight"] and audits[ref["id"]]["score"] not in (None, 1)
    )
    return Score(
        performance=round(100 * (categories["performance"]["score"] or 0)),
        accessibility=round(100 * (categories["accessibility"]["score"] or 0)),
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        cls=audits["cumulative-layout-shift"]["numericValue"],
        failing=failing,
    )


def report(scores: dict[str, Score]) -> str:
    lines = [
        f"{'page':<10} {'perf':>4} {'a11y':>4} {'LCP ms':>7} {'TBT ms':>6} {'CLS':>5}  below target",
    ]
    for name, score in scores.items():
        misses = list(score.failing)
        if score.performance < TARGET_PERFORMANCE:
            misses.insert(0, "performance")
        lines.append(
            f"{name:<10} {score.performance:>4} {score.accessibility:>4} {score.lcp_ms:>7.0f}"
            f" {score.tbt_ms:>6.0f} {score.cls:>5.3f}  {', '.join(misses) or '-'}"
        )
    lines.append(
        f"target: performance ≥ {TARGET_PERFORMANCE}, accessibility {TARGET_ACCESSIBILITY}"
    )
    return "\n".join(lines)


def main() -> None:
    binary = lighthouse_bin()
    if binary is None:
        print(
            "Lighthouse benchmark skipped: set LIGHTHOUSE_BIN to an installed Lighthouse CLI"
            " (e.g. `cd /tmp/lh && npm install lighthouse`, then"
            " LIGHTHOUSE_BIN=/tmp/lh/node_modules/.bin/lighthouse)."
        )
        return
    base = base_url()
    runs = int(os.environ.get("LIGHTHOUSE_RUNS", "1"))
    only = set(sys.argv[1:])
    kept = os.environ.get("LIGHTHOUSE_REPORT_DIR")
    scores: dict[str, Score] = {}
    for name, path, cookie in pages(base):
        if only and name not in only:
            continue
        results = [
            lighthouse_run(
                binary,
                base + path,
                cookie=cookie,
                keep=Path(kept) / f"{name}-{run}.json" if kept else None,
            )
            for run in range(runs)
        ]
        median = statistics.median_low(score.performance for score in results)
        scores[name] = next(score for score in results if score.performance == median)
        print(f"{name}: {base + path}", file=sys.stderr)
    print(f"Lighthouse (mobile) on {base}, {runs} run(s) a page")
    print(report(scores))


if __name__ == "__main__":
    main()
