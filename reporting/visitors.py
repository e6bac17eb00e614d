"""What a request says about its visitor, read and then forgotten: robot or person, where the
visit came from, the town their address is in, and a digest of the day that tells the same
visitor again without saying who they are."""

import functools
import hashlib
import ipaddress
import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import maxminddb
from crawlerdetect import CrawlerDetect
from django.conf import settings

from reporting.models import Source

logger = logging.getLogger(__name__)

_crawlers = CrawlerDetect()


@functools.lru_cache(maxsize=4096)
def is_robot(user_agent: str) -> bool:
    """A crawler, spider, monitor or HTTP library by its user agent (CrawlerDetect's list,
    kept up to date upstream), or no user agent at all: no browser sends none. Cached: the
    check is a long regular expression, and the same few hundred agents make most traffic."""
    return not user_agent.strip() or _crawlers.is_crawler(user_agent)


def visitor_digest(*, salt: str, schema_name: str, address: str, user_agent: str) -> str:
    """The visitor of the day: their address and browser, salted with the town's salt of the
    day (deleted once the day is over), hashed; neither is kept."""
    material = "\x00".join((salt, schema_name, address, user_agent)).encode()
    return hashlib.blake2b(material, digest_size=16).hexdigest()


# Host names (or their ends) of search engines and social networks.
_SEARCH_ENGINES = (
    "google.",
    "bing.com",
    "duckduckgo.com",
    "qwant.com",
    "ecosia.org",
    "search.yahoo.",
    "yandex.",
    "baidu.com",
    "startpage.com",
    "search.brave.com",
    "lilo.org",
    "search.lilo.org",
)
_SOCIAL = (
    "facebook.com",
    "fb.me",
    "instagram.com",
    "t.co",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "lnkd.in",
    "pinterest.",
    "tiktok.com",
    "youtube.com",
    "whatsapp.com",
    "wa.me",
    "snapchat.com",
    "reddit.com",
    "threads.net",
    "bsky.app",
    "mastodon.social",
)
_NEWSLETTER_MEDIUMS = {"email", "e-mail", "newsletter", "mail"}
_QR_MEDIUMS = {"qr", "qrcode", "qr-code", "affiche", "poster", "print"}
_SOCIAL_MEDIUMS = {"social", "social-network", "reseau-social"}


def _host_matches(host: str, names: tuple[str, ...]) -> bool:
    for name in names:
        if name.endswith("."):
            # "google." is any of Google's countries: google.fr, www.google.co.uk.
            if host.startswith(name) or f".{name}" in host:
                return True
        elif host == name or host.endswith(f".{name}"):
            return True
    return False


def visit_source(*, query_string: str, referrer: str, own_host: str) -> str:
    """Where a visit came from. The page's utm_* parameters first (the links Comptoir prints
    and sends carry them: utm_medium=qr on a poster, =email in a newsletter; any other tagged
    link is a campaign), then the referrer's host: a search engine, a social network, another
    website; none, or this site itself, is direct."""
    utm = {key: values[0].strip().lower() for key, values in parse_qs(query_string).items()}
    medium = utm.get("utm_medium", "")
    if medium in _QR_MEDIUMS or utm.get("utm_source", "") in _QR_MEDIUMS:
        return Source.QR_POSTER
    if medium in _NEWSLETTER_MEDIUMS or utm.get("utm_source", "") == "newsletter":
        return Source.NEWSLETTER
    if medium in _SOCIAL_MEDIUMS:
        return Source.SOCIAL
    if utm.get("utm_campaign") or utm.get("utm_source") or medium:
        return Source.CAMPAIGN
    host = (urlsplit(referrer).hostname or "").lower().removeprefix("www.")
    if not host or host == own_host.lower().removeprefix("www."):
        return Source.DIRECT
    if _host_matches(host, _SEARCH_ENGINES):
        return Source.SEARCH_ENGINE
    if _host_matches(host, _SOCIAL):
        return Source.SOCIAL
    return Source.WEBSITE


@dataclass(frozen=True)
class Origin:
    """A visitor's town as GeoIP places their address; "" for what it cannot tell."""

    country: str = ""
    department: str = ""
    commune: str = ""


UNKNOWN = Origin()

_reader_lock = threading.Lock()
_readers: dict[str, Any] = {}


def _reader(path: str) -> Any:
    with _reader_lock:
        if path not in _readers:
            # Opened once per process and memory-mapped: a lookup reads no file.
            _readers[path] = maxminddb.open_database(path, maxminddb.MODE_MMAP)
        return _readers[path]


def _department(record: dict[str, Any]) -> str:
    """The French département: MaxMind's last subdivision (ISO 3166-2:FR: the region, then
    the department), else the postcode's first digits."""
    for subdivision in reversed(record.get("subdivisions") or []):
        code = str(subdivision.get("iso_code", ""))
        if code[:1].isdigit() and len(code) <= 3:
            return code
    postcode = str((record.get("postal") or {}).get("code", ""))
    return department_of_postcode(postcode) if postcode else ""


def department_of_postcode(postcode: str) -> str:
    """The département of a French postcode: its first two digits, three overseas (97x), and
    Corsica's 2A (200xx–201xx) or 2B (202xx–206xx)."""
    digits = postcode.strip().replace(" ", "")
    if len(digits) != 5 or not digits.isdigit():
        return ""
    if digits.startswith("97") or digits.startswith("98"):
        return digits[:3]
    if digits.startswith("20"):
        return "2A" if digits < "20200" else "2B"
    return digits[:2]


def origin_of(address: str) -> Origin:
    """The town of an address, read from the GeoIP2/GeoLite2-City file at GEOIP_PATH (nothing
    is fetched); UNKNOWN without the file, for a private address or one it does not hold."""
    path = settings.GEOIP_PATH
    if not path or not address:
        return UNKNOWN
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN
    if not ip.is_global:
        return UNKNOWN
    try:
        record = _reader(path).get(ip)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError):
        logger.exception("The GeoIP database at %s cannot be read.", path)
        return UNKNOWN
    if not isinstance(record, dict):
        return UNKNOWN
    country = str((record.get("country") or {}).get("iso_code", ""))[:2]
    names = (record.get("city") or {}).get("names") or {}
    commune = str(names.get("fr") or names.get("en") or "")[:100]
    department = _department(record) if country == "FR" else ""
    return Origin(country=country, department=department, commune=commune)


def geoip_forget() -> None:
    """Close the GeoIP files opened (tests point GEOIP_PATH at files of their own)."""
    with _reader_lock:
        for reader in _readers.values():
            reader.close()
        _readers.clear()
