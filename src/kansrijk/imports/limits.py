"""How much work one file may cost. Every reader checks these *while* it reads, so a
hostile file is refused after a bounded amount of work, whatever it claims."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from .problems import rejected

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    # The file as uploaded.
    max_bytes: int = 5 * MIB
    # Physical rows, the header and blank rows included: a million blank rows cost as
    # much as a million filled ones to read, so they count.
    max_rows: int = 25_000
    max_columns: int = 200
    # Characters in one cell. Excel itself stops at 32,767.
    max_cell_chars: int = 32 * KIB
    # A zip (an XLSX is one): all members together, unpacked, and how much bigger a
    # member may be unpacked than packed (members under ``ratio_floor`` bytes are not
    # judged by their ratio: a small repetitive file packs very well).
    max_decompressed_bytes: int = 100 * MIB
    max_ratio: int = 100
    ratio_floor: int = 1 * MIB
    max_members: int = 100

    def but(self, **changes) -> Limits:
        return replace(self, **changes)


def human_bytes(count: int) -> str:
    if count >= MIB:
        return _("%(n)s MB") % {"n": f"{count / MIB:.0f}"}
    return _("%(n)s KB") % {"n": f"{count / KIB:.0f}"}


def too_many_bytes(limits: Limits):
    return rejected(
        _("Het bestand is groter dan %(size)s; dat is de grens.")
        % {"size": human_bytes(limits.max_bytes)}
    )


def too_many_rows(limits: Limits, row: int):
    return rejected(
        _(
            "het bestand heeft meer dan %(n)s rijen (lege rijen tellen mee); dat is de grens. "
            "Splits het bestand."
        )
        % {"n": f"{limits.max_rows:,}".replace(",", ".")},
        row=row,
    )


def too_many_columns(limits: Limits, row: int):
    return rejected(
        _("deze rij heeft meer dan %(n)s kolommen; dat is de grens.") % {"n": limits.max_columns},
        row=row,
    )


def cell_too_large(limits: Limits, row: int, column: str | None = None):
    return rejected(
        _("een cel is langer dan %(n)s tekens; dat is de grens.")
        % {"n": f"{limits.max_cell_chars:,}".replace(",", ".")},
        row=row,
        column=column,
    )


class CountingReader(io.RawIOBase):
    """A binary stream that counts what passes and refuses to pass more than ``limit``
    bytes: the check happens while reading, not after. ``observe`` sees every chunk
    (to hash the file in the same pass, for instance)."""

    def __init__(self, raw, limit: int, refuse, observe=None):
        self._raw = raw
        self.limit = limit
        self.refuse = refuse
        self.observe = observe
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        count = len(data)
        buffer[:count] = data
        if self.observe is not None and count:
            self.observe(data)
        self.count += count
        if self.count > self.limit:
            raise self.refuse()
        return count
