"""A demo town's life, played through the platform's own services: shoppers check out carts,
merchants accept, prepare, hand over, refuse; shoppers cancel, write to shops and book
appointments; the town's administrators publish the season's campaign.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.town import town_now
from marketplace.appointments.models import Slot
from marketplace.appointments.services import (
    appointment_book,
    appointment_cancel_by_shopper,
    slot_rule_add,
)
from marketplace.campaigns.models import Campaign
from marketplace.campaigns.selectors import campaign_current
from marketplace.campaigns.services import campaign_create, campaign_publish
from marketplace.catalogue.models import Product, Variant
from marketplace.demo import images
from marketplace.demo.content import (
    CANCELLATION_REASONS,
    MERCHANT_REPLIES,
    REFUSAL_REASONS,
    SEASONAL_CAMPAIGNS,
    SHOPPER_MESSAGES,
    TRADES,
    SeasonalCampaign,
)
from marketplace.demo.directory import categories_by_slug, demo_category
from marketplace.directory.models import Merchant, MerchantMember
from marketplace.messaging.models import Side
from marketplace.messaging.services import conversation_start_by_shopper, message_post
from marketplace.orders.fulfilment import fulfilments_offered, merchant_pickup_slots
from marketplace.orders.models import Checkout, Order, OrderEvent
from marketplace.orders.selectors import checkout_info_fetch, merchants_for_checkout
from marketplace.orders.services.cart import cart_add, cart_get_or_create
from marketplace.orders.services.checkout import Contact, FulfilmentChoice, checkout_place
from marketplace.orders.services.transitions import (
    order_accept,
    order_cancel,
    order_mark_collected,
    order_mark_delivered,
    order_mark_ready,
    order_refuse,
)
from marketplace.shoppers.models import Address

Status = Order.Status
Fulfilment = Order.Fulfilment

# Each checkout of the demo, as the statuses its orders end in (one order per shop). The first
# six already reach every status, for a small demo.
CHECKOUTS = (
    (Status.PLACED, Status.ACCEPTED), (Status.READY,), (Status.COLLECTED,), (Status.DELIVERED,),
    (Status.REFUSED,), (Status.CANCELLED,), (Status.PLACED,), (Status.ACCEPTED,),
    (Status.READY, Status.COLLECTED), (Status.COLLECTED, Status.COLLECTED), (Status.DELIVERED,),
    (Status.REFUSED, Status.PLACED), (Status.CANCELLED,), (Status.ACCEPTED, Status.READY),
    (Status.PLACED,), (Status.COLLECTED,),
)  # fmt: skip
FINAL = (Status.COLLECTED, Status.DELIVERED, Status.REFUSED, Status.CANCELLED)
# The path of the merchant's transitions to reach each status.
STEPS: dict[str, tuple[Callable[..., Order], ...]] = {
    Status.PLACED: (),
    Status.ACCEPTED: (order_accept,),
    Status.READY: (order_accept, order_mark_ready),
    Status.COLLECTED: (order_accept, order_mark_ready, order_mark_collected),
    Status.DELIVERED: (order_accept, order_mark_ready, order_mark_delivered),
    Status.REFUSED: (order_refuse,),
}


@dataclass(frozen=True)
class ActivityPlayed:
    orders: int
    messages: int
    appointments: int


def _sellers() -> list[Merchant]:
    """Approved merchants taking orders online, each with its owner and its buyable variants."""
    variants = Variant.objects.filter(
        stock__gte=3, product__is_published=True, product__sold_in_shop_only=False
    ).order_by("pk")
    merchants = list(
        Merchant.objects.filter(status=Merchant.Status.APPROVED, sells_online=True)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=MerchantMember.objects.filter(role=MerchantMember.Role.OWNER)
                .select_related("user")
                .order_by("pk"),
                to_attr="owners",
            )
        )
        .order_by("pk")
    )
    buyable: dict[int, list[Variant]] = {}
    for variant in variants.filter(product__merchant__in=merchants).select_related("product"):
        buyable.setdefault(variant.product.merchant_id, []).append(variant)
    for merchant in merchants:
        merchant.buyable = buyable.get(merchant.pk, [])[:6]  # type: ignore[attr-defined]
    return [m for m in merchants if m.buyable and m.owners and fulfilments_offered(m)]  # type: ignore[attr-defined]


def _choice(
    merchant: Merchant, *, wanted: str, address: Address | None, rng: random.Random, now: datetime
) -> FulfilmentChoice | None:
    """How the shopper receives this shop's part, fit for the status the order must reach."""
    offered: list[str] = fulfilments_offered(merchant)
    kinds: list[str]
    if wanted == Status.DELIVERED:
        kinds = [k for k in (Fulfilment.LOCAL_DELIVERY, Fulfilment.POSTAL) if k in offered]
    elif wanted == Status.COLLECTED or rng.random() < 0.75:
        kinds = [
            k for k in (Fulfilment.CLICK_COLLECT, Fulfilment.RESERVE_PAY_IN_SHOP) if k in offered
        ]
    else:
        kinds = offered
    if not kinds:
        return None
    kind = kinds[0]
    if kind == Fulfilment.CLICK_COLLECT:
        slots = merchant_pickup_slots(merchant, now=now)
        if not slots:
            return None
        # Not the first slots: checkout computes them again a moment later.
        return FulfilmentChoice(kind, pickup_at=slots[min(len(slots) - 1, 3 + rng.randint(0, 8))])
    if kind in (Fulfilment.LOCAL_DELIVERY, Fulfilment.POSTAL):
        if address is None:
            return None
        return FulfilmentChoice(
            kind, address=address.street, postcode=address.postcode, city=address.city
        )
    return FulfilmentChoice(kind)


