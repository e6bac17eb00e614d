"""Importing a business registry (SIRENE, OpenStreetMap) into the town's directory.

The file is read as a stream and filtered row by row (another commune, a closed establishment
are only counted); the entries kept are planned and written in batches, each in a transaction
of its own that also records the run's position, so memory stays flat whatever the file's size
and a run stopped half-way resumes after its last committed batch. Without `commit` the same
plan is made and nothing of the directory is written.

Entries are listed through the directory's own services (`merchants_list_unclaimed`): imported,
approved shop-window entries, with no member until someone claims them. Importing again finds an
entry by its source key (the SIRET) and updates it while nobody has claimed it.
"""

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from comptoir.town import current_town
from marketplace.directory.errors import NotAllowed
from marketplace.directory.models import Merchant, MerchantMember, OpeningHours
from marketplace.directory.services.merchants import (
    merchant_listing_problems,
    merchants_list_unclaimed,
    merchants_unclaimed_update,
)
from marketplace.directory.services.opening_hours import opening_hours_set_unclaimed
from onboarding.models import RegistryImport, RegistryImportLine, RegistryListing
from onboarding.registry.categories import TownCategories
from onboarding.registry.entries import Entry, RegistryFileInvalid, Rejected
from onboarding.registry.osm import OsmRows
from onboarding.registry.reading import CsvStream
from onboarding.registry.sirene import SireneRows, legal_units_names

Outcome = RegistryImportLine.Outcome
# A batch is written when it holds this many entries, or this many rows were read since the last
# one (a national file may hold few of the town's rows between long runs of other communes').
BATCH_ENTRIES = 1000
BATCH_ROWS = 50_000
# A run keeps this many report lines; the counts go on beyond.
MAX_STORED_LINES = 10_000
# Uploads from /gestion/: the national establishments file is about 7 GB.
MAX_UPLOAD_BYTES = 10 * 1024**3
# Fields the registry fills, compared on a re-import; empty values never erase the entry's.
IMPORTED_FIELDS = ("name", "category", "address", "postcode", "city", "latitude", "longitude",
                   "phone", "website", "siret")  # fmt: skip
# Fields a bad value of which is dropped (with a note) instead of refusing the row.
OPTIONAL_FIELDS = ("phone", "website", "latitude", "longitude", "address", "postcode", "city")


@dataclass(slots=True)
class ReportLine:
    line: int
    outcome: str
    message: str = ""
    siret: str = ""
    name: str = ""

    def __str__(self) -> str:
        label = Outcome(self.outcome).label
        who = " ".join(filter(None, (self.siret, self.name)))
        text = f"{_('line')} {self.line}: {label}"
        if who:
            text += f" — {who}"
        return f"{text}. {self.message}" if self.message else text


@dataclass
class RegistryReport:
    """What an import did, or would do."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    skipped_by_reason: Counter[str] = field(default_factory=Counter)
    rows: int = 0

    @property
    def kept(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        """The report's last line, which scripts read: never translated."""
        return f"kept {self.kept}, skipped {self.skipped}, errors {self.errors}"


@dataclass
class RegistrySource:
    """A registry file to read, opened afresh for each pass (the join reads it twice)."""

    format: str
    name: str
    size: int
    open: Callable[[], IO[bytes]]
    open_legal_units: Callable[[], IO[bytes]] | None = None


REASON_LABELS = {
    "other_commune": lambda: _("another commune"),
    "closed": lambda: _("closed"),
}


def reason_label(reason: str) -> str:
    label = REASON_LABELS.get(reason)
    return label() if label else reason


@contextmanager
def _opened(opener: Callable[[], IO[bytes]]) -> Iterator[IO[bytes]]:
    stream = opener()
    try:
        yield stream
    finally:
        stream.close()


