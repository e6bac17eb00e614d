"""Keeping the products' search columns current.

The weights: title A, tags B, the merchant's name and the category C, the description D.
`title_normalised` (unaccented, lower case) carries the trigram index that catches typos.
Both are computed in SQL, by the same `french_unaccent` configuration and `unaccent`
dictionary the search uses, so what is written and what is asked always agree.
"""

from typing import Any

from django.db import connection

from marketplace.catalogue.models import Product
from marketplace.directory.models import Category, Merchant

SEARCH_CONFIG = "french_unaccent"

_REFRESH_SQL = """
UPDATE {product} AS p SET
    search_vector =
        setweight(to_tsvector('{config}', p.title), 'A')
        || setweight(to_tsvector('{config}', replace(p.tags, ',', ' ')), 'B')
        || setweight(to_tsvector('{config}', m.name || ' ' || coalesce(
            (SELECT c.name FROM {category} AS c WHERE c.id = p.category_id), mc.name, ''
        )), 'C')
        || setweight(to_tsvector('{config}', p.description), 'D'),
    title_normalised = lower(unaccent(p.title))
FROM {merchant} AS m JOIN {category} AS mc ON mc.id = m.category_id
WHERE m.id = p.merchant_id AND {where}
"""


def _refresh(where: str, params: list[Any]) -> int:
    sql = _REFRESH_SQL.format(
        product=Product._meta.db_table,
        merchant=Merchant._meta.db_table,
        category=Category._meta.db_table,
        config=SEARCH_CONFIG,
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def products_search_refresh(*, product_ids: list[int]) -> int:
    """Recompute the search columns of these products; returns how many rows were updated."""
    if not product_ids:
        return 0
    return _refresh("p.id = ANY(%s)", [list(product_ids)])


def products_search_refresh_for_merchant(*, merchant_id: int) -> int:
    """After a merchant's name or category changed: its products' vectors carry them."""
    return _refresh("p.merchant_id = %s", [merchant_id])


def products_search_refresh_all() -> int:
    """Every product of the current town (after a bulk load, or a category renamed)."""
    return _refresh("TRUE", [])
