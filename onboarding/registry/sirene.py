"""INSEE's SIRENE files: establishments (StockEtablissement), with their legal units' names
from StockUniteLegale (joined by siren) or already in the row (regional extracts)."""

import math
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyproj import Transformer

from marketplace.directory.models import validate_siret
from onboarding.registry.categories import naf_category_key
from onboarding.registry.entries import Entry, RegistryFileInvalid, Rejected
from onboarding.registry.text import street_address, title_case

REQUIRED_COLUMNS = (
    "siret",
    "activitePrincipaleEtablissement",
    "codeCommuneEtablissement",
    "etatAdministratifEtablissement",
)
NAME_COLUMNS = ("enseigne1Etablissement", "denominationUsuelleEtablissement")
LEGAL_NAME_COLUMNS = (
    "denominationUniteLegale",
    "nomUsageUniteLegale",
    "nomUniteLegale",
    "prenomUsuelUniteLegale",
    "prenom1UniteLegale",
)
OTHER_COLUMNS = (
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
)
# Paris, Lyon and Marseille: the registry gives the arrondissement's code, not the city's.
ARRONDISSEMENTS: dict[str, tuple[str, ...]] = {
    "75056": tuple(f"751{n:02d}" for n in range(1, 21)),
    "69123": tuple(f"6938{n}" for n in range(1, 10)),
    "13055": tuple(f"132{n:02d}" for n in range(1, 17)),
}
# Metropolitan France and Corsica, wide: a converted point outside it was not Lambert-93.
_LATITUDES = (Decimal("41.0"), Decimal("51.6"))
_LONGITUDES = (Decimal("-5.8"), Decimal("10.0"))


_OTHER_COMMUNE = Rejected(0, "other_commune", "", quiet=True)
_CLOSED = Rejected(0, "closed", "", quiet=True)


@lru_cache(maxsize=1)
def _lambert93_to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def lambert93_to_wgs84(x: float, y: float) -> tuple[Decimal, Decimal] | None:
    """A Lambert-93 point (metres) → (latitude, longitude) in degrees, to the 6th decimal
    (about 10 cm), as the directory stores them; None where the projection gives no point."""
    longitude, latitude = _lambert93_to_wgs84().transform(x, y)
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    return round(Decimal(latitude), 6), round(Decimal(longitude), 6)


def town_communes(insee_code: str) -> frozenset[str]:
    return frozenset((insee_code, *ARRONDISSEMENTS.get(insee_code, ())))


def header_index(header: Sequence[str], *, legal_units: bool) -> dict[str, int]:
    """Each column's position; the file is refused when a column the import needs is missing."""
    index = {name.strip().lstrip("\ufeff"): position for position, name in enumerate(header)}
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        raise RegistryFileInvalid(
            _("This is not a SIRENE establishments file: the columns %(columns)s are missing.")
            % {"columns": ", ".join(missing)}
        )
    if not legal_units and not any(
        name in index for name in (*NAME_COLUMNS, "denominationUniteLegale")
    ):
        raise RegistryFileInvalid(
            _(
                "The file names no business: give the legal units file too (--legal-units), or "
                "an extract with the column denominationUniteLegale."
            )
        )
    return index


def legal_unit_name(row: dict[str, str]) -> str:
    """A legal unit's name: its denomination, or for a sole trader their first and last name."""
    denomination = row.get("denominationUniteLegale", "").strip()
    if denomination:
        return denomination
    last = (row.get("nomUsageUniteLegale") or row.get("nomUniteLegale") or "").strip()
    first = (row.get("prenomUsuelUniteLegale") or row.get("prenom1UniteLegale") or "").strip()
    return " ".join(part for part in (first, last) if part)


def legal_units_names(
    rows: Iterable[Sequence[str]], header: Sequence[str], sirens: set[str]
) -> dict[str, str]:
    """The names of the legal units of `sirens`, read from StockUniteLegale's rows: only those
    are kept, so memory follows the town's businesses, not the national file."""
    index = {name.strip().lstrip("\ufeff"): position for position, name in enumerate(header)}
    if "siren" not in index:
        raise RegistryFileInvalid(
            _("This is not a SIRENE legal units file: the column siren is missing.")
        )
    siren_at = index["siren"]
    names: dict[str, str] = {}
    columns = [name for name in LEGAL_NAME_COLUMNS if name in index]
    for row in rows:
        if len(row) <= siren_at or row[siren_at] not in sirens:
            continue
        values = {name: row[index[name]] for name in columns if index[name] < len(row)}
        names[row[siren_at]] = legal_unit_name(values)
    return names