def _order_driven(
    order: Order, *, target: str, shopper: User, owner: User, rng: random.Random
) -> None:
    if target == Status.CANCELLED:
        order_cancel(order_id=order.pk, actor=shopper, reason=rng.choice(CANCELLATION_REASONS))
        return
    for step in STEPS[target]:
        reason = rng.choice(REFUSAL_REASONS) if step is order_refuse else ""
        step(order_id=order.pk, actor=owner, reason=reason)


def _backdated(checkout: Checkout, *, days: int) -> None:
    """A finished checkout happened some days ago: its dates say so, events a few hours apart."""
    placed = timezone.now() - timedelta(days=days, hours=3)
    Checkout.objects.filter(pk=checkout.pk).update(created_at=placed)
    for order in checkout.orders.all():
        pickup = order.pickup_at and placed + timedelta(days=1)
        Order.objects.filter(pk=order.pk).update(
            created_at=placed, updated_at=placed + timedelta(days=1), pickup_at=pickup
        )
        for step, event in enumerate(order.events.order_by("pk")):
            OrderEvent.objects.filter(pk=event.pk).update(
                created_at=placed + timedelta(hours=5 * step)
            )


def demo_orders_play(*, shoppers: list[User], checkouts: int, rng: random.Random) -> list[Order]:
    """Checkouts of the demo shoppers, then each order moved to its planned status."""
    sellers = _sellers()
    if not sellers or not shoppers:
        return []
    now = timezone.now()
    by_pk = merchants_for_checkout(merchant_ids=[m.pk for m in sellers], today=town_now().date())
    addresses = {a.user_id: a for a in Address.objects.filter(user__in=shoppers).order_by("pk")}
    orders: list[Order] = []
    turn = 0
    for number, targets in enumerate(CHECKOUTS[:checkouts]):
        shopper = shoppers[number % len(shoppers)]
        planned: dict[int, tuple[Merchant, str, FulfilmentChoice]] = {}
        for target in targets:
            for _attempt in range(len(sellers)):
                merchant = sellers[turn % len(sellers)]
                turn += 1
                if merchant.pk in planned:
                    continue
                choice = _choice(
                    by_pk[merchant.pk], wanted=target, address=addresses.get(shopper.pk),
                    rng=rng, now=now,
                )  # fmt: skip
                if choice is not None:
                    planned[merchant.pk] = (merchant, target, choice)
                    break
        if not planned:
            continue
        cart = cart_get_or_create(user=shopper, cart_id=None)
        for merchant, _target, _choice_made in planned.values():
            for variant in rng.sample(merchant.buyable, min(2, len(merchant.buyable))):  # type: ignore[attr-defined]
                cart_add(cart=cart, variant_id=variant.pk, quantity=rng.randint(1, 2))
        checkout = checkout_place(
            info=checkout_info_fetch(cart=cart),
            contact=Contact(name=shopper.full_name, email=shopper.email),
            choices_per_merchant={pk: choice for pk, (_m, _t, choice) in planned.items()},
            idempotency_key=f"demo-checkout-{number}",
            customer=shopper,
        ).checkout
        for order in checkout.orders.order_by("pk"):
            merchant, goal, _choice_made = planned[order.merchant_id]
            owner = merchant.owners[0].user  # type: ignore[attr-defined]
            _order_driven(order, target=goal, shopper=shopper, owner=owner, rng=rng)
            orders.append(order)
        if all(goal in FINAL for _m, goal, _c in planned.values()):
            _backdated(checkout, days=rng.randint(2, 25))
    return orders


