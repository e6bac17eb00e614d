"""How a shop hands an order over: the ways it offers, what a delivery costs, when to collect.

Pure rules on a merchant (its hours prefetched for the pickup times): the checkout's selector
reads them once per request, and the checkout service validates against what it read.
"""

from datetime import datetime

from marketplace.directory.hours import pickup_slots
from marketplace.directory.models import Merchant
from marketplace.orders.models import Order

Fulfilment = Order.Fulfilment
DELIVERIES = (Fulfilment.LOCAL_DELIVERY, Fulfilment.POSTAL)
# Pickup slots are offered over this many days; checkout prefetches exceptional hours as far.
PICKUP_DAYS = 7


def fulfilments_offered(merchant: Merchant) -> list[str]:
    """The ways this shop hands goods over, in the order the checkout lists them."""
    offered = [
        (Fulfilment.CLICK_COLLECT, merchant.offers_click_collect),
        (Fulfilment.RESERVE_PAY_IN_SHOP, merchant.offers_reserve_pay_in_shop),
        (Fulfilment.LOCAL_DELIVERY, merchant.offers_local_delivery),
        (Fulfilment.POSTAL, merchant.offers_postal_delivery),
    ]
    return [fulfilment for fulfilment, is_offered in offered if is_offered]


def delivery_fee_cents(merchant: Merchant, fulfilment: str) -> int:
    if fulfilment == Fulfilment.LOCAL_DELIVERY:
        return merchant.local_delivery_fee_cents
    if fulfilment == Fulfilment.POSTAL:
        return merchant.postal_delivery_fee_cents
    return 0


def merchant_pickup_slots(merchant: Merchant, *, now: datetime) -> list[datetime]:
    """The pickup times checkout offers (merchant's hours prefetched)."""
    return pickup_slots(merchant, after=now, days=PICKUP_DAYS)
