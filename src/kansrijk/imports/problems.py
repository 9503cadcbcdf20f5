"""The problems an import reports: each names its row and column where it can."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ImportProblem:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("Rij %(row)s, kolom '%(column)s': %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("Rij %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("Kolom '%(column)s': %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        return self.message


class ImportRejected(Exception):
    """The file was not imported; ``problems`` says why, row by row."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def rejected(message: str, row: int | None = None, column: str | None = None) -> ImportRejected:
    """One problem that stops the whole file."""
    return ImportRejected([ImportProblem(row, column, message)])
