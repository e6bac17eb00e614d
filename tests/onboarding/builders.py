"""Registry files for the tests: SIRENE and OSM rows as INSEE and Overpass write them."""

import csv
import io
from pathlib import Path

from marketplace.directory.models import luhn_is_valid

TOWN_INSEE = "73008"  # Aix-les-Bains

SIRENE_COLUMNS = [
    "siren", "nic", "siret", "etatAdministratifEtablissement", "enseigne1Etablissement",
    "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "numeroVoieEtablissement", "indiceRepetitionEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "codeCommuneEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "denominationUniteLegale",
]  # fmt: skip

OSM_COLUMNS = [
    "@id", "name", "shop", "amenity", "addr:housenumber", "addr:street", "addr:postcode",
    "addr:city", "lat", "lon", "opening_hours", "phone", "website",
]  # fmt: skip


def siret(number: int) -> str:
    """A valid SIRET (Luhn) made from a number: its first 13 digits, then the check digit."""
    head = f"{number:013d}"
    for last in range(10):
        if luhn_is_valid(head + str(last)):
            return head + str(last)
    raise AssertionError


def sirene_row(number: int, **fields: str) -> dict[str, str]:
    value = siret(number)
    row = {
        "siren": value[:9],
        "nic": value[9:],
        "siret": value,
        "etatAdministratifEtablissement": "A",
        "enseigne1Etablissement": f"BOULANGERIE NUMERO {number}",
        "denominationUsuelleEtablissement": "",
        "activitePrincipaleEtablissement": "10.71C",
        "numeroVoieEtablissement": "12",
        "indiceRepetitionEtablissement": "B",
        "typeVoieEtablissement": "BD",
        "libelleVoieEtablissement": "DES ANGLAIS",
        "codePostalEtablissement": "73100",
        "libelleCommuneEtablissement": "AIX-LES-BAINS",
        "codeCommuneEtablissement": TOWN_INSEE,
        "coordonneeLambertAbscisseEtablissement": "700000",
        "coordonneeLambertOrdonneeEtablissement": "6600000",
        "denominationUniteLegale": f"SARL NUMERO {number}",
    }
    row.update(fields)
    return row


def csv_bytes(rows: list[dict[str, str]], columns: list[str], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def sirene_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "sirene.csv") -> Path:
    path = tmp_path / name
    columns = [column for column in SIRENE_COLUMNS if any(column in row for row in rows)]
    path.write_bytes(csv_bytes(rows, columns or SIRENE_COLUMNS))
    return path


def osm_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "osm.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(
        csv_bytes([{c: row.get(c, "") for c in OSM_COLUMNS} for row in rows], OSM_COLUMNS)
    )
    return path
