"""Loading the shipped reference data: the country, provinces, gemeenten (with the
gemeenten that merged since 2013 and their successors), RMC regions with dated
memberships, samenwerkingsverbanden (SWVs), school institutions (BRIN4) and school
locations (BRIN6).

The files and their provenance are described in ``kansrijk/reference_data/SOURCES.md``.
``load_reference_data`` reads and checks every file first, then writes everything in one
transaction with one audit record. Any bad value raises ``ReferenceDataError`` naming the
file, the line and the column, and nothing is written. Nothing is guessed: the four
gemeenten whose RMC region the files cannot settle get a review note and no membership.

RMC memberships carry the dates their source holds for (decision 0021): the 2015 text of
the regulation from ``RMC_2015_VALID_FROM`` until the 2025 derivation takes over on
1 January 2025, a gemeente that merged until its merger, and a gemeente formed by a
merger from its first day when every predecessor lay in the same region. The four
ambiguous gemeenten get no region after their merger either.

Loading is idempotent. Rows are matched on their code; a second run with the same files
creates and updates nothing. A few values are placeholders that the files do not really
give (an institution's name, an SWV name we could not find). They are written when the
row is created and are then left alone, so a name a person has corrected is kept.
"""

from __future__ import annotations

import csv
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from kansrijk.audit import services as audit

from . import validators
from .models import (
    Organisation,
    OrganisationKind,
    Region,
    RegionKind,
    RegionMembership,
    RegionSuccession,
    Sector,
)

GEMEENTEN_FILE = "gemeenten_2025.csv"
SCHOOLS_FILE = "duo_schoolvestigingen_po_vo_so_2024-11.csv"
RMC_2015_FILE = "rmc_regios_gemeenten_2015.csv"
RMC_2025_FILE = "rmc_regio_per_gemeente_2025_afgeleid.csv"
SWV_PC4_FILE = "swv_regio_indeling_pc4_2013.csv"
SWV_GEMEENTE_FILE = "swv_per_gemeente_2025_afgeleid.csv"
SWV_NAMES_FILE = "swv_namen_steekproef.csv"
MERGERS_FILE = "gemeentelijke_herindelingen_2013_2023.csv"

# The day from which the 2015 text of the RMC regulation (BWBR0031387, bijlage C) is read
# as the RMC division. It names De Friese Meren, a gemeente that exists from 1 January
# 2014, and not yet the mergers of 1 January 2015: decision 0021 gives the reasoning.
RMC_2015_VALID_FROM = date(2014, 1, 1)
# How the regulation writes a few names that neither match a CBS name nor can be matched
# by ignoring case, punctuation and "(NH.)"-like suffixes: abbreviations, two typos, and
# the two Bergens (by their region: 24 Noord-Kennemerland, 38 Limburg-Noord).
RMC_2015_SPELLINGS = {
    "Bergen (NH)": "GM0373",
    "Bergen": "GM0893",
    "Bergeyk": "GM1724",
    "Haarlemmerliede c.a.": "GM0393",
    "Hellevloetsluis": "GM0530",
    "Kollumerland c.a.": "GM0079",
    "Millingen a.d. Rijn": "GM0265",
    "Nuenen c.a.": "GM0820",
    "Tytjerksteradiel": "GM0737",
}
YES_NO = {"ja": True, "nee": False}

COUNTRY_CODE = "NL"
COUNTRY_NAME = "Nederland"

# CBS province codes. The second element is the name we store; the third lists the names
# the files use for it (gemeenten_2025.csv writes "Friesland", CBS writes "Fryslân").
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("PV20", "Groningen", ("Groningen",)),
    ("PV21", "Fryslân", ("Friesland", "Fryslân")),
    ("PV22", "Drenthe", ("Drenthe",)),
    ("PV23", "Overijssel", ("Overijssel",)),
    ("PV24", "Flevoland", ("Flevoland",)),
    ("PV25", "Gelderland", ("Gelderland",)),
    ("PV26", "Utrecht", ("Utrecht",)),
    ("PV27", "Noord-Holland", ("Noord-Holland",)),
    ("PV28", "Zuid-Holland", ("Zuid-Holland",)),
    ("PV29", "Zeeland", ("Zeeland",)),
    ("PV30", "Noord-Brabant", ("Noord-Brabant",)),
    ("PV31", "Limburg", ("Limburg",)),
)
PROVINCE_BY_FILE_NAME = {alias: code for code, _, aliases in PROVINCES for alias in aliases}

# The school file is EduGIS's export ``scholen20241122`` of the DUO address files of
# November 2024. DUO's own peildatum of the pupil counts is not in the export (VO counts
# are "2023"), so we record the date of the export: the counts were current on that day.
PUPIL_COUNT_DATE = date(2024, 11, 22)

# The 2013 SWV regulation gives "Europoort" (PC4 3197-3199, harbour area) instead of a code.
SWV_NON_CODES = frozenset({"Europoort"})
# swv_namen_steekproef.csv marks a description that is not an official name like this.
DESCRIPTION_MARKER = "(omschrijving)"

SCHOOL_SECTORS = {
    "PO": Sector.PO,
    "SBO": Sector.SBO,
    "SO/VSO": Sector.SO_VSO,
    "VO": Sector.VO,
}
# Which SWV column applies to a school of each sector. SO/VSO schools belong to an SWV
# by choice of their board, not by postcode, so the PC4 columns do not apply to them.
SWV_COLUMN_BY_SECTOR = {
    Sector.PO: "swv_po_code_pc4",
    Sector.SBO: "swv_po_code_pc4",
    Sector.VO: "swv_vo_code_pc4",
}

REVIEW_CONTACT = "controleren bij DUO/OCW."
# rmc_regio_per_gemeente_2025_afgeleid.csv marks a placement that needs checking like this.
HINT_MARKER = "herindeling-hint"
BATCH_SIZE = 1000

