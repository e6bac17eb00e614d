"""`import_registry`: the report of a SIRENE or OSM file, and what --commit writes."""

import io
import math
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from marketplace.directory.models import Merchant, MerchantMember, OpeningHours
from onboarding.models import RegistryImport, RegistryImportLine, RegistryListing
from tests.conftest import inside, user_create
from tests.onboarding.builders import (
    SIRENE_COLUMNS,
    csv_bytes,
    osm_file,
    sirene_file,
    sirene_row,
    siret,
)

pytestmark = pytest.mark.django_db


def run(town, path, *extra: str) -> list[str]:
    out = io.StringIO()
    call_command("import_registry", "--town", town.slug, str(path), *extra, stdout=out)
    return out.getvalue().splitlines()


def counts(town) -> tuple[int, int, int, int]:
    with inside(town):
        return (
            Merchant.objects.count(),
            RegistryListing.objects.count(),
            RegistryImport.objects.count(),
            OpeningHours.objects.count(),
        )


def fixture_rows() -> list[dict[str, str]]:
    """Known answers: 3 kept, 5 left out (closed, another commune, a SIRET twice, an activity of
    no category, a SIRET on the portal already... added by the test), 2 errors."""
    return [
        sirene_row(1),  # line 2: kept
        sirene_row(2, enseigne1Etablissement="", denominationUsuelleEtablissement="CHEZ PAUL",
                   activitePrincipaleEtablissement="56.10A"),  # line 3: kept, usual name
        sirene_row(3, enseigne1Etablissement="", denominationUniteLegale="LA CAVE D'AIX",
                   activitePrincipaleEtablissement="47.25Z"),  # line 4: kept, legal name
        sirene_row(4, etatAdministratifEtablissement="F"),  # line 5: closed (quiet)
        sirene_row(5, codeCommuneEtablissement="75056"),  # line 6: another commune (quiet)
        sirene_row(1),  # line 7: the SIRET of line 2 again
        sirene_row(6, activitePrincipaleEtablissement="64.20Z"),  # line 8: holding, unmapped
        sirene_row(7, enseigne1Etablissement="", denominationUniteLegale=""),  # line 9: no name
        sirene_row(8, siret="12345678901234"),  # line 10: a bad SIRET
    ]  # fmt: skip


def test_the_dry_run_writes_nothing_and_prints_the_report(town_a, tmp_path, english):
    before = counts(town_a)

    lines = run(town_a, sirene_file(tmp_path, fixture_rows()))

    assert counts(town_a) == before
    assert lines[-1] == "kept 3, skipped 4, errors 2"
    assert "created 3, updated 0, unchanged 0 (nothing written)" in lines
    assert any(line.startswith("line 7: ") and "line 2" in line for line in lines)


def test_bad_rows_are_reported_with_their_line_and_reason_and_good_rows_kept_on_commit(
    town_a, tmp_path, english
):
    lines = run(town_a, sirene_file(tmp_path, fixture_rows()), "--commit")

    assert lines[-1] == "kept 3, skipped 4, errors 2"
    by_line = {
        int(line.split(":")[0].split()[1]): line for line in lines if line.startswith("line ")
    }
    assert sorted(by_line) == [2, 3, 4, 7, 8, 9, 10]
    assert "Already on line 2 of the file" in by_line[7]
    assert "64.20Z" in by_line[8]
    assert "Error" in by_line[9] and "no name" in by_line[9]
    assert "Error" in by_line[10] and "SIRET" in by_line[10]
    assert "closed: 1" in lines and "another commune: 1" in lines
    with inside(town_a):
        merchants = {m.siret: m for m in Merchant.objects.select_related("category")}
        assert set(merchants) == {siret(1), siret(2), siret(3)}
        bakery = merchants[siret(1)]
        assert bakery.name == "Boulangerie Numero 1"
        assert bakery.address == "12 bis boulevard des Anglais"
        assert (bakery.postcode, bakery.city) == ("73100", "Aix-les-Bains")
        assert bakery.category.slug == "boulangerie"
        assert bakery.status == Merchant.Status.APPROVED and not bakery.sells_online
        assert merchants[siret(2)].name == "Chez Paul"
        assert merchants[siret(2)].category.slug == "restaurant"
        assert merchants[siret(3)].name == "La Cave d'Aix"
        assert not MerchantMember.objects.exists()  # unclaimed
        assert RegistryListing.objects.count() == 3
        run_row = RegistryImport.objects.get()
        assert (run_row.status, run_row.created, run_row.errors) == ("done", 3, 2)
        assert list(RegistryImportLine.objects.values_list("line", flat=True)) == [
            2,
            3,
            4,
            7,
            8,
            9,
            10,
        ]


