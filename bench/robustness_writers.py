"""Benchmark: other users' writes while a large case import runs (issue 15, item 2).

Run with `.venv/bin/python bench/robustness_writers.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_bench_writers .venv/bin/python
bench/robustness_writers.py` (PostgreSQL; the script refuses a database whose name does
not contain "bench", and empties it first).

On the real reference data it writes a valid file of 200,000 rows with the file generator
of bench/cases_import.py (synthetic BSNs and onderwijsnummers that pass the elfproef,
real BRIN6 and GM codes; ``cases/synthetic.py`` fills the register directly and writes
no import file). Then, measured in the same run:

1. **floor**: 50 writes by other users with no import running, one every
   ``--interval`` seconds, in turn: a login (the login page's POST through the whole
   middleware stack, which saves the session), a progress note on an agenda activity
   (``agenda.services.update_progress``: the note and its audit row) and a case event
   (``cases.services.record_event``: the event, the case and an audit row), each by one
   of five users;
2. **during an import**: the same writes while a separate process (as the task worker
   does) imports the 200,000-row file with ``importing.import_cases``: at least 50, and
   on until the import has ended, so that the import's switch is covered too.

Every write must succeed (no "database is locked", no 500); reported per phase: the
latencies' median, p95 and maximum, how many writes overlapped the import, the import's
own time, how long its switch took and its longest batch (the switch moves the file a
batch at a time, each batch the one moment it holds SQLite's write lock) and how
many writes overlapped the switch. Results are copied by hand into bench/RESULTS-robustness.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The directory is this process's to remove when it made it (the import's child process
# is handed the same one).
OWN_DIR = "KANSRIJK_BENCH_DIR" not in os.environ
if OWN_DIR:
    os.environ["KANSRIJK_BENCH_DIR"] = tempfile.mkdtemp(prefix="kansrijk-bench-writers-")
BENCH_DIR = Path(os.environ["KANSRIJK_BENCH_DIR"])
os.environ.setdefault("KANSRIJK_VAR_DIR", str(BENCH_DIR / "var"))

# The file generator of the import benchmark (it also configures Django for benchmarks).
import cases_import  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402

from kansrijk.agenda import services as agenda_services  # noqa: E402
from kansrijk.agenda.models import Activity, Agenda  # noqa: E402
from kansrijk.audit import verification  # noqa: E402
from kansrijk.cases import import_staging, importing  # noqa: E402
from kansrijk.cases import services as case_services  # noqa: E402
from kansrijk.cases.models import Case, ImportRun, ImportStatus  # noqa: E402
from kansrijk.organisations.models import Organisation, OrganisationKind, Role  # noqa: E402
from kansrijk.organisations.reference_data import load_reference_data  # noqa: E402
from kansrijk.testing import factories  # noqa: E402

ROWS = 200_000
WRITES = 50
USERS = 5
PASSWORD = "een-lang-wachtwoord-voor-de-benchmark"


def prepare() -> None:
    if connection.vendor == "postgresql":
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Use a database whose name contains 'bench', e.g. .../kansrijk_bench_writers")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    load_reference_data(settings.KANSRIJK["REFERENCE_DATA_DIR"])
    office = Organisation.objects.create(
        name="Bureau Leerplicht", kind=OrganisationKind.ATTENDANCE_OFFICE
    )
    gemeente = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).first()
    agenda = Agenda.objects.create(
        slug="bench",
        title="Benchmark",
        kind=Agenda._meta.get_field("kind").choices[0][0],
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2028, 12, 31),
    )
    if gemeente is not None:
        agenda.owners.add(gemeente)
    Activity.objects.create(agenda=agenda, kind="main", title="Thuiszitters terugdringen")
    for n in range(USERS):
        user = factories.UserFactory(username=f"schrijver{n}")
        user.set_password(PASSWORD)
        user.save()
        # Policy officers log in without a second factor: the login saves the session.
        if gemeente is not None:
            factories.MembershipFactory(user=user, organisation=gemeente, role=Role.POLICY_OFFICER)
        factories.MembershipFactory(user=user, organisation=office, role=Role.READER)
    factories.CaseFactory()


def _login(n: int) -> None:
    client = Client()
    response = client.post(
        "/account/inloggen/", {"username": f"schrijver{n % USERS}", "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code


def _progress_note(n: int) -> None:
    from kansrijk.organisations.models import User

    actor = User.objects.get(username=f"schrijver{n % USERS}")
    agenda_services.update_progress(Activity.objects.first(), actor=actor, note=f"Notitie {n}")


def _case_event(n: int) -> None:
    from kansrijk.organisations.models import User

    actor = User.objects.get(username=f"schrijver{n % USERS}")
    case = Case.objects.order_by("pk").first()
    case_services.record_event(
        case, actor=actor, kind="verzuimgesprek", date=case.start_date + datetime.timedelta(days=1)
    )


WRITERS = (_login, _progress_note, _case_event)


def writes(interval: float, busy=lambda: False) -> list[dict]:
    """At least WRITES writes, one every ``interval`` seconds, and more as long as the
    import runs (so that some fall in its switch); each one's latency and whether the
    import was running when it started."""
    done = []
    n = -1
    while n + 1 < WRITES or busy():
        n += 1
        close_old_connections()
        overlapped = busy()
        started = time.perf_counter()
        error = None
        try:
            WRITERS[n % len(WRITERS)](n)
        except Exception as exc:  # counted, not raised: the point is to count them
            error = f"{type(exc).__name__}: {exc}"[:120]
        latency = time.perf_counter() - started
        done.append(
            {
                "at": time.time() - latency,
                "kind": WRITERS[n % len(WRITERS)].__name__,
                "seconds": latency,
                "error": error,
                "during_import": overlapped,
            }
        )
        time.sleep(max(interval - latency, 0))
    return done


def summary(results: list[dict]) -> dict:
    latencies = sorted(r["seconds"] for r in results)
    return {
        "writes": len(results),
        "failed": sum(1 for r in results if r["error"]),
        "errors": sorted({r["error"] for r in results if r["error"]}),
        "median_s": statistics.median(latencies),
        "p95_s": latencies[round(0.95 * len(latencies)) - 1],
        "max_s": latencies[-1],
        "during_import": sum(1 for r in results if r["during_import"]),
    }


def import_child(path: str, run_id: int) -> None:
    """The import, as the worker runs it; with the moments its switch began and ended,
    in wall-clock seconds, and the longest of its batches (each a transaction of its
    own: on SQLite the write lock is held for one batch at a time, decision 0034)."""
    switch_moments, batch_seconds = [], []
    move_all, switch_batch = importing._Switch.move_all, import_staging.Staging.switch

    def timed_switch(self):
        switch_moments.append(time.time())
        move_all(self)
        switch_moments.append(time.time())

    def timed_batch(self, batch):
        started = time.perf_counter()
        switch_batch(self, batch)
        batch_seconds.append(time.perf_counter() - started)

    importing._Switch.move_all = timed_switch
    import_staging.Staging.switch = timed_batch
    run = ImportRun.objects.get(pk=run_id)
    started = time.perf_counter()
    result = importing.import_cases(path, actor=None, run=run)
    seconds = time.perf_counter() - started
    report = {"seconds": seconds, "created": result.created, "switch": switch_moments}
    report["batches"], report["longest_batch_s"] = len(batch_seconds), max(batch_seconds)
    print(json.dumps(report))


def main() -> int:
    try:
        return _main()
    finally:
        connection.close()
        if OWN_DIR:
            shutil.rmtree(BENCH_DIR, ignore_errors=True)


def _main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--import-child", nargs=2, metavar=("FILE", "RUN"))
    args = parser.parse_args()
    if args.import_child:
        import_child(args.import_child[0], int(args.import_child[1]))
        return 0

    print(
        f"database: {connection.vendor}; python {platform.python_version()}; "
        f"{platform.machine()} {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}"
    )
    prepare()
    path = BENCH_DIR / "writers.csv"
    cases_import.generate(path, args.rows, prefix="W", offset=10_000_000)
    connection.close()

    floor = summary(writes(args.interval))
    print("floor (no import):", json.dumps(floor))

    run = ImportRun.objects.create(original_name=path.name)
    connection.close()
    child = subprocess.Popen(  # noqa: S603 - this script, its own arguments
        [sys.executable, __file__, "--import-child", str(path), str(run.pk)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    # The writes start once the import is under way.
    while ImportRun.objects.get(pk=run.pk).status == ImportStatus.QUEUED:
        time.sleep(0.05)
    results = writes(args.interval, busy=lambda: child.poll() is None)
    during = summary(results)
    output, _ = child.communicate()
    run.refresh_from_db()
    imported = json.loads(output.strip().splitlines()[-1])
    begin, end = imported["switch"]
    during["switch_s"] = end - begin
    during["switch_batches"] = imported["batches"]
    during["longest_batch_s"] = imported["longest_batch_s"]
    during["writes_waiting_for_the_switch"] = sum(
        1 for r in results if r["at"] < end and r["at"] + r["seconds"] > begin
    )
    print("during the import:", json.dumps(during))
    print(
        f"import: {run.status}, {imported['created']} cases in {imported['seconds']:.1f} s; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    path.unlink()
    # The import's audit rows joined the hash chain between the other writers' rows.
    started = time.perf_counter()
    report = verification.verify()
    print(
        f"audit_verify: {report.rows} rows, {'whole' if report.ok else report.problems[:3]} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    ok = during["failed"] == 0 and run.status == ImportStatus.DONE and report.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
