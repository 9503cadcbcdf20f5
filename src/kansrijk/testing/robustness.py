"""Every importer against every hostile file: how long until it is refused, and how
much memory that took. ``python -m kansrijk.testing.robustness`` runs the whole matrix
in one fresh process and prints one JSON line per case; memory is the process's peak
resident size (VmHWM) after the case, so it only ever grows and the last line
bounds them all. The test suite and ``bench/robustness_files.py`` both call it.

No case reaches the database: every importer reads (and refuses) the file before it
looks anything up, so ``actor`` and ``agenda`` are None here. The case register's import
needs a run in the database for the rest of its work, so for it the reading pass is
measured: the pass in which it refuses a hostile file, before any row is checked.
"""

from __future__ import annotations

import functools
import io
import json
import re
import resource
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .bombs import big_cell_csv, blank_csv, xlsx_noisy_wide_row, xlsx_rows_bomb, zip_bomb


@dataclass(frozen=True)
class Importer:
    name: str
    header: str
    # (data, filename[, progress]): the whole import.
    run: Callable[..., object]
    # Only the reading (the floor: what any file costs before its rows are checked).
    read: Callable[[bytes, str], object]


def _read_case_file(data: bytes, name: str, progress=None) -> int:
    """The case import's reading pass (CSV in UTF-8 only, the shared reader's limits)."""
    from kansrijk.cases import importing as cases

    return sum(1 for _ in cases._records(io.BytesIO(data)).rows)


def _importers() -> list[Importer]:
    from kansrijk.agenda import importing as agenda
    from kansrijk.cases import reconciliation
    from kansrijk.imports import no_progress
    from kansrijk.indicators import importing as indicators
    from kansrijk.socialmap import hsds
    from kansrijk.socialmap import importing as socialmap

    return [
        Importer(
            "agenda",
            "type,external_id,title",
            lambda data, name, progress=no_progress: agenda.import_file(
                None, data, name, actor=None, progress=progress
            ),
            agenda.read_table,
        ),
        Importer(
            "metingen",
            "indicator,periode,periode_start,periode_eind,regio,waarde",
            lambda data, name, progress=no_progress: indicators.import_file(
                data, name, actor=None, progress=progress
            ),
            indicators._read,
        ),
        Importer(
            "deelname",
            "aanbod,periode,deelnemers",
            lambda data, name, progress=no_progress: socialmap.import_participation(
                data, name, actor=None, progress=progress
            ),
            lambda data, name: socialmap.read_rows(data, name, socialmap.PARTICIPATION_COLUMNS, ()),
        ),
        Importer(
            "behoeften",
            "thema,omschrijving",
            lambda data, name, progress=no_progress: socialmap.import_needs(
                data, name, actor=None, progress=progress
            ),
            lambda data, name: socialmap.read_rows(data, name, socialmap.NEED_COLUMNS, ()),
        ),
        Importer(
            "telling",
            "peildatum,brin6,aantal",
            lambda data, name, progress=no_progress: reconciliation.import_counts(
                data, name, actor=None, progress=progress
            ),
            reconciliation._read,
        ),
        Importer(
            "hsds",
            "id,name,description,status",
            lambda data, name, progress=no_progress: hsds.import_file(
                data, name, actor=None, progress=progress
            ),
            hsds.read_file,
        ),
        Importer("zaken", "dossier_id,bsn", _read_case_file, _read_case_file),
    ]


@functools.cache
def _noisy_wide_row() -> bytes:
    return xlsx_noisy_wide_row()


def _zipped(member: str, data: bytes) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return stream.getvalue()


def bombs(importer: Importer) -> dict[str, tuple[bytes, str]]:
    """The hostile files for one importer, as (data, filename): the spreadsheet
    importers get spreadsheets, HSDS gets each inside its zip package."""
    if importer.name == "zaken":  # a CSV only, never a workbook
        return {
            "lege regels": (blank_csv(2_400_000, importer.header), "b.csv"),
            "grote cel": (big_cell_csv(200 * 1024, importer.header), "c.csv"),
        }
    if importer.name == "hsds":
        return {
            "zip-bom": (zip_bomb("services.csv"), "bom.zip"),
            "lege regels": (
                _zipped("services.csv", blank_csv(2_400_000, importer.header)),
                "b.zip",
            ),
            "grote cel": (
                _zipped("services.csv", big_cell_csv(200 * 1024, importer.header)),
                "c.zip",
            ),
        }
    return {
        "xlsx 2 mln rijen": (xlsx_rows_bomb(2_000_000, importer.header.split(",")[0]), "b.xlsx"),
        "zip-bom als xlsx": (zip_bomb("xl/worksheets/sheet1.xml"), "bom.xlsx"),
        "xlsx brede rij": (_noisy_wide_row(), "rij.xlsx"),
        "lege regels": (blank_csv(2_400_000, importer.header), "b.csv"),
        "grote cel": (big_cell_csv(200 * 1024, importer.header), "c.csv"),
    }


def floor_file(importer: Importer, rows: int = 200) -> tuple[bytes, str]:
    """A small valid file of ``rows`` rows; only reading it is measured (``read``): the
    cost of reading a file at all, to set the bombs against."""
    row = b",".join([b"1"] * (importer.header.count(",") + 1)) + b"\n"
    body = importer.header.encode() + b"\n" + row * rows
    if importer.name == "hsds":
        return _zipped("services.csv", body), "klein.zip"
    return body, "klein.csv"


def _peak_mb() -> float:
    """The process's peak resident memory. Linux keeps ``ru_maxrss`` across fork and
    exec, so a process started by a big one (the test runner) would report its parent's
    peak; VmHWM belongs to this process's own memory map."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return int(re.search(r"VmHWM:\s*(\d+)", status)[1]) / 1024


def measure(run, data: bytes, filename: str) -> dict:
    from kansrijk.imports import ImportRejected
    from kansrijk.socialmap.hsds import HsdsRejected

    started = time.perf_counter()
    try:
        run(data, filename)
        outcome = "ingelezen"
    except (ImportRejected, HsdsRejected) as error:
        outcome = str(error).splitlines()[0][:160]
    except Exception as error:  # a crash is what this measures; report it, do not hide it
        outcome = f"FOUT {type(error).__name__}: {error}"[:160]
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(), "message": outcome}


def main(argv: list[str]) -> None:
    """All cases; or, given an importer and a file name ("klein (vloer)" for the floor),
    only that one case, so that the process's peak memory is that case's own."""
    import django

    django.setup()
    only_importer, only_file = [*argv, None, None][:2]
    for importer in _importers():
        if only_importer and importer.name != only_importer:
            continue
        cases = {"klein (vloer)": (importer.read, *floor_file(importer))}
        cases.update({name: (importer.run, *bomb) for name, bomb in bombs(importer).items()})
        for name, (run, data, filename) in cases.items():
            if only_file and name != only_file:
                continue
            result = measure(run, data, filename)
            result["bytes"] = len(data)
            print(json.dumps({"importer": importer.name, "file": name, **result}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