# The order in which the report lists the kinds, with their Dutch labels.
KIND_LABELS = {
    "country": ("land", "landen"),
    "provinces": ("provincie", "provincies"),
    "municipalities": ("gemeente", "gemeenten"),
    "former_municipalities": ("opgeheven gemeente", "opgeheven gemeenten"),
    "region_successions": ("opvolging bij herindeling", "opvolgingen bij herindeling"),
    "rmc_regions": ("RMC-regio", "RMC-regio's"),
    "region_memberships": ("regiolidmaatschap", "regiolidmaatschappen"),
    "municipality_organisations": ("gemeente-organisatie", "gemeente-organisaties"),
    "partnerships": ("samenwerkingsverband", "samenwerkingsverbanden"),
    "school_institutions": ("schoolinstelling (BRIN4)", "schoolinstellingen (BRIN4)"),
    "school_locations": ("schoolvestiging", "schoolvestigingen"),
}

Progress = Callable[[str, int, int], None]


class ReferenceDataError(Exception):
    """A reference file is missing, incomplete or holds a value we cannot accept."""

    def __init__(
        self, file: str, message: str, *, line: int | None = None, column: str | None = None
    ):
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        where = [file]
        if line is not None:
            where.append(f"regel {line}")
        if column is not None:
            where.append(f"kolom '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


@dataclass(frozen=True)
class FlaggedMunicipality:
    """A gemeente whose RMC region a person has to check."""

    code: str
    name: str
    candidates: tuple[tuple[str, str], ...]  # (RMC number, RMC name); empty if settled
    rmc_region: str  # the RMC region it was placed in, or "" when it was not placed
    note: str


@dataclass
class LoadReport:
    directory: Path
    counts: dict[str, KindCounts] = field(
        default_factory=lambda: {kind: KindCounts() for kind in KIND_LABELS}
    )
    # The gemeenten with no RMC membership because the files name several candidates.
    ambiguous: list[FlaggedMunicipality] = field(default_factory=list)
    # The gemeenten placed in an RMC region through a merger hint that needs checking.
    to_verify: list[FlaggedMunicipality] = field(default_factory=list)
    # Names in the 2015 regulation of gemeenten that no longer existed on the day its
    # text is read from (merged before 2014): they get no membership.
    rmc_2015_not_placed: list[str] = field(default_factory=list)
    # Rows loaded with a value left out (a postcode that fails validation, no SWV found).
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.values())

    @property
    def removed(self) -> int:
        return sum(c.removed for c in self.counts.values())

    def as_dict(self) -> dict:
        """What the audit record keeps: the counts and the codes that need checking."""
        return {
            "counts": {kind: counts.as_dict() for kind, counts in self.counts.items()},
            "ambiguous_rmc": [flagged.code for flagged in self.ambiguous],
            "rmc_to_verify": [flagged.code for flagged in self.to_verify],
            "rmc_2015_not_placed": list(self.rmc_2015_not_placed),
            "warnings": len(self.warnings),
        }


# --------------------------------------------------------------------------- reading


def _rows(directory: Path, name: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    """The data rows of one file as (line number, row with stripped values).

    The line number counts the header as line 1, so it is the line an editor shows.
    """
    path = directory / name
    if not path.is_file():
        raise ReferenceDataError(name, f"bestand niet gevonden in {directory}.")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        for column in columns:
            if column not in header:
                raise ReferenceDataError(name, "kolom ontbreekt in de kopregel.", column=column)
        for row in reader:
            line = reader.line_num
            if None in row or any(row.get(column) is None for column in columns):
                raise ReferenceDataError(
                    name, "aantal velden klopt niet met de kopregel.", line=line
                )
            yield line, {key: (value or "").strip() for key, value in row.items()}


def _fail(name: str, line: int, column: str, message: str) -> ReferenceDataError:
    return ReferenceDataError(name, message, line=line, column=column)


def _checked(name: str, line: int, row: dict, column: str, check: Callable[[str], object]) -> str:
    value = row[column]
    try:
        check(value)
    except ValidationError as error:
        raise _fail(name, line, column, " ".join(error.messages)) from None
    return value


def _required(name: str, line: int, row: dict, column: str) -> str:
    value = row[column]
    if not value:
        raise _fail(name, line, column, "waarde ontbreekt.")
    return value


def _fits(name: str, line: int, column: str, value: str, model_field: str) -> str:
    max_length = Organisation._meta.get_field(model_field).max_length
    if max_length and len(value) > max_length:
        raise _fail(
            name, line, column, f"'{value}' is langer dan {max_length} tekens ({model_field})."
        )
    return value


def _swv_code(name: str, line: int, row: dict, column: str, sector: str) -> str:
    """A normalised SWV code of the expected sector (PO or VO), or ``""`` when empty."""
    value = row[column]
    if not value:
        return ""
    try:
        code = validators.normalise_swv_code(value)
    except ValidationError as error:
        raise _fail(name, line, column, " ".join(error.messages)) from None
    if not code.startswith(sector):
        raise _fail(name, line, column, f"'{value}' is geen {sector}-samenwerkingsverband.")
    return code


def _coordinate(name: str, line: int, row: dict, column: str, limit: int) -> Decimal:
    value = _required(name, line, row, column)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _fail(name, line, column, f"'{value}' is geen getal.") from None
    if not number.is_finite() or abs(number) > limit:
        raise _fail(name, line, column, f"'{value}' ligt buiten -{limit} … {limit}.")
    return number.quantize(Decimal("0.000001"))


@dataclass
class _Gemeente:
    code: str
    name: str
    province: str  # CBS province code


@dataclass
class _RmcPlacement:
    line: int
    rmc: str  # "RMC25", or "" when unresolved
    method: str
    candidates: tuple[str, ...]  # "RMC19", "RMC30"
    predecessors: tuple[str, ...]


@dataclass
class _Succession:
    line: int
    date: date
    predecessor: str  # GM code
    successor: str  # GM code
    whole: bool
    sources: str


@dataclass
class _Former:
    """A gemeente that merged away between 2013 and 2025 (not in gemeenten_2025.csv)."""

    code: str
    name: str
    province: str  # CBS province code
    valid_to: date
    valid_from: date | None = None  # set when the file shows it was itself formed then


@dataclass
class _Files:
    year: int = 0
    gemeenten: dict[str, _Gemeente] = field(default_factory=dict)
    former: dict[str, _Former] = field(default_factory=dict)
    successions: list[_Succession] = field(default_factory=list)
    # gemeente code -> the day it was formed by a merger in the mergers file
    formed_on: dict[str, date] = field(default_factory=dict)
    # gemeente code (2025 or former) -> RMC code, as the 2015 regulation names it
    rmc_2015: dict[str, str] = field(default_factory=dict)
    rmc_2015_unknown: list[str] = field(default_factory=list)  # "naam (RMC nn)"
    rmc_names: dict[str, str] = field(default_factory=dict)
    rmc_placements: dict[str, _RmcPlacement] = field(default_factory=dict)
    swv_codes: dict[str, str] = field(default_factory=dict)  # code -> sector (PO/VO)
    swv_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, url)
    swv_gemeenten: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    schools: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _read_gemeenten(directory: Path, files: _Files) -> None:
    name = GEMEENTEN_FILE
    years: set[str] = set()
    for line, row in _rows(directory, name, ("gemeentecode", "gemeentenaam", "provincie", "jaar")):
        code = _checked(name, line, row, "gemeentecode", validators.validate_gm_code)
        if code in files.gemeenten:
            raise _fail(name, line, "gemeentecode", f"{code} staat er twee keer in.")
        province = _required(name, line, row, "provincie")
        if province not in PROVINCE_BY_FILE_NAME:
            raise _fail(name, line, "provincie", f"onbekende provincie '{province}'.")
        jaar = _required(name, line, row, "jaar")
        if not re.fullmatch(r"[0-9]{4}", jaar):
            raise _fail(name, line, "jaar", f"'{jaar}' is geen jaartal.")
        years.add(jaar)
        if len(years) > 1:
            raise _fail(name, line, "jaar", f"het bestand mengt de jaren {sorted(years)}.")
        files.gemeenten[code] = _Gemeente(
            code=code,
            name=_required(name, line, row, "gemeentenaam"),
            province=PROVINCE_BY_FILE_NAME[province],
        )
    if not files.gemeenten:
        raise ReferenceDataError(name, "het bestand bevat geen gemeenten.")
    files.year = int(years.pop())


