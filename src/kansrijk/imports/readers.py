"""Streaming readers for CSV, XLSX and zip members, with the limits checked while
reading.

A reader returns a ``Table``: the header row and an *iterator* of physical rows, each
``(row number, [Cell, ...])``, blank rows included (they count towards the row limit).
Nothing is read ahead beyond a buffer: a file is refused as soon as it crosses a limit,
so a hostile file costs bounded time and memory whatever it claims to hold.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .limits import (
    CountingReader,
    Limits,
    cell_too_large,
    human_bytes,
    too_many_bytes,
    too_many_columns,
    too_many_rows,
)
from .problems import rejected

# (phase, done, total): total is 0 when it is not known.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1000
READING = "lezen"

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
UTF16 = "utf-16"
CP1252 = "cp1252"
ENCODING_NAMES = {
    UTF8: "UTF-8",
    UTF8_BOM: "UTF-8 (met BOM)",
    UTF16: "UTF-16",
    CP1252: "Windows-1252",
}
# What the spreadsheet importers accept: Excel's "CSV UTF-8", "Unicode-tekst" (UTF-16
# with a BOM) and "CSV (gescheiden door lijstscheidingsteken)" on Windows (cp1252).
SPREADSHEET_ENCODINGS = (UTF8, UTF8_BOM, UTF16, CP1252)
UTF8_ONLY = (UTF8, UTF8_BOM)


def no_progress(phase: str, done: int, total: int) -> None:
    """The default progress callback: nobody listens."""


@dataclass
class Cell:
    value: Any
    is_formula: bool = False
    from_csv: bool = False


@dataclass
class Table:
    header: list[Cell]
    rows: Iterator[tuple[int, list[Cell]]]
    # The encoding a CSV was read in (a key of ENCODING_NAMES); None for XLSX.
    encoding: str | None = None

    @property
    def columns(self) -> list[str]:
        """The header's names, trimmed and in lower case ("" for an empty header cell)."""
        return [str(cell.value or "").strip().lower() for cell in self.header]


def open_table(
    source,
    filename: str,
    *,
    limits: Limits,
    progress: Progress = no_progress,
    sheet: str | None = None,
    encodings: tuple[str, ...] = SPREADSHEET_ENCODINGS,
) -> Table:
    """The table of an XLSX or CSV file (by its extension). ``source`` is bytes or a
    seekable binary file; ``sheet`` names the preferred sheet of a workbook."""
    stream = _seekable(source, limits)
    name = filename.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(stream, limits=limits, progress=progress, sheet=sheet)
    if name.endswith(".csv"):
        return read_csv(stream, limits=limits, progress=progress, encodings=encodings)
    raise rejected(_("Kies een .xlsx- of .csv-bestand."))


def _seekable(source, limits: Limits):
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > limits.max_bytes:
        raise too_many_bytes(limits)
    return stream


# ------------------------------------------------------------------ CSV


