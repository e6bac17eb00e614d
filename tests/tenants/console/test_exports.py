"""A town's data export (tenants.services.exports): every registered table as CSV and JSON in
one zip, the town's own rows only, made from the console by vendor staff and audited."""

import csv
import io
import json
import zipfile

from tenants.models import VendorAuditEvent
from tests.marketplace.orders.factories import order_place, shop_create, variant_create


def _export(backups_root, event: VendorAuditEvent) -> zipfile.ZipFile:
    return zipfile.ZipFile(backups_root / event.detail)


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8"))))


def test_the_console_exports_the_towns_merchants_products_and_orders(
    console, town_a, town_b, vendor_staff, backups_root
):
    shop = shop_create(town_a, name="Épicerie du Lac")
    soap = variant_create(town_a, shop, title="Savon au lait d'ânesse", price_cents=1250)
    checkout = order_place(town_a, [(soap, 2)])
    shop_create(town_b, name="Bazar de Beta")

    response = console.post("/console/villes/alpha/exporter/")

    assert response.status_code == 302
    event = VendorAuditEvent.objects.get(town_schema="alpha", action="export")
    assert event.actor_email == vendor_staff.email
    archive = _export(backups_root, event)
    assert sorted(archive.namelist()) == [
        "README.txt",
        *sorted(f"{t}.{kind}" for t in ("merchants", "order_lines", "orders", "products")
                for kind in ("csv", "json")),
    ]  # fmt: skip
    merchants = _csv(archive, "merchants")
    assert [m["name"] for m in merchants] == ["Épicerie du Lac"]  # never Beta's
    assert json.loads(archive.read("merchants.json"))[0]["name"] == "Épicerie du Lac"
    [product] = _csv(archive, "products")
    assert (product["product__title"], product["price_cents"]) == ("Savon au lait d'ânesse", "1250")
    [order] = json.loads(archive.read("orders.json"))
    assert (order["checkout__reference"], order["total_cents"]) == (checkout.reference, 2500)
    assert order["checkout__contact_email"] == "camille@example.org"
    [line] = _csv(archive, "order_lines")
    assert (line["sku"], line["quantity"]) == (soap.sku, "2")
    assert "orders: 1 rows" in archive.read("README.txt").decode()
    # Downloaded from the backups page, like a backup, and audited.
    assert event.pk in [b.pk for b in console.get("/console/sauvegardes/").context["backups"]]
    download = console.get(f"/console/sauvegardes/{event.pk}/telecharger/")
    assert b"".join(download.streaming_content) == (backups_root / event.detail).read_bytes()


def test_an_empty_town_exports_empty_tables(console, town_b, backups_root):
    console.post("/console/villes/beta/exporter/")

    event = VendorAuditEvent.objects.get(town_schema="beta", action="export")
    archive = _export(backups_root, event)
    assert json.loads(archive.read("orders.json")) == []
    assert archive.read("orders.csv").decode().splitlines()[0].startswith("id,reference,")
