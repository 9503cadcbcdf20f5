"""A cheap pass over a workbook's XML before openpyxl reads it.

openpyxl builds each ``<row>`` whole in memory before it hands it over, and loads every
shared string at once. Within the zip limits a sheet can still hold one row of millions
of cells, or a million shared strings, in a few MB: each would cost gigabytes there.
This pass counts them with expat (in C, constant memory, our code called only at the
start of an element) and refuses as soon as a row has too many cells, the sheet too many
rows or the workbook too many strings. A document type declaration is refused outright:
a spreadsheet never has one, and entities are how XML bombs are made.
"""

from __future__ import annotations

import zipfile
import zlib
from xml.parsers import expat

from django.utils.translation import gettext as _

from .limits import Limits, too_many_columns, too_many_rows
from .problems import rejected

CHUNK = 1 << 16


def scan_workbook(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse the workbook if a sheet or its shared strings cross the limits. Parts
    smaller than ``limits.scan_floor`` unpacked are too small to matter and skipped."""
    for member in archive.infolist():
        if member.file_size < limits.scan_floor:
            continue
        name = member.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            _scan(archive, member, _SheetCounter(limits))
        elif name == "xl/sharedStrings.xml":
            _scan(archive, member, _StringCounter(limits))


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, counter) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counter.start
    parser.StartDoctypeDeclHandler = _no_doctype
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError:
        raise rejected(
            _("Het bestand kon niet worden gelezen als Excel-bestand (.xlsx).")
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise rejected(_("Het bestand is beschadigd en kon niet worden gelezen.")) from None


def _no_doctype(*_args) -> None:
    raise rejected(_("Het bestand bevat een documenttypedefinitie (DTD); dat kan niet in .xlsx."))


def _local(name: str) -> str:
    return name[name.rfind(" ") + 1 :]


class _SheetCounter:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def start(self, name: str, _attributes) -> None:
        local = _local(name)
        if local == "c":
            self.cells += 1
            if self.cells > self.limits.max_columns + 1:
                raise too_many_columns(self.limits, self.rows)
        elif local == "row":
            self.rows += 1
            self.cells = 0
            if self.rows > self.limits.max_rows:
                raise too_many_rows(self.limits, self.rows)


class _StringCounter:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.strings = 0

    def start(self, name: str, _attributes) -> None:
        if _local(name) == "si":
            self.strings += 1
            if self.strings > self.limits.max_strings:
                raise rejected(
                    _("het bestand heeft meer dan %(n)s verschillende teksten; dat is de grens.")
                    % {"n": f"{self.limits.max_strings:,}".replace(",", ".")}
                )
