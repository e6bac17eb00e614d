"""Host name → town, cached in the process so routing a request costs no query.

The platform reaches the Town and Domain models through django-tenants' settings
(`TENANT_MODEL`, `TENANT_DOMAIN_MODEL`), never by importing `tenants`.
"""

import time
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django_tenants.utils import get_tenant_domain_model, get_tenant_model, remove_www

if TYPE_CHECKING:
    from tenants.models import Town

# A town's status change reaches other processes within this many seconds.
ROUTING_CACHE_SECONDS = 10.0

_towns_by_host: dict[str, tuple[float, "Town"]] = {}


def host_is_root(hostname: str) -> bool:
    return remove_www(hostname) == settings.ROOT_DOMAIN


def town_for_host(hostname: str) -> "Town | None":
    """The town answering for this host name, or None for an unknown host."""
    now = time.monotonic()
    cached = _towns_by_host.get(hostname)
    if cached is not None and cached[0] > now:
        town = cached[1]
    else:
        domain = (
            get_tenant_domain_model()
            .objects.select_related("tenant")
            .filter(domain=hostname)
            .first()
        )
        if domain is None:
            # Unknown hosts are not remembered: any client may send any Host header, and the
            # cache must stay as small as the Domain table.
            _towns_by_host.pop(hostname, None)
            return None
        town = domain.tenant
        _towns_by_host[hostname] = (now + ROUTING_CACHE_SECONDS, town)
    # Each request gets its own copy, which a view may change without touching the cached one.
    # Model.__getstate__ is what pickling and copy.copy() use, minus their costlier detours.
    town_model = get_tenant_model()
    own = town_model.__new__(town_model)
    own.__dict__.update(cast("dict[str, object]", town.__getstate__()))
    own.domain_url = hostname
    return cast("Town", own)


def town_routing_forget() -> None:
    """Drop the cached routes, after a town or a domain changed in this process."""
    _towns_by_host.clear()
