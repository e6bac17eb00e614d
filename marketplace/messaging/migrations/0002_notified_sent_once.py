# Messages already e-mailed are recorded in send_once before `notified_at` goes, so none is
# e-mailed again.

from django.db import migrations

from comptoir.send_once.migration import sent_columns_carry


def notified_carry(apps, schema_editor):
    sent_columns_carry(apps, model="messaging.Message", purposes={"notified_at": "messaging.message"})


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0001_initial"),
        ("send_once", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(notified_carry, migrations.RunPython.noop),
        migrations.RemoveField(model_name="message", name="notified_at"),
    ]
