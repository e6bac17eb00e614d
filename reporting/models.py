"""What the towns' visitors looked at, counted without keeping anything about them.

Every table is an aggregate, one row per day (or day and hour) and what was counted; the
only rows about a visitor are `VisitorSeen`'s, in the database only while Redis is away, and
hold a digest salted with the day's `VisitSalt`: both are deleted once the day is over (the
flush task), after which nobody can tell whose digest it was. No address is kept anywhere.

Merchants, products, categories and campaigns are named by their id, 0 for none, not by a
foreign key: a figure outlives what it counted (a shop closed since), a flush never fails on a
row deleted meanwhile, and the unique constraints the upserts rely on need no NULL.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PageKind(models.TextChoices):
    HOME = "home", _("Home page")
    DIRECTORY = "directory", _("Directory")
    CATEGORY = "category", _("Category")
    MERCHANT = "merchant", _("Merchant page")
    PRODUCT = "product", _("Product page")
    SEARCH = "search", _("Search")
    CAMPAIGN = "campaign", _("Campaign page")
    MAP = "map", _("Map")


class Source(models.TextChoices):
    """Where a visit came from, grouped (reporting.visitors.visit_source)."""

    DIRECT = "direct", _("Direct")
    SEARCH_ENGINE = "search", _("Search engine")
    SOCIAL = "social", _("Social network")
    CAMPAIGN = "campaign", _("Campaign")
    NEWSLETTER = "newsletter", _("Newsletter")
    QR_POSTER = "qr", _("QR code poster")
    WEBSITE = "website", _("Another website")


class PageViewsDaily(models.Model):
    """Views and visits of one page a day. A view is a page shown; a visit starts with a
    visitor's first view of the day, or their first after 30 minutes without any."""

    day = models.DateField(_("day"))
    kind = models.CharField(_("page"), max_length=16, choices=PageKind.choices)
    merchant_id = models.BigIntegerField(_("merchant"), default=0)
    product_id = models.BigIntegerField(_("product"), default=0)
    category_id = models.BigIntegerField(_("category"), default=0)
    campaign_id = models.BigIntegerField(_("campaign"), default=0)
    views = models.PositiveIntegerField(_("views"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("page views of a day")
        verbose_name_plural = _("page views per day")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "merchant_id", "product_id", "category_id", "campaign_id"],
                name="one_page_views_row_per_day",
            )
        ]
        indexes = [models.Index(fields=["merchant_id", "day"], name="page_views_merchant_day")]


class PageViewsHourly(models.Model):
    """Views and visits of each kind of page in one hour of the town's day (0–23)."""

    day = models.DateField(_("day"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    kind = models.CharField(_("page"), max_length=16, choices=PageKind.choices)
    views = models.PositiveIntegerField(_("views"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("page views of an hour")
        verbose_name_plural = _("page views per hour")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "kind"], name="one_page_views_row_per_hour"
            ),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="page_views_hour_of_day"),
        ]


class VisitsBySource(models.Model):
    """Visits of a day by where they came from."""

    day = models.DateField(_("day"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("visits by source")
        verbose_name_plural = _("visits by source")
        constraints = [
            models.UniqueConstraint(fields=["day", "source"], name="one_source_row_per_day")
        ]


class VisitsByOrigin(models.Model):
    """Visits of a day by the visitor's town, as the offline GeoIP database places their
    address (not kept): "" where it cannot tell."""

    day = models.DateField(_("day"))
    country = models.CharField(_("country"), max_length=2, blank=True)
    department = models.CharField(_("department"), max_length=3, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("visits by origin")
        verbose_name_plural = _("visits by origin")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "country", "department", "commune"],
                name="one_origin_row_per_day",
            )
        ]


class VisitorsDaily(models.Model):
    """How many different visitors came on a day (by their salted digest of the day)."""

    day = models.DateField(_("day"), unique=True)
    visitors = models.PositiveIntegerField(_("visitors"), default=0)

    class Meta:
        verbose_name = _("visitors of a day")
        verbose_name_plural = _("visitors per day")


class VisitSalt(models.Model):
    """The town's secret of the day that visitors' digests are salted with; deleted once the
    day is over, so a digest can no longer be matched to anyone."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)


class VisitorSeen(models.Model):
    """A visitor of today while Redis is away (Redis keeps these itself otherwise): their
    salted digest and last view, to tell a new visitor and a new visit. Deleted with the salt."""

    day = models.DateField()
    digest = models.CharField(max_length=32)
    last_seen = models.DateTimeField()
    # Whether the last view started a visit: what the counting upsert reads back.
    starts_visit = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "digest"], name="one_visitor_row_per_day")
        ]


class VisitFlush(models.Model):
    """A batch of Redis counts written to the tables, so a flush retried after dying between
    its commit and its deletion of the batch does not count it twice."""

    batch = models.CharField(max_length=36, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True)
