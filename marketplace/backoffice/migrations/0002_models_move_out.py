# The back office is a surface and owns no models: daily visits move to `reporting`, staff
# invitations to `directory`, where merchants' teams live. Their rows stay: the tables are
# renamed here and the new apps take the models over in their state only (reporting 0001,
# directory 0006). Invitations already e-mailed are first recorded in send_once, so none is
# e-mailed again once `sent_at` goes.

from django.db import migrations

from comptoir.send_once.migration import sent_columns_carry

MOVES = {"merchantdailyvisits": "reporting", "staffinvitation": "directory"}


def invitations_sent_carry(apps, schema_editor):
    sent_columns_carry(
        apps,
        model="backoffice.StaffInvitation",
        purposes={"sent_at": "directory.staff_invitation"},
    )


def _content_types_relabel(apps, *, back: bool) -> None:
    """Permissions and anything else pointing at the models' content types keep pointing at
    them (a fresh schema has none yet: they are made after migrating)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVES.items():
        old, new = (app, "backoffice") if back else ("backoffice", app)
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_follow(apps, schema_editor):
    _content_types_relabel(apps, back=False)


def content_types_back(apps, schema_editor):
    _content_types_relabel(apps, back=True)


class Migration(migrations.Migration):

    dependencies = [
        ("backoffice", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("send_once", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(invitations_sent_carry, migrations.RunPython.noop),
        migrations.RemoveField(model_name="staffinvitation", name="sent_at"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                operation
                for model, app in MOVES.items()
                for operation in (
                    migrations.AlterModelTable(name=model, table=f"{app}_{model}"),
                    # A renamed table keeps its identity sequence's name; the template's clone
                    # (and anyone reading the schema) expects <table>_id_seq.
                    migrations.RunSQL(
                        f"ALTER SEQUENCE backoffice_{model}_id_seq RENAME TO {app}_{model}_id_seq",
                        f"ALTER SEQUENCE {app}_{model}_id_seq RENAME TO backoffice_{model}_id_seq",
                    ),
                )
            ],
            state_operations=[
                migrations.DeleteModel(name="MerchantDailyVisits"),
                migrations.DeleteModel(name="StaffInvitation"),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
