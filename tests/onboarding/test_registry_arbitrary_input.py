"""Whatever bytes a file holds, the importers answer a report or a clear refusal, never a crash,
and write only whole, valid entries."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.directory.models import Merchant
from onboarding.registry.entries import RegistryFileInvalid
from onboarding.services.registry import registry_import_path
from tests.conftest import inside
from tests.onboarding.builders import OSM_COLUMNS, SIRENE_COLUMNS

pytestmark = pytest.mark.django_db

HEADERS = {"sirene": ",".join(SIRENE_COLUMNS).encode(), "osm": ",".join(OSM_COLUMNS).encode()}
fuzz = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
cells = st.one_of(
    st.sampled_from(["A", "F", "73008", "10.71C", "56.30Z", "700000", "[ND]", "nan", "inf",
                     "Mo-Fr 09:00-12:00", "24/7", "45.6", "bakery", "cafe", "", '"', "\n"]),
    st.text(max_size=12),
)  # fmt: skip


def _import(data: bytes, file_format: str, commit: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "file.csv"
        path.write_bytes(data)
        try:
            registry_import_path(path=str(path), file_format=file_format, commit=commit)
        except RegistryFileInvalid as error:
            assert error.message


@fuzz
@given(data=st.binary(max_size=400), file_format=st.sampled_from(["sirene", "osm"]))
def test_arbitrary_bytes_never_raise(town_a, data, file_format):
    with inside(town_a):
        _import(data, file_format, commit=False)


@fuzz
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=20), max_size=6),
    file_format=st.sampled_from(["sirene", "osm"]),
)
def test_arbitrary_rows_under_a_right_header_never_raise_nor_write_a_bad_entry(
    town_a, rows, file_format
):
    body = "\n".join(",".join(f'"{cell}"' if "," in cell else cell for cell in row) for row in rows)
    with inside(town_a):
        _import(HEADERS[file_format] + b"\n" + body.encode(), file_format, commit=True)
        for merchant in Merchant.objects.all():
            merchant.full_clean(exclude=["slug"], validate_unique=False)
            assert merchant.name and merchant.slug
