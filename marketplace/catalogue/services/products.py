"""Writing products: the one-screen creation, edits, duplicates, bulk price and stock changes.

Every service takes the merchant acting and refuses a product of another merchant with
ProductNotFound, as if it did not exist. Bad input raises ProductInvalid (translated messages
per field) and changes nothing. Stock only moves through services.stock, so each change is
locked and recorded.
"""

import enum
import secrets
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, cast

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.images import image_format_detect
from comptoir.page_cache import shop_window_changed
from comptoir.slugs import slug_free
from marketplace.catalogue.errors import ProductInvalid, ProductNotFound
from marketplace.catalogue.models import Product, ProductPhoto, StockMovement, Variant
from marketplace.catalogue.services.search import products_search_refresh
from marketplace.catalogue.services.stock import stock_adjust, stock_set
from marketplace.catalogue.tasks import product_photo_process
from marketplace.directory.models import Category, Merchant

if TYPE_CHECKING:
    from typing_extensions import TypeIs

# A million euros: more is a typing slip (and the column is a 32-bit integer).
MAX_PRICE_CENTS = 100_000_000
MAX_STOCK = 1_000_000
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})
_TITLE_MAX = cast(int, Product._meta.get_field("title").max_length)
_SLUG_MAX = cast(int, Product._meta.get_field("slug").max_length)
_TAGS_MAX = cast(int, Product._meta.get_field("tags").max_length)


class _Keep(enum.Enum):
    KEEP = "keep"


# "Leave this field as it is" for product_update (None is a value: no category).
KEEP = _Keep.KEEP


@dataclass(frozen=True)
class VariantInput:
    """One SKU as a form or an import gives it. `id` names an existing variant to update;
    a price of None takes the product's price."""

    price_cents: int | None = None
    stock: int = 0
    name: str = ""
    size: str = ""
    colour: str = ""
    sku: str = ""
    id: int | None = None


@dataclass(frozen=True)
class VariantChange:
    """A line of the bulk edit: None leaves the price or the stock as it is."""

    variant_id: int
    price_cents: int | None = None
    stock: int | None = None


# --- validation ---------------------------------------------------------------------------


def _is_int(value: object) -> "TypeIs[int]":
    return isinstance(value, int) and not isinstance(value, bool)


def _price_error(value: object) -> str | None:
    if not _is_int(value):
        return _("The price must be a whole number of cents.")
    if value < 0:
        return _("The price cannot be negative.")
    if value > MAX_PRICE_CENTS:
        return _("The price is too high: check it.")
    return None


def _stock_error(value: object) -> str | None:
    if not _is_int(value):
        return _("The stock must be a whole number.")
    if value < 0:
        return _("The stock cannot be negative.")
    if value > MAX_STOCK:
        return _("The stock is too high: check it.")
    return None


def _tags_normalised(tags: str) -> str:
    """ "pain, Bio,pain " → "pain, Bio": trimmed, without repeats."""
    return ", ".join(dict.fromkeys(tag.strip() for tag in tags.split(",") if tag.strip()))


def _fields_validated(fields: dict[str, object], errors: dict[str, list[str]]) -> dict[str, object]:
    """Check and tidy the product's own fields present in `fields`."""
    cleaned: dict[str, object] = {}
    if "title" in fields:
        title = str(fields["title"] or "").strip()
        if not title:
            errors.setdefault("title", []).append(_("Give the product a title."))
        elif len(title) > _TITLE_MAX:
            errors.setdefault("title", []).append(
                _("The title is at most %(max)d characters long.") % {"max": _TITLE_MAX}
            )
        cleaned["title"] = title
    if "description" in fields:
        cleaned["description"] = str(fields["description"] or "").strip()
    if "tags" in fields:
        tags = _tags_normalised(str(fields["tags"] or ""))
        if len(tags) > _TAGS_MAX:
            errors.setdefault("tags", []).append(_("Too many tags: keep the main ones."))
        cleaned["tags"] = tags
    if "vat_rate" in fields:
        if fields["vat_rate"] not in Product.VatRate.values:
            errors.setdefault("vat_rate", []).append(_("Choose a VAT rate from the list."))
        cleaned["vat_rate"] = fields["vat_rate"]
    if "category" in fields:
        category = fields["category"]
        if category is not None and not isinstance(category, Category):
            errors.setdefault("category", []).append(_("Choose a category from the list."))
        cleaned["category"] = category
    for flag in ("sold_in_shop_only", "is_published"):
        if flag in fields:
            cleaned[flag] = bool(fields[flag])
    return cleaned


