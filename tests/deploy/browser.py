"""A shopper's browser in a hundred lines, for the smoke test: plain HTTP to a gunicorn on this
machine, presented as the ingress presents it (the town's host, `X-Forwarded-Proto: https`,
`X-Forwarded-For`). It keeps cookies as a browser on HTTPS would (Secure ones included), sends
the Origin and Referer that Django's CSRF check asks of an HTTPS form, follows redirects, and
reads and fills forms."""

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    # name → the values a radio group or select offers.
    choices: dict[str, list[str]] = field(default_factory=dict)

    def data(self, **chosen: str) -> list[tuple[str, str]]:
        """The form as a browser submits it: every field's value, the chosen ones replaced."""
        given = [(name, value) for name, value in self.fields if name not in chosen]
        return given + list(chosen.items())


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(attributes.get("action", ""), attributes.get("method", "get").lower())
            )
        if not self.forms:
            return
        form = self.forms[-1]
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind == "radio":
                form.choices.setdefault(name, []).append(attributes.get("value", "on"))
                if "checked" in attributes:
                    form.fields.append((name, attributes.get("value", "on")))
            elif kind == "checkbox":
                if "checked" in attributes:
                    form.fields.append((name, attributes.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                form.fields.append((name, attributes.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            form.choices[name] = []
        elif tag == "option" and self._select:
            form.choices[self._select].append(attributes.get("value", ""))
            if "selected" in attributes:
                form.fields.append((self._select, attributes.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(page: Page) -> list[Form]:
    parser = _FormParser()
    parser.feed(page.text)
    return parser.forms


class Browser:
    def __init__(self, *, port: int, host: str) -> None:
        self.port = port
        self.host = host
        self.cookies: dict[str, str] = {}
        self.pages: list[Page] = []

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Page:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        base = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "198.51.100.23",
            "User-Agent": "comptoir-smoke/1",
            "Accept-Language": "fr",
        }
        if self.cookies:
            base["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers={**base, **headers})
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if "expires=Thu, 01 Jan 1970" in value or "Max-Age=0" in value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = cookie_value
            page = Page(
                f"https://{self.host}{path}", response.status, dict(response.getheaders()), text
            )
        finally:
            connection.close()
        self.pages.append(page)
        return page

    def _follow(self, page: Page) -> Page:
        for _hop in range(5):
            if page.status not in (301, 302, 303, 307, 308):
                return page
            location = urllib.parse.urlsplit(page.headers["Location"])
            assert location.netloc in ("", self.host), f"redirected off the town: {location}"
            path = location.path + (f"?{location.query}" if location.query else "")
            page = self._send("GET", path, None, {})
        return page

    def get(self, path: str) -> Page:
        return self._follow(self._send("GET", path, None, {}))

    def submit(self, page: Page, form: Form, data: list[tuple[str, str]]) -> Page:
        action = urllib.parse.urljoin(page.url, form.action or page.url)
        target = urllib.parse.urlsplit(action)
        path = target.path + (f"?{target.query}" if target.query else "")
        body = urllib.parse.urlencode(data).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{self.host}",
            "Referer": page.url,
        }
        return self._follow(self._send("POST", path, body, headers))


def links(page: Page, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', page.text)
