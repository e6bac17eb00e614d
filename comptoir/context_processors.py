from django.http import HttpRequest

from comptoir.outage import services_unreachable

# Where the people who run towns and shops work: they are told when a service is out of reach.
STAFF_PATH_PREFIXES = ("/gestion/", "/boutique/", "/console/")


def town(request: HttpRequest) -> dict[str, object]:
    """The current town (None on the root host) for the base template's branding."""
    return {"town": getattr(request, "tenant", None)}


def services_down(request: HttpRequest) -> dict[str, object]:
    """On the staff's pages, whether this process finds Redis (cache or broker) out of reach:
    the site keeps working without it, and they should know why it is slower."""
    if not request.path.startswith(STAFF_PATH_PREFIXES):
        return {}
    return {"services_down": bool(services_unreachable())}
