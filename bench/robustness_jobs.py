"""Benchmark: other users' writes while a 20,000-row measurement file is imported as an
import job (decision 0030).

Run with `.venv/bin/python bench/robustness_jobs.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_bench_jobs .venv/bin/python
bench/robustness_jobs.py` (PostgreSQL; the script refuses a database whose name does not
contain "bench", and empties it first).

It reuses the set-up and the writers of bench/robustness_writers.py: the real reference
data, five users, and in turn a login (the session is saved), a progress note on an
agenda activity and an audited case event. Measured in the same run:

1. **floor**: 50 such writes with no import running, one every ``--interval`` seconds;
2. **during the job**: the same writes while a separate process (as the task worker
   does) runs an import job of 20,000 measurements (``kansrijk.imports.jobs.run``): at
   least 50, and on until the job has ended.

Every write must succeed; reported per phase: median, p95 and maximum latency, and for
the job: its own time, how many batches it wrote and the longest one (the longest time
it held SQLite's write lock). ``--batch-size 100000 --batch-seconds 100000`` writes the
whole file in one transaction, as the importers did before decision 0030, for comparison. Results are
copied by hand into bench/RESULTS-robustness.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time

# Its set-up, writers and summary (it also configures Django for benchmarks).
import robustness_writers as writers
from django.db import connection

from kansrijk import kept_files
from kansrijk.audit import verification
from kansrijk.imports import jobs, writing
from kansrijk.imports.models import ImportJob, JobKind, JobStatus
from kansrijk.indicators.models import Indicator, Measurement, PeriodType, Unit
from kansrijk.organisations.models import Organisation, Region, RegionKind
from kansrijk.testing import factories

ROWS = 20_000
RAN = writers.BENCH_DIR / "job.json"
HEADER = "indicator,periode,periode_start,periode_eind,regio,organisatie,uitsplitsing,categorie,waarde,teller,noemer,definitief,verhaal,bron\r\n"


def measurement_file(rows: int) -> bytes:
    """``rows`` measurements of one count indicator: every gemeente × year × age."""
    owner = Organisation.objects.order_by("pk").first()
    Indicator.objects.create(
        code="bench-aantal",
        name="Aantal (benchmark)",
        unit=Unit.COUNT,
        period_type=PeriodType.CALENDAR_YEAR,
        owner=owner,
    )
    codes = Region.objects.filter(kind=RegionKind.MUNICIPALITY).values_list("code", flat=True)
    lines = []
    for code in codes.order_by("code"):
        for year in range(2010, 2025):
            for age in range(4, 12):
                lines.append(
                    f"bench-aantal,{year},{year}-01-01,{year}-12-31,{code},,leeftijd,{age},"
                    f"{(year + age) % 97},,,ja,,benchmark\r\n"
                )
    assert len(lines) >= rows, len(lines)
    return (HEADER + "".join(lines[:rows])).encode()


def start_job(data: bytes) -> ImportJob:
    """The job as the upload page leaves it: the file stored, the job waiting."""
    uploader = factories.UserFactory(username="uploader", is_superuser=True)
    name = kept_files.keep(jobs.JOB_DIR, "bench.csv", [data])
    return ImportJob.objects.create(
        kind=JobKind.MEASUREMENTS,
        uploaded_by=uploader,
        original_name="metingen.csv",
        stored_file=name,
        language="nl",
    )


class TimedBatches:
    """``transaction`` as writing.py sees it, with every batch's transaction timed."""

    def __init__(self):
        self.moments: list[tuple[float, float]] = []

    @contextlib.contextmanager
    def atomic(self, *args, **kwargs):
        from django.db import transaction

        started = time.time()
        with transaction.atomic(*args, **kwargs):
            yield
        self.moments.append((started, time.time()))


def job_child(job_id: int, batch_size: int, batch_seconds: float) -> None:
    """The job, as the worker runs it, with the moments of its batches."""
    timed = TimedBatches()
    writing.transaction = timed
    writing.BATCH_SIZE = batch_size
    writing.BATCH_SECONDS = batch_seconds
    started = time.perf_counter()
    jobs.run(job_id)
    seconds = time.perf_counter() - started
    # In a file: thousands of batches fill a pipe that the parent reads only at the end.
    RAN.write_text(json.dumps({"seconds": seconds, "batches": timed.moments}))


def main() -> int:
    try:
        return _main()
    finally:
        connection.close()
        if writers.OWN_DIR:
            shutil.rmtree(writers.BENCH_DIR, ignore_errors=True)


def _main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--batch-size", type=int, default=writing.BATCH_SIZE)
    parser.add_argument("--batch-seconds", type=float, default=writing.BATCH_SECONDS)
    parser.add_argument("--job-child", type=int, metavar="JOB")
    args = parser.parse_args()
    if args.job_child:
        job_child(args.job_child, args.batch_size, args.batch_seconds)
        return 0

    print(
        f"database: {connection.vendor}; python {platform.python_version()}; "
        f"{platform.machine()} {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; "
        f"batches of at most {args.batch_size} rows and {args.batch_seconds} s"
    )
    writers.prepare()
    job = start_job(measurement_file(args.rows))
    connection.close()

    floor = writers.summary(writers.writes(args.interval))
    print("floor (no import):", json.dumps(floor))

    child = subprocess.Popen(  # noqa: S603 - this script, its own arguments
        [
            sys.executable,
            __file__,
            *("--job-child", str(job.pk), "--batch-size", str(args.batch_size)),
            *("--batch-seconds", str(args.batch_seconds)),
        ],
        env=os.environ,
    )
    # The writes start once the worker has claimed the job.
    while ImportJob.objects.get(pk=job.pk).status == JobStatus.QUEUED and child.poll() is None:
        time.sleep(0.05)
    results = writers.writes(args.interval, busy=lambda: child.poll() is None)
    during = writers.summary(results)
    child.wait()
    ran = json.loads(RAN.read_text())
    lengths = [end - begin for begin, end in ran["batches"]]
    during["batches"] = len(lengths)
    during["longest_batch_s"] = max(lengths, default=0)
    during["writes_waiting_for_a_batch"] = sum(
        1
        for r in results
        if any(r["at"] < end and r["at"] + r["seconds"] > begin for begin, end in ran["batches"])
    )
    print("during the job:", json.dumps(during))
    job.refresh_from_db()
    print(
        f"job: {job.status}, {job.result.get('summary') or job.result.get('error')}, "
        f"{Measurement.objects.count()} measurements, {job.written_rows} rows saved, "
        f"in {ran['seconds']:.1f} s; load {os.getloadavg()[0]:.1f}"
    )
    started = time.perf_counter()
    report = verification.verify()
    print(
        f"audit_verify: {report.rows} rows, {'whole' if report.ok else report.problems[:3]} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    ok = during["failed"] == 0 and job.status == JobStatus.DONE and report.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