def _variants_validated(
    variants: list[VariantInput], *, default_price: object, errors: dict[str, list[str]]
) -> list[VariantInput]:
    if not variants:
        errors.setdefault("variants", []).append(_("A product needs at least one variant."))
        return []
    cleaned = []
    skus: set[str] = set()
    for number, variant in enumerate(variants, start=1):
        price = default_price if variant.price_cents is None else variant.price_cents
        sku = variant.sku.strip()
        problems = [p for p in (_price_error(price), _stock_error(variant.stock)) if p]
        if sku and sku.upper() in skus:
            problems.append(_("The SKU %(sku)s is used twice.") % {"sku": sku})
        if (
            len(sku) > 64
            or len(variant.name) > 100
            or max(len(variant.size), len(variant.colour)) > 40
        ):
            problems.append(_("A name, size, colour or SKU is too long."))
        skus.add(sku.upper())
        errors.setdefault("variants", []).extend(
            _("Variant %(number)d: %(problem)s") % {"number": number, "problem": problem}
            for problem in problems
        )
        cleaned.append(
            replace(
                variant,
                # Read only when no variant has a problem: a whole number of cents then.
                price_cents=price if _is_int(price) else None,
                sku=sku,
                name=variant.name.strip(),
                size=variant.size.strip(),
                colour=variant.colour.strip(),
            )
        )
    if not errors.get("variants"):
        errors.pop("variants", None)
    return cleaned


def _photo_checked(photo: File, errors: dict[str, list[str]]) -> None:
    if photo.size is not None and photo.size > MAX_PHOTO_BYTES:
        errors.setdefault("photo", []).append(_("The photo is larger than 10 MB."))
        return
    if image_format_detect(photo) not in PHOTO_FORMATS:
        errors.setdefault("photo", []).append(
            _("This file is not a photo we can read: send a JPEG, PNG or WebP image.")
        )


# --- helpers ------------------------------------------------------------------------------


def _slug_for(title: str) -> str:
    return slug_free(
        rows=Product.objects.all(), text=title, base_length=_SLUG_MAX - 8, fallback="produit"
    )


def _product_saved(product: Product) -> Product:
    """Insert with a free slug; a concurrent insert of the same title gets a random suffix."""
    for attempt in range(3):
        slug = _slug_for(product.title)
        if attempt:
            slug = f"{slug[: _SLUG_MAX - 5]}-{secrets.token_hex(2)}"
        product.slug = slug
        try:
            with transaction.atomic():
                product.save()
            return product
        except IntegrityError:
            if not Product.objects.filter(slug=slug).exists():
                raise
    raise IntegrityError("No free slug found for this product.")


def _variant_name(variant: VariantInput) -> str:
    return variant.name or " / ".join(part for part in (variant.size, variant.colour) if part)


def _sku_free(product: Product, taken: set[str]) -> str:
    """The next "P<product id>-<n>" not in `taken` (upper case), which it joins."""
    number = 1
    while f"P{product.pk}-{number}" in taken:
        number += 1
    sku = f"P{product.pk}-{number}"
    taken.add(sku)
    return sku


def _variant_create(
    *,
    product: Product,
    variant: VariantInput,
    position: int,
    taken: set[str],
    actor: User | None,
) -> Variant:
    assert variant.price_cents is not None  # _variants_validated gave it the product's
    row = Variant.objects.create(
        product=product,
        sku=variant.sku or _sku_free(product, taken),
        name=_variant_name(variant),
        size=variant.size,
        colour=variant.colour,
        price_cents=variant.price_cents,
        stock=0,
        position=position,
    )
    if variant.stock:
        row.stock = stock_adjust(
            variant_id=row.pk,
            delta=variant.stock,
            reason=StockMovement.Reason.MANUAL,
            reference=product.slug[:64],
            actor=actor,
        )
    return row


def _merchant_product(*, merchant: Merchant, product_id: int, lock: bool = False) -> Product:
    products = Product.objects.filter(merchant_id=merchant.pk)
    if lock:
        products = products.select_for_update()
    product = products.filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound(product_id)
    return product


def _photo_store(*, product: Product, image: File, alt_text: str) -> ProductPhoto:
    last = product.photos.order_by("-position").values_list("position", flat=True).first()
    photo = ProductPhoto(
        product=product,
        alt_text=alt_text.strip()[:200],
        position=0 if last is None else last + 1,
    )
    suffix = PurePosixPath(image.name or "").suffix.lower() or ".jpg"
    # Default storage puts the file under the town's schema name.
    photo.image.save(f"{product.slug[:80]}{suffix}", image, save=True)
    # Celery's Django task class has delay_on_commit (5.4); celery-types does not know it.
    product_photo_process.delay_on_commit(photo.pk)  # type: ignore[attr-defined]
    return photo


# --- services -----------------------------------------------------------------------------


