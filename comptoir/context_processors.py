from django.http import HttpRequest


def town(request: HttpRequest) -> dict[str, object]:
    """The current town (None on the root host) for the base template's branding."""
    return {"town": getattr(request, "tenant", None)}
