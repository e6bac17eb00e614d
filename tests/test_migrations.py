"""Issue 7's migrations on a schema holding data: what was already sent stays sent (the apps'
own marks become send_once claims) and the models leaving the back office keep their rows."""

from datetime import UTC, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

from comptoir.accounts.tasks import account_invitation_send
from comptoir.send_once.models import SentOnce
from marketplace.appointments.tasks import appointment_confirmation_send
from marketplace.directory.models import StaffInvitation
from marketplace.directory.tasks import staff_invitation_send
from marketplace.messaging.tasks import message_notify
from reporting.models import PageViewsDaily

SCHEMA = "migration_probe"
# Each app just before issue 7's migrations.
BEFORE = [
    ("accounts", "0001_initial"),
    ("appointments", "0001_initial"),
    ("backoffice", "0001_initial"),
    ("directory", "0004_opening_hours_merchant_day_index"),
    ("messaging", "0001_initial"),
    ("orders", "0004_checkout_reference_unique"),
]
SENT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _rows_sent_before(apps) -> dict[str, int]:
    """One of each thing the apps marked as sent, and one of each not sent yet."""

    def model(label: str):
        return apps.get_model(*label.split("."))

    admin = model("accounts.User").objects.create(
        email="mairie@probe.test", is_town_admin=True, invitation_sent_at=SENT
    )
    shopper = model("accounts.User").objects.create(email="camille@probe.test")
    category = model("directory.Category").objects.create(name="Fleurs", slug="fleurs")
    merchant = model("directory.Merchant").objects.create(
        name="Fleurs de Lys",
        slug="fleurs-de-lys",
        category=category,
        email="contact@fleurs.test",
        status="approved",
        application_notified_at=SENT,
        decision_notified_at=SENT,
    )
    invitations = model("backoffice.StaffInvitation").objects
    invited = invitations.create(merchant=merchant, user=shopper, invited_by=admin, sent_at=SENT)
    waiting = invitations.create(merchant=merchant, user=admin, invited_by=admin)
    model("backoffice.MerchantDailyVisits").objects.create(
        merchant=merchant, day=SENT.date(), count=3
    )
    conversation = model("messaging.Conversation").objects.create(
        merchant=merchant, shopper=shopper
    )
    message = model("messaging.Message").objects.create(
        conversation=conversation, side="shopper", body="Bonjour", notified_at=SENT
    )
    slot = model("appointments.Slot").objects.create(
        merchant=merchant, starts_at=SENT, ends_at=SENT + timedelta(hours=1), capacity=1
    )
    appointment = model("appointments.Appointment").objects.create(
        slot=slot, merchant=merchant, name="J", email="j@probe.test", confirmation_sent_at=SENT
    )
    checkout = model("orders.Checkout").objects.create(
        idempotency_key="probe", contact_name="Camille", contact_email="camille@probe.test"
    )
    order = model("orders.Order").objects.create(
        reference="PROBE1",
        checkout=checkout,
        merchant=merchant,
        fulfilment="click_collect",
        subtotal_cents=1000,
        total_cents=1000,
    )
    notifications = model("orders.OrderNotification").objects
    for kind in ("merchant_new_order", "shopper_checkout"):
        notifications.create(order=order, kind=kind)
    notifications.update(sent_at=SENT)
    model("contenttypes.ContentType").objects.create(
        app_label="backoffice", model="staffinvitation"
    )
    return {
        "admin": admin.pk,
        "merchant": merchant.pk,
        "invited": invited.pk,
        "waiting": waiting.pk,
        "message": message.pk,
        "appointment": appointment.pk,
        "order": order.pk,
        "checkout": checkout.pk,
    }


def _migrate_with_data() -> dict[str, int]:
    """A town's schema migrated up to BEFORE, given rows, then migrated to the end (inside the
    test's transaction, so it goes with it); the rows' ids."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{SCHEMA}"')
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    ids = _rows_sent_before(executor.loader.project_state(BEFORE).apps)
    # The rows' deferred foreign-key checks run now: a table with pending checks cannot be
    # altered in the same transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return ids


# One test: migrating a schema takes most of half a minute.
def test_what_was_sent_stays_sent_and_moved_models_keep_their_rows(db):
    with schema_context(SCHEMA):
        ids = _migrate_with_data()

        claims = set(SentOnce.objects.values_list("purpose", "key", "claimed_at"))
        sent_again = [
            account_invitation_send.apply(args=[ids["admin"]]).get(),
            staff_invitation_send.apply(args=[ids["invited"]]).get(),
            message_notify.apply(args=[ids["message"]]).get(),
            appointment_confirmation_send.apply(args=[ids["appointment"]]).get(),
        ]
        invitations = sorted(StaffInvitation.objects.values_list("pk", "merchant_id"))
        visits = list(
            PageViewsDaily.objects.filter(kind="merchant").values_list(
                "merchant_id", "day", "views"
            )
        )
        content_type = ContentType.objects.get(model="staffinvitation")

    assert claims == {
        ("accounts.invitation", str(ids["admin"]), SENT),
        ("directory.merchant_application", str(ids["merchant"]), SENT),
        ("directory.merchant_decision", str(ids["merchant"]), SENT),
        ("directory.staff_invitation", str(ids["invited"]), SENT),
        ("messaging.message", str(ids["message"]), SENT),
        ("appointments.confirmation", str(ids["appointment"]), SENT),
        ("orders.merchant_new_order", str(ids["order"]), SENT),
        # The checkout's summary was recorded against its first order; now against itself.
        ("orders.checkout_confirmation", str(ids["checkout"]), SENT),
    }
    assert sent_again == [False, False, False, False]
    assert mail.outbox == []
    assert invitations == [(ids["invited"], ids["merchant"]), (ids["waiting"], ids["merchant"])]
    assert visits == [(ids["merchant"], SENT.date(), 3)]
    assert content_type.app_label == "directory"