def product_create(
    *,
    merchant: Merchant,
    title: str,
    price_cents: int,
    stock: int = 0,
    description: str = "",
    category: Category | None = None,
    tags: str = "",
    vat_rate: int = Product.VatRate.STANDARD,
    sold_in_shop_only: bool = False,
    is_published: bool = True,
    variants: list[VariantInput] | None = None,
    photo: File | None = None,
    photo_alt: str = "",
    actor: User | None = None,
) -> Product:
    """Create a product with its variants (one of `price_cents` and `stock` when `variants` is
    empty), its first photo and its search columns. Returns the product."""
    errors: dict[str, list[str]] = {}
    fields = _fields_validated(
        {
            "title": title,
            "description": description,
            "category": category,
            "tags": tags,
            "vat_rate": vat_rate,
            "sold_in_shop_only": sold_in_shop_only,
            "is_published": is_published,
        },
        errors,
    )
    if variants:
        cleaned_variants = _variants_validated(variants, default_price=price_cents, errors=errors)
    else:
        if error := _price_error(price_cents):
            errors.setdefault("price_cents", []).append(error)
        if error := _stock_error(stock):
            errors.setdefault("stock", []).append(error)
        cleaned_variants = [VariantInput(price_cents=price_cents, stock=stock)]
    if photo is not None:
        _photo_checked(photo, errors)
    if errors:
        raise ProductInvalid(errors)

    with transaction.atomic(durable=True):
        product = _product_saved(Product(merchant=merchant, **fields))
        taken = {variant.sku.upper() for variant in cleaned_variants if variant.sku}
        for position, variant in enumerate(cleaned_variants):
            _variant_create(
                product=product, variant=variant, position=position, taken=taken, actor=actor
            )
        if photo is not None:
            _photo_store(product=product, image=photo, alt_text=photo_alt)
        products_search_refresh(product_ids=[product.pk])
    return product


def product_update(
    *,
    merchant: Merchant,
    product_id: int,
    title: str | _Keep = KEEP,
    description: str | _Keep = KEEP,
    category: Category | _Keep | None = KEEP,
    tags: str | _Keep = KEEP,
    vat_rate: int | _Keep = KEEP,
    sold_in_shop_only: bool | _Keep = KEEP,
    is_published: bool | _Keep = KEEP,
    price_cents: int | _Keep = KEEP,
    stock: int | _Keep = KEEP,
    variants: list[VariantInput] | _Keep = KEEP,
    photo: File | None = None,
    photo_alt: str = "",
    actor: User | None = None,
) -> Product:
    """Change what is given, leave the rest (KEEP), and add `photo` to the gallery: all or
    nothing, so a refused photo leaves the product as it was, and the other way round.

    `price_cents` and `stock` are for a product with one variant. `variants` is the whole new
    list: entries with an id update that variant, entries without one are added, variants left
    out are deleted. A stock change is recorded as a manual edit.
    """
    given = {
        "title": title,
        "description": description,
        "category": category,
        "tags": tags,
        "vat_rate": vat_rate,
        "sold_in_shop_only": sold_in_shop_only,
        "is_published": is_published,
    }
    errors: dict[str, list[str]] = {}
    fields = _fields_validated({k: v for k, v in given.items() if v is not KEEP}, errors)
    if photo is not None:
        _photo_checked(photo, errors)
    with transaction.atomic(durable=True):
        product = _merchant_product(merchant=merchant, product_id=product_id, lock=True)
        current = list(product.variants.order_by("position", "pk"))
        if variants is KEEP and (price_cents is not KEEP or stock is not KEEP):
            if len(current) != 1:
                errors.setdefault("variants", []).append(
                    _("This product has several variants: set the price and stock of each.")
                )
            else:
                only = current[0]
                variants = [
                    VariantInput(
                        id=only.pk,
                        price_cents=only.price_cents if price_cents is KEEP else price_cents,
                        stock=only.stock if stock is KEEP else stock,
                        name=only.name,
                        size=only.size,
                        colour=only.colour,
                        sku=only.sku,
                    )
                ]
        cleaned_variants: list[VariantInput] | None = None
        if isinstance(variants, list):
            cleaned_variants = _variants_validated(variants, default_price=None, errors=errors)
            known = {variant.pk for variant in current}
            if any(v.id is not None and v.id not in known for v in cleaned_variants):
                errors.setdefault("variants", []).append(_("This variant is not this product's."))
        if errors:
            raise ProductInvalid(errors)

        for name, value in fields.items():
            setattr(product, name, value)
        product.save()
        if cleaned_variants is not None:
            _variants_replace(
                product=product, current=current, wanted=cleaned_variants, actor=actor
            )
        if photo is not None:
            _photo_store(product=product, image=photo, alt_text=photo_alt)
        products_search_refresh(product_ids=[product.pk])
    return product


