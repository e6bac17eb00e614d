"""A demo town's directory and catalogue: merchants with their owners, hours, pictures and
products, shoppers with addresses and favourites, and the merchants' past visits.

Written as rows in bulk (a town of 44 merchants and ~700 products takes a second or two), the
way an import would: these are a town's existing businesses, not applications going through
the town's review. Search columns are refreshed by the catalogue's own service afterwards.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext

from comptoir.accounts.models import User
from comptoir.french import de_name
from comptoir.phones import phone_normalise
from marketplace.catalogue.models import Product, ProductPhoto, StockMovement, Variant
from marketplace.catalogue.services.search import products_search_refresh_all
from marketplace.demo import images
from marketplace.demo.content import (
    CLOTHES_COLOURS,
    CLOTHES_SIZES,
    FAMILY_NAMES,
    FIRST_NAMES,
    HOURS,
    MERCHANT_PLAN,
    PRODUCT_FORMATS,
    PRODUCT_SENTENCES,
    RING_SIZES,
    SHOE_SIZES,
    SHOPPER_FAMILY_NAMES,
    SHOPPER_FIRST_NAMES,
    TOWN_PROFILES,
    TRADES,
    ProductIdea,
    TownProfile,
    Trade,
)
from marketplace.demo.visits import demo_visits_create
from marketplace.directory.models import (
    Category,
    Merchant,
    MerchantMember,
    MerchantPhoto,
    OpeningHours,
    SpecialHours,
    luhn_is_valid,
)
from marketplace.shoppers.services import (
    address_create,
    favourite_merchant_add,
    favourite_product_add,
)

# Positions in MERCHANT_PLAN whose application the town has not decided yet.
PENDING_POSITIONS = frozenset({11, 27, 40})


@dataclass(frozen=True)
class DemoSize:
    merchants: int
    products: tuple[int, int]  # per selling merchant, fewest and most
    shoppers: int
    checkouts: int


FULL = DemoSize(merchants=len(MERCHANT_PLAN), products=(5, 25), shoppers=8, checkouts=16)
SMALL = DemoSize(merchants=12, products=(3, 5), shoppers=4, checkouts=6)
SIZES = {"full": FULL, "small": SMALL}


def demo_email(local: str, town_slug: str) -> str:
    return f"{local}@{town_slug}.demo"


def shopper_emails(town_slug: str, count: int) -> list[str]:
    return [
        demo_email(f"{slugify(first)}.{slugify(family)}", town_slug)
        for first, family in zip(SHOPPER_FIRST_NAMES, SHOPPER_FAMILY_NAMES, strict=True)
    ][:count]


def siret_make(rng: random.Random) -> str:
    """A SIRET that passes INSEE's Luhn check: a Luhn-valid SIREN, then the establishment."""

    def completed(digits: str) -> str:
        return next(digits + str(d) for d in range(10) if luhn_is_valid(digits + str(d)))

    siren = completed(str(rng.randint(3, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7)))
    return completed(siren + f"{rng.randint(1, 120):04d}")


# Kinds of the default tree's top categories that are not shops.
_KINDS = {
    "Associations": Category.Kind.ASSOCIATION,
    "Public services": Category.Kind.PUBLIC_SERVICE,
    "Tourism and leisure": Category.Kind.TOURISM,
}


def categories_by_slug() -> dict[str, Category]:
    return {category.slug: category for category in Category.objects.all()}


def demo_category(parent: str, child: str | None, *, known: dict[str, Category]) -> Category:
    """The town's category for these names of the default tree (`known` holds the town's
    categories by slug), made if the town removed it.

    Provisioning named the tree in the platform's language: look names up the same way."""
    with translation.override(settings.LANGUAGE_CODE):
        names = [gettext(parent)] + ([gettext(child)] if child else [])
    category = None
    for name in names:
        slug = slugify(name)
        if slug not in known:
            kind = category.kind if category else _KINDS.get(parent, Category.Kind.SHOP)
            known[slug] = Category.objects.create(
                name=name, slug=slug, parent=category, kind=kind, position=len(known)
            )
        category = known[slug]
    return category  # type: ignore[return-value]


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _ranges(pattern: str) -> dict[int, list[tuple[time, time]]]:
    return {
        day: [(_clock(r.split("-")[0]), _clock(r.split("-")[1])) for r in ranges]
        for day, ranges in HOURS[pattern].items()
    }


