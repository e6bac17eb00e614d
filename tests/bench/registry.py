"""Registry import benchmark: a generated SIRENE-shaped file of 100,000 rows, then one of
1,000,000, each imported with --commit into a town of its own; rows per second and peak RSS.

Run alone: `python -m tests.bench.registry [ROWS …]` (with `python -m comptoir.devenv` in front
when DATABASE_URL is not set). It works in its own database, `comptoir_bench_registry`, on the
server of DATABASE_URL. Each import runs in a fresh process so that its peak RSS (ru_maxrss)
is its own; the baseline is the same process's RSS once Django is set up, before the import.
Memory must stay flat in the file's size: the import streams the file, keeps only the town's
rows' keys, and writes in batches.

The files have StockEtablissement's columns; 1 % of the rows are the town's (Aix-les-Bains has
about 6,000 establishments of France's 40 million), a fifth of those closed, and 40 % of those
open in an activity the portal has no category for. Figures only, no assertion.
"""

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BENCH_DATABASE = "comptoir_bench_registry"
TOWN_SLUG = "bench-registry"
TOWN_INSEE = "73008"
SIZES = (100_000, 1_000_000)
TOWN_SHARE = 0.01

# StockEtablissement's header (INSEE, 2024).
COLUMNS = [
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement", "dateDernierTraitementEtablissement",
    "etablissementSiege", "nombrePeriodesEtablissement", "complementAdresseEtablissement",
    "numeroVoieEtablissement", "indiceRepetitionEtablissement", "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement",
    "codeCommuneEtablissement", "codeCedexEtablissement", "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement",
    "numeroVoie2Etablissement", "indiceRepetition2Etablissement", "typeVoie2Etablissement",
    "libelleVoie2Etablissement", "codePostal2Etablissement", "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement", "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement", "codeCedex2Etablissement", "libelleCedex2Etablissement",
    "codePays2Etablissement", "libellePays2Etablissement", "dateDebut",
    "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement", "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement", "denominationUniteLegale",
]  # fmt: skip
SHOP_NAF = ["10.71C", "47.22Z", "47.76Z", "56.10A", "56.30Z", "96.02A", "47.73Z", "47.71Z",
            "47.61Z", "55.10Z"]  # fmt: skip
OTHER_NAF = ["41.20A", "64.20Z", "68.20B", "70.22Z", "43.21A", "62.01Z"]
COMMUNES = ["75056", "69123", "13055", "31555", "06088", "44109", "67482", "33063", "34172"]
WORDS = ["BOULANGERIE", "MAISON", "ATELIER", "CHEZ", "AU", "PETIT", "GRAND", "DU", "LAC", "PONT",
         "SAVOIE", "MARTIN", "DUPONT", "BERNARD", "PLACE", "GARE", "THERMES", "CENTRE"]  # fmt: skip


def _luhn_complete(head: str) -> str:
    total = 0
    for index, char in enumerate(reversed(head)):
        value = int(char)
        if index % 2 == 0:  # the check digit will sit to the right
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return head + str((10 - total % 10) % 10)


def file_generate(path: Path, rows: int, *, seed: int = 13) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        blank = dict.fromkeys(COLUMNS, "")
        for number in range(rows):
            siret = _luhn_complete(f"{100_000_000 + number:09d}{rng.randrange(10_000):04d}")
            ours = rng.random() < TOWN_SHARE
            row = blank | {
                "siren": siret[:9], "nic": siret[9:], "siret": siret,
                "statutDiffusionEtablissement": "O", "dateCreationEtablissement": "2015-03-01",
                "etablissementSiege": "true", "nombrePeriodesEtablissement": "2",
                "numeroVoieEtablissement": str(rng.randrange(1, 200)),
                "typeVoieEtablissement": rng.choice(["RUE", "BD", "AV", "PL", "CHE"]),
                "libelleVoieEtablissement": " ".join(rng.sample(WORDS, 2)),
                "codePostalEtablissement": "73100" if ours else "75001",
                "libelleCommuneEtablissement": "AIX-LES-BAINS" if ours else "PARIS",
                "codeCommuneEtablissement": TOWN_INSEE if ours else rng.choice(COMMUNES),
                "coordonneeLambertAbscisseEtablissement": f"{rng.uniform(940_000, 950_000):.1f}",
                "coordonneeLambertOrdonneeEtablissement": f"{rng.uniform(6_515_000, 6_525_000):.1f}",
                "dateDebut": "2020-01-01",
                "etatAdministratifEtablissement": "F" if rng.random() < 0.2 else "A",
                "enseigne1Etablissement": " ".join(rng.sample(WORDS, 3)) if rng.random() < 0.6 else "",
                "activitePrincipaleEtablissement": rng.choice(SHOP_NAF if rng.random() < 0.6 else OTHER_NAF),
                "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                "caractereEmployeurEtablissement": "N",
                "denominationUniteLegale": f"SARL {' '.join(rng.sample(WORDS, 2))}",
            }  # fmt: skip
            writer.writerow(row.values())


def _bench_url() -> str:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/comptoir"
    return urllib.parse.urlparse(url)._replace(path=f"/{BENCH_DATABASE}").geturl()


def _django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings.bench"
    os.environ["BENCH_DATABASE_NAME"] = BENCH_DATABASE
    import django

    from comptoir.devenv import database_ensure

    database_ensure(_bench_url())
    django.setup()


def _town():  # -> Town
    from tenants.models import Town
    from tenants.services.provisioning import town_provision

    town = Town.objects.filter(slug=TOWN_SLUG).first()
    if town is None:
        town = town_provision(
            name="Bancville-les-Bains", slug=TOWN_SLUG, admin_email="mairie@bancville.test"
        )
    Town.objects.filter(pk=town.pk).update(status=Town.Status.ACTIVE, insee_code=TOWN_INSEE)
    return Town.objects.get(pk=town.pk)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def one(path: str) -> None:
    """In a fresh process: import the file into an empty bench town and print the figures."""
    _django()
    from django_tenants.utils import tenant_context

    from marketplace.directory.models import Merchant
    from onboarding.models import RegistryImport
    from onboarding.services.registry import registry_import_path

    town = _town()
    with tenant_context(town):
        Merchant.objects.all().delete()  # listings and hours go with them
        RegistryImport.objects.all().delete()
        baseline = _rss_mib()
        started = time.perf_counter()
        report, _run = registry_import_path(path=path, file_format="sirene", commit=True)
        elapsed = time.perf_counter() - started
    print(
        f"{report.rows:>9,} rows  {report.rows / elapsed:>9,.0f} rows/s  {elapsed:6.1f} s  "
        f"peak RSS {_rss_mib():6.1f} MiB (baseline {baseline:6.1f} MiB)  "
        f"{os.path.getsize(path) / 1024**2:7.1f} MiB file  {report.summary()}",
        flush=True,
    )


def run(sizes: tuple[int, ...] = SIZES) -> None:
    _django()
    from django.core.management import call_command

    call_command("platform_setup", verbosity=0)
    _town()
    print("Registry import (SIRENE-shaped, --commit, 1 % of the rows in the town):")
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as directory:
        for rows in sizes:
            path = Path(directory) / f"StockEtablissement-{rows}.csv"
            file_generate(path, rows)
            subprocess.run(
                [sys.executable, "-m", "tests.bench.registry", "--one", str(path)], check=True
            )
            path.unlink()


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2])
        return
    run(tuple(int(size) for size in sys.argv[1:]) or SIZES)


if __name__ == "__main__":
    main()