def _variants_replace(
    *,
    product: Product,
    current: list[Variant],
    wanted: list[VariantInput],
    actor: User | None,
) -> None:
    by_id = {variant.pk: variant for variant in current}
    kept = {variant.id for variant in wanted if variant.id is not None}
    # SKUs of variants deleted now are not handed out again: orders and exports still name them.
    taken = {variant.sku.upper() for variant in current} | {
        variant.sku.upper() for variant in wanted if variant.sku
    }
    Variant.objects.filter(product=product).exclude(pk__in=kept).delete()
    for position, variant in enumerate(wanted):
        if variant.id is None:
            _variant_create(
                product=product, variant=variant, position=position, taken=taken, actor=actor
            )
            continue
        row = by_id[variant.id]
        row.sku = variant.sku or row.sku
        row.name = _variant_name(variant)
        row.size = variant.size
        row.colour = variant.colour
        assert variant.price_cents is not None  # _variants_validated gave it the product's
        row.price_cents = variant.price_cents
        row.position = position
        row.save(update_fields=["sku", "name", "size", "colour", "price_cents", "position"])
        stock_set(
            variant_id=row.pk,
            quantity=variant.stock,
            reason=StockMovement.Reason.MANUAL,
            reference=product.slug[:64],
            actor=actor,
        )


def product_duplicate(*, merchant: Merchant, product_id: int, actor: User | None = None) -> Product:
    """A copy to edit into a similar product: "(copy)" in its title, a new slug and new SKUs,
    no stock, the same photos, and unpublished until the merchant has checked it."""
    with transaction.atomic(durable=True):
        source = _merchant_product(merchant=merchant, product_id=product_id)
        suffix = " " + _("(copy)")
        copy = _product_saved(
            Product(
                merchant=merchant,
                title=source.title[: _TITLE_MAX - len(suffix)] + suffix,
                description=source.description,
                category_id=source.category_id,
                tags=source.tags,
                vat_rate=source.vat_rate,
                sold_in_shop_only=source.sold_in_shop_only,
                is_published=False,
            )
        )
        Variant.objects.bulk_create(
            Variant(
                product=copy,
                sku=f"P{copy.pk}-{position + 1}",
                name=variant.name,
                size=variant.size,
                colour=variant.colour,
                price_cents=variant.price_cents,
                stock=0,
                position=position,
            )
            for position, variant in enumerate(source.variants.order_by("position", "pk"))
        )
        ProductPhoto.objects.bulk_create(
            ProductPhoto(
                product=copy,
                image=photo.image.name,
                thumbnail=photo.thumbnail.name,
                webp=photo.webp.name,
                alt_text=photo.alt_text,
                position=photo.position,
            )
            for photo in source.photos.all()
        )
        products_search_refresh(product_ids=[copy.pk])
    return copy


def products_bulk_update(
    *, merchant: Merchant, changes: list[VariantChange], actor: User | None = None
) -> int:
    """Set the price and/or stock of many variants of the merchant at once, all or nothing.

    Returns how many variants changed. Stock goes through the locked stock service (a manual
    edit in the history), in ascending variant order like every multi-row stock change.
    """
    errors: dict[str, list[str]] = {}
    for change in changes:
        problems = []
        if change.price_cents is not None and (error := _price_error(change.price_cents)):
            problems.append(error)
        if change.stock is not None and (error := _stock_error(change.stock)):
            problems.append(error)
        if problems:
            errors[str(change.variant_id)] = problems
    wanted = {change.variant_id: change for change in changes}
    if len(wanted) != len(changes):
        errors.setdefault("variants", []).append(_("A variant is listed twice."))
    with transaction.atomic(durable=True):
        variants = {
            variant.pk: variant
            for variant in Variant.objects.select_for_update()
            .filter(pk__in=list(wanted), product__merchant_id=merchant.pk)
            .order_by("pk")
        }
        if len(variants) != len(wanted):
            errors.setdefault("variants", []).append(
                _("Some of these products are not yours or no longer exist.")
            )
        if errors:
            raise ProductInvalid(errors)

        changed = 0
        repriced = []
        for variant_id in sorted(wanted):
            change, variant = wanted[variant_id], variants[variant_id]
            moved = False
            if change.price_cents is not None and change.price_cents != variant.price_cents:
                variant.price_cents = change.price_cents
                repriced.append(variant)
                moved = True
            if change.stock is not None and change.stock != variant.stock:
                stock_set(
                    variant_id=variant_id,
                    quantity=change.stock,
                    reason=StockMovement.Reason.MANUAL,
                    reference="bulk",
                    actor=actor,
                )
                moved = True
            changed += moved
        Variant.objects.bulk_update(repriced, ["price_cents"])
    shop_window_changed()  # bulk writes send no signal
    return changed
