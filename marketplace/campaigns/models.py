from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 140
IMAGE_ALT_MAX_LENGTH = 200
# The campaign's page text: a few paragraphs (the form and the service hold it to this).
TEXT_MAX_LENGTH = 5000


class Campaign(models.Model):
    """A town's label campaign (Noël dans nos commerces, fête des mères…): a page of its own
    and, while it runs and once published, the first thing the home page shows."""

    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    # Set from the title at creation and kept afterwards, so shared links stay valid.
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, unique=True)
    text = models.TextField(_("text"), blank=True)
    image = models.ImageField(_("image"), upload_to="campaigns/", blank=True)
    image_alt = models.CharField(
        _("description of the image"),
        max_length=IMAGE_ALT_MAX_LENGTH,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it; empty if decorative."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    featured_merchants = models.ManyToManyField(
        "directory.Merchant",
        blank=True,
        related_name="campaigns",
        verbose_name=_("featured merchants"),
    )
    featured_products = models.ManyToManyField(
        "catalogue.Product",
        blank=True,
        related_name="campaigns",
        verbose_name=_("featured products"),
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["is_published", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("campaigns:campaign", kwargs={"slug": self.slug})
