"""Host name → town, cached in the process so routing a request costs no query."""

import copy
import time

from django.conf import settings
from django_tenants.utils import remove_www

from tenants.models import Domain, Town

# A town's status change reaches other processes within this many seconds.
ROUTING_CACHE_SECONDS = 10.0

_towns_by_host: dict[str, tuple[float, Town | None]] = {}


def host_is_root(hostname: str) -> bool:
    return remove_www(hostname) == settings.ROOT_DOMAIN


def town_for_host(hostname: str) -> Town | None:
    """The town answering for this host name, or None for an unknown host."""
    now = time.monotonic()
    cached = _towns_by_host.get(hostname)
    if cached is not None and cached[0] > now:
        town = cached[1]
    else:
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        town = domain.tenant if domain else None
        _towns_by_host[hostname] = (now + ROUTING_CACHE_SECONDS, town)
    if town is None:
        return None
    # Each request gets its own copy: the middleware stamps it with the host it came through.
    town = copy.copy(town)
    town.domain_url = hostname
    return town


def town_routing_forget() -> None:
    """Drop the cached routes, after a town or a domain changed in this process."""
    _towns_by_host.clear()
