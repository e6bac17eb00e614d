"""Media files sit under the schema that stored them, on disk and on S3."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from moto.server import ThreadedMotoServer

from comptoir.storage import TownFileSystemStorage, TownS3Storage
from tests.conftest import inside

CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "eu-west-3"}


class TestFileSystem:
    @pytest.fixture
    def media_root(self, settings, tmp_path: Path) -> Path:
        settings.MEDIA_ROOT = tmp_path
        return tmp_path

    def test_the_default_storage_is_the_town_aware_one(self):
        assert isinstance(storages["default"], TownFileSystemStorage)

    def test_each_town_saves_under_its_schema(self, town_a, town_b, media_root):
        with inside(town_a):
            name_a = default_storage.save("branding/logo.txt", ContentFile(b"Alpha"))
        with inside(town_b):
            name_b = default_storage.save("branding/logo.txt", ContentFile(b"Beta"))
        name_public = default_storage.save("branding/logo.txt", ContentFile(b"Comptoir"))

        assert (name_a, name_b, name_public) == (
            "alpha/branding/logo.txt",
            "beta/branding/logo.txt",
            "public/branding/logo.txt",
        )
        assert (media_root / "alpha/branding/logo.txt").read_bytes() == b"Alpha"
        assert (media_root / "beta/branding/logo.txt").read_bytes() == b"Beta"
        assert (media_root / "public/branding/logo.txt").read_bytes() == b"Comptoir"

    def test_a_town_cannot_write_into_another_towns_folder(self, town_b, media_root):
        with inside(town_b):
            name = default_storage.save("alpha/branding/logo.txt", ContentFile(b"Beta"))

        assert name == "beta/alpha/branding/logo.txt"
        assert not (media_root / "alpha").exists()

    def test_a_name_already_under_the_town_is_kept(self, town_a, media_root):
        with inside(town_a):
            first = default_storage.save("photos/shop.txt", ContentFile(b"1"))
            second = default_storage.save(first, ContentFile(b"2"))

        assert first == "alpha/photos/shop.txt"
        assert second.startswith("alpha/photos/shop_") and second.endswith(".txt")
        assert sorted(p.name for p in (media_root / "alpha/photos").iterdir()) == sorted(
            [Path(first).name, Path(second).name]
        )


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server, on this machine only."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_endpoint: str) -> TownS3Storage:
    bucket = f"comptoir-media-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    ).create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["region_name"]},
    )
    return TownS3Storage(bucket_name=bucket, endpoint_url=s3_endpoint, **CREDENTIALS)


class TestS3:
    def test_one_storage_instance_saves_each_town_under_its_schema(
        self, town_a, town_b, s3_storage
    ):
        """The prefix is computed on every save, never fixed at the first town served."""
        with inside(town_a):
            name_a = s3_storage.save("products/soap.txt", ContentFile(b"Alpha soap"))
        with inside(town_b):
            name_b = s3_storage.save("products/soap.txt", ContentFile(b"Beta soap"))

        assert (name_a, name_b) == ("alpha/products/soap.txt", "beta/products/soap.txt")
        bucket = s3_storage.bucket
        assert sorted(obj.key for obj in bucket.objects.all()) == [name_a, name_b]
        assert s3_storage.open(name_a).read() == b"Alpha soap"
        assert s3_storage.open(name_b).read() == b"Beta soap"

    def test_a_town_cannot_write_into_another_towns_prefix(self, town_b, s3_storage):
        with inside(town_b):
            name = s3_storage.save("alpha/products/soap.txt", ContentFile(b"Beta soap"))

        assert name == "beta/alpha/products/soap.txt"
        assert [obj.key for obj in s3_storage.bucket.objects.all()] == [name]
