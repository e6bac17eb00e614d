"""The campaigns tests read the English messages (the msgids), whatever the French catalogue
says: pages are asked in English and services run with English active."""

import pytest


@pytest.fixture(autouse=True)
def _english(english) -> None:
    """Every campaigns test in English."""
