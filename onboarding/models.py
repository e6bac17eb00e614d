from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.directory.models import Merchant


class RegistryImport(models.Model):
    """One import of a registry file into the town: a preview (nothing written) or a commit.

    `position` counts the file's data rows whose batch is committed: a run that stopped (a
    crash, a lost worker) starts again after them, so nothing is done twice.
    """

    class Format(models.TextChoices):
        SIRENE = "sirene", _("SIRENE (INSEE)")
        OSM = "osm", _("OpenStreetMap")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Stopped by an error")

    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    commit = models.BooleanField(_("writes the listings"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # The upload, kept in the town's storage, or the path a command was given.
    file = models.FileField(_("file"), upload_to="imports/registry/", blank=True)
    legal_units_file = models.FileField(
        _("legal units file"), upload_to="imports/registry/", blank=True
    )
    source_name = models.CharField(_("file name"), max_length=255)
    # Size and a hash of the file's head: a command run again on the same file resumes.
    fingerprint = models.CharField(max_length=80, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    preview_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="commits"
    )

    size_bytes = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    position = models.BigIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    # Rows left out without a line of their own (another commune, closed): {reason: count}.
    skipped_by_reason = models.JSONField(default=dict)
    lines_stored = models.PositiveIntegerField(default=0)
    lines_left_out = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.source_name

    @property
    def kept(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.size_bytes:
            return 0
        return min(99, self.bytes_read * 100 // self.size_bytes)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class RegistryImportLine(models.Model):
    """What became of one row of the file: its line number, the outcome and why."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Added")
        UPDATED = "updated", _("Updated")
        UNCHANGED = "unchanged", _("Already up to date")
        SKIPPED = "skipped", _("Left out")
        ERROR = "error", _("Error")

    run = models.ForeignKey(RegistryImport, on_delete=models.CASCADE, related_name="lines")
    line = models.PositiveBigIntegerField(_("line"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    message = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["run", "line"]
        indexes = [models.Index(fields=["run", "line"], name="registryline_run_line")]


class RegistryListing(models.Model):
    """A directory entry made from a registry: the record it came from (`source_key`, the SIRET
    for SIRENE), so that importing again updates it instead of adding it twice. The merchant
    stays "imported" until someone claims it (it has no members)."""

    source_key = models.CharField(max_length=80, unique=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, db_index=True)
    merchant = models.OneToOneField(
        Merchant, on_delete=models.CASCADE, related_name="registry_listing"
    )
    last_import = models.ForeignKey(
        RegistryImport, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("imported listing")
        verbose_name_plural = _("imported listings")
