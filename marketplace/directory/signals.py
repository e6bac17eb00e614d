"""What the directory announces to the apps above it, which it never names.

`merchant_name_or_category_changed` is sent, inside the transaction that saves it, when a merchant's name or
category changes (`merchant_id` keyword); a receiver's writes commit or roll back with it.
The catalogue receives it to re-index the merchant's products, which are searched by them.
"""

from django.dispatch import Signal

merchant_name_or_category_changed = Signal()
