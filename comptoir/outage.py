"""How this process tells that a service it can do without (the cache's Redis, the Celery broker)
is out of reach, and says so in the log once per REDIS_DOWN_REPORT_SECONDS, not once per call.

Each service, named by its address, has one `Outage` per process, shared by every thread (Django
gives each thread a cache object of its own). After a failed call the service is left alone for
REDIS_DOWN_RETRY_SECONDS: an unreachable host then costs one connection timeout per process in
that while, not one per call; the first call after it tries again.
"""

import logging
import math
import threading
import time
import urllib.parse

from django.conf import settings

logger = logging.getLogger(__name__)


class Outage:
    def __init__(self, service: str, meanwhile: str) -> None:
        self.service = service
        self.meanwhile = meanwhile
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = -math.inf
        self._reported_at = -math.inf
        self._unreported = 0

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def waiting(self) -> bool:
        """Whether a call should do without the service rather than try it; counted as a call
        done without it."""
        if time.monotonic() >= self._retry_at:
            return False
        self._report(None)
        return True

    def failed(self, error: Exception) -> None:
        """A call could not reach the service."""
        with self._lock:
            now = time.monotonic()
            self._retry_at = now + settings.REDIS_DOWN_RETRY_SECONDS
            if self._down_since is None:
                self._down_since = now
        self._report(error)

    def answered(self) -> None:
        """A call reached the service: an outage, if there was one, is over."""
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            seconds = time.monotonic() - self._down_since
            self._down_since = None
            self._retry_at = self._reported_at = -math.inf
            self._unreported = 0
        logger.warning("%s answers again, after %.0f s.", self.service, seconds)

    def _report(self, error: Exception | None) -> None:
        with self._lock:
            self._unreported += 1
            now = time.monotonic()
            if now - self._reported_at < settings.REDIS_DOWN_REPORT_SECONDS:
                return
            self._reported_at = now
            calls, self._unreported = self._unreported, 0
        logger.warning(
            "%s is unreachable%s; meanwhile %s. %d call(s) did without it since the last report.",
            self.service,
            f" ({error})" if error else "",
            self.meanwhile,
            calls,
        )


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_records() -> list[Outage]:
    """Every service this process has met, reachable or not."""
    with _outages_lock:
        return list(_outages.values())


def services_unreachable() -> list[str]:
    """The services this process finds out of reach now, by name (for the staff's banner)."""
    return sorted(outage.service for outage in outage_records() if outage.is_down)


def outage_for(service: str, url: str, *, meanwhile: str) -> Outage:
    """The process's one Outage for the service at that URL (named without its credentials);
    `meanwhile` says in the log what the site does without it."""
    where = ",".join(_without_credentials(part) for part in url.split(","))
    name = f"{service} at {where}"
    with _outages_lock:
        if name not in _outages:
            _outages[name] = Outage(name, meanwhile)
        return _outages[name]


def _without_credentials(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
