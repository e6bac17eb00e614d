"""Keeping the products' search columns and the town's lexicon current.

The weights: title A, tags B, the merchant's name and the category C, the description D.
`title_normalised` (unaccented, lower case) carries the trigram index that catches typos.
Both are computed in SQL, by the same `french_unaccent` configuration and `unaccent`
dictionary the search uses, so what is written and what is asked always agree.

The lexicon (`SearchWord`) holds every word of that same text, unaccented and in lower case,
so the search can tell a misspelt word from a known one and correct it (selectors.
query_corrected). Refreshing products adds their words; refreshing the whole town rebuilds
it, which also drops the words no product uses any more.
"""

from typing import Any

from django.db import connection, transaction

from marketplace.catalogue.models import Product, SearchWord
from marketplace.directory.models import Category, Merchant

SEARCH_CONFIG = "french_unaccent"

# One statement: the products' text once, their search columns, then their words.
_REFRESH_SQL = """
WITH doc AS MATERIALIZED (
    SELECT p.id, p.title, replace(p.tags, ',', ' ') AS tags, p.description,
           m.name || ' ' || coalesce(
               (SELECT c.name FROM {category} AS c WHERE c.id = p.category_id), mc.name, ''
           ) AS shop
    FROM {product} AS p
    JOIN {merchant} AS m ON m.id = p.merchant_id
    JOIN {category} AS mc ON mc.id = m.category_id
    WHERE {where}
),
refreshed AS (
    UPDATE {product} AS p SET
        search_vector =
            setweight(to_tsvector('{config}', doc.title), 'A')
            || setweight(to_tsvector('{config}', doc.tags), 'B')
            || setweight(to_tsvector('{config}', doc.shop), 'C')
            || setweight(to_tsvector('{config}', doc.description), 'D'),
        title_normalised = lower(unaccent(doc.title))
    FROM doc
    WHERE p.id = doc.id
    RETURNING p.id
),
-- The default parser's words ("simple": lower case, accents kept), each once per product;
-- the parts of a hyphenated word come as words of their own.
spelt AS (
    SELECT doc.id, t.spelling, lower(unaccent(t.spelling)) AS word
    FROM doc, unnest(tsvector_to_array(to_tsvector(
        'simple', concat_ws(' ', doc.title, doc.tags, doc.shop, doc.description)
    ))) AS t(spelling)
),
learnt AS (
    INSERT INTO {word} (word, spelling, stem, documents)
    SELECT word, mode() WITHIN GROUP (ORDER BY spelling),
           (tsvector_to_array(to_tsvector('{config}', word)))[1], count(*)
    FROM spelt
    WHERE word ~ '^[a-z]+$'
    GROUP BY word
    ON CONFLICT (word) DO NOTHING
)
SELECT count(*) FROM refreshed
"""


def _refresh(where: str, params: list[Any]) -> int:
    sql = _REFRESH_SQL.format(
        product=Product._meta.db_table,
        merchant=Merchant._meta.db_table,
        category=Category._meta.db_table,
        word=SearchWord._meta.db_table,
        config=SEARCH_CONFIG,
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (refreshed,) = cursor.fetchone()
        return refreshed


def products_search_refresh(*, product_ids: list[int]) -> int:
    """Recompute the search columns of these products and learn their words; returns how many
    products were updated."""
    if not product_ids:
        return 0
    return _refresh("p.id = ANY(%s)", [list(product_ids)])


def products_search_refresh_for_merchant(*, merchant_id: int) -> int:
    """After a merchant's name or category changed: its products' vectors carry them."""
    return _refresh("p.merchant_id = %s", [merchant_id])


def products_search_refresh_all() -> int:
    """Every product of the current town (after a bulk load, or a category renamed), and the
    lexicon rebuilt from them."""
    with transaction.atomic():
        SearchWord.objects.all().delete()
        return _refresh("TRUE", [])
