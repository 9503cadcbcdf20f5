"""One exporter base for every table Kansrijk writes: CSV and XLSX from the same rows.

The agenda's round trip, the monitor's measurements and the thuiszitters reports all
subclass these; a subclass only names its sheet, its column help and its widths.

Every text that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) gets a leading quote, so that a spreadsheet shows it as text ("formula injection",
OWASP). The quote itself is escaped too, so that a value that really starts with a quote
survives the round trip.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard_formula(value: str) -> str:
    if value.startswith(FORMULA_TRIGGERS) or (
        value.startswith(GUARD) and value[1:2] in (*FORMULA_TRIGGERS, GUARD)
    ):
        return GUARD + value
    return value


def unguard_formula(value: str) -> str:
    """Undo ``guard_formula``: only a quote the exporter could have written is removed."""
    if value.startswith(GUARD) and value[1:2] and value[1:2] in (*FORMULA_TRIGGERS, GUARD):
        return value[1:]
    return value


class TabularExporter:
    """The same columns, the same rows, the same guard against formula injection.
    Subclasses only decide how a cell is written."""

    extension = ""
    content_type = ""

    def __init__(self, rows: list[dict[str, Any]], columns: list[str]):
        self.rows = rows
        self.columns = columns

    def cell(self, value: Any) -> Any:
        """Text is guarded; numbers stay numbers where the format has them."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if isinstance(value, int | Decimal):
            return value
        if isinstance(value, datetime.date):
            return value.isoformat()
        return guard_formula(str(value))

    def table(self) -> Iterator[list[Any]]:
        yield list(self.columns)
        for row in self.rows:
            yield [self.cell(row.get(column)) for column in self.columns]

    def write(self, stream: io.BufferedIOBase) -> None:
        raise NotImplementedError

    def render(self) -> bytes:
        stream = io.BytesIO()
        self.write(stream)
        return stream.getvalue()


class CsvExporter(TabularExporter):
    """Comma-separated, UTF-8 with a byte order mark (so Excel reads the accents),
    every field quoted when needed (texts with newlines stay one cell), decimals with a
    point."""

    extension = "csv"
    content_type = CSV_CONTENT_TYPE

    def cell(self, value: Any) -> Any:
        value = super().cell(value)
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    def write(self, stream: io.BufferedIOBase) -> None:
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerows(self.table())
        stream.write(text.getvalue().encode("utf-8-sig"))


class XlsxExporter(TabularExporter):
    """One sheet with the rows (bold frozen header, filter) and a sheet 'Toelichting'
    with what each column means; an importer reads only the first."""

    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE
    sheet_title = "Gegevens"
    column_help: dict[str, str] = {}
    # The markers a hidden figure may carry and their meaning, written under the column
    # help (suppression.legend()); empty for tables without figures of people.
    legend: list[tuple[str, str]] = []
    long_text_columns: frozenset[str] = frozenset()
    freeze_panes = "A2"
    wrap_text = False

    def write(self, stream: io.BufferedIOBase) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.sheet_title
        for row in self.table():
            # Strings are written as strings: openpyxl would turn '=...' into a formula,
            # which the guard above has already made impossible.
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = self.freeze_panes
        sheet.auto_filter.ref = sheet.dimensions
        for index, column in enumerate(self.columns, start=1):
            width = 40 if column in self.long_text_columns else max(10, len(column) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        if self.wrap_text:
            wrap = Alignment(wrap_text=True, vertical="top")
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = wrap
        notes = workbook.create_sheet("Toelichting")
        notes.append(["kolom", "betekenis"])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for column in self.columns:
            notes.append([column, guard_formula(self.column_help.get(column, ""))])
        if self.legend:
            notes.append([])
            notes.append(["teken", "betekenis"])
            for cell in notes[notes.max_row]:
                cell.font = Font(bold=True)
            for marker, meaning in self.legend:
                notes.append([guard_formula(marker), guard_formula(str(meaning))])
        notes.column_dimensions["A"].width = 26
        notes.column_dimensions["B"].width = 110
        workbook.save(stream)
