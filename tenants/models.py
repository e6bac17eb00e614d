from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class Town(TenantMixin):
    """A town's portal: one PostgreSQL schema, one subdomain, its own branding."""

    class Status(models.TextChoices):
        TRIAL = "trial", _("Trial")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ARCHIVED = "archived", _("Archived (read-only)")

    class Standing(models.TextChoices):
        """Where the town stands with its subscription to the vendor (billing decides it)."""

        GOOD = "good", _("Paid up")
        PAST_DUE = "past_due", _("Invoice unpaid: its administrators are warned")
        READ_ONLY = "read_only", _("Unpaid past the grace period: read-only")

    class Plan(models.TextChoices):
        ESSENTIAL = "essential", _("Essential")
        COMMERCE = "commerce", _("Commerce")
        TERRITORY = "territory", _("Territory")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    insee_code = models.CharField(_("INSEE code"), max_length=5, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.TRIAL
    )
    plan = models.CharField(_("plan"), max_length=12, choices=Plan.choices, default=Plan.ESSENTIAL)
    standing = models.CharField(
        _("subscription standing"), max_length=12, choices=Standing.choices, default=Standing.GOOD
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Europe/Paris")

    # Branding, shown by the town's base template.
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#b3261e", validators=[hex_colour]
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    hero_image = models.ImageField(_("hero image"), upload_to="branding/", blank=True)
    welcome_text = models.TextField(_("welcome text"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_address = models.CharField(_("contact address"), max_length=255, blank=True)
    legal_notice = models.TextField(_("legal notice"), blank=True)
    accessibility_statement = models.TextField(_("accessibility statement"), blank=True)

    # django-tenants creates the schema on first save; provisioning decides how (tenants.services).
    auto_create_schema = True
    auto_drop_schema = False
    # Set by provisioning to build the schema by replaying migrations instead of cloning.
    provision_by_migrating = False

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_base_schema(self) -> str | bool:
        if self.provision_by_migrating:
            return False
        return super().get_base_schema()

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def is_read_only(self) -> bool:
        return self.status == self.Status.ARCHIVED or self.is_read_only_unpaid

    @property
    def is_read_only_unpaid(self) -> bool:
        """Read-only because its subscription is unpaid past the grace period: reading works,
        writing waits until it is paid; nothing is deleted."""
        return self.standing == self.Standing.READ_ONLY

    @property
    def primary_domain_name(self) -> str:
        return f"{self.slug}.{settings.ROOT_DOMAIN}"

    @property
    def primary_host(self) -> str:
        """The host e-mailed links use: the primary domain and the site's port, if any."""
        port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
        return f"{self.primary_domain_name}{port}"

    def build_url(self, path: str = "/") -> str:
        return f"{settings.SITE_SCHEME}://{self.primary_host}{path}"

    @property
    def url(self) -> str:
        return self.build_url("/")


class Domain(DomainMixin):
    """A host name answering for a town: its subdomain, and any custom domain it adds."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain


class TownStats(models.Model):
    """Figures the console lists, gathered by a Celery task so no page view opens every schema."""

    town = models.OneToOneField(Town, on_delete=models.CASCADE, related_name="stats")
    merchants = models.PositiveIntegerField(default=0)
    products = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("town figures")
        verbose_name_plural = _("town figures")


class SpareSchema(models.Model):
    """A ready clone of the template schema, waiting to be renamed into a new town."""

    schema_name = models.CharField(max_length=63, unique=True)
    migrations_fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)


class VendorAuditEvent(models.Model):
    """What vendor staff did to a town, kept for the town and for us."""

    class Action(models.TextChoices):
        PROVISION = "provision", _("Provisioned")
        SUSPEND = "suspend", _("Suspended")
        REACTIVATE = "reactivate", _("Reactivated")
        ARCHIVE = "archive", _("Archived")
        DELETE = "delete", _("Deleted")
        OPEN_ADMIN = "open_admin", _("Opened the town's administration")
        DOMAIN_ADD = "domain_add", _("Added a domain")
        BACKUP_DOWNLOAD = "backup_download", _("Downloaded the backup")
        BACKUP = "backup", _("Backed up")
        RESTORE = "restore", _("Restored from a backup")
        EXPORT = "export", _("Exported its data")

    # The actions whose `detail` names an archive in the backups storage.
    BACKUP_ACTIONS = (Action.DELETE, Action.BACKUP, Action.EXPORT)

    town_name = models.CharField(max_length=120)
    town_schema = models.CharField(max_length=63, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    actor_email = models.EmailField(blank=True)
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]


class VendorAccessNonce(models.Model):
    """One "open the town's administration" link, so the signed token in it works only once."""

    nonce = models.CharField(max_length=64, unique=True)
    town_schema = models.CharField(max_length=63)
    staff_email = models.EmailField()
    staff_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
