from datetime import time

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A directory category, in a tree (Food › Bakery). Each town edits its own."""

    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop")
        ASSOCIATION = "association", _("Association")
        PUBLIC_SERVICE = "public_service", _("Public service")
        TOURISM = "tourism", _("Tourism and leisure")

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHOP)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


# La Poste's establishments share one SIREN whose SIRETs follow another checksum (sum % 5).
LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits whose Luhn checksum holds (INSEE's rule; La Poste excepted)."""
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A SIRET number is 14 digits."), code="siret_format")
    valid = luhn_is_valid(value) or (
        value.startswith(LA_POSTE_SIREN) and sum(int(char) for char in value) % 5 == 0
    )
    if not valid:
        raise ValidationError(
            _("This SIRET number is not valid: check its digits."), code="siret_checksum"
        )


def merchant_name_normalised() -> Lower:
    """A merchant's name unaccented and in lower case, the expression its trigram index holds
    (the search's "merchants named like this"). `unaccent` is only STABLE, which an index may not
    use: `public.unaccent_immutable` (comptoir's migration 0002) fixes its dictionary."""
    return Lower(Func(F("name"), function="public.unaccent_immutable"))


class Merchant(models.Model):
    """A directory entry: a shop, but also an association, a public service or an activity.

    Selling online is a switch (`sells_online`), not a different kind of entry.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("trade name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="merchants", verbose_name=_("category")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="merchants/", blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    instagram_url = models.URLField(_("Instagram account"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])

    sells_online = models.BooleanField(_("sells online"), default=False)
    offers_click_collect = models.BooleanField(_("click & collect"), default=False)
    offers_local_delivery = models.BooleanField(_("local delivery"), default=False)
    local_delivery_zone = models.CharField(_("delivery zone"), max_length=255, blank=True)
    local_delivery_fee_cents = models.PositiveIntegerField(
        _("local delivery fee (cents)"), default=0
    )
    offers_postal_delivery = models.BooleanField(_("delivery by post"), default=False)
    postal_delivery_fee_cents = models.PositiveIntegerField(
        _("postal delivery fee (cents)"), default=0
    )
    offers_appointments = models.BooleanField(_("appointments"), default=False)
    offers_reserve_pay_in_shop = models.BooleanField(
        _("reserve online, pay in shop"), default=False
    )

    # The town's review of the application: who decided, when, and why when refused.
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_reason = models.TextField(_("reason given"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Not columns: what a card shows, set on the merchants of a list by
    # marketplace.directory.selectors.merchant_cards.
    open_now: bool
    today_ranges: list[tuple[time, time]]

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "name"]),
            GinIndex(
                OpClass(merchant_name_normalised(), name="gin_trgm_ops"),
                name="merchant_name_trgm_gin",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("directory:merchant", kwargs={"slug": self.slug})

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class MerchantPhoto(models.Model):
    """A photo of the shop (front, inside, team), with the text read to screen-reader users."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="merchants/photos/")
    alt_text = models.CharField(
        _("description of the photo"),
        max_length=200,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merchant photo")
        verbose_name_plural = _("merchant photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.alt_text


# A range may close at midnight, stored as 00:00 (a restaurant open 19:00–00:00; 00:00–00:00 is
# the whole day).
_CLOSES_AFTER_OPENING = models.Q(closes_at__gt=models.F("opens_at")) | models.Q(closes_at=time(0))


class OpeningHours(models.Model):
    """One opening range on a weekday; a day may have several (9:00–12:00, 14:00–19:00)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=_CLOSES_AFTER_OPENING, name="opening_hours_closes_after_opening"
            )
        ]
        indexes = [
            # "Who is open now" reads one weekday's ranges starting before a clock time, for
            # their merchants: an index-only scan instead of the whole week of every merchant.
            models.Index(
                fields=["weekday", "opens_at"],
                include=["closes_at", "merchant"],
                name="openinghours_weekday_opens",
            ),
            # A page of cards reads today's ranges of its merchants only.
            models.Index(fields=["merchant", "weekday"], name="openinghours_merchant_day"),
        ]


class SpecialHours(models.Model):
    """An exceptional day: closed (holidays, inventory) or open at other hours."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="special_hours")
    date = models.DateField(_("date"))
    is_closed = models.BooleanField(_("closed all day"), default=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("exceptional hours")
        verbose_name_plural = _("exceptional hours")
        ordering = ["date", "opens_at"]
        indexes = [models.Index(fields=["merchant", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(is_closed=True, opens_at__isnull=True, closes_at__isnull=True)
                    | (
                        models.Q(is_closed=False, opens_at__isnull=False, closes_at__isnull=False)
                        & _CLOSES_AFTER_OPENING
                    )
                ),
                name="special_hours_closed_or_one_range",
            )
        ]


class MerchantMember(models.Model):
    """A person who runs a merchant's back office: its owner or a member of staff."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merchant member")
        verbose_name_plural = _("merchant members")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "user"], name="one_membership_per_user")
        ]


class StaffInvitation(models.Model):
    """An owner added someone to their shop's staff; the e-mail telling them is sent once."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="staff_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at", "-pk"]
