from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A directory category, in a tree (Alimentation › Boulangerie). Each town edits its own."""

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