def _legal_names(source: RegistrySource, insee_code: str) -> dict[str, str] | None:
    """Join the legal units file in two passes: the sirens the town's establishments need, then
    their names (the national legal units file is larger still than the establishments')."""
    if source.open_legal_units is None:
        return None
    with _opened(source.open) as raw:
        stream = CsvStream(raw)
        rows = SireneRows(stream.header, insee_code=insee_code, legal_names={})
        sirens = {siren for _line, row in stream if (siren := rows.siren_wanted(row))}
    with _opened(source.open_legal_units) as raw:
        stream = CsvStream(raw)
        return legal_units_names((row for _line, row in stream), stream.header, sirens)


def _field_label(name: str) -> str:
    field = Merchant._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


class _Importer:
    def __init__(
        self,
        *,
        source: RegistrySource,
        commit: bool,
        run: RegistryImport | None,
        on_line: Callable[[ReportLine], None] | None,
    ) -> None:
        self.source = source
        self.commit = commit
        self.run = run
        self.on_line = on_line
        self.report = RegistryReport()
        if run is not None:
            self.report = RegistryReport(
                created=run.created,
                updated=run.updated,
                unchanged=run.unchanged,
                skipped=run.skipped,
                errors=run.errors,
                skipped_by_reason=Counter(run.skipped_by_reason),
                rows=run.position,
            )
        self.categories = TownCategories()
        self.seen: dict[str, int] = {}

    # -- reading --------------------------------------------------------------------------

    def execute(self) -> RegistryReport:
        insee_code = ""
        if self.source.format == RegistryImport.Format.SIRENE:
            insee_code = current_town().insee_code
            if not insee_code:
                raise RegistryFileInvalid(
                    _(
                        "The town has no INSEE code: the vendor's console sets it. Nothing was imported."
                    )
                )
        legal_names = _legal_names(self.source, insee_code)
        with _opened(self.source.open) as raw:
            stream = CsvStream(raw)
            parser: SireneRows | OsmRows
            if self.source.format == RegistryImport.Format.SIRENE:
                parser = SireneRows(stream.header, insee_code=insee_code, legal_names=legal_names)
            else:
                parser = OsmRows(stream.header)
            start = self.report.rows
            entries: list[Entry] = []
            rejected: list[Rejected] = []
            number = since_batch = 0
            for line, row in stream:
                number += 1
                if number <= start:
                    continue
                since_batch += 1
                if row and any(row):
                    result = parser.read(row, line)
                    if isinstance(result, Entry):
                        entries.append(result)
                    else:
                        rejected.append(result)
                if len(entries) >= BATCH_ENTRIES or since_batch >= BATCH_ROWS:
                    self._batch(entries, rejected, position=number, bytes_read=stream.bytes_read)
                    entries, rejected, since_batch = [], [], 0
            self._batch(entries, rejected, position=max(number, start), bytes_read=self.source.size)
        return self.report

    # -- one batch ------------------------------------------------------------------------

    def _batch(
        self, entries: list[Entry], rejected: list[Rejected], *, position: int, bytes_read: int
    ) -> None:
        writes = self.run is not None or self.commit
        with transaction.atomic(durable=True) if writes else nullcontext():
            quiet_or_lines = [self._rejected(item) for item in rejected]
            lines = [line for line in quiet_or_lines if line is not None]
            lines += self._entries(entries)
            lines.sort(key=lambda line: line.line)
            self.report.rows = position
            if self.run is not None:
                self._run_record(lines, position=position, bytes_read=bytes_read)
        if self.on_line is not None:
            for line in lines:
                self.on_line(line)

    def _rejected(self, item: Rejected) -> ReportLine | None:
        if item.error:
            self.report.errors += 1
            return ReportLine(item.line, Outcome.ERROR, item.message, item.siret, item.name)
        self.report.skipped += 1
        if item.quiet:
            self.report.skipped_by_reason[item.reason] += 1
            return None
        return ReportLine(item.line, Outcome.SKIPPED, item.message, item.siret, item.name)

    def _skip(self, entry: Entry, message: str) -> ReportLine:
        self.report.skipped += 1
        return ReportLine(entry.line, Outcome.SKIPPED, message, entry.siret, entry.name)

    def _entries(self, entries: list[Entry]) -> list[ReportLine]:
        if not entries:
            return []
        keys = [entry.source_key for entry in entries]
        listings = {
            listing.source_key: listing
            for listing in RegistryListing.objects.filter(source_key__in=keys)
            .select_related("merchant")
            .annotate(
                claimed=Exists(MerchantMember.objects.filter(merchant_id=OuterRef("merchant_id")))
            )
        }
        if self.commit and listings:
            # Nobody claims one of these while this batch updates it.
            list(
                Merchant.objects.filter(
                    pk__in=[listing.merchant_id for listing in listings.values()]
                )
                .order_by("pk")
                .select_for_update()
                .values_list("pk", flat=True)
            )
        sirets = [e.siret for e in entries if e.siret and e.source_key not in listings]
        listed_sirets = set(
            Merchant.objects.filter(siret__in=sirets, registry_listing__isnull=True).values_list(
                "siret", flat=True
            )
        )
        hours_of = self._hours_of(
            [listing.merchant_id for listing in listings.values() if not listing.claimed]
        )
        lines: list[ReportLine] = []
        new: list[tuple[Entry, Merchant]] = []
        changes: list[tuple[Merchant, set[str]]] = []
        weeks: dict[int, list[tuple[int, time, time]]] = {}
        touched: list[int] = []
        for entry in entries:
            first_line = self.seen.get(entry.source_key)
            if first_line is not None:
                lines.append(
                    self._skip(
                        entry, _("Already on line %(line)d of the file.") % {"line": first_line}
                    )
                )
                continue
            self.seen[entry.source_key] = entry.line
            category_id = self.categories.category_id(entry.category_key)
            if category_id is None:
                lines.append(
                    self._skip(
                        entry,
                        _("The town has no category for the activity %(code)s.")
                        % {"code": entry.category_code},
                    )
                )
                continue
            listing = listings.get(entry.source_key)
            if listing is not None and listing.claimed:
                lines.append(
                    self._skip(entry, _("Claimed by its merchant, who keeps it up to date."))
                )
                continue
            if listing is None and entry.siret in listed_sirets:
                lines.append(self._skip(entry, _("This SIRET is already on the portal.")))
                continue
            candidate = Merchant(
                name=entry.name, category_id=category_id, address=entry.address,
                postcode=entry.postcode, city=entry.city, latitude=entry.latitude,
                longitude=entry.longitude, phone=entry.phone, website=entry.website,
                siret=entry.siret, status=Merchant.Status.APPROVED,
            )  # fmt: skip
            problems = self._problems(candidate, entry)
            if problems:
                self.report.errors += 1
                lines.append(
                    ReportLine(entry.line, Outcome.ERROR, problems, entry.siret, entry.name)
                )
                continue
            note = " ".join(entry.notes)
            if listing is None:
                new.append((entry, candidate))
                self.report.created += 1
                lines.append(ReportLine(entry.line, Outcome.CREATED, note, entry.siret, entry.name))
                continue
            merchant = listing.merchant
            changed = self._changes(merchant, candidate)
            hours_changed = bool(entry.hours) and sorted(entry.hours) != hours_of.get(
                merchant.pk, []
            )
            touched.append(listing.pk)
            if changed or hours_changed:
                changes.append((merchant, changed))
                if hours_changed:
                    weeks[merchant.pk] = entry.hours
                self.report.updated += 1
                lines.append(ReportLine(entry.line, Outcome.UPDATED, note, entry.siret, entry.name))
            else:
                self.report.unchanged += 1
                lines.append(
                    ReportLine(entry.line, Outcome.UNCHANGED, note, entry.siret, entry.name)
                )
        if self.commit:
            self._write(new, changes, weeks, touched)
        return lines

    def _hours_of(self, merchant_ids: list[int]) -> dict[int, list[tuple[int, time, time]]]:
        hours: dict[int, list[tuple[int, time, time]]] = {}
        if merchant_ids:
            for merchant_id, weekday, opens, closes in OpeningHours.objects.filter(
                merchant_id__in=merchant_ids
            ).values_list("merchant_id", "weekday", "opens_at", "closes_at"):
                hours.setdefault(merchant_id, []).append((weekday, opens, closes))
        return {merchant_id: sorted(week) for merchant_id, week in hours.items()}

    def _problems(self, candidate: Merchant, entry: Entry) -> str:
        """The row's errors; a bad optional value (a phone, a website) is dropped with a note."""
        errors = merchant_listing_problems(candidate)
        dropped = [name for name in errors if name in OPTIONAL_FIELDS]
        if dropped:
            for name in dropped:
                entry.notes.append(
                    _("%(field)s left out: %(errors)s")
                    % {
                        "field": _field_label(name),
                        "errors": " ".join(errors[name]),
                    }
                )
                setattr(candidate, name, None if name in ("latitude", "longitude") else "")
            if "latitude" in dropped or "longitude" in dropped:
                candidate.latitude = candidate.longitude = None
            errors = merchant_listing_problems(candidate)
        return " ".join(message for messages in errors.values() for message in messages)

    def _changes(self, merchant: Merchant, candidate: Merchant) -> set[str]:
        changed: set[str] = set()
        for name in IMPORTED_FIELDS:
            attribute = "category_id" if name == "category" else name
            value = getattr(candidate, attribute)
            if value in ("", None):
                continue
            current = getattr(merchant, attribute)
            if isinstance(value, Decimal) and current is not None:
                current = Decimal(current)
            if value != current:
                setattr(merchant, attribute, value)
                changed.add(name)
        return changed

    def _write(
        self,
        new: list[tuple[Entry, Merchant]],
        changes: list[tuple[Merchant, set[str]]],
        weeks: dict[int, list[tuple[int, time, time]]],
        touched: list[int],
    ) -> None:
        created = merchants_list_unclaimed(merchants=[merchant for _entry, merchant in new])
        RegistryListing.objects.bulk_create(
            RegistryListing(source_key=entry.source_key, siret=entry.siret, merchant=merchant,
                            last_import=self.run)
            for (entry, _candidate), merchant in zip(new, created, strict=True)
        )  # fmt: skip
        for (entry, _candidate), merchant in zip(new, created, strict=True):
            if entry.hours:
                weeks[merchant.pk] = entry.hours
        merchants_unclaimed_update(changes=[(m, fields) for m, fields in changes if fields])
        opening_hours_set_unclaimed(weeks=weeks)
        if touched:
            RegistryListing.objects.filter(pk__in=touched).update(
                last_import=self.run, updated_at=timezone.now()
            )

    def _run_record(self, lines: list[ReportLine], *, position: int, bytes_read: int) -> None:
        run = self.run
        assert run is not None
        room = max(0, MAX_STORED_LINES - run.lines_stored)
        RegistryImportLine.objects.bulk_create(
            RegistryImportLine(run=run, line=line.line, outcome=line.outcome,
                               message=line.message, siret=line.siret, name=line.name[:120])
            for line in lines[:room]
        )  # fmt: skip
        run.lines_stored += min(room, len(lines))
        run.lines_left_out += max(0, len(lines) - room)
        report = self.report
        run.position = position
        run.bytes_read = min(bytes_read, run.size_bytes)
        run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
        run.skipped, run.errors = report.skipped, report.errors
        run.skipped_by_reason = dict(report.skipped_by_reason)
        run.save(update_fields=[
            "lines_stored", "lines_left_out", "position", "bytes_read", "created", "updated",
            "unchanged", "skipped", "errors", "skipped_by_reason", "updated_at",
        ])  # fmt: skip