def _date(name: str, line: int, row: dict, column: str) -> date:
    value = _required(name, line, row, column)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(name, line, column, f"'{value}' is geen datum (JJJJ-MM-DD).") from None


def _yes_no(name: str, line: int, row: dict, column: str) -> bool:
    value = row[column]
    if value not in YES_NO:
        raise _fail(name, line, column, f"'{value}' is geen ja of nee.")
    return YES_NO[value]


def _read_mergers(directory: Path, files: _Files) -> None:
    """The herindelingen since 2013: which gemeente went to which, on which day."""
    name = MERGERS_FILE
    columns = (
        "datum",
        "voorganger_code",
        "voorganger_naam",
        "voorganger_provincie",
        "opvolger_code",
        "opvolger_naam",
        "opvolger_nieuw",
        "geheel",
        "bron",
    )
    rows = []
    for line, row in _rows(directory, name, columns):
        day = _date(name, line, row, "datum")
        code = _checked(name, line, row, "voorganger_code", validators.validate_gm_code)
        if code in files.gemeenten:
            raise _fail(name, line, "voorganger_code", f"{code} bestaat nog in {GEMEENTEN_FILE}.")
        province = _required(name, line, row, "voorganger_provincie")
        if province not in PROVINCE_BY_FILE_NAME:
            raise _fail(name, line, "voorganger_provincie", f"onbekende provincie '{province}'.")
        successor = _checked(name, line, row, "opvolger_code", validators.validate_gm_code)
        if successor == code:
            raise _fail(name, line, "opvolger_code", f"{code} kan niet zijn eigen opvolger zijn.")
        former = files.former.setdefault(
            code,
            _Former(
                code=code,
                name=_required(name, line, row, "voorganger_naam"),
                province=PROVINCE_BY_FILE_NAME[province],
                valid_to=day,
            ),
        )
        if former.valid_to != day:
            raise _fail(
                name, line, "datum", f"{code} eindigt eerder op {former.valid_to.isoformat()}."
            )
        new = _yes_no(name, line, row, "opvolger_nieuw")
        if new and files.formed_on.setdefault(successor, day) != day:
            raise _fail(name, line, "opvolger_nieuw", f"{successor} ontstond al eerder.")
        files.successions.append(
            _Succession(
                line=line,
                date=day,
                predecessor=code,
                successor=successor,
                whole=_yes_no(name, line, row, "geheel"),
                sources=_required(name, line, row, "bron"),
            )
        )
        rows.append((line, successor))
    for line, successor in rows:
        if successor not in files.gemeenten and successor not in files.former:
            raise _fail(
                name,
                line,
                "opvolger_code",
                f"{successor} staat niet in {GEMEENTEN_FILE} en niet als voorganger in dit bestand.",
            )
    # A gemeente that goes whole to one successor has exactly one row; a split one has a
    # row per receiving gemeente, none of them whole.
    by_predecessor: dict[str, list[_Succession]] = defaultdict(list)
    for succession in files.successions:
        by_predecessor[succession.predecessor].append(succession)
    for code, successions in by_predecessor.items():
        whole = [s for s in successions if s.whole]
        if whole and len(successions) > 1:
            raise _fail(
                name,
                whole[0].line,
                "geheel",
                f"{code} gaat geheel naar {whole[0].successor} en toch ook naar een andere gemeente.",
            )
    for code, day in files.formed_on.items():
        if code in files.former:
            files.former[code].valid_from = day
            if day >= files.former[code].valid_to:
                raise _fail(name, 1, "datum", f"{code} eindigt voordat het ontstaat.")


def _normalised_name(value: str) -> str:
    """A gemeente name without case, punctuation, spaces or a province suffix such as
    "(NH.)"; "St." reads as "Sint". The regulation writes "Hengelo(O)", "Oud Beijerland"
    and "St. Oedenrode" where CBS writes "Hengelo (O.)", "Oud-Beijerland" and
    "Sint-Oedenrode"."""
    value = value.replace("\u2019", "'").lower()
    value = re.sub(r"\([^)]*\)", "", value)
    value = re.sub(r"\bst\.\s*", "sint ", value)
    return "".join(character for character in value if character.isalnum())


def _rmc_code(name: str, line: int, column: str, value: str) -> str:
    if not re.fullmatch(r"[0-9]{1,2}", value) or not 1 <= int(value) <= 99:
        raise _fail(name, line, column, f"'{value}' is geen RMC-regionummer (1-99).")
    return f"RMC{int(value):02d}"