def read_csv(
    stream,
    *,
    limits: Limits,
    progress: Progress = no_progress,
    encodings: tuple[str, ...] = SPREADSHEET_ENCODINGS,
    observe: Callable[[bytes], None] | None = None,
) -> Table:
    """A CSV file from a seekable binary stream. Its encoding is detected first (in one
    pass that keeps nothing); the delimiter (comma or semicolon) from the header.
    ``observe`` sees every chunk of the reading pass (not of the detection)."""
    encoding = detect_encoding(stream, limits, encodings)
    counted = CountingReader(
        stream, limits.max_bytes, lambda: too_many_bytes(limits), observe=observe
    )
    text = io.TextIOWrapper(
        io.BufferedReader(counted, 1 << 16),
        encoding=encoding,
        errors="replace" if encoding == CP1252 else "strict",
        newline="",
    )
    lines = _bounded_lines(text, limits)
    first = next(lines, "")
    if not first.strip():
        raise rejected(_("Het bestand is leeg."))
    # We write commas; Dutch Excel writes semicolons. The header line tells which.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    records = _csv_records(reader, limits, progress)
    _number, header = next(records)
    return Table(header=header, rows=records, encoding=encoding)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _bounded_lines(text, limits: Limits) -> Iterator[str]:
    """The text's lines, none longer than a row may be: a file of one endless line is
    refused after reading that much, not after reading it all."""
    longest = limits.max_cell_chars * 4 + limits.max_columns * 64
    line_number = 0
    while True:
        try:
            line = text.readline(longest)
        except UnicodeDecodeError:
            raise rejected(
                _("het bestand is niet in %(encoding)s opgeslagen, zoals het begin deed denken.")
                % {"encoding": "UTF-8"},
                row=line_number + 1,
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise rejected(_("Het bestand is beschadigd en kon niet worden gelezen.")) from None
        if not line:
            return
        line_number += 1
        if len(line) >= longest and not line.endswith(("\n", "\r")):
            raise cell_too_large(limits, row=line_number)
        yield line


def _csv_records(reader, limits: Limits, progress: Progress):
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise cell_too_large(limits, row=number + 1) from None
            raise rejected(
                _("deze rij is geen geldige CSV (een aanhalingsteken te veel?)."), row=number + 1
            ) from None
        number += 1
        _check_row_size(limits, number, cells)
        if number % PROGRESS_EVERY == 0:
            progress(READING, number, 0)
        yield number, [Cell(value, from_csv=number > 1) for value in cells]


def _check_row_size(limits: Limits, number: int, values: list) -> None:
    if number > limits.max_rows:
        raise too_many_rows(limits, number)
    if len(values) > limits.max_columns:
        raise too_many_columns(limits, number)
    for value in values:
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise cell_too_large(limits, row=number)
        if isinstance(value, str) and "\x00" in value:
            raise rejected(
                _("deze rij bevat een NUL-teken; dat kan in geen enkele cel."), row=number
            )


def detect_encoding(stream, limits: Limits, accepted: tuple[str, ...]) -> str:
    """The encoding of a seekable text file, named by its BOM or found by decoding it
    as UTF-8 in chunks (nothing kept). Refused, naming the encoding, if not accepted."""
    head = stream.read(4)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = UTF16
    elif head.startswith(codecs.BOM_UTF8):
        encoding = UTF8_BOM
    else:
        encoding, bad_line = _utf8_or_cp1252(stream, limits)
        stream.seek(0)
        if encoding == CP1252 and CP1252 not in accepted:
            raise rejected(_not_utf8_message(), row=bad_line)
    if encoding not in accepted:
        raise rejected(
            _(
                "Het bestand is opgeslagen in de codering %(encoding)s; sla het op als "
                "'CSV UTF-8 (door komma's gescheiden)'."
            )
            % {"encoding": ENCODING_NAMES[encoding]}
        )
    return encoding


def _not_utf8_message() -> str:
    return _(
        "het bestand is niet in UTF-8 opgeslagen; kies in Excel 'CSV UTF-8 (door "
        "komma's gescheiden)'."
    )


def _utf8_or_cp1252(stream, limits: Limits) -> tuple[str, int | None]:
    decoder = codecs.getincrementaldecoder(UTF8)()
    total = lines = 0
    while chunk := stream.read(1 << 20):
        if total == 0 and _looks_like_utf16(chunk):
            raise rejected(
                _(
                    "Het bestand lijkt in de codering UTF-16 zonder BOM opgeslagen; sla het op "
                    "als 'CSV UTF-8 (door komma's gescheiden)'."
                )
            )
        total += len(chunk)
        if total > limits.max_bytes:
            raise too_many_bytes(limits)
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            return CP1252, lines + chunk.count(b"\n", 0, error.start) + 1
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return CP1252, lines + 1
    return UTF8, None


def _looks_like_utf16(chunk: bytes) -> bool:
    # Latin text in UTF-16 has a NUL in every other byte.
    sample = chunk[:4096]
    return len(sample) >= 4 and (
        sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4
    )


# ------------------------------------------------------------------ zip and XLSX


def check_zip(stream, limits: Limits, *, what: str) -> zipfile.ZipFile:
    """The archive, after its directory is checked against the limits: members, total
    unpacked size, and the ratio of each member. ``what`` names the file in messages."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise rejected(
            _("Het bestand kon niet worden gelezen als %(what)s.") % {"what": what}
        ) from None
    if len(members) > limits.max_members:
        raise rejected(
            _("Het bestand bevat meer dan %(n)s onderdelen; dat is de grens.")
            % {"n": limits.max_members}
        )
    total = 0
    for member in members:
        total += member.file_size
        if total > limits.max_decompressed_bytes:
            raise rejected(
                _("Het bestand is uitgepakt groter dan %(size)s; dat is de grens.")
                % {"size": human_bytes(limits.max_decompressed_bytes)}
            )
        if member.file_size > limits.ratio_floor and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise rejected(
                _(
                    "'%(name)s' in het bestand is uitgepakt meer dan %(ratio)s keer zo groot "
                    "als ingepakt; dat is de grens (een zip-bom?)."
                )
                % {"name": member.filename[:80], "ratio": limits.max_ratio}
            )
    return archive


def open_member(archive: zipfile.ZipFile, name: str, limits: Limits):
    """A member as a stream, refused while reading if it unpacks to more than the limit
    (whatever its directory entry claims)."""
    return CountingReader(
        archive.open(name),
        limits.max_decompressed_bytes,
        lambda: rejected(
            _("'%(name)s' is uitgepakt groter dan %(size)s; dat is de grens.")
            % {"name": name[:80], "size": human_bytes(limits.max_decompressed_bytes)}
        ),
    )


def read_member_csv(
    archive: zipfile.ZipFile,
    name: str,
    *,
    limits: Limits,
    progress: Progress = no_progress,
    encodings: tuple[str, ...] = UTF8_ONLY,
) -> Table:
    """A CSV member of a zip, streamed (seeking back opens it again; nothing is kept)."""
    return read_csv(
        _Rewindable(lambda: open_member(archive, name, limits)),
        limits=limits.but(max_bytes=limits.max_decompressed_bytes),
        progress=progress,
        encodings=encodings,
    )


class _Rewindable(io.RawIOBase):
    """A stream that can only go back to its start, by opening again."""

    def __init__(self, opener):
        self._opener = opener
        self._stream = opener()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only back to the start")
        self._stream.close()
        self._stream = self._opener()
        return 0


def read_xlsx(
    stream, *, limits: Limits, progress: Progress = no_progress, sheet: str | None = None
) -> Table:
    """The first sheet (or ``sheet``) of a workbook, read with openpyxl in read-only
    mode, after the zip directory is checked (shared strings are loaded whole)."""
    # The directory first: a bomb is refused before openpyxl is even loaded.
    check_zip(stream, limits, what=_("Excel-bestand (.xlsx)"))
    stream.seek(0)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
        worksheet = workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise rejected(
            _("Het bestand kon niet worden gelezen als Excel-bestand (.xlsx).")
        ) from None
    records = _xlsx_records(workbook, worksheet, limits, progress)
    first = next(records, None)
    if first is None:
        raise rejected(_("Het bestand is leeg."))
    return Table(header=first[1], rows=records)


def _trimmed(row) -> list[Cell]:
    """The row's cells without the empty ones that pad its end."""
    end = len(row)
    while end and row[end - 1].value is None:
        end -= 1
    return [
        Cell(cell.value, is_formula=getattr(cell, "data_type", None) == "f") for cell in row[:end]
    ]


def _xlsx_records(workbook, worksheet, limits: Limits, progress: Progress):
    # One column past the limit is read, so that a value there can be refused; openpyxl
    # pads every row to the width the sheet claims, so that claim is capped too.
    width = min(worksheet.max_column or limits.max_columns + 1, limits.max_columns + 1)
    rows = worksheet.iter_rows(max_col=width)
    try:
        for number, row in enumerate(rows, start=1):
            values = [cell.value for cell in row]
            if len(values) > limits.max_columns and values[limits.max_columns] is not None:
                raise too_many_columns(limits, number)
            _check_row_size(limits, number, values[: limits.max_columns])
            if number % PROGRESS_EVERY == 0:
                progress(READING, number, 0)
            yield (
                number,
                [
                    Cell(cell.value, is_formula=getattr(cell, "data_type", None) == "f")
                    for cell in row[: limits.max_columns]
                ],
            )
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, SyntaxError):
        raise rejected(
            _("Het bestand kon niet worden gelezen als Excel-bestand (.xlsx).")
        ) from None
    finally:
        workbook.close()
