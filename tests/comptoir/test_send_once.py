"""Sending once: one send per purpose and key, given back when sending fails, kept per town."""

from collections.abc import Iterator

import pytest

from comptoir.send_once.models import SentOnce
from comptoir.send_once.services import send_once
from tenants.models import Town
from tests.concurrency import in_threads, town_committed
from tests.conftest import inside


def _tests_claims() -> list[tuple[str, str]]:
    """This module's claims (provisioning already claimed the administrator's invitation)."""
    return list(SentOnce.objects.filter(purpose__startswith="tests.").values_list("purpose", "key"))


def _failing() -> None:
    raise ConnectionError("SMTP down")


def test_the_same_purpose_and_key_are_sent_once(town_a):
    sent: list[str] = []

    with inside(town_a):
        results = [
            send_once(purpose="tests.notice", key=7, send=lambda: sent.append("first")),
            send_once(purpose="tests.notice", key="7", send=lambda: sent.append("again")),
            send_once(purpose="tests.notice", key=8, send=lambda: sent.append("other key")),
            send_once(purpose="tests.reminder", key=7, send=lambda: sent.append("other purpose")),
        ]
        claims = sorted(_tests_claims())

    assert results == [True, False, True, True]
    assert sent == ["first", "other key", "other purpose"]
    assert claims == [("tests.notice", "7"), ("tests.notice", "8"), ("tests.reminder", "7")]


def test_a_failed_send_gives_its_claim_back_so_a_retry_sends(town_a):
    sent: list[str] = []

    with inside(town_a):
        with pytest.raises(ConnectionError):
            send_once(purpose="tests.notice", key=7, send=_failing)
        assert _tests_claims() == []

        assert send_once(purpose="tests.notice", key=7, send=lambda: sent.append("retry"))
        assert not send_once(purpose="tests.notice", key=7, send=lambda: sent.append("again"))

    assert sent == ["retry"]


def test_a_claim_in_one_town_does_not_block_the_same_key_in_another(town_a, town_b):
    sent: list[str] = []

    with inside(town_a):
        assert send_once(purpose="tests.notice", key=7, send=lambda: sent.append("alpha"))
    with inside(town_b):
        assert _tests_claims() == []
        assert send_once(purpose="tests.notice", key=7, send=lambda: sent.append("beta"))
    with inside(town_a):
        assert not send_once(purpose="tests.notice", key=7, send=lambda: sent.append("again"))

    assert sent == ["alpha", "beta"]


@pytest.fixture
def committed_town(django_db_setup, django_db_blocker) -> Iterator[Town]:
    def cleanup() -> None:
        SentOnce.objects.filter(purpose__startswith="tests.").delete()

    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        yield town


def test_workers_racing_for_the_same_claim_send_once(committed_town):
    sent: list[int] = []

    errors = in_threads(
        10,
        lambda index: send_once(purpose="tests.race", key=1, send=lambda: sent.append(index)),
        committed_town,
    )

    assert errors == []
    assert len(sent) == 1
    with inside(committed_town):
        assert SentOnce.objects.filter(purpose="tests.race").count() == 1
