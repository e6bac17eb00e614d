from io import BytesIO

from django.core.files.storage import default_storage
from PIL import Image, ImageFile

from marketplace.catalogue.models import ProductPhoto
from marketplace.catalogue.services.products import product_create, product_update
from marketplace.catalogue.tasks import product_photo_process
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import jpeg_upload


def _opened(name: str) -> Image.Image:
    with default_storage.open(name) as stored:
        image = Image.open(BytesIO(stored.read()))
        image.load()
        return image


def test_photo_upload_makes_a_thumbnail_and_a_webp_once(
    town_a, merchant_a, media_root, django_capture_on_commit_callbacks
):
    with inside(town_a):
        product = product_create(merchant=merchant_a, title="Vase bleu", price_cents=4500)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            product_update(
                merchant=merchant_a, product_id=product.pk, photo=jpeg_upload(size=(1600, 1000)),
                photo_alt="Vase bleu en grès",
            )  # fmt: skip
        photo = product.photos.get()

        queued = [c for c in callbacks if getattr(c, "func", None) == product_photo_process.delay]
        assert len(queued) == 1
        photo.refresh_from_db()
        assert photo.image.name == "alpha/products/vase-bleu.jpg"
        assert photo.thumbnail.name == "alpha/products/thumbs/vase-bleu.jpg"
        assert photo.webp.name == "alpha/products/webp/vase-bleu.webp"
        thumbnail, webp = _opened(photo.thumbnail.name), _opened(photo.webp.name)
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (400, 250))
        assert (webp.format, webp.size) == ("WEBP", (1600, 1000))

        # Run again (a retry, a duplicate delivery): nothing is made twice.
        assert product_photo_process.delay(photo.pk).get() == "done already"
        photo.refresh_from_db()
        assert photo.thumbnail.name == "alpha/products/thumbs/vase-bleu.jpg"
    assert sorted(p.name for p in media_root.rglob("*") if p.is_file()) == [
        "vase-bleu.jpg", "vase-bleu.jpg", "vase-bleu.webp",
    ]  # fmt: skip


def test_a_big_jpeg_is_decoded_reduced(town_a, merchant_a, media_root, monkeypatch):
    decoded_sizes = []
    load = ImageFile.ImageFile.load

    def recording_load(image):
        decoded_sizes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    with inside(town_a):
        product = product_create(merchant=merchant_a, title="Vase vert", price_cents=4500)
        product_update(
            merchant=merchant_a, product_id=product.pk, photo=jpeg_upload(size=(3400, 3400)),
            photo_alt="Vase vert",
        )  # fmt: skip
        photo = product.photos.get()
        decoded_sizes.clear()
        product_photo_process(photo.pk)
        photo.refresh_from_db()
        webp = _opened(photo.webp.name)

    # Half scale still covers the 1,600 px WebP: a quarter of the pixels were decoded.
    assert decoded_sizes[0] == (1700, 1700)
    assert webp.size == (1600, 1600)


def test_transparent_png_gets_a_white_jpeg_thumbnail(town_a, merchant_a, media_root):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Logo", price_cents=100,
            photo=jpeg_upload("logo.png", size=(300, 600), mode="RGBA"),
        )  # fmt: skip
        photo = product.photos.get()

        assert product_photo_process.delay(photo.pk).get() == "made"

        photo.refresh_from_db()
        thumbnail = _opened(photo.thumbnail.name)
        assert (thumbnail.mode, thumbnail.size) == ("RGB", (200, 400))
        assert _opened(photo.webp.name).mode == "RGBA"


def test_a_storage_failure_is_retried(town_a, merchant_a, media_root, monkeypatch):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Bol", price_cents=100, photo=jpeg_upload()
        )
        photo = product.photos.get()
        storage_class = type(default_storage._wrapped)
        original_save = storage_class._save
        failures = []

        def flaky_save(self, name, content):
            if not failures:
                failures.append(name)
                raise OSError("disk full")
            return original_save(self, name, content)

        monkeypatch.setattr(storage_class, "_save", flaky_save)
        monkeypatch.setattr(product_photo_process, "default_retry_delay", 0)

        # Run as a worker would: the Retry is caught and the task sent again (here, at once).
        result = product_photo_process.apply(args=[photo.pk], throw=False)

        assert result.get() == "made"
        photo.refresh_from_db()
        assert failures == ["alpha/products/thumbs/bol.jpg"]
        assert photo.thumbnail.name == "alpha/products/thumbs/bol.jpg"
        assert photo.webp.name == "alpha/products/webp/bol.webp"


def test_a_file_that_is_not_an_image_is_left_alone(town_a, merchant_a, media_root):
    with inside(town_a):
        product = product_create(merchant=merchant_a, title="Bol", price_cents=100)
        photo = ProductPhoto.objects.create(product=product, image="alpha/products/broken.jpg")
        default_storage.save("alpha/products/broken.jpg", BytesIO(b"not an image"))

        assert product_photo_process.delay(photo.pk).get() == "unreadable"

        photo.refresh_from_db()
        assert (photo.thumbnail.name, photo.webp.name) == ("", "")


def test_the_task_runs_in_the_sending_towns_schema_only(town_a, town_b, merchant_a, media_root):
    with inside(town_a):
        product = product_create(merchant=merchant_a, title="Bol", price_cents=100)
        photo = ProductPhoto.objects.create(product=product, image="alpha/products/bol.jpg")
    with inside(town_b):
        assert not ProductPhoto.objects.filter(pk=photo.pk).exists()

        assert product_photo_process.delay(photo.pk).get() == "gone"

    with inside(town_a):
        photo.refresh_from_db()
        assert (photo.thumbnail.name, photo.webp.name) == ("", "")
