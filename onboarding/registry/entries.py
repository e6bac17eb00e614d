"""What a registry row becomes: an entry to list, or the reason it is left out."""

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal


@dataclass(slots=True)
class Entry:
    """A business read from a registry row, ready to be listed (its category still a key of
    the default tree, see `onboarding.registry.categories`)."""

    line: int
    source_key: str
    siret: str
    name: str
    category_key: str
    category_code: str
    address: str = ""
    postcode: str = ""
    city: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phone: str = ""
    website: str = ""
    hours: list[tuple[int, time, time]] = field(default_factory=list)
    # What was read but not kept (coordinates, hours), said on the row's line.
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class Rejected:
    """A row left out (`error` False: it is not a business of this town's portal) or wrong
    (`error` True). A `quiet` one is only counted by its reason: a national file holds
    millions of other communes' rows."""

    line: int
    reason: str
    message: str
    error: bool = False
    quiet: bool = False
    siret: str = ""
    name: str = ""


class RegistryFileInvalid(Exception):
    """The file cannot be read as the format says (encoding, columns): nothing is imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
