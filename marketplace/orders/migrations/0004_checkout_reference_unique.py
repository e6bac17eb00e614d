import marketplace.orders.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_checkout_references_fill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='checkout',
            name='reference',
            field=models.CharField(default=marketplace.orders.models.new_checkout_reference, max_length=16, unique=True, verbose_name='reference'),
        ),
    ]
