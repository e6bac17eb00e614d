"""A task sent from a service is queued at commit, for the town that sent it, and never on a
rollback."""

from unittest import mock

import pytest
from django.db import transaction

from comptoir.celery import task_after_commit
from tests.conftest import inside


def test_the_task_is_queued_at_commit_with_the_sending_town_s_schema(
    town_a, town_b, django_capture_on_commit_callbacks
):
    task = mock.Mock()

    with django_capture_on_commit_callbacks() as callbacks:
        with inside(town_a):
            task_after_commit(task, 7, "ready")
        task.apply_async.assert_not_called()
    with inside(town_b):
        for callback in callbacks:
            callback()

    task.apply_async.assert_called_once_with(
        args=[7, "ready"], headers={"_schema_name": town_a.schema_name}
    )


def test_nothing_is_queued_when_the_transaction_rolls_back(
    town_a, django_capture_on_commit_callbacks
):
    task = mock.Mock()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        inside(town_a),
    ):
        task_after_commit(task, 7)
        raise RuntimeError

    assert callbacks == []
    task.apply_async.assert_not_called()


def test_a_send_that_fails_after_the_commit_is_logged_not_raised(
    town_a, django_capture_on_commit_callbacks, caplog
):
    task = mock.Mock()
    task.apply_async.side_effect = ConnectionError("broker down")

    with django_capture_on_commit_callbacks(execute=True), inside(town_a):
        task_after_commit(task, 7)

    task.apply_async.assert_called_once()
    assert "broker down" in caplog.text
