"""Reads of the catalogue: availability, the product page, the public list and the search."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramStrictWordSimilarity
from django.db import connection
from django.db.models import (
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.db.models.query import prefetch_related_objects
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from marketplace.catalogue.models import Product, ProductPhoto, SearchWord, Variant
from marketplace.catalogue.services.search import SEARCH_CONFIG
from marketplace.catalogue.spelling import (
    ONE_TYPO_FROM,
    TWO_TYPOS_FROM,
    WORD_PATTERN,
    typo_distance,
    typos_allowed,
)
from marketplace.directory.models import Category, Merchant, merchant_name_normalised
from marketplace.directory.selectors import merchant_hours_prefetch, merchants_visible

# At or under this many units a variant shows "only a few left".
LOW_STOCK_THRESHOLD = 3
# How close a misspelt word must be to whole words of a title (pg_trgm's
# strict_word_similarity): "epicrie" is 0.55 from "epicerie fine" and "ceramqiue" 0.43 from
# "vase en ceramique", while a word that merely starts alike stays under it ("pain" and
# "paille" 0.33, "comte" and "composition" 0.2; the non-strict measure gives them 0.6 and 0.5).
WORD_SIMILARITY_THRESHOLD = 0.4
MAX_QUERY_LENGTH = 200
FACETS_SHOWN = 10
MERCHANTS_SHOWN = 5
SNIPPET_WORDS = 30
MERCHANT_PAGE_PRODUCTS = 12
# Private-use characters that no text contains: ts_headline marks matches with them, the text
# is escaped, then they become <mark> tags, so a product's own "<" can never inject markup.
_START, _STOP = "\ue000", "\ue001"


class Availability:
    IN_STOCK = "in_stock"
    LOW = "low"
    OUT = "out"
    SHOP_ONLY = "shop_only"


def variant_availability(variant: Variant) -> str:
    """ "in_stock", "low", "out" or "shop_only" (the product is sold in the shop only).

    Reads `variant.product`: select or prefetch it with the variant.
    """
    if variant.product.sold_in_shop_only:
        return Availability.SHOP_ONLY
    if variant.stock <= 0:
        return Availability.OUT
    if variant.stock <= LOW_STOCK_THRESHOLD:
        return Availability.LOW
    return Availability.IN_STOCK


def _availability_of(product: Product, *, most_stock: int | None) -> str:
    """ "shop_only" when sold in the shop only or by a merchant that does not sell online (a shop
    window), else what the best-stocked variant allows."""
    if product.sold_in_shop_only or not product.merchant.sells_online:
        return Availability.SHOP_ONLY
    if (most_stock or 0) > LOW_STOCK_THRESHOLD:
        return Availability.IN_STOCK
    if (most_stock or 0) > 0:
        return Availability.LOW
    return Availability.OUT


def product_availability(product: Product) -> str:
    """The best availability among the product's prefetched variants ("shop_only" also for a
    merchant that does not sell online). Reads `product.merchant`: select it."""
    stocks = [variant.stock for variant in product.variants.all()]
    return _availability_of(product, most_stock=max(stocks, default=None))


# A product, or one of the search's annotated ones: it keeps its annotations.
_P = TypeVar("_P", bound=Product)


def _decorated(product: _P) -> _P:
    """Set what a product card shows, from the prefetched variants and photos (the product
    page) or from the card annotations (lists: no prefetch, see _card_annotations)."""
    if hasattr(product, "card_most_stock"):
        prices = (product.card_lowest_price, product.card_highest_price)
        most_stock = product.card_most_stock
        # Only for its files' URLs; never saved.
        main_photo = (
            ProductPhoto(
                product=product, image=product.card_image, thumbnail=product.card_thumbnail
            )
            if product.card_image
            else None
        )
    else:
        variants = list(product.variants.all())
        photos = list(product.photos.all())
        prices = (
            min((v.price_cents for v in variants), default=None),
            max((v.price_cents for v in variants), default=None),
        )
        most_stock = max((v.stock for v in variants), default=None)
        main_photo = photos[0] if photos else None
    product.lowest_price_cents = prices[0]
    product.has_price_range = prices[0] != prices[1]
    product.availability = _availability_of(product, most_stock=most_stock)
    product.main_photo = main_photo
    return product


def _card_prefetches() -> list[Prefetch]:
    return [
        Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
        Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "pk")),
    ]


def _card_annotations() -> dict[str, Subquery]:
    """What a card needs of the variants and the first photo, as subqueries of the products'
    own query: a list of products costs one query, not three."""
    variants = Variant.objects.filter(product=OuterRef("pk")).order_by().values("product")
    photo = ProductPhoto.objects.filter(product=OuterRef("pk")).order_by("position", "pk")
    return {
        "card_lowest_price": Subquery(variants.annotate(v=Min("price_cents")).values("v")),
        "card_highest_price": Subquery(variants.annotate(v=Max("price_cents")).values("v")),
        "card_most_stock": Subquery(variants.annotate(v=Max("stock")).values("v")),
        "card_thumbnail": Subquery(photo.values("thumbnail")[:1]),
        "card_image": Subquery(photo.values("image")[:1]),
    }


def products_visible() -> QuerySet[Product]:
    """Products the public may see: published, of an approved merchant."""
    return Product.objects.filter(is_published=True, merchant__status=Merchant.Status.APPROVED)


def product_for_page(*, slug: str, today: date | None = None) -> Product | None:
    """A visible product with what its page shows (variants, photos, its merchant, and the
    merchant's hours for `today` when given), or None (the page answers 404)."""
    hours = [
        Prefetch(f"merchant__{prefetch.prefetch_through}", queryset=prefetch.queryset)
        for prefetch in (merchant_hours_prefetch(since=today, until=today) if today else [])
    ]
    product = (
        products_visible()
        .select_related("merchant", "merchant__category", "category")
        .prefetch_related(*_card_prefetches(), *hours)
        .filter(slug=slug)
        .first()
    )
    return _decorated(product) if product is not None else None


def merchant_page_products(*, merchant: Merchant) -> list[Product]:
    """The merchant's newest published products, for the directory's merchant page, decorated
    as cards (lowest price, price range, main photo): three queries."""
    products = (
        merchant.products.filter(is_published=True)
        .prefetch_related(*_card_prefetches())
        .order_by("-created_at", "-pk")[:MERCHANT_PAGE_PRODUCTS]
    )
    # Through the merchant's own manager, each product's merchant is that one: no query.
    return [_decorated(product) for product in products]


# --- the merchant's back office ------------------------------------------------------------


def products_of_merchant(*, merchant: Merchant) -> QuerySet[Product]:
    """All the merchant's products, published or not, last changed first, with their
    variants and photos (two more queries whatever their number)."""
    return (
        Product.objects.filter(merchant_id=merchant.pk)
        .select_related("category")
        .prefetch_related(*_card_prefetches())
        .order_by("-updated_at", "-pk")
    )


def variants_low_in_stock(*, merchant: Merchant, limit: int = 20) -> list[Variant]:
    """The merchant's variants on sale online with at most LOW_STOCK_THRESHOLD units left,
    emptiest first: what the dashboard asks to restock."""
    return list(
        Variant.objects.filter(
            product__merchant_id=merchant.pk,
            product__is_published=True,
            product__sold_in_shop_only=False,
            stock__lte=LOW_STOCK_THRESHOLD,
        )
        .select_related("product")
        .order_by("stock", "product__title", "pk")[:limit]
    )


# --- search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    slug: str
    name: str
    count: int


@dataclass(frozen=True)
class MerchantMatch:
    """A merchant whose name matches the search, as the results page lists it."""

    name: str
    slug: str
    category_name: str

    def get_absolute_url(self) -> str:
        return reverse("directory:merchant", kwargs={"slug": self.slug})


@dataclass
class ProductSearchResults:
    """One page of results. Each product carries `title_highlighted`
    and `snippet` (safe HTML with <mark>), `lowest_price_cents`, `has_price_range`,
    `availability` and `main_photo` (its first photo, or None)."""

    query: str
    products: Sequence[Product]
    total: int
    page: int
    per_page: int
    # The query as searched when a misspelt word was corrected ("fromage" for "fromge"),
    # else "".
    corrected_query: str = ""
    category_facets: list[Facet] = field(default_factory=list)
    merchant_facets: list[Facet] = field(default_factory=list)
    merchants: list[MerchantMatch] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.products else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.products)


