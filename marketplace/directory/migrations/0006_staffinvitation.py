# StaffInvitation moves here from the back office with its rows: backoffice 0002 renamed its
# table to this app's name, so only the state changes here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("backoffice", "0002_models_move_out"),
        ("directory", "0005_notified_sent_once"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffInvitation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("invited_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("merchant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="staff_invitations", to="directory.merchant")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="staff_invitations", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "staff invitation",
                        "verbose_name_plural": "staff invitations",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
            ],
        ),
    ]
