# The checkout reference is added in three steps (add, fill existing rows, make unique), as
# Django's guide for unique fields with a callable default advises.

from django.db import migrations


def checkout_references_fill(apps, schema_editor):
    from marketplace.orders.services.references import checkout_reference_new

    Checkout = apps.get_model("orders", "Checkout")
    for checkout in Checkout.objects.filter(reference__isnull=True).only("pk"):
        checkout.reference = checkout_reference_new()
        checkout.save(update_fields=["reference"])


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_carts_and_notifications'),
    ]

    operations = [
        migrations.RunPython(checkout_references_fill, migrations.RunPython.noop),
    ]
