"""An OpenStreetMap-derived CSV (an Overpass export): one row per shop or amenity."""

import hashlib
import re
from collections.abc import Sequence
from datetime import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from marketplace.directory.services.opening_hours import opening_hours_problems
from onboarding.registry.categories import osm_category_key
from onboarding.registry.entries import Entry, RegistryFileInvalid, Rejected
from onboarding.registry.text import title_case

REQUIRED_COLUMNS = ("name", "lat", "lon")
ID_COLUMNS = ("@id", "id", "osm_id", "@type/@id")
DAYS = {"Mo": 0, "Tu": 1, "We": 2, "Th": 3, "Fr": 4, "Sa": 5, "Su": 6}
_DAYS_PART = re.compile(r"^(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
                        r"(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*$")  # fmt: skip
_RANGE = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)-([01]?\d|2[0-4]):([0-5]\d)$")


class OpeningHoursUnreadable(ValueError):
    pass


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        first, _dash, last = part.partition("-")
        start, end = DAYS[first], DAYS[last or first]
        days.extend(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return days


def _clock(hours: str, minutes: str) -> time:
    if int(hours) == 24:
        if minutes != "00":
            raise OpeningHoursUnreadable
        return time(0)  # the directory's midnight
    return time(int(hours), int(minutes))


def opening_hours_parse(value: str) -> list[tuple[int, time, time]]:
    """OSM's `opening_hours` ("Mo-Fr 09:00-12:00,14:00-19:00; Sa 09:00-18:00; PH off") as the
    directory's week of (weekday, opens, closes). The common form only: weekdays and times, `off`,
    `24/7`; public holidays (PH, SH) are left out, a later rule replaces an earlier one's days
    as in OSM. Anything else (months, weeks, sunrise, ranges past midnight, comments) raises
    OpeningHoursUnreadable."""
    value = value.strip()
    if value == "24/7":
        return [(day, time(0), time(0)) for day in range(7)]
    week: dict[int, list[tuple[time, time]]] = {}
    for rule in filter(None, (part.strip() for part in value.split(";"))):
        selector, _space, times = rule.partition(" ")
        if selector.startswith(("PH", "SH")):
            continue
        if _DAYS_PART.match(selector):
            days, times = _days(selector), times.strip()
        elif _RANGE.match(selector.split(",")[0]) and not times:
            days, times = list(range(7)), selector
        else:
            raise OpeningHoursUnreadable
        if times in ("off", "closed"):
            for day in days:
                week[day] = []
            continue
        ranges: list[tuple[time, time]] = []
        for part in times.split(","):
            match = _RANGE.match(part.strip())
            if not match:
                raise OpeningHoursUnreadable
            opens, closes = _clock(*match.group(1, 2)), _clock(*match.group(3, 4))
            if closes != time(0) and closes <= opens:
                raise OpeningHoursUnreadable
            ranges.append((opens, closes))
        for day in days:
            week[day] = ranges
    return [(day, opens, closes) for day in sorted(week) for opens, closes in week[day]]


def header_index(header: Sequence[str]) -> dict[str, int]:
    index = {name.strip().lstrip("\ufeff"): position for position, name in enumerate(header)}
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if not ({"shop", "amenity"} & set(index)):
        missing.append("shop / amenity")
    if missing:
        raise RegistryFileInvalid(
            _("This is not an OpenStreetMap export: the columns %(columns)s are missing.")
            % {"columns": ", ".join(missing)}
        )
    return index


def _coordinate(text: str, limit: int) -> Decimal | None:
    try:
        value = round(Decimal(text), 6)
    except InvalidOperation:
        return None
    return value if value.is_finite() and -limit <= value <= limit else None


class OsmRows:
    def __init__(self, header: Sequence[str]) -> None:
        self.index = header_index(header)
        self._url = URLValidator(schemes=["http", "https"])

    def read(self, row: Sequence[str], line: int) -> Entry | Rejected:
        def get(column: str) -> str:
            position = self.index.get(column)
            return row[position].strip() if position is not None and position < len(row) else ""

        name = title_case(get("name"))
        if not name:
            return Rejected(line, "no_name", _("The place has no name."), error=True)
        kind = get("shop") or get("amenity")
        category_key = osm_category_key(kind)
        if category_key is None:
            return Rejected(
                line,
                "unmapped_activity",
                _("The kind %(kind)s is not one of the portal's categories.")
                % {"kind": kind or "?"},
                name=name,
            )
        street = " ".join(filter(None, (get("addr:housenumber"), get("addr:street"))))
        osm_id = next((get(column) for column in ID_COLUMNS if get(column)), "")
        if not osm_id:
            identity = "|".join((name.lower(), street.lower(), get("addr:postcode")))
            osm_id = hashlib.sha256(identity.encode()).hexdigest()[:32]
        entry = Entry(
            line=line,
            source_key=f"osm:{osm_id}"[:80],
            siret="",
            name=name[:120],
            category_key=category_key,
            category_code=kind,
            address=street[:255],
            postcode=get("addr:postcode")[:10],
            city=get("addr:city")[:100],
            phone=get("phone").split(";")[0].strip()[:30],
        )
        website = get("website") or get("contact:website")
        if website:
            try:
                self._url(website)
            except ValidationError:
                entry.notes.append(
                    _("The website %(url)s is not a web address: left out.") % {"url": website}
                )
            else:
                entry.website = website[:200]
        latitude, longitude = _coordinate(get("lat"), 90), _coordinate(get("lon"), 180)
        if latitude is None or longitude is None:
            if get("lat") or get("lon"):
                entry.notes.append(_("Unreadable coordinates: not placed on the map."))
        else:
            entry.latitude, entry.longitude = latitude, longitude
        hours_text = get("opening_hours")
        if hours_text:
            try:
                hours = opening_hours_parse(hours_text)
                problems = opening_hours_problems(hours)
            except OpeningHoursUnreadable:
                problems = [_("not in a form the portal reads")]
            if problems:
                entry.notes.append(
                    _("Opening hours “%(hours)s” left out: %(problems)s")
                    % {"hours": hours_text, "problems": " ".join(problems)}
                )
            else:
                entry.hours = hours
        return entry