def _gemeente_code(name: str, line: int, row: dict, files: _Files) -> str:
    code = _checked(name, line, row, "gemeentecode", validators.validate_gm_code)
    if code not in files.gemeenten:
        raise _fail(name, line, "gemeentecode", f"{code} staat niet in {GEMEENTEN_FILE}.")
    return code


def _read_rmc(directory: Path, files: _Files) -> None:
    name = RMC_2015_FILE
    columns = ("rmc_regio_code", "rmc_regio_naam", "gemeentenaam_2015")
    by_name: dict[str, set[str]] = defaultdict(set)
    for code, gemeente in files.gemeenten.items():
        by_name[_normalised_name(gemeente.name)].add(code)
    for code, former in files.former.items():
        by_name[_normalised_name(former.name)].add(code)
    for line, row in _rows(directory, name, columns):
        code = _rmc_code(name, line, "rmc_regio_code", row["rmc_regio_code"])
        region_name = _required(name, line, row, "rmc_regio_naam")
        if files.rmc_names.setdefault(code, region_name) != region_name:
            raise _fail(
                name,
                line,
                "rmc_regio_naam",
                f"regio {code} heet eerder '{files.rmc_names[code]}', hier '{region_name}'.",
            )
        written = _required(name, line, row, "gemeentenaam_2015")
        matches = (
            {RMC_2015_SPELLINGS[written]}
            if written in RMC_2015_SPELLINGS
            else by_name.get(_normalised_name(written), set())
        )
        if len(matches) > 1:
            raise _fail(
                name,
                line,
                "gemeentenaam_2015",
                f"'{written}' past bij meer gemeenten: {', '.join(sorted(matches))}.",
            )
        if not matches:
            # A gemeente that merged before 2013 (Boarnsterhim, Zijpe...): the text still
            # names it, but it is neither a 2025 gemeente nor in the mergers file.
            files.rmc_2015_unknown.append(f"{written} (RMC {int(code[3:])})")
            continue
        gemeente = matches.pop()
        if gemeente in files.rmc_2015:
            raise _fail(
                name, line, "gemeentenaam_2015", f"{gemeente} staat er twee keer in ({written})."
            )
        files.rmc_2015[gemeente] = code

    name = RMC_2025_FILE
    columns = ("gemeentecode", "rmc_regio_code", "methode", "kandidaat_codes", "voorgangers_2013")
    for line, row in _rows(directory, name, columns):
        code = _gemeente_code(name, line, row, files)
        if code in files.rmc_placements:
            raise _fail(name, line, "gemeentecode", f"{code} staat er twee keer in.")
        rmc = ""
        if row["rmc_regio_code"]:
            rmc = _rmc_code(name, line, "rmc_regio_code", row["rmc_regio_code"])
            if rmc not in files.rmc_names:
                raise _fail(
                    name, line, "rmc_regio_code", f"regio {rmc} staat niet in {RMC_2015_FILE}."
                )
        candidates = tuple(
            _rmc_code(name, line, "kandidaat_codes", part)
            for part in row["kandidaat_codes"].split("|")
            if part
        )
        for candidate in candidates:
            if candidate not in files.rmc_names:
                raise _fail(
                    name,
                    line,
                    "kandidaat_codes",
                    f"regio {candidate} staat niet in {RMC_2015_FILE}.",
                )
        files.rmc_placements[code] = _RmcPlacement(
            line=line,
            rmc=rmc,
            method=_required(name, line, row, "methode"),
            candidates=candidates,
            predecessors=tuple(p for p in row["voorgangers_2013"].split(";") if p),
        )


def _read_swv(directory: Path, files: _Files) -> None:
    name = SWV_PC4_FILE
    for line, row in _rows(directory, name, ("pc4", "swv_po_code", "swv_vo_code")):
        for column, sector in (("swv_po_code", "PO"), ("swv_vo_code", "VO")):
            if row[column] in SWV_NON_CODES:
                continue
            _required(name, line, row, column)
            code = _swv_code(name, line, row, column, sector)
            files.swv_codes.setdefault(code, sector)
    files.swv_codes = dict(sorted(files.swv_codes.items()))

    name = SWV_NAMES_FILE
    for line, row in _rows(
        directory, name, ("swv_code", "swv_code_notatie", "swv_naam", "bron_url")
    ):
        code = _checked(name, line, row, "swv_code", validators.validate_swv_code)
        written = _swv_code(name, line, row, "swv_code_notatie", code[:2])
        if written and written != code:
            raise _fail(name, line, "swv_code_notatie", f"'{written}' is niet {code}.")
        swv_name = _fits(name, line, "swv_naam", _required(name, line, row, "swv_naam"), "name")
        if swv_name.startswith(DESCRIPTION_MARKER):
            continue  # a description, not a name: the SWV keeps its code-based name
        files.swv_names[code] = (swv_name, row["bron_url"])

    name = SWV_GEMEENTE_FILE
    for line, row in _rows(directory, name, ("gemeentecode", "swv_po_codes", "swv_vo_codes")):
        gemeente = _gemeente_code(name, line, row, files)
        for column, sector in (("swv_po_codes", "PO"), ("swv_vo_codes", "VO")):
            for part in row[column].split("|"):
                if not part:
                    continue
                code = _swv_code(name, line, {column: part}, column, sector)
                if code not in files.swv_codes:
                    raise _fail(name, line, column, f"{code} staat niet in {SWV_PC4_FILE}.")
                files.swv_gemeenten[code].add(gemeente)


SCHOOL_COLUMNS = (
    "vestigingscode",
    "instellingscode",
    "vestigingsnaam",
    "sector",
    "onderwijstype",
    "denominatie",
    "straat",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "postcode",
    "plaats",
    "gemeentecode",
    "internetadres",
    "leerlingen",
    "lat",
    "lon",
    "swv_po_code_pc4",
    "swv_vo_code_pc4",
)


