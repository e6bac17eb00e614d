"""Who enters the town administration: this town's administrators only."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def town_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only this town's administrators; anyone else signs in or gets a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_town_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