def registry_import(
    *,
    source: RegistrySource,
    commit: bool,
    run: RegistryImport | None = None,
    on_line: Callable[[ReportLine], None] | None = None,
) -> RegistryReport:
    """Import (with `commit`) or preview the registry file into the current town. `run` records
    the progress, the counts and the report's lines as it goes, and gives the position to
    resume from; `on_line` hears each line of the report as its batch is done.

    Raises RegistryFileInvalid when the file cannot be read as its format (nothing more is
    written then: the batches already committed stay, and a new attempt resumes after them).
    """
    return _Importer(source=source, commit=commit, run=run, on_line=on_line).execute()


# -- the file given to the command line ----------------------------------------------------


def file_fingerprint(*paths: str) -> str:
    """The files' sizes and a hash of their first megabyte: the same files run again resume."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(os.path.getsize(path)).encode() + b":")
        with open(path, "rb") as stream:
            digest.update(stream.read(1024 * 1024))
    return digest.hexdigest()


def _path_opener(path: str) -> Callable[[], IO[bytes]]:
    return lambda: open(path, "rb")


def registry_import_path(
    *,
    path: str,
    file_format: str,
    legal_units_path: str | None = None,
    commit: bool,
    on_line: Callable[[ReportLine], None] | None = None,
) -> tuple[RegistryReport, RegistryImport | None]:
    """The command line's import of a file on disk, in the current town. A preview writes
    nothing at all; a commit records its run, and resumes the unfinished run of the same file."""
    if file_format not in RegistryImport.Format.values:
        raise RegistryFileInvalid(_("Unknown format %(format)s.") % {"format": file_format})
    source = RegistrySource(
        format=file_format,
        name=os.path.basename(path),
        size=os.path.getsize(path),
        open=_path_opener(path),
        open_legal_units=_path_opener(legal_units_path) if legal_units_path else None,
    )
    if not commit:
        return registry_import(source=source, commit=False, on_line=on_line), None
    fingerprint = file_fingerprint(path, *([legal_units_path] if legal_units_path else []))
    with transaction.atomic(durable=True):
        run = (
            RegistryImport.objects.select_for_update()
            .filter(fingerprint=fingerprint, format=file_format, commit=True, file="")
            .exclude(status=RegistryImport.Status.DONE)
            .order_by("-pk")
            .first()
        )
        if run is None:
            run = RegistryImport.objects.create(
                format=file_format, commit=True, source_name=source.name[:255],
                fingerprint=fingerprint, size_bytes=source.size,
            )  # fmt: skip
        run.status = RegistryImport.Status.RUNNING
        run.failure = ""
        run.save(update_fields=["status", "failure", "updated_at"])
    report = _run_to_end(run, source, on_line=on_line)
    return report, run


def _run_to_end(
    run: RegistryImport,
    source: RegistrySource,
    on_line: Callable[[ReportLine], None] | None = None,
) -> RegistryReport:
    try:
        report = registry_import(source=source, commit=run.commit, run=run, on_line=on_line)
    except RegistryFileInvalid as error:
        _run_finish(run, status=RegistryImport.Status.FAILED, failure=error.message)
        raise
    except Exception:
        _run_finish(
            run,
            status=RegistryImport.Status.FAILED,
            failure=_("The import stopped on an unexpected error; it resumes where it stopped."),
        )
        raise
    _run_finish(run, status=RegistryImport.Status.DONE)
    return report


def _run_finish(run: RegistryImport, *, status: str, failure: str = "") -> None:
    RegistryImport.objects.filter(pk=run.pk).update(
        status=status,
        failure=failure,
        finished_at=timezone.now(),
        bytes_read=run.size_bytes if status == RegistryImport.Status.DONE else run.bytes_read,
        updated_at=timezone.now(),
    )
    run.status, run.failure = status, failure


# -- uploads from /gestion/, run in Celery -------------------------------------------------


def _require_town_admin(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_town_admin):
        raise NotAllowed(_("Only the town's administrators may import the registry."))


def _upload_fingerprint(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def registry_import_upload(
    *,
    actor: User,
    file_format: str,
    upload: UploadedFile,
    legal_units: UploadedFile | None = None,
) -> RegistryImport:
    """A town administrator uploads a registry file: it is stored in the town's storage and
    previewed in Celery (nothing written to the directory); `registry_import_confirm` imports
    it."""
    _require_town_admin(actor)
    if file_format not in RegistryImport.Format.values:
        raise RegistryFileInvalid(_("Choose the file's format."))
    if not upload.size:
        raise RegistryFileInvalid(_("The file is empty."))
    if (upload.size or 0) + (legal_units.size or 0 if legal_units else 0) > MAX_UPLOAD_BYTES:
        raise RegistryFileInvalid(_("The file is larger than 10 GB."))
    if legal_units is not None and file_format != RegistryImport.Format.SIRENE:
        raise RegistryFileInvalid(_("A legal units file goes with a SIRENE file only."))
    with transaction.atomic(durable=True):
        run = RegistryImport(
            format=file_format,
            commit=False,
            source_name=(upload.name or "registre.csv")[:255],
            fingerprint=_upload_fingerprint(upload),
            size_bytes=upload.size or 0,
            created_by=actor,
        )
        run.file.save("registre.csv", upload, save=False)
        if legal_units is not None:
            run.legal_units_file.save("unites-legales.csv", legal_units, save=False)
        run.save()
        _queue(run)
    return run


def registry_import_confirm(*, actor: User, preview_id: int) -> RegistryImport:
    """The administrator imports the good rows of a finished preview: a new run on the same
    stored file, with `commit`. Asked twice, it answers the run already made."""
    _require_town_admin(actor)
    with transaction.atomic(durable=True):
        preview = RegistryImport.objects.select_for_update().get(pk=preview_id, commit=False)
        if preview.status != RegistryImport.Status.DONE:
            raise RegistryFileInvalid(_("The preview has not finished yet."))
        existing = preview.commits.order_by("pk").first()
        if existing is not None:
            return existing
        run = RegistryImport.objects.create(
            format=preview.format, commit=True, file=preview.file.name,
            legal_units_file=preview.legal_units_file.name, source_name=preview.source_name,
            fingerprint=preview.fingerprint, size_bytes=preview.size_bytes,
            created_by=actor, preview_of=preview,
        )  # fmt: skip
        _queue(run)
    return run


def registry_import_resume(*, actor: User, run_id: int) -> RegistryImport:
    """Start a stopped run again: it carries on after its last committed batch."""
    _require_town_admin(actor)
    with transaction.atomic(durable=True):
        run = RegistryImport.objects.select_for_update().get(pk=run_id)
        if run.status == RegistryImport.Status.FAILED:
            run.status = RegistryImport.Status.QUEUED
            run.save(update_fields=["status", "updated_at"])
            _queue(run)
    return run


def _queue(run: RegistryImport) -> None:
    from onboarding.tasks import registry_import_task

    task_after_commit(registry_import_task, run.pk)


def _storage_opener(field_file: object) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        return field_file.storage.open(field_file.name, "rb")  # type: ignore[attr-defined]

    return opener


def registry_import_execute(*, run_id: int) -> RegistryImport | None:
    """The task's work: take the queued run (a run another worker holds, or one done, is left
    alone: a task delivered twice does its work once) and take it to its end."""
    with transaction.atomic(durable=True):
        taken = RegistryImport.objects.filter(
            pk=run_id, status=RegistryImport.Status.QUEUED
        ).update(status=RegistryImport.Status.RUNNING, updated_at=timezone.now())
    if not taken:
        return None
    run = RegistryImport.objects.get(pk=run_id)
    source = RegistrySource(
        format=run.format,
        name=run.source_name,
        size=run.size_bytes,
        open=_storage_opener(run.file),
        open_legal_units=_storage_opener(run.legal_units_file) if run.legal_units_file else None,
    )
    with suppress(RegistryFileInvalid):  # recorded on the run, shown on its page
        _run_to_end(run, source)
    return run