def _read_schools(directory: Path, files: _Files) -> None:
    name = SCHOOLS_FILE
    seen: set[str] = set()
    for line, row in _rows(directory, name, SCHOOL_COLUMNS):
        code = _checked(name, line, row, "vestigingscode", validators.validate_brin6)
        brin4 = _checked(name, line, row, "instellingscode", validators.validate_brin4)
        if code[:4] != brin4:
            raise _fail(name, line, "vestigingscode", f"{code} hoort niet bij instelling {brin4}.")
        if code in seen:
            raise _fail(name, line, "vestigingscode", f"{code} staat er twee keer in.")
        seen.add(code)
        if row["sector"] not in SCHOOL_SECTORS:
            raise _fail(name, line, "sector", f"onbekende sector '{row['sector']}'.")
        sector = SCHOOL_SECTORS[row["sector"]]
        gemeente = _gemeente_code(name, line, row, files)

        postcode = ""
        if row["postcode"]:
            try:
                postcode = validators.normalise_postcode(row["postcode"])
            except ValidationError as error:
                files.warnings.append(
                    f"{name}, regel {line}, kolom 'postcode': {' '.join(error.messages)} "
                    f"Vestiging {code} geladen zonder postcode."
                )

        house_number = row["huisnummer"] + row["huisletter"]
        if row["huisnummertoevoeging"]:
            house_number += "-" + row["huisnummertoevoeging"]

        pupils = row["leerlingen"]
        if pupils and not re.fullmatch(r"[0-9]{1,7}", pupils):
            raise _fail(name, line, "leerlingen", f"'{pupils}' is geen aantal.")

        # Both SWV columns are checked on every row; the school's sector picks one.
        swv = {}
        for column, swv_sector in (("swv_po_code_pc4", "PO"), ("swv_vo_code_pc4", "VO")):
            swv[column] = _swv_code(name, line, row, column, swv_sector)
            if swv[column] and swv[column] not in files.swv_codes:
                raise _fail(name, line, column, f"{swv[column]} staat niet in {SWV_PC4_FILE}.")
        partnership = ""
        if sector in SWV_COLUMN_BY_SECTOR:
            column = SWV_COLUMN_BY_SECTOR[sector]
            partnership = swv[column]
            if not partnership:
                files.warnings.append(
                    f"{name}, regel {line}, kolom '{column}': leeg (postcode niet in de "
                    f"SWV-regeling 2013). Vestiging {code} geladen zonder samenwerkingsverband."
                )

        def text(column, model_field, value=None, *, line=line, row=row) -> str:
            return _fits(name, line, column, row[column] if value is None else value, model_field)

        files.schools.append(
            {
                "line": line,
                "code": code,
                "brin4": brin4,
                "gemeente": gemeente,
                "partnership": partnership,
                "name": text(
                    "vestigingsnaam", "name", _required(name, line, row, "vestigingsnaam")
                ),
                "sector": sector,
                "education_type": text("onderwijstype", "education_type"),
                "denomination": text("denominatie", "denomination"),
                "street": text("straat", "street"),
                "house_number": text("huisnummer", "house_number", house_number),
                "postcode": postcode,
                "town": text("plaats", "town"),
                "website": text("internetadres", "website"),
                "pupil_count": int(pupils) if pupils else None,
                "pupil_count_date": PUPIL_COUNT_DATE if pupils else None,
                "latitude": _coordinate(name, line, row, "lat", 90),
                "longitude": _coordinate(name, line, row, "lon", 180),
            }
        )


def read_reference_files(directory: Path) -> _Files:
    """Read and check every file; raises ``ReferenceDataError`` on the first bad value."""
    files = _Files()
    _read_gemeenten(directory, files)
    _read_mergers(directory, files)
    _read_rmc(directory, files)
    _read_swv(directory, files)
    _read_schools(directory, files)
    return files


# --------------------------------------------------------------------------- writing


def _merge_note(current: str, wanted: str) -> str:
    """The loader adds its notes and never removes a note: a person clears it when done."""
    if not wanted or wanted in current:
        return current
    return f"{current}\n{wanted}" if current else wanted


def _sync_regions(
    kind: str, wanted: dict[str, dict], counts: KindCounts, *, file: str
) -> dict[str, int]:
    """Create or update the regions of one kind; ``wanted`` maps code -> name, note and,
    for a gemeente, the days it begins and ends (``valid_from``, ``valid_to``)."""
    existing = {region.code: region for region in Region.objects.filter(code__in=list(wanted))}
    to_create, to_update, fields = [], [], set()
    for code, values in wanted.items():
        region = existing.get(code)
        dates = {key: values.get(key) for key in ("valid_from", "valid_to")}
        if region is None:
            to_create.append(
                Region(
                    kind=kind,
                    code=code,
                    name=values["name"],
                    review_note=values.get("note", ""),
                    **dates,
                )
            )
            counts.created += 1
            continue
        if region.kind != kind:
            raise ReferenceDataError(
                file,
                f"regio {code} bestaat al als {region.get_kind_display()}, "
                f"niet als {RegionKind(kind).label}.",
            )
        changed = []
        if region.name != values["name"]:
            region.name = values["name"]
            changed.append("name")
        note = _merge_note(region.review_note, values.get("note", ""))
        if note != region.review_note:
            region.review_note = note
            changed.append("review_note")
        for key, value in dates.items():
            if getattr(region, key) != value:
                setattr(region, key, value)
                changed.append(key)
        if changed:
            to_update.append(region)
            fields.update(changed)
            counts.updated += 1
        else:
            counts.unchanged += 1
    Region.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        Region.objects.bulk_update(to_update, sorted(fields), batch_size=BATCH_SIZE)
    return dict(Region.objects.filter(code__in=list(wanted)).values_list("code", "pk"))


