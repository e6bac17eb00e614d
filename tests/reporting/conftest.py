"""Counting visits with Redis (REDIS_URL, as in production) and without it (the database)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db.models import Sum
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from reporting.models import PageViewsDaily
from reporting.services import salts_forget, visits_flush
from reporting.visitors import geoip_forget
from tenants.models import Town
from tests.conftest import inside


@pytest.fixture(autouse=True)
def _salts_between_tests() -> Iterator[None]:
    # The salt rows go with each test's rollback: this process must read them again.
    salts_forget()
    yield
    salts_forget()


@pytest.fixture(params=["redis", "database"])
def counting(request, settings) -> str:
    """Each test twice: counts through Redis then the flush, and straight into the database."""
    if request.param == "redis":
        if not settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set: no Redis to count in.")
    else:
        settings.REDIS_URL = ""
    return request.param


def views_counted(town: Town, **filters: object) -> int:
    """The town's page views counted so far (flushed from Redis first), of the pages filtered."""
    visits_flush(schema_name=town.schema_name)
    with inside(town):
        total = PageViewsDaily.objects.filter(**filters).aggregate(total=Sum("views"))["total"]
    return total or 0


# A public address (the GeoIP reader leaves private ones alone) in the tiny database below.
CHAMBERY_ADDRESS = "90.12.34.56"


@pytest.fixture
def geoip_file(settings, tmp_path: Path) -> Iterator[Path]:
    """A GeoLite2-City-shaped file of our own: 90.12.0.0/16 is in Chambéry (Savoie, 73)."""
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-City", languages=["fr", "en"])
    writer.insert_network(
        IPSet(["90.12.0.0/16"]),
        {
            "city": {"names": {"fr": "Chambéry", "en": "Chambery"}},
            "country": {"iso_code": "FR"},
            "subdivisions": [{"iso_code": "ARA"}, {"iso_code": "73"}],
            "postal": {"code": "73000"},
        },
    )
    writer.insert_network(
        IPSet(["81.2.69.0/24"]),
        {"city": {"names": {"en": "London"}}, "country": {"iso_code": "GB"}},
    )
    path = tmp_path / "GeoLite2-City-test.mmdb"
    writer.to_db_file(str(path))
    settings.GEOIP_PATH = str(path)
    geoip_forget()
    yield path
    geoip_forget()
