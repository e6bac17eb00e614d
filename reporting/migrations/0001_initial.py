# MerchantDailyVisits moves here from the back office with its rows: backoffice 0002 renamed
# its table to this app's name, so only the state changes here.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("backoffice", "0002_models_move_out"),
        ("directory", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MerchantDailyVisits",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("day", models.DateField(verbose_name="day")),
                        ("count", models.PositiveIntegerField(default=0, verbose_name="visits")),
                        ("merchant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="daily_visits", to="directory.merchant")),
                    ],
                    options={
                        "verbose_name": "daily visits",
                        "verbose_name_plural": "daily visits",
                        "ordering": ["-day"],
                        "constraints": [models.UniqueConstraint(fields=("merchant", "day"), name="one_visit_row_per_day")],
                    },
                ),
            ],
        ),
    ]