def query_normalised(q: str) -> str:
    """Spaces collapsed, bounded: what the search and its page show back."""
    return " ".join(q.split())[:MAX_QUERY_LENGTH]


# Closest words of the lexicon first; a few are enough to find the one a typo hides.
CORRECTION_CANDIDATES = 20

# For each word of the query: is it known (in the lexicon, or of a known word's stem, or a
# stop word), and if not, the lexicon's words with its first letter and a length and a
# Levenshtein distance within reach (typos_allowed, where a swap costs Levenshtein two), that
# find a product. The reach is by the longer of the two words, hence the length bounds.
_CORRECTION_SQL = """
WITH typed AS (
    SELECT t.position, lower(unaccent(t.raw)) AS word
    FROM unnest(%s::text[]) WITH ORDINALITY AS t(raw, position)
),
token AS (
    SELECT typed.position, typed.word,
           (tsvector_to_array(to_tsvector(%s::regconfig, typed.word)))[1] AS stem
    FROM typed
),
judged AS (
    SELECT token.*, length(token.word) < %s OR token.word !~ '^[a-z]+$' OR token.stem IS NULL
           OR EXISTS (
               SELECT FROM {word} AS l WHERE l.word = token.word OR l.stem = token.stem
           ) AS kept
    FROM token
)
SELECT judged.word, CASE WHEN judged.kept THEN NULL ELSE (
    SELECT json_agg(json_build_array(c.word, c.spelling) ORDER BY c.place)
    FROM (
        SELECT l.word, l.spelling, row_number() OVER (
            ORDER BY reach.distance, l.documents DESC, l.word
        ) AS place
        FROM {word} AS l,
        LATERAL (
            SELECT levenshtein_less_equal(judged.word, l.word, 4) AS distance,
                   CASE WHEN greatest(length(judged.word), length(l.word)) >= %s THEN 2
                        WHEN greatest(length(judged.word), length(l.word)) >= %s THEN 1
                        ELSE 0 END AS typos
        ) AS reach
        WHERE left(l.word, 1) = left(judged.word, 1)
          AND length(l.word) BETWEEN length(judged.word) - 2 AND length(judged.word) + 2
          AND l.stem IS NOT NULL
          AND abs(length(l.word) - length(judged.word)) <= reach.typos
          AND reach.distance <= 2 * reach.typos
        ORDER BY place
        LIMIT %s
    ) AS c
    WHERE EXISTS (
        SELECT FROM ({visible}) AS v
        WHERE v.search_vector @@ plainto_tsquery(%s::regconfig, c.word)
    )
) END
FROM judged
ORDER BY judged.position
"""


