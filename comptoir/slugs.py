"""Slugs made from a title, unique among the rows of one table."""

import re

from django.db.models import QuerySet
from django.utils.text import slugify


def slug_free(*, rows: QuerySet, text: str, base_length: int, fallback: str) -> str:
    """A slug from `text` that no row of `rows` has: "savon-au-lait", else "savon-au-lait-2",
    "-3"… `fallback` stands in when `text` gives no slug at all; `base_length` leaves room for
    the number within the field's length.

    Two callers racing may pick the same slug: the unique constraint refuses the second.
    """
    base = slugify(text)[:base_length].strip("-") or fallback
    taken = set(
        rows.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$").values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