def demo_messages_play(*, orders: list[Order]) -> int:
    """Shoppers write to shops about their orders; the shops answer most of them."""
    written = 0
    ordered = (
        Order.objects.filter(pk__in=[o.pk for o in orders], customer__isnull=False)
        .select_related("customer")
        .order_by("pk")
    )
    for index, order in enumerate(ordered[: len(SHOPPER_MESSAGES)]):
        shopper = order.customer
        if shopper is None:
            continue
        message = conversation_start_by_shopper(
            shopper=shopper, merchant_id=order.merchant_id, order_id=order.pk,
            body=SHOPPER_MESSAGES[index],
        )  # fmt: skip
        written += 1
        if index % 3 != 2:  # one conversation in three still awaits the shop's answer
            owner = (
                MerchantMember.objects.filter(
                    merchant_id=order.merchant_id, role=MerchantMember.Role.OWNER
                )
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if owner is not None:
                message_post(
                    conversation_id=message.conversation_id, author=owner.user,
                    side=Side.MERCHANT, body=MERCHANT_REPLIES[index],
                )  # fmt: skip
                written += 1
    return written


def demo_appointments_play(*, shoppers: list[User], rng: random.Random) -> int:
    """Merchants taking appointments open weekly slots; shoppers book some, cancel one."""
    merchants = Merchant.objects.filter(
        status=Merchant.Status.APPROVED, offers_appointments=True
    ).order_by("pk")
    booked = 0
    for merchant in merchants:
        owner = (
            merchant.members.filter(role=MerchantMember.Role.OWNER).select_related("user").first()
        )
        if owner is None:
            continue
        for weekday, starts_at, ends_at in ((1, 9, 12), (3, 14, 19), (5, 9, 13)):
            slot_rule_add(
                actor=owner.user, merchant_id=merchant.pk, weekday=weekday,
                starts_at=time(starts_at), ends_at=time(ends_at), duration_minutes=45, capacity=1,
            )  # fmt: skip
        slots = list(
            Slot.objects.filter(
                merchant=merchant, starts_at__gt=timezone.now() + timedelta(days=1)
            ).order_by("starts_at")[:40]
        )
        appointment = None
        for shopper in rng.sample(shoppers, min(3, len(shoppers), len(slots))):
            slot = slots.pop(rng.randrange(len(slots)))
            appointment = appointment_book(
                merchant_id=merchant.pk, slot_id=slot.pk, shopper=shopper, name=shopper.full_name,
                email=shopper.email, note="Première visite.",
            )  # fmt: skip
            booked += 1
        if appointment is not None:
            appointment_cancel_by_shopper(
                cancel_token=appointment.cancel_token,
                reason="Un empêchement, je reprendrai rendez-vous.",
            )
    return booked


def _season_window(campaign: SeasonalCampaign, year: int) -> tuple[date, date]:
    first = date(year, campaign.months[0], 1)
    last_month = campaign.months[-1]
    following = date(year + (last_month == 12), last_month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _season_of(day: date) -> SeasonalCampaign:
    return next(c for c in SEASONAL_CAMPAIGNS if day.month in c.months)


def _featured(campaign: SeasonalCampaign) -> tuple[list[int], list[int]]:
    """Up to 6 approved merchants, those of the campaign's trades first, and up to 8 of their
    products on sale online, taken in turn from each merchant."""
    known = categories_by_slug()
    rank = {
        demo_category(*TRADES[key].category, known=known).pk: position
        for position, key in reversed(list(enumerate(campaign.trades)))
    }
    merchants = sorted(
        Merchant.objects.filter(status=Merchant.Status.APPROVED),
        key=lambda m: (rank.get(m.category_id, len(rank)), not m.sells_online, m.pk),
    )[:6]
    by_merchant: dict[int, list[int]] = {}
    for product_id, merchant_id in (
        Product.objects.filter(
            merchant__in=merchants, is_published=True, sold_in_shop_only=False,
            variants__stock__gt=0,
        )
        .distinct()
        .order_by("merchant_id", "pk")
        .values_list("pk", "merchant_id")
    ):  # fmt: skip
        by_merchant.setdefault(merchant_id, []).append(product_id)
    products = [ids[turn] for turn in range(8) for ids in by_merchant.values() if turn < len(ids)]
    return [m.pk for m in merchants], products[:8]


def demo_campaign_ensure(*, admin: User | None, today: date) -> list[Campaign]:
    """The season's campaign, running and published, with the previous season's behind it;
    nothing when a campaign runs already. Returns the campaigns made."""
    if admin is None or campaign_current(today=today) is not None:
        return []
    season = _season_of(today)
    index = SEASONAL_CAMPAIGNS.index(season)
    previous = SEASONAL_CAMPAIGNS[index - 1]
    previous_year = today.year - (previous.months[0] > season.months[0])
    made = []
    for campaign, year in ((previous, previous_year), (season, today.year)):
        starts_on, ends_on = _season_window(campaign, year)
        merchant_ids, product_ids = _featured(campaign)
        created = campaign_create(
            actor=admin, title=campaign.title, text=campaign.text, starts_on=starts_on,
            ends_on=ends_on, merchant_ids=merchant_ids, product_ids=product_ids,
            image=ContentFile(images.banner(campaign.title, (150, 40, 50)), name="affiche.jpg"),
            image_alt="",
        )  # fmt: skip
        made.append(campaign_publish(actor=admin, campaign_id=created.pk))
    return made
