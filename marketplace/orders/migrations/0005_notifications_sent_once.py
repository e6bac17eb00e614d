# Order notifications already sent are recorded in send_once before their table goes, so none
# is sent again. The shopper's summary of a checkout was recorded against its first order; it
# is now keyed by the checkout.

from django.db import migrations

from comptoir.send_once.migration import sent_marks_carry


def notifications_carry(apps, schema_editor):
    OrderNotification = apps.get_model("orders", "OrderNotification")
    sent = OrderNotification.objects.values_list("kind", "order_id", "order__checkout_id", "sent_at")
    sent_marks_carry(
        apps,
        (
            ("orders.checkout_confirmation", checkout_id, sent_at)
            if kind == "shopper_checkout"
            else (f"orders.{kind}", order_id, sent_at)
            for kind, order_id, checkout_id, sent_at in sent
        ),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0004_checkout_reference_unique"),
        ("send_once", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(notifications_carry, migrations.RunPython.noop),
        migrations.DeleteModel(name="OrderNotification"),
    ]
