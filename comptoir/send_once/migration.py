"""For the migrations that carry an app's own "already sent" marks into SentOnce, so nothing
sent before the move is sent again. Migrations import it: keep what it does."""

from collections.abc import Iterable
from datetime import datetime

from django.apps.registry import Apps


def sent_marks_carry(apps: Apps, marks: Iterable[tuple[str, object, datetime]]) -> None:
    """Record each (purpose, key, sent at) as sent once; a mark already recorded is kept."""
    sent_once = apps.get_model("send_once", "SentOnce")
    sent_once.objects.bulk_create(
        (
            sent_once(purpose=purpose, key=str(key), claimed_at=sent_at)
            for purpose, key, sent_at in marks
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


def sent_columns_carry(apps: Apps, *, model: str, purposes: dict[str, str]) -> None:
    """Carry the times a model's rows were sent, keyed by their pk: `purposes` maps each such
    column ("notified_at", …) to the purpose its rows are recorded under."""
    rows = apps.get_model(model)
    for column, purpose in purposes.items():
        sent = rows.objects.filter(**{f"{column}__isnull": False}).values_list("pk", column)
        sent_marks_carry(apps, ((purpose, pk, sent_at) for pk, sent_at in sent))