class SireneRows:
    """Reads establishment rows for one town: early, cheap filters first (commune, state), then
    the entry."""

    def __init__(
        self,
        header: Sequence[str],
        *,
        insee_code: str,
        legal_names: dict[str, str] | None = None,
    ) -> None:
        self.index = header_index(header, legal_units=legal_names is not None)
        self.communes = town_communes(insee_code)
        self.legal_names = legal_names
        self._commune_at = self.index["codeCommuneEtablissement"]
        self._state_at = self.index["etatAdministratifEtablissement"]
        self._siret_at = self.index["siret"]
        self._width = max(self.index.values()) + 1

    def _get(self, row: Sequence[str]) -> Callable[[str], str]:
        index = self.index

        def get(column: str) -> str:
            position = index.get(column)
            return row[position].strip() if position is not None else ""

        return get

    def siren_wanted(self, row: Sequence[str]) -> str | None:
        """The siren whose legal name this row needs (a town's open establishment without a
        sign or usual name), for the join's first pass."""
        if len(row) < self._width or row[self._commune_at] not in self.communes:
            return None
        if row[self._state_at] != "A":
            return None
        get = self._get(row)
        if any(get(column) for column in NAME_COLUMNS):
            return None
        return row[self._siret_at][:9]

    def read(self, row: Sequence[str], line: int) -> Entry | Rejected:
        if len(row) < self._width:
            return Rejected(
                line,
                "columns",
                _("The row has %(found)d columns instead of %(expected)d.")
                % {"found": len(row), "expected": self._width},
                error=True,
            )
        # Most rows of a national file stop here: counted by reason, no message (gettext per
        # row was half the import's time).
        if row[self._commune_at] not in self.communes:
            return _OTHER_COMMUNE
        if row[self._state_at] != "A":
            return _CLOSED
        get = self._get(row)
        siret = get("siret").replace(" ", "")
        try:
            validate_siret(siret)
        except ValidationError as error:
            return Rejected(line, "siret", " ".join(error.messages), error=True, siret=siret)
        legal_name = get("denominationUniteLegale")
        if not legal_name and self.legal_names is not None:
            legal_name = self.legal_names.get(siret[:9], "")
        name = title_case(
            get("enseigne1Etablissement") or get("denominationUsuelleEtablissement") or legal_name
        )
        if not name:
            return Rejected(line, "no_name", _("The establishment has no name."), True, siret=siret)
        naf = get("activitePrincipaleEtablissement")
        category_key = naf_category_key(naf)
        if category_key is None:
            return Rejected(
                line,
                "unmapped_activity",
                _("The activity %(code)s is not one of the portal's categories.")
                % {"code": naf or "?"},
                siret=siret,
                name=name,
            )
        entry = Entry(
            line=line,
            source_key=f"siret:{siret}",
            siret=siret,
            name=name[:120],
            category_key=category_key,
            category_code=naf,
            address=street_address(
                get("numeroVoieEtablissement"),
                get("indiceRepetitionEtablissement"),
                get("typeVoieEtablissement"),
                get("libelleVoieEtablissement"),
            )[:255],
            postcode=get("codePostalEtablissement")[:10],
            city=title_case(get("libelleCommuneEtablissement"))[:100],
        )
        self._locate(entry, get("coordonneeLambertAbscisseEtablissement"),
                     get("coordonneeLambertOrdonneeEtablissement"), row[self._commune_at])  # fmt: skip
        return entry

    def _locate(self, entry: Entry, x_text: str, y_text: str, commune: str) -> None:
        if (not x_text and not y_text) or x_text == "[ND]":
            return
        if commune.startswith("97"):
            # Overseas departments use their own projections, not Lambert-93.
            entry.notes.append(
                _("Coordinates overseas are not in Lambert-93: not placed on the map.")
            )
            return
        try:
            x, y = float(x_text), float(y_text)
        except ValueError:
            x = y = math.nan
        if not (math.isfinite(x) and math.isfinite(y)):
            entry.notes.append(_("Unreadable coordinates: not placed on the map."))
            return
        point = lambert93_to_wgs84(x, y)
        if point is None:
            entry.notes.append(_("Unreadable coordinates: not placed on the map."))
            return
        latitude, longitude = point
        if not (_LATITUDES[0] <= latitude <= _LATITUDES[1]) or not (
            _LONGITUDES[0] <= longitude <= _LONGITUDES[1]
        ):
            entry.notes.append(_("The coordinates fall outside France: not placed on the map."))
            return
        entry.latitude, entry.longitude = latitude, longitude