def query_corrected(*, q: str) -> str:
    """`q` with each misspelt word replaced by the closest word of the town's lexicon, or `q`
    itself when nothing needs correcting; one query.

    A word is corrected only when it is unknown (neither in the lexicon nor of a known word's
    French stem, nor a stop word): towards a word within typos_allowed() typos (one from
    ONE_TYPO_FROM letters, two from TWO_TYPOS_FROM) that starts with the same letter and finds
    a published product. Of equally close words, the one more products use; the replacement
    keeps the catalogue's accents, and a capital initial.
    """
    spans = [match.span() for match in WORD_PATTERN.finditer(q)]
    if not spans:
        return q
    visible = products_visible().order_by().values("search_vector")
    visible_sql, visible_params = visible.query.sql_with_params()
    sql = _CORRECTION_SQL.format(word=SearchWord._meta.db_table, visible=visible_sql)
    params = [
        [q[start:end] for start, end in spans], SEARCH_CONFIG, ONE_TYPO_FROM - 1,
        TWO_TYPOS_FROM, ONE_TYPO_FROM, CORRECTION_CANDIDATES, *visible_params, SEARCH_CONFIG,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        judged = cursor.fetchall()
    corrected = q
    # From the last word back, so the spans before stay where they are.
    for (start, end), (typed, candidates) in reversed(list(zip(spans, judged, strict=True))):
        reachable = []
        for place, (word, spelling) in enumerate(candidates or []):
            distance = typo_distance(typed, word)
            if distance <= typos_allowed(typed, word):
                reachable.append((distance, place, spelling))
        if not reachable:
            continue
        spelling = min(reachable)[2]
        if q[start].isupper():
            spelling = spelling[0].upper() + spelling[1:]
        corrected = corrected[:start] + spelling + corrected[end:]
    return corrected


def _unaccented_lower(q: str) -> Func:
    # The expression that made title_normalised (services.search), on the query.
    return Lower(Func(Value(q), function="unaccent"))


def _headline(field: str, query: SearchQuery, options: str) -> Func:
    # Django's SearchHeadline quotes each option through a cursor of its own (a round trip
    # per option under django-tenants); these options are constants, so they go as one value.
    return Func(
        Value(SEARCH_CONFIG),
        F(field),
        query,
        Value(f"StartSel={_START}, StopSel={_STOP}, {options}"),
        function="ts_headline",
        output_field=TextField(),
    )


def _highlighted(text: str) -> SafeString:
    return mark_safe(  # noqa: S308 - escaped first; only our own markers become tags
        escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    )


def _matching(*, category: str | None, merchant: str | None) -> QuerySet[Product]:
    products = products_visible().annotate(
        facet_category_id=Coalesce("category_id", "merchant__category_id")
    )
    if category:
        products = products.filter(
            facet_category_id__in=Category.objects.filter(
                Q(slug=category) | Q(parent__slug=category)
            ).values("pk")
        )
    if merchant:
        products = products.filter(merchant__slug=merchant)
    return products.order_by()


_HIT_COLUMNS = ("pk", "merchant_id", "facet_category_id", "created_at", "rank", "similarity")


# Counted on the ids first, then only the ten best of each kind get their names.
_FACETS_SQL = """
    facet AS (
        SELECT GROUPING(facet_category_id) AS no_category, facet_category_id, merchant_id,
               count(*) AS hits,
               row_number() OVER (
                   PARTITION BY GROUPING(facet_category_id)
                   ORDER BY count(*) DESC, facet_category_id, merchant_id
               ) AS place
        FROM hit
        GROUP BY GROUPING SETS ((facet_category_id), (merchant_id))
    ),
    named_facet AS (
        SELECT f.no_category, coalesce(c.slug, m.slug) AS slug, coalesce(c.name, m.name) AS name,
               f.hits
        FROM facet AS f
        LEFT JOIN {category} AS c ON f.no_category = 0 AND c.id = f.facet_category_id
        LEFT JOIN {merchant} AS m ON f.no_category = 1 AND m.id = f.merchant_id
        WHERE f.place <= {shown}
    )
"""


def _facets_split(rows: list[list] | None) -> tuple[list[Facet], list[Facet]]:
    categories: list[Facet] = []
    merchants: list[Facet] = []
    for no_category, slug, name, count in rows or []:
        (merchants if no_category else categories).append(Facet(slug=slug, name=name, count=count))

    def by_count(facet: Facet) -> tuple[int, str]:
        return (-facet.count, facet.name.casefold())

    return (
        sorted(categories, key=by_count)[:FACETS_SHOWN],
        sorted(merchants, key=by_count)[:FACETS_SHOWN],
    )


def _hits(
    found: QuerySet[Product],
    *,
    typos: QuerySet[Product] | None,
    merchants: QuerySet[Any, Any] | None,
    offset: int,
    limit: int,
    with_facets: bool,
) -> tuple[int, list[int], list[Facet], list[Facet], list[MerchantMatch]]:
    """One statement over the matches: their number, the page's ids in order, the facets, and
    the merchants named like the query.

    The matches are materialised once; counting, ranking and grouping read that, so even a
    word found in 10,000 products is looked up in the indexes and the table only once.
    `typos` are searched only when `found` finds nothing: PostgreSQL checks the uncorrelated
    NOT EXISTS once (it stops at the first match), and skips the trigram scan when the words
    were found. Both go into the one materialised set: a second set holding the union would
    copy every match again (a fifth of the statement's time for a word in 13,000 products).
    """
    found_sql, params = found.values(*_HIT_COLUMNS).query.sql_with_params()
    if typos is None:
        sources = f"hit AS MATERIALIZED ({found_sql})"
    else:
        typos_sql, typos_params = typos.values(*_HIT_COLUMNS).query.sql_with_params()
        params = (*params, *typos_params, *params)
        sources = f"""
            hit AS MATERIALIZED (
                ({found_sql})
                UNION ALL
                (SELECT * FROM ({typos_sql}) AS t WHERE NOT EXISTS ({found_sql} LIMIT 1))
            )
        """  # noqa: S608 - SQL made by the ORM, values as parameters
    if with_facets:
        sources += "," + _FACETS_SQL.format(
            category=Category._meta.db_table, merchant=Merchant._meta.db_table, shown=FACETS_SHOWN
        )
    facets_column = (
        "(SELECT json_agg(json_build_array(no_category, slug, name, hits)) FROM named_facet)"
        if with_facets
        else "NULL"
    )
    merchants_column, merchants_params = "NULL", ()
    if merchants is not None:
        merchants_sql, merchants_params = merchants.query.sql_with_params()
        merchants_column = f"""(
            SELECT json_agg(
                json_build_array(m.name, m.slug, m.category_name)
                ORDER BY m.similarity DESC, m.name
            )
            FROM ({merchants_sql}) AS m
        )"""  # noqa: S608 - SQL made by the ORM, values as parameters
    sql = f"""
        WITH {sources}
        SELECT (SELECT count(*) FROM hit),
               ARRAY(
                   SELECT pk FROM hit
                   ORDER BY rank DESC, similarity DESC, created_at DESC, pk DESC
                   LIMIT %s OFFSET %s
               ),
               {facets_column},
               {merchants_column}
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset, *merchants_params])
        total, ids, facet_rows, merchant_rows = cursor.fetchone()
    named = [MerchantMatch(*row) for row in merchant_rows or []]
    return (total, list(ids), *_facets_split(facet_rows), named)


def _merchants_named(q: str) -> QuerySet[Any, Any]:
    # Words of the name close to the query's, or the same (a similarity of 1 then): found
    # through the names' trigram index (the operator's threshold is the typos', see apps.py),
    # so only those merchants get their similarity computed.
    return (
        merchants_visible()
        .annotate(name_normalised=merchant_name_normalised())
        .filter(name_normalised__trigram_strict_word_similar=_unaccented_lower(q))
        .annotate(
            similarity=TrigramStrictWordSimilarity(
                # Django takes an expression for the string too; its stubs say str only.
                _unaccented_lower(q),  # type: ignore[arg-type]
                "name_normalised",
            )
        )
        .annotate(category_name=F("category__name"))
        .order_by("-similarity", "name", "pk")
        .values("name", "slug", "category_name", "similarity")[:MERCHANTS_SHOWN]
    )


def products_search(
    *,
    q: str,
    category: str | None = None,
    merchant: str | None = None,
    page: int = 1,
    per_page: int = 24,
    with_facets: bool = True,
    with_merchants: bool = True,
    with_corrections: bool = True,
) -> ProductSearchResults:
    """Published products of approved merchants matching `q` in French, best first.

    Full text (french_unaccent: accents and plurals) ranked by ts_rank_cd; when the words are
    found nowhere (a typo), titles whose words are close in trigrams, ranked by their strict
    word similarity. An empty `q` lists
    the newest products. `category` (a category's slug, its sub-categories included) and
    `merchant` (a merchant's slug) narrow the results; the facets count what each would give,
    and up to five approved merchants whose name matches come along (`with_merchants`).
    Misspelt words are corrected first (query_corrected, unless `with_corrections` is
    false): the products are those of the corrected query, which `corrected_query` gives.
    The number of queries is the same whatever the results.
    """
    q = query_normalised(q)
    page = max(1, page)
    offset = (page - 1) * per_page
    matching = _matching(category=category, merchant=merchant)
    query: SearchQuery | None = None
    merchants: list[MerchantMatch] = []
    searched = q
    if q:
        searched = query_corrected(q=q) if with_corrections else q
        query = SearchQuery(searched, search_type="websearch", config=SEARCH_CONFIG)
        total, ids, category_facets, merchant_facets, merchants = _hits(
            matching.filter(search_vector=query).annotate(
                rank=SearchRank(F("search_vector"), query, cover_density=True),
                similarity=Value(0.0, output_field=FloatField()),
            ),
            # A misspelt word: whole words of titles close to the query's in trigrams (the
            # threshold is set on each connection, see apps.py).
            typos=matching.filter(
                title_normalised__trigram_strict_word_similar=_unaccented_lower(q)
            ).annotate(
                rank=Value(0.0, output_field=FloatField()),
                similarity=TrigramStrictWordSimilarity(
                    _unaccented_lower(q),  # type: ignore[arg-type]  # an expression, as above
                    "title_normalised",
                ),
            ),
            merchants=_merchants_named(q) if with_merchants else None,
            offset=offset,
            limit=per_page,
            with_facets=with_facets,
        )
    elif with_facets:
        zero = Value(0.0, output_field=FloatField())
        total, ids, category_facets, merchant_facets, _named = _hits(
            matching.annotate(rank=zero, similarity=zero),
            typos=None,
            merchants=None,
            offset=offset,
            limit=per_page,
            with_facets=True,
        )
    else:
        # The newest products (the public API's list): a count, and the page read along the
        # created_at index, rather than the whole catalogue materialised.
        total, category_facets, merchant_facets = matching.count(), [], []
        newest = matching.order_by("-created_at", "-pk").values_list("pk", flat=True)
        ids = list(newest[offset : offset + per_page])

    rows = Product.objects.filter(pk__in=ids).select_related("merchant", "category")
    rows = rows.annotate(**_card_annotations())
    if query is not None:
        marked = rows.annotate(
            title_marked=_headline("title", query, "HighlightAll=true"),
            snippet_marked=_headline(
                "description", query, f"MaxWords={SNIPPET_WORDS}, MinWords=12"
            ),
        )
    else:
        marked = rows.annotate(title_marked=F("title"), snippet_marked=F("description"))
    by_id = {product.pk: product for product in marked}
    products = [_decorated(by_id[pk]) for pk in ids if pk in by_id]
    for product in products:
        product.title_highlighted = _highlighted(product.title_marked)
        snippet = product.snippet_marked
        if query is None:
            # ts_headline keeps about as many words around the match.
            snippet = Truncator(snippet).words(SNIPPET_WORDS)
        product.snippet = _highlighted(snippet)
    return ProductSearchResults(
        query=q,
        products=products,
        total=total,
        page=page,
        per_page=per_page,
        corrected_query=searched if searched != q else "",
        category_facets=category_facets,
        merchant_facets=merchant_facets,
        merchants=merchants,
    )


def product_cards(products: list[Product]) -> list[Product]:
    """Give each product what catalogue/_product_card.html shows (lowest price, price range,
    availability, main photo), in two queries for the whole list. Products need their merchant
    selected."""
    prefetch_related_objects(products, *_card_prefetches())
    for product in products:
        prices = [variant.price_cents for variant in product.variants.all()]
        photos = list(product.photos.all())
        product.lowest_price_cents = min(prices, default=None)
        product.has_price_range = len(set(prices)) > 1
        product.availability = product_availability(product)
        product.main_photo = photos[0] if photos else None
    return products
