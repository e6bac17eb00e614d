"""The campaigns tests read the English messages (the msgids), whatever the French catalogue
says: pages are asked in English and services run with English active."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