def _sync_memberships(
    wanted: dict[tuple[int, int, date | None], tuple[date | None, str]],
    owned_prefixes: tuple[str, ...],
    counts: KindCounts,
) -> None:
    """Create the wanted memberships ((child, parent, valid_from) -> (valid_to, source)),
    correct their end date and source, and remove the memberships this loader made that
    the files no longer give (a gemeente moved to another region, a date corrected).
    Memberships a person entered (another source) are never touched."""
    existing = {
        (m.child_id, m.parent_id, m.valid_from): m
        for m in RegionMembership.objects.filter(
            child__kind__in=[RegionKind.PROVINCE, RegionKind.MUNICIPALITY]
        )
    }
    to_create, to_update = [], []
    for key, (valid_to, source) in wanted.items():
        membership = existing.get(key)
        if membership is None:
            child, parent, start = key
            to_create.append(
                RegionMembership(
                    child_id=child,
                    parent_id=parent,
                    valid_from=start,
                    valid_to=valid_to,
                    source=source,
                )
            )
            counts.created += 1
        elif membership.source != source or membership.valid_to != valid_to:
            membership.source = source
            membership.valid_to = valid_to
            to_update.append(membership)
            counts.updated += 1
        else:
            counts.unchanged += 1
    stale = [
        m.pk
        for key, m in existing.items()
        if key not in wanted and m.source.startswith(owned_prefixes)
    ]
    if stale:
        RegionMembership.objects.filter(pk__in=stale).delete()
        counts.removed += len(stale)
    RegionMembership.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        RegionMembership.objects.bulk_update(
            to_update, ["source", "valid_to"], batch_size=BATCH_SIZE
        )


