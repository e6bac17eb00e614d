"""Reading a registry CSV as a stream: rows one at a time, the bytes read counted for the
progress bar, the encoding checked before anything is done."""

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from onboarding.registry.entries import RegistryFileInvalid

# csv refuses fields over 128 KiB by default; a registry field is short, a broken file is not.
FIELD_LIMIT = 64 * 1024
_HEAD_BYTES = 64 * 1024


class CountingReader(io.RawIOBase):
    """A binary stream that counts what was read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "bytearray | memoryview") -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


def encoding_check(raw: IO[bytes]) -> None:
    """Refuse a file that is not UTF-8 from its first 64 KiB (then rewind it)."""
    head = raw.read(_HEAD_BYTES)
    raw.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _HEAD_BYTES)
    except UnicodeDecodeError as error:
        raise RegistryFileInvalid(
            _("The file is not in UTF-8 (byte %(position)d): export it again in UTF-8.")
            % {"position": error.start + 1}
        ) from error


class CsvStream:
    """The rows of a CSV file after its header, each with its line number (the header is line
    1). The delimiter is the header's: a comma (INSEE), or a semicolon (many open-data portals)."""

    def __init__(self, raw: IO[bytes]) -> None:
        encoding_check(raw)
        self.counter = CountingReader(raw)
        self.text = io.TextIOWrapper(
            io.BufferedReader(self.counter, buffer_size=1 << 20), encoding="utf-8-sig", newline=""
        )
        try:
            first = self.text.readline(FIELD_LIMIT)
        except UnicodeDecodeError as error:
            raise RegistryFileInvalid(
                _("The file is not in UTF-8: export it again in UTF-8.")
            ) from error
        if not first.strip():
            raise RegistryFileInvalid(_("The file is empty."))
        delimiter = ";" if first.count(";") > first.count(",") else ","
        csv.field_size_limit(FIELD_LIMIT)
        try:
            self.header = next(csv.reader([first], delimiter=delimiter))
        except csv.Error as error:
            raise RegistryFileInvalid(
                _("The first line cannot be read as CSV (%(error)s).") % {"error": error}
            ) from error
        self._reader = csv.reader(self.text, delimiter=delimiter)

    @property
    def bytes_read(self) -> int:
        return self.counter.count

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        line = 1
        try:
            for row in reader:
                if "\x00" in "".join(row):
                    # PostgreSQL stores no NUL character; no registry has one on purpose.
                    row = [cell.replace("\x00", "") for cell in row]
                yield line + 1, row
                line = reader.line_num + 1
        except UnicodeDecodeError as error:
            raise RegistryFileInvalid(
                _("The file is not in UTF-8 after line %(line)d: export it again in UTF-8.")
                % {"line": line}
            ) from error
        except csv.Error as error:
            raise RegistryFileInvalid(
                _("The file cannot be read as CSV after line %(line)d (%(error)s).")
                % {"line": line, "error": error}
            ) from error