def test_a_siret_already_on_the_portal_is_skipped(town_a, tmp_path):
    with inside(town_a):
        from marketplace.directory.models import Category

        Merchant.objects.create(name="Déjà là", slug="deja-la", siret=siret(1),
                                category=Category.objects.first())  # fmt: skip

    lines = run(town_a, sirene_file(tmp_path, [sirene_row(1), sirene_row(2)]), "--commit")

    assert lines[-1] == "kept 1, skipped 1, errors 0"
    with inside(town_a):
        assert Merchant.objects.filter(siret=siret(1)).count() == 1


def test_a_second_import_updates_instead_of_adding(town_a, tmp_path, english):
    run(town_a, sirene_file(tmp_path, [sirene_row(1), sirene_row(2)]), "--commit")
    with inside(town_a):
        first = {m.siret: m.pk for m in Merchant.objects.all()}

    again = [sirene_row(1, enseigne1Etablissement="AU BON PAIN"), sirene_row(2), sirene_row(3)]
    lines = run(town_a, sirene_file(tmp_path, again, name="again.csv"), "--commit")

    assert lines[-1] == "kept 3, skipped 0, errors 0"
    assert "created 1, updated 1, unchanged 1" in lines
    with inside(town_a):
        merchants = {m.siret: m for m in Merchant.objects.all()}
        assert len(merchants) == 3
        assert merchants[siret(1)].pk == first[siret(1)]
        assert merchants[siret(1)].name == "Au Bon Pain"
        assert RegistryListing.objects.count() == 3
    # The same file a third time adds and changes nothing.
    lines = run(town_a, sirene_file(tmp_path, again, name="again.csv"), "--commit")
    assert "created 0, updated 0, unchanged 3" in lines


def test_a_claimed_entry_is_left_as_its_merchant_keeps_it(town_a, tmp_path):
    run(town_a, sirene_file(tmp_path, [sirene_row(1)]), "--commit")
    owner = user_create(town_a, "owner@alpha.test")
    with inside(town_a):
        merchant = Merchant.objects.get()
        MerchantMember.objects.create(merchant=merchant, user=owner, role=MerchantMember.Role.OWNER)

    lines = run(
        town_a,
        sirene_file(tmp_path, [sirene_row(1, enseigne1Etablissement="AUTRE")], "b.csv"),
        "--commit",
    )

    assert lines[-1] == "kept 0, skipped 1, errors 0"
    with inside(town_a):
        assert Merchant.objects.get().name == "Boulangerie Numero 1"


def lambert93_by_ign(x: float, y: float) -> tuple[float, float]:
    """IGN's inverse Lambert conformal conic (note NT/G 71, ALG0004) with Lambert-93's
    constants, independent of pyproj: (latitude, longitude) in degrees."""
    e, n, c = 0.0818191910428158, 0.7256077650532670, 11754255.426096
    xs, ys, lambda0 = 700000.0, 12655612.049876, math.radians(3)
    radius = math.hypot(x - xs, y - ys)
    gamma = math.atan((x - xs) / (ys - y))
    isometric = -1 / n * math.log(abs(radius / c))
    phi = 2 * math.atan(math.exp(isometric)) - math.pi / 2
    for _step in range(30):
        ratio = ((1 + e * math.sin(phi)) / (1 - e * math.sin(phi))) ** (e / 2)
        phi = 2 * math.atan(ratio * math.exp(isometric)) - math.pi / 2
    return math.degrees(phi), math.degrees(lambda0 + gamma / n)


def metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * 111_132
    east = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)


def test_lambert_93_coordinates_become_latitude_and_longitude_within_a_metre(town_a, tmp_path):
    # Lambert-93's origin is 3° E, 46° 30' N at X 700 000 m, Y 6 600 000 m (IGN's definition);
    # the Eiffel Tower's establishment point is checked against IGN's own formulas.
    rows = [
        sirene_row(1),
        sirene_row(2, coordonneeLambertAbscisseEtablissement="648237.3",
                   coordonneeLambertOrdonneeEtablissement="6862271.9"),
        sirene_row(3, coordonneeLambertAbscisseEtablissement="[ND]",
                   coordonneeLambertOrdonneeEtablissement="[ND]"),
    ]  # fmt: skip
    run(town_a, sirene_file(tmp_path, rows), "--commit")

    with inside(town_a):
        points = {
            m.siret: (m.latitude, m.longitude) if m.latitude is not None else None
            for m in Merchant.objects.all()
        }
    origin = points[siret(1)]
    assert origin is not None
    assert metres_apart((float(origin[0]), float(origin[1])), (46.5, 3.0)) < 1
    tower = points[siret(2)]
    assert tower is not None
    assert (
        metres_apart((float(tower[0]), float(tower[1])), lambert93_by_ign(648237.3, 6862271.9)) < 1
    )
    assert points[siret(3)] is None


FROMAGERIE, MARTIN = 1234567890001, 9876543210001


def test_names_come_from_the_legal_units_file_joined_by_siren(town_a, tmp_path):
    columns = [c for c in SIRENE_COLUMNS if c != "denominationUniteLegale"]
    establishments = [
        {c: v for c, v in sirene_row(n, enseigne1Etablissement="").items() if c in columns}
        for n in (FROMAGERIE, MARTIN)
    ]
    path = tmp_path / "StockEtablissement.csv"
    path.write_bytes(csv_bytes(establishments, columns))
    units = tmp_path / "StockUniteLegale.csv"
    units.write_bytes(csv_bytes(
        [{"siren": siret(FROMAGERIE)[:9], "denominationUniteLegale": "FROMAGERIE DU LAC", "nomUniteLegale": ""},
         {"siren": siret(MARTIN)[:9], "denominationUniteLegale": "", "nomUniteLegale": "MARTIN",
          "prenom1UniteLegale": "JEANNE"},
         {"siren": "999999999", "denominationUniteLegale": "AILLEURS", "nomUniteLegale": ""}],
        ["siren", "denominationUniteLegale", "nomUniteLegale", "prenom1UniteLegale"],
    ))  # fmt: skip

    lines = run(town_a, path, "--legal-units", str(units), "--commit")

    assert lines[-1] == "kept 2, skipped 0, errors 0"
    with inside(town_a):
        assert set(Merchant.objects.values_list("name", flat=True)) == {
            "Fromagerie du Lac",
            "Jeanne Martin",
        }


def test_without_a_name_column_nor_legal_units_the_file_is_refused(town_a, tmp_path):
    columns = [c for c in SIRENE_COLUMNS if "nseigne" not in c and "enomination" not in c]
    path = tmp_path / "bare.csv"
    path.write_bytes(csv_bytes([{c: v for c, v in sirene_row(1).items() if c in columns}], columns))

    with pytest.raises(CommandError):
        run(town_a, path, "--commit")
    assert counts(town_a)[:2] == (0, 0)