def _sync_successions(wanted: dict[tuple[int, int], dict], counts: KindCounts) -> None:
    """Create or correct the herindelingen ((predecessor, successor) -> date, whole,
    source); remove those of the mergers file that it no longer gives."""
    existing = {(s.predecessor_id, s.successor_id): s for s in RegionSuccession.objects.all()}
    to_create, to_update = [], []
    for key, values in wanted.items():
        succession = existing.get(key)
        if succession is None:
            predecessor, successor = key
            to_create.append(
                RegionSuccession(predecessor_id=predecessor, successor_id=successor, **values)
            )
            counts.created += 1
            continue
        if any(getattr(succession, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(succession, name, value)
            to_update.append(succession)
            counts.updated += 1
        else:
            counts.unchanged += 1
    stale = [
        s.pk
        for key, s in existing.items()
        if key not in wanted and s.source.startswith(MERGERS_FILE)
    ]
    if stale:
        RegionSuccession.objects.filter(pk__in=stale).delete()
        counts.removed += len(stale)
    RegionSuccession.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        RegionSuccession.objects.bulk_update(
            to_update, ["date", "whole", "source"], batch_size=BATCH_SIZE
        )


def _rmc_2015_placements(files: _Files) -> dict[str, tuple[str, str]]:
    """{gemeente code: (RMC code, source)} by the 2015 regulation, for every gemeente of
    2025 or of the mergers file: the region the text names for it, or else, for a gemeente
    formed by a merger, the one region all its predecessors lay in. Predecessors in two
    regions (Vijfheerenlanden: Vianen 19, Leerdam and Zederik 30) give no region."""
    predecessors: dict[str, list[str]] = defaultdict(list)
    for succession in files.successions:
        predecessors[succession.successor].append(succession.predecessor)
    found: dict[str, set[str] | None] = {}

    def regions_of(code: str, seen: frozenset) -> set[str] | None:
        if code in files.rmc_2015:
            return {files.rmc_2015[code]}
        if code in found:
            return found[code]
        if code in seen or code not in predecessors:
            return None
        regions: set[str] = set()
        for predecessor in predecessors[code]:
            of_predecessor = regions_of(predecessor, seen | {code})
            if of_predecessor is None:
                found[code] = None
                return None
            regions |= of_predecessor
        found[code] = regions
        return regions

    placements = {}
    for code, rmc in files.rmc_2015.items():
        placements[code] = (rmc, f"{RMC_2015_FILE} (regeling BWBR0031387, bijlage C)")
    for code in predecessors:
        if code in files.rmc_2015:
            continue
        regions = regions_of(code, frozenset())
        if regions is not None and len(regions) == 1:
            names = ", ".join(
                sorted(
                    files.former[p].name if p in files.former else files.gemeenten[p].name
                    for p in predecessors[code]
                )
            )
            placements[code] = (
                next(iter(regions)),
                f"{RMC_2015_FILE} via de voorgangers ({names}) in {MERGERS_FILE}"[:200],
            )
    return placements


def _sync_organisations(
    kind: str,
    wanted: dict[str, dict],
    *,
    placeholders: dict[str, dict] | None = None,
    step: str,
    progress: Progress,
) -> tuple[dict[str, int], set[str], set[str]]:
    """Create or update the organisations of one kind, matched on code.

    ``wanted`` maps code -> field values (foreign keys by attname, e.g. ``parent_id``).
    ``placeholders`` maps code -> values that are only set when the row is created and
    never overwritten (a name the files do not really give).
    Returns (pk by code, codes created, codes updated).
    """
    placeholders = placeholders or {}
    total = len(wanted)
    progress(step, 0, total)
    existing = {o.code: o for o in Organisation.objects.filter(kind=kind).exclude(code="")}
    to_create, to_update, fields = [], [], set()
    created, updated = set(), set()
    for code, values in wanted.items():
        organisation = existing.get(code)
        if organisation is None:
            to_create.append(
                Organisation(kind=kind, code=code, **placeholders.get(code, {}), **values)
            )
            created.add(code)
            continue
        changed = False
        for attname, value in values.items():
            if getattr(organisation, attname) == value:
                continue
            setattr(organisation, attname, value)
            fields.add(attname.removesuffix("_id") if attname.endswith("_id") else attname)
            changed = True
        if changed:
            to_update.append(organisation)
            updated.add(code)
    done = total - len(to_create) - len(to_update)
    for start in range(0, len(to_create), BATCH_SIZE):
        batch = to_create[start : start + BATCH_SIZE]
        Organisation.objects.bulk_create(batch)
        done += len(batch)
        progress(step, done, total)
    for start in range(0, len(to_update), BATCH_SIZE):
        batch = to_update[start : start + BATCH_SIZE]
        Organisation.objects.bulk_update(batch, sorted(fields))
        done += len(batch)
        progress(step, done, total)
    if not to_create and not to_update:
        progress(step, total, total)
    pks = dict(Organisation.objects.filter(kind=kind).exclude(code="").values_list("code", "pk"))
    return {code: pks[code] for code in wanted}, created, updated


def _sync_served_regions(
    kind: str,
    pks: dict[str, int],
    wanted: dict[str, set[int]],
    *,
    exact_municipalities: bool,
) -> set[str]:
    """Add the wanted served regions; with ``exact_municipalities`` also remove the
    gemeenten the files no longer list (other served regions are left alone).
    Returns the codes whose served regions changed."""
    through = Organisation.served_regions.through
    current: dict[int, set[int]] = defaultdict(set)
    municipal: dict[int, set[int]] = defaultdict(set)
    links = through.objects.filter(organisation__kind=kind).values_list(
        "organisation_id", "region_id", "region__kind"
    )
    for organisation_id, region_id, region_kind in links:
        current[organisation_id].add(region_id)
        if region_kind == RegionKind.MUNICIPALITY:
            municipal[organisation_id].add(region_id)
    to_add, to_remove, changed = [], [], set()
    for code, regions in wanted.items():
        pk = pks[code]
        missing = regions - current[pk]
        extra = (municipal[pk] - regions) if exact_municipalities else set()
        to_add.extend(through(organisation_id=pk, region_id=r) for r in sorted(missing))
        to_remove.extend((pk, r) for r in extra)
        if missing or extra:
            changed.add(code)
    through.objects.bulk_create(to_add, batch_size=BATCH_SIZE)
    for pk, region in to_remove:
        through.objects.filter(organisation_id=pk, region_id=region).delete()
    return changed


def _count(counts: KindCounts, total: int, created: set, updated: set) -> None:
    counts.created += len(created)
    counts.updated += len(updated - created)
    counts.unchanged += total - len(created) - len(updated - created)


def _rmc_label(rmc: str, names: dict[str, str]) -> str:
    return f"{int(rmc[3:])} {names[rmc]}"


def _write(files: _Files, report: LoadReport, progress: Progress) -> None:
    counts = report.counts
    valid_from = date(files.year, 1, 1)

    # Country and provinces.
    progress("regio's", 0, 4)
    country = _sync_regions(
        RegionKind.COUNTRY,
        {COUNTRY_CODE: {"name": COUNTRY_NAME}},
        counts["country"],
        file=GEMEENTEN_FILE,
    )[COUNTRY_CODE]
    provinces = _sync_regions(
        RegionKind.PROVINCE,
        {code: {"name": name} for code, name, _ in PROVINCES},
        counts["provinces"],
        file=GEMEENTEN_FILE,
    )

    # RMC regions, then the gemeenten with the notes the RMC file asks for.
    rmc_regions = _sync_regions(
        RegionKind.RMC_REGION,
        {code: {"name": name} for code, name in sorted(files.rmc_names.items())},
        counts["rmc_regions"],
        file=RMC_2015_FILE,
    )
    progress("regio's", 2, 4)
    already_placed = set(
        RegionMembership.objects.valid_on(valid_from)
        .filter(
            child__code__in=[code for code, p in files.rmc_placements.items() if not p.rmc],
            parent__kind=RegionKind.RMC_REGION,
        )
        .exclude(source__startswith=RMC_2025_FILE)
        .values_list("child__code", flat=True)
    )
    notes: dict[str, str] = {}
    for code, placement in files.rmc_placements.items():
        gemeente = files.gemeenten[code]
        predecessors = ", ".join(placement.predecessors) or gemeente.name
        candidates = tuple((c, files.rmc_names[c]) for c in placement.candidates)
        if not placement.rmc:
            if code in already_placed:
                continue  # a person placed it by hand: their choice stands
            numbers = [str(int(c[3:])) for c in placement.candidates]
            listed = (
                " of ".join([", ".join(numbers[:-1]), numbers[-1]])
                if len(numbers) > 1
                else (numbers[0] if numbers else "onbekend")
            )
            notes[code] = (
                f"RMC-regio niet eenduidig: kandidaten {listed} (voorgangers {predecessors} "
                f"in verschillende RMC-regio's); {REVIEW_CONTACT}"
            )
            report.ambiguous.append(
                FlaggedMunicipality(code, gemeente.name, candidates, "", notes[code])
            )
        elif HINT_MARKER in placement.method:
            notes[code] = (
                f"RMC-regio {_rmc_label(placement.rmc, files.rmc_names)} afgeleid met een "
                f"herindelingshint die niet uit een bronbestand komt (namen 2013: "
                f"{predecessors}); {REVIEW_CONTACT}"
            )
            report.to_verify.append(
                FlaggedMunicipality(
                    code,
                    gemeente.name,
                    candidates,
                    _rmc_label(placement.rmc, files.rmc_names),
                    notes[code],
                )
            )
    for code, gemeente in files.gemeenten.items():
        if code not in files.rmc_placements:
            report.warnings.append(f"{RMC_2025_FILE}: geen regel voor {code} {gemeente.name}.")
    municipalities = _sync_regions(
        RegionKind.MUNICIPALITY,
        {
            code: {
                "name": gemeente.name,
                "note": notes.get(code, ""),
                "valid_from": files.formed_on.get(code),
                "valid_to": None,
            }
            for code, gemeente in files.gemeenten.items()
        },
        counts["municipalities"],
        file=GEMEENTEN_FILE,
    )
    # The gemeenten that merged away keep their own row and CBS code (decision 0003).
    municipalities |= _sync_regions(
        RegionKind.MUNICIPALITY,
        {
            code: {
                "name": former.name,
                "valid_from": former.valid_from,
                "valid_to": former.valid_to,
            }
            for code, former in files.former.items()
        },
        counts["former_municipalities"],
        file=MERGERS_FILE,
    )
    _sync_successions(
        {
            (municipalities[s.predecessor], municipalities[s.successor]): {
                "date": s.date,
                "whole": s.whole,
                "source": f"{MERGERS_FILE}; bron: {s.sources}"[:200],
            }
            for s in files.successions
        },
        counts["region_successions"],
    )
    report.rmc_2015_not_placed = list(files.rmc_2015_unknown)
    progress("regio's", 3, 4)

    # Memberships: province in the country, gemeente in its province and RMC region.
    wanted: dict[tuple[int, int, date | None], tuple[date | None, str]] = {}
    for code, *_ in PROVINCES:
        wanted[(provinces[code], country, None)] = (None, "CBS-provinciecode")
    for code, gemeente in files.gemeenten.items():
        wanted[(municipalities[code], provinces[gemeente.province], valid_from)] = (
            None,
            f"{GEMEENTEN_FILE} (CBS/PDOK gebiedsindeling {files.year})",
        )
    for code, former in files.former.items():
        wanted[(municipalities[code], provinces[former.province], former.valid_from)] = (
            former.valid_to,
            f"{MERGERS_FILE} (provincie tot de herindeling)",
        )
    for code, placement in files.rmc_placements.items():
        if placement.rmc:
            source = f"{RMC_2025_FILE}; methode: {placement.method}"
            wanted[(municipalities[code], rmc_regions[placement.rmc], valid_from)] = (
                None,
                source[:200],
            )
    # The 2015 regulation holds from its date until the 2025 derivation takes over, for
    # the days the gemeente existed in between.
    for code, (rmc, source) in _rmc_2015_placements(files).items():
        begins = max(RMC_2015_VALID_FROM, files.formed_on.get(code, RMC_2015_VALID_FROM))
        ends = files.former[code].valid_to if code in files.former else valid_from
        ends = min(ends, valid_from)
        if begins < ends:
            wanted[(municipalities[code], rmc_regions[rmc], begins)] = (ends, source)
    _sync_memberships(
        wanted,
        (GEMEENTEN_FILE, RMC_2025_FILE, RMC_2015_FILE, MERGERS_FILE),
        counts["region_memberships"],
    )
    progress("regio's", 4, 4)

    # The gemeente as an organisation, serving its own area.
    pks, created, updated = _sync_organisations(
        OrganisationKind.MUNICIPALITY,
        {
            code: {
                "name": f"Gemeente {gemeente.name}",
                "municipality_id": municipalities[code],
                "source": f"{GEMEENTEN_FILE} (CBS)",
            }
            for code, gemeente in files.gemeenten.items()
        },
        step="gemeente-organisaties",
        progress=progress,
    )
    updated |= _sync_served_regions(
        OrganisationKind.MUNICIPALITY,
        pks,
        {code: {municipalities[code]} for code in files.gemeenten},
        exact_municipalities=False,
    )
    _count(counts["municipality_organisations"], len(pks), created, updated)

    # Samenwerkingsverbanden, serving the 2025 gemeenten their schools lie in.
    wanted_swv, swv_placeholders = {}, {}
    for code, sector in files.swv_codes.items():
        source = f"{SWV_PC4_FILE} (regeling BWBR0032324)"
        wanted_swv[code] = {"sector": sector}
        if code in files.swv_names:
            name, url = files.swv_names[code]
            wanted_swv[code]["name"] = name
            source += f"; naam: {url}"
        else:
            # No name found: a placeholder a person may replace with the real name.
            display = validators.display_swv_code(code)
            swv_placeholders[code] = {"name": f"Samenwerkingsverband {display}"}
        wanted_swv[code]["source"] = source[:200]
    pks, created, updated = _sync_organisations(
        OrganisationKind.PARTNERSHIP,
        wanted_swv,
        placeholders=swv_placeholders,
        step="samenwerkingsverbanden",
        progress=progress,
    )
    updated |= _sync_served_regions(
        OrganisationKind.PARTNERSHIP,
        pks,
        {
            code: {municipalities[g] for g in files.swv_gemeenten.get(code, ())}
            for code in files.swv_codes
        },
        exact_municipalities=True,
    )
    _count(counts["partnerships"], len(pks), created, updated)
    partnerships = pks

    # School institutions (BRIN4), then their locations (BRIN6).
    institutions: dict[str, dict] = {}
    institution_names: dict[str, dict] = {}
    sectors: dict[str, set[str]] = defaultdict(set)
    for school in files.schools:
        sectors[school["brin4"]].add(school["sector"])
        if school["brin4"] not in institutions:
            # DUO's institution file is not among the sources: the institution takes the
            # gemeente of its first location and, as a placeholder, that location's name.
            institution_names[school["brin4"]] = {"name": school["name"]}
            institutions[school["brin4"]] = {
                "municipality_id": municipalities[school["gemeente"]],
                "source": f"{SCHOOLS_FILE} (DUO via EduGIS)",
            }
    for code, values in institutions.items():
        values["sector"] = next(iter(sectors[code])) if len(sectors[code]) == 1 else ""
    pks, created, updated = _sync_organisations(
        OrganisationKind.SCHOOL_INSTITUTION,
        institutions,
        placeholders=institution_names,
        step="schoolinstellingen",
        progress=progress,
    )
    _count(counts["school_institutions"], len(pks), created, updated)
    institution_pks = pks

    pks, created, updated = _sync_organisations(
        OrganisationKind.SCHOOL_LOCATION,
        {
            school["code"]: {
                "name": school["name"],
                "parent_id": institution_pks[school["brin4"]],
                "municipality_id": municipalities[school["gemeente"]],
                "partnership_id": (
                    partnerships[school["partnership"]] if school["partnership"] else None
                ),
                "sector": school["sector"],
                "education_type": school["education_type"],
                "denomination": school["denomination"],
                "street": school["street"],
                "house_number": school["house_number"],
                "postcode": school["postcode"],
                "town": school["town"],
                "website": school["website"],
                "pupil_count": school["pupil_count"],
                "pupil_count_date": school["pupil_count_date"],
                "latitude": school["latitude"],
                "longitude": school["longitude"],
                "source": f"{SCHOOLS_FILE} (DUO via EduGIS)",
            }
            for school in files.schools
        },
        step="schoolvestigingen",
        progress=progress,
    )
    _count(counts["school_locations"], len(pks), created, updated)


def _no_progress(step: str, done: int, total: int) -> None:
    pass


def load_reference_data(
    directory: Path, *, actor=None, progress: Progress | None = None
) -> LoadReport:
    """Load (or refresh) the reference data in ``directory`` in one transaction."""
    started = time.monotonic()
    directory = Path(directory)
    progress = progress or _no_progress
    progress("bestanden lezen", 0, 1)
    files = read_reference_files(directory)
    progress("bestanden lezen", 1, 1)
    report = LoadReport(directory=directory, warnings=list(files.warnings))
    with transaction.atomic():
        _write(files, report, progress)
        report.seconds = time.monotonic() - started
        audit.record(
            "reference_data.load",
            actor=actor,
            after=report.as_dict(),
            reason=f"referentiegegevens uit {directory}"[:255],
        )
    report.seconds = time.monotonic() - started
    return report
