# Invitations already sent are recorded in send_once before their column goes, so none is sent
# again. Users live in the public schema too (vendor staff), which has no send_once table and
# no invitations.

from django.db import migrations
from django_tenants.utils import get_public_schema_name

from comptoir.send_once.migration import sent_columns_carry


def invitations_sent_carry(apps, schema_editor):
    if schema_editor.connection.schema_name == get_public_schema_name():
        return
    sent_columns_carry(
        apps, model="accounts.User", purposes={"invitation_sent_at": "accounts.invitation"}
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("send_once", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(invitations_sent_carry, migrations.RunPython.noop),
        migrations.RemoveField(model_name="user", name="invitation_sent_at"),
    ]
