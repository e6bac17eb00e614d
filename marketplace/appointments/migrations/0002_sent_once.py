# Confirmations and cancellations already e-mailed are recorded in send_once before their
# columns go, so none is e-mailed again.

from django.db import migrations

from comptoir.send_once.migration import sent_columns_carry


def sent_carry(apps, schema_editor):
    sent_columns_carry(
        apps,
        model="appointments.Appointment",
        purposes={
            "confirmation_sent_at": "appointments.confirmation",
            "cancellation_sent_at": "appointments.cancellation",
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ("appointments", "0001_initial"),
        ("send_once", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(sent_carry, migrations.RunPython.noop),
        migrations.RemoveField(model_name="appointment", name="confirmation_sent_at"),
        migrations.RemoveField(model_name="appointment", name="cancellation_sent_at"),
    ]
