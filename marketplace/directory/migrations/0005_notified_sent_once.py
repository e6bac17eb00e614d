# Applications and decisions already e-mailed are recorded in send_once before their columns
# go, so none is e-mailed again.

from django.db import migrations

from comptoir.send_once.migration import sent_columns_carry


def notified_carry(apps, schema_editor):
    sent_columns_carry(
        apps,
        model="directory.Merchant",
        purposes={
            "application_notified_at": "directory.merchant_application",
            "decision_notified_at": "directory.merchant_decision",
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0004_opening_hours_merchant_day_index"),
        ("send_once", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(notified_carry, migrations.RunPython.noop),
        migrations.RemoveField(model_name="merchant", name="application_notified_at"),
        migrations.RemoveField(model_name="merchant", name="decision_notified_at"),
    ]
