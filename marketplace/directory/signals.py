"""What the directory announces to the apps above it, which it never names.

`merchant_page_viewed` is sent when a merchant's public page is shown (`merchant_id`, `day`
keywords, the day on the town's clock); reporting counts it.

`merchant_name_or_category_changed` is sent, inside the transaction that saves it, when a merchant's name or
category changes (`merchant_id` keyword); a receiver's writes commit or roll back with it.
The catalogue receives it to re-index the merchant's products, which are searched by them.
"""

from django.dispatch import Signal

merchant_name_or_category_changed = Signal()
merchant_page_viewed = Signal()