def _fill(text: str, *, rng: random.Random, town: str, profile: TownProfile) -> str:
    family, first = rng.choice(FAMILY_NAMES), rng.choice(FIRST_NAMES)
    return text.format(
        family=family,
        of_family=de_name(family),
        first=first,
        of_first=de_name(first),
        place=rng.choice(profile.places),
        town=town,
        town_association=profile.association[0],
        association_pitch=profile.association[1],
        town_public_service=profile.public_service[0],
        public_service_pitch=profile.public_service[1],
        town_tourism=profile.tourism[0],
        tourism_pitch=profile.tourism[1],
    )


def _unique_name(
    trade: Trade, *, rng: random.Random, town: str, profile: TownProfile, taken: set[str]
) -> str:
    for _attempt in range(20):
        name = _fill(rng.choice(trade.names), rng=rng, town=town, profile=profile)
        if name not in taken:
            taken.add(name)
            return name
    name = f"{name} {rng.choice(profile.places)}"
    taken.add(name)
    return name


def _coordinate(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.6f}")


def _phone(rng: random.Random, prefix: str) -> str:
    """A made-up number of the town's area, stored as every phone is (E.164)."""
    return phone_normalise(
        f"{prefix} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    )


@dataclass
class _Planned:
    merchant: Merchant
    trade: Trade
    owner: User


def _merchants_plan(
    *, town_name: str, town_slug: str, profile: TownProfile, size: DemoSize, rng: random.Random,
    password_hash: str, admin: User | None, now: datetime,
) -> list[_Planned]:  # fmt: skip
    names: set[str] = set()
    slugs: set[str] = set()
    known = categories_by_slug()
    planned = []
    for position, key in enumerate(MERCHANT_PLAN[: size.merchants]):
        trade = TRADES[key]
        name = _unique_name(trade, rng=rng, town=town_name, profile=profile, taken=names)
        slug = slugify(name)[:130]
        while slug in slugs:
            slug = f"{slug}-{rng.randint(2, 99)}"
        slugs.add(slug)
        pending = position in PENDING_POSITIONS
        first, family = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
        south, north, west, east = profile.box
        merchant = Merchant(
            name=name,
            slug=slug,
            category=demo_category(*trade.category, known=known),
            status=Merchant.Status.PENDING if pending else Merchant.Status.APPROVED,
            description=" ".join(
                _fill(sentence, rng=rng, town=town_name, profile=profile)
                for sentence in trade.pitch
            ),
            address=f"{rng.randint(1, 120)} {rng.choice(profile.streets)}",
            postcode=rng.choice(profile.postcodes),
            city=town_name,
            latitude=_coordinate(rng, south, north),
            longitude=_coordinate(rng, west, east),
            phone=_phone(rng, profile.phone_prefix),
            email=demo_email("contact", slug),
            website=f"https://www.{slug}.demo/" if rng.random() < 0.3 else "",
            siret=siret_make(rng) if trade.has_siret else "",
            sells_online=trade.sells_online,
            offers_click_collect=trade.click_collect,
            offers_local_delivery=trade.local_delivery_fee is not None,
            local_delivery_zone=f"{town_name} et communes voisines"
            if trade.local_delivery_fee is not None
            else "",
            local_delivery_fee_cents=trade.local_delivery_fee or 0,
            offers_postal_delivery=trade.postal_fee is not None,
            postal_delivery_fee_cents=trade.postal_fee or 0,
            offers_appointments=trade.appointments,
            offers_reserve_pay_in_shop=trade.reserve_pay_in_shop,
            reviewed_at=None if pending else now - timedelta(days=rng.randint(20, 400)),
            reviewed_by=None if pending else admin,
        )
        owner = User(
            email=demo_email(slug, town_slug),
            full_name=f"{first} {family}",
            password=password_hash,
        )
        planned.append(_Planned(merchant, trade, owner))
    return planned


def _pictures_store(planned: list[_Planned]) -> None:
    for item in planned:
        colour = item.trade.colour
        item.merchant.logo = default_storage.save(
            f"merchants/{item.merchant.slug}.png",
            ContentFile(images.logo(item.merchant.name, colour)),
        )


def _photos_create(planned: list[_Planned]) -> None:
    MerchantPhoto.objects.bulk_create(
        MerchantPhoto(
            merchant=item.merchant,
            image=default_storage.save(
                f"merchants/photos/{item.merchant.slug}.jpg",
                ContentFile(images.banner(item.merchant.name, item.trade.colour)),
            ),
            alt_text=f"La devanture {de_name(item.merchant.name)}",
        )
        for item in planned
        if item.merchant.status == Merchant.Status.APPROVED
    )


def _hours_create(planned: list[_Planned], *, rng: random.Random, today: date) -> None:
    weekly: list[OpeningHours] = []
    special: list[SpecialHours] = []
    for index, item in enumerate(planned):
        ranges = _ranges(item.trade.hours)
        # Some food shops open on Sunday mornings too.
        if item.trade.hours == "shop" and item.trade.category[0] == "Food" and rng.random() < 0.5:
            ranges[6] = [(time(9), time(12, 30))]
        weekly.extend(
            OpeningHours(merchant=item.merchant, weekday=day, opens_at=opens, closes_at=closes)
            for day, day_ranges in ranges.items()
            for opens, closes in day_ranges
        )
        # A few exceptional days: a closure today, a week of holidays, an exceptional Sunday.
        if index == 3:
            special.append(SpecialHours(merchant=item.merchant, date=today, reason="Inventaire"))
        elif index == 5:
            start = today + timedelta(days=9)
            special.extend(
                SpecialHours(
                    merchant=item.merchant, date=start + timedelta(days=n), reason="Congés annuels"
                )
                for n in range(7)
            )
        elif index in (0, 2, 7):
            sunday = today + timedelta(days=(6 - today.weekday()) or 7)
            special.append(
                SpecialHours(
                    merchant=item.merchant, date=sunday, is_closed=False, opens_at=time(10),
                    closes_at=time(18), reason="Ouverture exceptionnelle du dimanche",
                )
            )  # fmt: skip
    OpeningHours.objects.bulk_create(weekly)
    SpecialHours.objects.bulk_create(special)


def _variant_specs(trade: Trade, rng: random.Random) -> list[tuple[str, str, str]]:
    """(name, size, colour) of each variant of a product of this trade."""
    if trade.variants == "clothes":
        colour = rng.choice(CLOTHES_COLOURS)
        return [(f"{size} / {colour}", size, colour) for size in CLOTHES_SIZES]
    if trade.variants == "shoes":
        first = rng.randint(0, len(SHOE_SIZES) - 5)
        return [(f"Pointure {size}", size, "") for size in SHOE_SIZES[first : first + 5]]
    if trade.variants == "rings":
        return [(f"Taille {size}", size, "") for size in RING_SIZES]
    return [("", "", "")]


def _product_ideas(trade: Trade, profile: TownProfile) -> list[ProductIdea]:
    tourism = list(profile.tourism[2]) if trade.key == "tourism" else []
    return [*trade.products, *profile.specialities.get(trade.key, ()), *tourism]


def _products_create(
    planned: list[_Planned], *, profile: TownProfile, rng: random.Random, size: DemoSize,
    now: datetime,
) -> int:  # fmt: skip
    slugs: set[str] = set(Product.objects.values_list("slug", flat=True))
    photo_names: dict[tuple[str, tuple[int, int, int]], tuple[str, str, str]] = {}
    rows: list[tuple[Product, ProductIdea, Trade]] = []
    for item in planned:
        ideas = _product_ideas(item.trade, profile)
        if not item.merchant.sells_online or not ideas:
            continue
        count = min(rng.randint(*size.products), len(ideas) * (1 + len(PRODUCT_FORMATS)))
        order = rng.sample(ideas, len(ideas))
        for number in range(count):
            idea = order[number % len(order)]
            title = idea.title
            if number >= len(order):
                title = f"{title} ({PRODUCT_FORMATS[number // len(order) - 1]})"
            slug = slugify(title)[:170]
            if slug in slugs:
                slug = f"{slug}-{item.merchant.slug}"[:170]
            suffix = 2
            while slug in slugs:
                slug = f"{slug[:165]}-{suffix}"
                suffix += 1
            slugs.add(slug)
            product = Product(
                merchant=item.merchant,
                title=title,
                slug=slug,
                description=" ".join(rng.sample(PRODUCT_SENTENCES, 2)),
                category=item.merchant.category,
                tags=idea.tags,
                vat_rate=idea.vat,
                sold_in_shop_only=rng.random() < 0.06,
                is_published=rng.random() > 0.05,
            )
            rows.append((product, idea, item.trade))
    products = Product.objects.bulk_create([product for product, _idea, _trade in rows])
    for product, _idea, _trade in rows:
        # Spread over the last two months, so "new in the shops" reads like a real town.
        product.created_at = now - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
    Product.objects.bulk_update(products, ["created_at"], batch_size=500)

    variants = []
    photos = []
    for product, idea, trade in rows:
        price = rng.randrange(idea.price[0], idea.price[1] + 1, 10)
        for position, (name, size_label, colour) in enumerate(_variant_specs(trade, rng)):
            variants.append(
                Variant(
                    product=product,
                    sku=f"{product.merchant.slug[:12].upper()}-{product.pk}-{position + 1}",
                    name=name,
                    size=size_label,
                    colour=colour,
                    price_cents=price,
                    stock=rng.choice((0, 2, 3, 5, 8, 12, 20, 40)),
                    position=position,
                )
            )
        key = (idea.title, trade.colour)
        if key not in photo_names:
            renditions = images.product_renditions(idea.title, trade.colour)
            stem = slugify(idea.title)[:80]
            photo_names[key] = (
                default_storage.save(f"products/{stem}.jpg", ContentFile(renditions.image)),
                default_storage.save(f"products/thumbs/{stem}.jpg", ContentFile(renditions.thumbnail)),
                default_storage.save(f"products/webp/{stem}.webp", ContentFile(renditions.webp)),
            )  # fmt: skip
        image, thumbnail, webp = photo_names[key]
        photos.append(
            ProductPhoto(
                product=product, image=image, thumbnail=thumbnail, webp=webp, alt_text=product.title
            )
        )
    variants = Variant.objects.bulk_create(variants)
    ProductPhoto.objects.bulk_create(photos)
    StockMovement.objects.bulk_create(
        StockMovement(
            variant=variant,
            delta=variant.stock,
            balance_after=variant.stock,
            reason=StockMovement.Reason.IMPORT,
            reference="stock initial",
        )
        for variant in variants
        if variant.stock
    )
    products_search_refresh_all()
    return len(products)


@dataclass(frozen=True)
class DirectoryFilled:
    merchants: int
    products: int


def demo_shoppers_ensure(
    *, town_slug: str, town_name: str, profile: TownProfile, size: DemoSize, password_hash: str,
    rng: random.Random,
) -> tuple[list[User], int]:  # fmt: skip
    """The demo shoppers, each with an address, made once; and how many were made now."""
    emails = shopper_emails(town_slug, size.shoppers)
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    names = list(zip(SHOPPER_FIRST_NAMES, SHOPPER_FAMILY_NAMES, strict=True))
    shoppers = []
    made = 0
    for email, (first, family) in zip(emails, names, strict=False):
        user = existing.get(email)
        if user is None:
            made += 1
            user = User.objects.create(
                email=email, full_name=f"{first} {family}", password=password_hash
            )
            address_create(
                user=user,
                label="Maison",
                recipient=user.full_name,
                street=f"{rng.randint(1, 90)} {rng.choice(profile.streets)}",
                postcode=profile.postcodes[0],
                city=town_name,
                phone=_phone(rng, "06 12"),
            )
        shoppers.append(user)
    return shoppers, made


def demo_directory_fill(
    *, town_name: str, town_slug: str, size: DemoSize, rng: random.Random, password_hash: str,
    admin: User | None, shoppers: list[User],
) -> DirectoryFilled:  # fmt: skip
    """Merchants (most approved, a few pending), owners, hours, pictures, products, favourites
    and visits, in the current town's schema. The caller holds the transaction."""
    profile = TOWN_PROFILES[town_slug]
    now = timezone.now()
    today = timezone.localdate(now)
    planned = _merchants_plan(
        town_name=town_name, town_slug=town_slug, profile=profile, size=size, rng=rng,
        password_hash=password_hash, admin=admin, now=now,
    )  # fmt: skip
    _pictures_store(planned)
    Merchant.objects.bulk_create([item.merchant for item in planned])
    User.objects.bulk_create([item.owner for item in planned])
    MerchantMember.objects.bulk_create(
        MerchantMember(merchant=item.merchant, user=item.owner, role=MerchantMember.Role.OWNER)
        for item in planned
    )
    _photos_create(planned)
    _hours_create(planned, rng=rng, today=today)
    products = _products_create(planned, profile=profile, rng=rng, size=size, now=now)
    demo_visits_create(town_slug=town_slug, rng=rng, today=today)

    approved = [
        item.merchant for item in planned if item.merchant.status == Merchant.Status.APPROVED
    ]
    liked = list(
        Product.objects.filter(merchant__in=approved, is_published=True).order_by("pk")[:40]
    )
    for shopper in shoppers:
        for merchant in rng.sample(approved, min(3, len(approved))):
            favourite_merchant_add(user=shopper, merchant_id=merchant.pk)
        for product in rng.sample(liked, min(2, len(liked))):
            favourite_product_add(user=shopper, product_id=product.pk)
    return DirectoryFilled(merchants=len(planned), products=products)
