"""Benchmark of the case import (issue 5, items 9 and 13). Run with
`.venv/bin/python bench/cases_import.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_bench_import .venv/bin/python
bench/cases_import.py` (PostgreSQL; the script refuses a database whose name does not
contain "bench", and empties it first).

On the real reference data (load_reference_data) it generates a valid file of 10,000 and
of 100,000 rows (synthetic BSNs and onderwijsnummers that pass the elfproef, real BRIN6
and GM codes, open and closed cases, some young people with two episodes) and measures,
each size in a fresh process (so that max RSS belongs to that size alone):

1. floors in the same run: reading the CSV with the csv module only, and checking every
   row (the import's first pass, with its look-ups in the register) without writing;
2. the import into the register (rows/s; target ≥ 10,000 rows/s on PostgreSQL);
3. the same file again (nothing changes: no writes, one audit row);
4. the same file with every row changed (a bulk update of every case);
5. peak memory: tracemalloc's peak during a separate import of the same file (tracemalloc
   slows Python down, so it is not on during the timed runs) and the process's max RSS
   at the end of the first import (what comes later in the process is not the import's).
   Target: flat from 10,000 to 100,000 rows.

Results are copied by hand into bench/RESULTS-cases-import.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import benchenv

# The child processes of each size share the directory (the files) through the environment.
if "KANSRIJK_BENCH_DIR" not in os.environ:
    os.environ["KANSRIJK_BENCH_DIR"] = tempfile.mkdtemp(prefix="kansrijk-bench-import-")
BENCH_DIR = Path(os.environ["KANSRIJK_BENCH_DIR"])
os.environ.setdefault("KANSRIJK_VAR_DIR", str(BENCH_DIR / "var"))
benchenv.configure("import", BENCH_DIR)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from kansrijk.cases import importing  # noqa: E402
from kansrijk.cases.identifiers import bsn_near, onderwijsnummer_near  # noqa: E402
from kansrijk.cases.models import Case, CaseOutcome, ImportRun, YoungPerson  # noqa: E402
from kansrijk.organisations.models import Organisation, OrganisationKind  # noqa: E402
from kansrijk.organisations.reference_data import load_reference_data  # noqa: E402

SIZES = (10_000, 100_000)
TODAY = date(2025, 6, 30)
OUTCOMES = list(CaseOutcome.values)


def generate(
    path: Path, rows: int, *, prefix: str, offset: int, seed: int = 5, changed: bool = False
) -> None:
    """A valid import file, written row by row (never held in memory)."""
    rng = random.Random(seed)
    schools = list(
        Organisation.objects.filter(
            kind=OrganisationKind.SCHOOL_LOCATION, municipality__isnull=False
        )
        .exclude(code="")
        .order_by("code")
        .values_list("code", "municipality__code", "sector")
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(importing.COLUMNS)
        person = 0
        for n in range(rows):
            # One young person in ten has a second episode (the row after the first).
            second_episode = n % 10 == 1
            if not second_episode:
                person += 1
                birth = date(2006, 1, 1) + timedelta(days=rng.randrange(12 * 365))
            # Valid numbers at least 21 apart, so that every young person has their own.
            number_seed = (offset + person) * 21
            is_education_number = person % 20 == 0
            bsn = "" if is_education_number else bsn_near(100_000_000 + number_seed)
            education_number = onderwijsnummer_near(number_seed) if is_education_number else ""
            code, municipality, _sector = schools[rng.randrange(len(schools))]
            category = rng.choices(
                ["absoluut", "relatief", "vrijstelling_5_onder_a"], weights=[2, 7, 1]
            )[0]
            brin6 = "" if category == "absoluut" and rng.random() < 0.5 else code
            earliest = max(birth + timedelta(days=5 * 365), date(2020, 8, 1))
            start = earliest + timedelta(days=rng.randrange(max((TODAY - earliest).days - 30, 1)))
            offer = start + timedelta(days=rng.randrange(120)) if rng.random() < 0.5 else None
            if offer is not None and offer > TODAY:
                offer = None
            end = start + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.4 else None
            if end is not None and end > TODAY:
                end = None
            if changed:  # every row gets another offer date
                offer = None if offer == start else start
            writer.writerow(
                [
                    f"{prefix}-{n:07d}",
                    bsn,
                    education_number,
                    birth.isoformat(),
                    municipality,
                    brin6,
                    category,
                    start.isoformat(),
                    offer.isoformat() if offer else "",
                    end.isoformat() if end else "",
                    rng.choice(OUTCOMES) if end else "",
                    "Jongere",
                    f"Bench {person}",
                    "",
                ]
            )


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (same machine only)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_import(path: Path, *, dry_run=False, figures=None, label=""):
    run = ImportRun.objects.create(original_name=path.name)
    server, client = server_cpu(), client_cpu()
    start = time.perf_counter()
    result = importing.import_cases(path, actor=None, run=run, dry_run=dry_run)
    seconds = time.perf_counter() - start
    if figures is not None:
        figures[f"{label}_client_cpu"] = client_cpu() - client
        after = server_cpu()
        figures[f"{label}_server_cpu"] = after - server if after is not None else None
    return seconds, result


def child(size: int, path: Path, changed_path: Path) -> dict:
    """All measurements of one size, in this (fresh) process."""
    figures: dict = {"rows": size, "bytes": path.stat().st_size}
    # Floor 1: the csv module reading the file.
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        sum(1 for _ in csv.reader(handle))
    figures["parse"] = time.perf_counter() - start
    # Floor 2: the import's checking pass alone (validation and register look-ups).
    run = ImportRun.objects.create(original_name=path.name)
    reference = importing._Reference.load(None)
    start = time.perf_counter()
    checked = importing._check_file(
        path, reference, run=run, progress=importing._no_progress, total=size
    )
    figures["check"] = time.perf_counter() - start
    assert checked.rows == size and not checked.problems, [str(p) for p in checked.problems.kept]
    del checked

    figures["load_before"] = os.getloadavg()[0]
    figures["import"], result = timed_import(path, figures=figures, label="import")
    assert (result.created, result.updated) == (size, 0), result
    figures["people_created"] = result.people_created
    # Max RSS is the process's high-water mark: read here, it covers the floors and the
    # import (the steps below, and the bench's own clean-up, come after).
    figures["rss_after_import"] = max_rss_mib()
    figures["reimport"], again = timed_import(path, figures=figures, label="reimport")
    assert (again.created, again.updated, again.unchanged) == (0, 0, size), again
    figures["changed"], changed = timed_import(changed_path)
    figures["changed_count"] = changed.updated

    # Peak memory of an import of this file under tracemalloc: empty the register of
    # this file's cases first (the audit rows stay: the trail is append-only).
    prefix = path.stem
    people = list(
        Case.objects.filter(dossier_id__startswith=prefix).values_list("young_person_id", flat=True)
    )
    Case.objects.filter(dossier_id__startswith=prefix).delete()
    for offset in range(0, len(people), 5000):
        YoungPerson.objects.filter(pk__in=people[offset : offset + 5000]).delete()
    tracemalloc.start()
    tracemalloc.reset_peak()
    figures["import_traced"], traced = timed_import(path)
    figures["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert traced.created == size, traced
    figures["max_rss"] = max_rss_mib()
    figures["load_after"] = os.getloadavg()[0]
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--child", nargs=3, metavar=("SIZE", "FILE", "CHANGED_FILE"))
    args = parser.parse_args()
    if args.child:
        size, path, changed_path = args.child
        print(json.dumps(child(int(size), Path(path), Path(changed_path))))
        return 0

    print(
        f"database: {connection.vendor}; python {platform.python_version()}; "
        f"{platform.machine()} {os.cpu_count()} cores"
    )
    if connection.vendor == "postgresql":
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Use a database whose name contains 'bench', e.g. .../kansrijk_bench_import")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    load_reference_data(settings.KANSRIJK["REFERENCE_DATA_DIR"])
    connection.close()

    results = []
    done_sizes: list[int] = []
    for size in (int(s) for s in args.sizes.split(",")):
        path = BENCH_DIR / f"B{size}.csv"
        changed_path = BENCH_DIR / f"B{size}-changed.csv"
        offset = sum(results_size for results_size in done_sizes)
        generate(path, size, prefix=path.stem, offset=offset)
        generate(changed_path, size, prefix=path.stem, offset=offset, changed=True)
        done_sizes.append(size)
        output = subprocess.run(  # noqa: S603 - this script, its own arguments
            [sys.executable, __file__, "--child", str(size), str(path), str(changed_path)],
            capture_output=True,
            text=True,
            env=os.environ,
        )
        if output.returncode:
            sys.exit(output.stderr)
        figures = json.loads(output.stdout.strip().splitlines()[-1])
        results.append(figures)
        for file in (path, changed_path):
            file.unlink()

    print(
        f"{'rows':>8} {'MB':>5} {'parse s':>8} {'check s':>8} {'import s':>9} {'rows/s':>8} "
        f"{'÷check':>7} {'again s':>8} {'changed s':>9} {'peak MiB':>9} {'max RSS':>8}"
    )
    for f in results:
        print(
            f"{f['rows']:>8} {f['bytes'] / 1e6:>5.1f} {f['parse']:>8.2f} {f['check']:>8.2f} "
            f"{f['import']:>9.2f} {f['rows'] / f['import']:>8.0f} "
            f"{f['import'] / f['check']:>6.1f}× {f['reimport']:>8.2f} {f['changed']:>9.2f} "
            f"{f['tracemalloc_peak']:>9.1f} {f['rss_after_import']:>8.0f}"
        )
    for f in results:
        print(
            f"{f['rows']:>8} rows: import CPU {f['import_client_cpu']:.1f} s in Python, "
            f"{f['import_server_cpu'] or 0:.1f} s in the database server; load average "
            f"{f['load_before']:.1f} → {f['load_after']:.1f}"
        )
    if len(results) >= 2:
        small, big = results[0], results[-1]
        print(
            f"peak memory {big['rows']:,} ÷ {small['rows']:,} rows: tracemalloc "
            f"{big['tracemalloc_peak'] / small['tracemalloc_peak']:.2f}×, max RSS "
            f"{big['rss_after_import'] / small['rss_after_import']:.2f}×"
        )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