def test_a_file_in_another_encoding_is_refused_and_nothing_written(town_a, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        sirene_file(tmp_path, [sirene_row(1, enseigne1Etablissement="CAFÉ")])
        .read_text()
        .encode("cp1252")
    )

    with pytest.raises(CommandError, match="UTF-8"):
        run(town_a, path, "--commit")
    assert counts(town_a)[:2] == (0, 0)


def test_osm_rows_become_entries_with_their_opening_hours(town_a, tmp_path, english):
    rows = [
        {"@id": "node/1", "name": "Le Fournil", "shop": "bakery", "addr:housenumber": "3",
         "addr:street": "Rue de Genève", "addr:postcode": "73100", "addr:city": "Aix-les-Bains",
         "lat": "45.6885", "lon": "5.9153",
         "opening_hours": "Mo-Fr 09:00-12:00,14:00-19:00; Sa 09:00-18:00; PH off",
         "phone": "+33 4 79 35 00 00", "website": "https://fournil.example"},
        {"@id": "node/2", "name": "Café des Thermes", "amenity": "cafe", "lat": "45.69",
         "lon": "5.91", "opening_hours": "Mo-Su sunrise-sunset"},
        {"@id": "node/3", "name": "Banque", "amenity": "bank", "lat": "45.69", "lon": "5.91"},
        {"@id": "node/4", "name": "", "shop": "bakery"},
    ]  # fmt: skip

    lines = run(town_a, osm_file(tmp_path, rows), "--format", "osm", "--commit")

    assert lines[-1] == "kept 2, skipped 1, errors 1"
    assert any(line.startswith("line 3:") and "sunrise-sunset" in line for line in lines)
    with inside(town_a):
        bakery = Merchant.objects.get(name="Le Fournil")
        assert (bakery.latitude, bakery.longitude) == (Decimal("45.688500"), Decimal("5.915300"))
        assert bakery.phone == "+33479350000"
        assert bakery.address == "3 Rue de Genève"
        week = [(h.weekday, h.opens_at.strftime("%H:%M"), h.closes_at.strftime("%H:%M"))
                for h in OpeningHours.objects.filter(merchant=bakery).order_by("weekday", "opens_at")]  # fmt: skip
        assert week == [
            *[
                (day, start, end)
                for day in range(5)
                for start, end in (("09:00", "12:00"), ("14:00", "19:00"))
            ],
            (5, "09:00", "18:00"),
        ]
        cafe = Merchant.objects.get(name="Café des Thermes")
        assert not OpeningHours.objects.filter(merchant=cafe).exists()
        assert RegistryListing.objects.filter(source_key="osm:node/1").exists()


def test_entries_of_the_same_name_get_slugs_of_their_own(town_a, tmp_path):
    with inside(town_a):
        from marketplace.directory.models import Category

        category = Category.objects.first()
        Merchant.objects.create(name="Le Fournil", slug="le-fournil", category=category)
        Merchant.objects.create(name="Le Fournil", slug="le-fournil-2", category=category)
        Merchant.objects.create(
            name="Le Fournil d'en face", slug="le-fournil-d-en-face", category=category
        )

    rows = [sirene_row(n, enseigne1Etablissement="LE FOURNIL") for n in (1, 2)]
    run(town_a, sirene_file(tmp_path, rows), "--commit")

    with inside(town_a):
        assert sorted(
            Merchant.objects.filter(siret__in=[siret(1), siret(2)]).values_list("slug", flat=True)
        ) == [
            "le-fournil-3",
            "le-fournil-4",
        ]


def test_a_regional_extract_separated_by_semicolons_is_read(town_a, tmp_path):
    path = tmp_path / "extrait.csv"
    rows = [sirene_row(1), sirene_row(2, denominationUniteLegale="SAS LES HALLES; ET CIE")]
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(rows, SIRENE_COLUMNS, delimiter=";"))

    lines = run(town_a, path)

    assert lines[-1] == "kept 2, skipped 0, errors 0"
