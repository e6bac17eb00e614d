from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Left, Length
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
    """What a merchant sells. Prices and stock live on its variants (at least one per product)."""

    class VatRate(models.IntegerChoices):
        """In basis points: 2000 = 20 %."""

        STANDARD = 2000, _("20 % (standard)")
        INTERMEDIATE = 1000, _("10 % (intermediate)")
        REDUCED = 550, _("5.5 % (reduced)")
        SUPER_REDUCED = 210, _("2.1 % (super-reduced)")

    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.CASCADE, related_name="products"
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "directory.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    tags = models.CharField(_("tags"), max_length=255, blank=True, help_text=_("Comma-separated."))
    vat_rate = models.PositiveSmallIntegerField(
        _("VAT rate"), choices=VatRate.choices, default=VatRate.STANDARD
    )
    sold_in_shop_only = models.BooleanField(_("sold in shop only"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Both kept by marketplace.catalogue.services.search.products_search_refresh, in SQL, so
    # the French configuration and unaccent decide, the same way at write and at query time.
    search_vector = SearchVectorField(null=True, editable=False)
    title_normalised = models.TextField(blank=True, editable=False)

    # Not columns: what a product card shows, set on the products of a list or page by
    # marketplace.catalogue.selectors (the `card_*` and `*_marked` ones are its annotations).
    lowest_price_cents: int | None
    has_price_range: bool
    availability: str
    main_photo: "ProductPhoto | None"
    card_lowest_price: int | None
    card_highest_price: int | None
    card_most_stock: int | None
    card_image: str | None
    card_thumbnail: str | None
    # products_search only: the title and the snippet, marked up where they match.
    title_highlighted: SafeString
    snippet: SafeString

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["merchant", "is_published"]),
            GinIndex(fields=["search_vector"], name="product_search_vector_gin"),
            GinIndex(
                fields=["title_normalised"],
                opclasses=["gin_trgm_ops"],
                name="product_title_trgm_gin",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalogue:product", kwargs={"slug": self.slug})


class Variant(models.Model):
    """One sellable SKU of a product (a size, a colour), with its own price and its one stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("variant"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=40, blank=True)
    colour = models.CharField(_("colour"), max_length=40, blank=True)
    price_cents = models.PositiveIntegerField(_("price incl. VAT (cents)"))
    # Changed only through marketplace.catalogue.services.stock.stock_adjust, under a row lock.
    stock = models.PositiveIntegerField(_("stock"), default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "sku"], name="variant_sku_unique_per_product"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.title} — {self.name}" if self.name else self.product.title


class StockMovement(models.Model):
    """Every change of a variant's stock, with why: the history merchants and support read."""

    class Reason(models.TextChoices):
        SALE = "sale", _("Sale")
        CANCELLATION = "cancellation", _("Cancellation")
        MANUAL = "manual", _("Manual edit")
        IMPORT = "import", _("Import")
        API_SYNC = "api_sync", _("API sync")

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="movements")
    delta = models.IntegerField(_("change"))
    balance_after = models.PositiveIntegerField(_("stock after"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]


class StockReservation(models.Model):
    """Units of a variant held for an order whose payment is running, until `expires_at`.

    The stock count does not move meanwhile: what another shopper may take is the count less
    the reservations still running. The payment's success turns the reservation into a sale
    (a stock movement); its failure, or the sweep after expiry, deletes it.
    """

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"))
    # What the units are held for: an order's reference.
    reference = models.CharField(_("reference"), max_length=64, db_index=True)
    expires_at = models.DateTimeField(_("held until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock reservation")
        verbose_name_plural = _("stock reservations")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "variant"], name="stock_reservation_one_per_variant"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="stock_reservation_quantity"
            ),
        ]
        indexes = [models.Index(fields=["variant", "expires_at"])]


class ProductPhoto(models.Model):
    """A product photo; thumbnails and WebP are made by a Celery task after upload."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="products/")
    thumbnail = models.ImageField(upload_to="products/thumbs/", blank=True)
    webp = models.ImageField(upload_to="products/webp/", blank=True)
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["position", "pk"]


class SearchWord(models.Model):
    """A word of the town's catalogue (its products' titles, tags, descriptions, shops and
    categories), unaccented and in lower case: the lexicon the search corrects a misspelt word
    against. Kept by marketplace.catalogue.services.search with the products' search columns;
    never edited by hand."""

    word = models.TextField(primary_key=True)
    # The spelling the catalogue uses most (accents kept), shown in "Did you mean …?".
    spelling = models.TextField()
    # The French stem (french_unaccent), so that a plural or another form of a catalogue
    # word counts as known; null for a stop word.
    stem = models.TextField(null=True)
    # Products using the word when it was counted: the more used of two equally close words wins.
    documents = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Corrections keep the first letter and change the length by at most two.
            models.Index(Left("word", 1), Length("word"), name="searchword_initial_length"),
            models.Index(fields=["stem"], name="searchword_stem"),
        ]

    def __str__(self) -> str:
        return self.word
