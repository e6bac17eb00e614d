"""What the apps above `tenants` add to every town, registered from their `AppConfig.ready()`.

`tenants` provisions towns and gathers their figures, but never names the apps: a new town's
defaults and the console's figures come from whatever the installed apps registered here.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TownSetup = Callable[[], object]
FigureCount = Callable[[], int]
# The rows of one table of a town's export, as mappings of column to value (a values() query).
ExportRows = Callable[[], Iterable[Mapping[str, Any]]]

_town_setups: dict[str, TownSetup] = {}
_figure_counts: dict[str, FigureCount] = {}
_exports: dict[str, tuple[tuple[str, ...], ExportRows]] = {}


def town_setup_register(name: str, setup: TownSetup) -> None:
    """Run `setup` in every new town's schema, in the platform's language, when it is
    provisioned (categories, say). It must be idempotent. Registering a name again replaces it."""
    _town_setups[name] = setup


def town_setups() -> list[TownSetup]:
    return list(_town_setups.values())


def town_figure_register(figure: str, count: FigureCount) -> None:
    """Count one of the console's figures (`TownStats`' columns) inside a town's schema."""
    _figure_counts[figure] = count


def town_figure_count(figure: str) -> int:
    """The figure counted by the app that registered it; an unregistered figure is an error,
    never a silent zero."""
    try:
        count = _figure_counts[figure]
    except KeyError:
        raise ImproperlyConfigured(f"No installed app counts the town figure {figure!r}.") from None
    return count()


def town_export_register(name: str, columns: tuple[str, ...], rows: ExportRows) -> None:
    """Give a town that leaves its `name` table (`name`.csv and `name`.json in its export):
    `rows()` is read inside the town's schema, each row holding `columns`."""
    _exports[name] = (columns, rows)


def town_exports() -> dict[str, tuple[tuple[str, ...], ExportRows]]:
    return dict(sorted(_exports.items()))
