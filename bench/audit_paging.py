"""Benchmark: a deep page of the audit trail by offset and by keyset (decision 0044).

Run with `.venv/bin/python bench/audit_paging.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_bench_paging .venv/bin/python
bench/audit_paging.py` (PostgreSQL; the script refuses a database whose name does not
contain "bench", and empties it first).

It fills a throwaway database with 200,000 audit events through
``AuditEvent.objects.bulk_create``, the application's own path: every row joins the hash
chain (decision 0025), the append-only triggers stay on, and ``audit_verify`` would pass.
No raw inserts are needed: linking costs one SHA-256 per row, a few seconds in all. The
chain gives each batch one moment, so the 200,000 rows have 200 distinct timestamps with
1,000 rows on each: the worst case for ties, which the key's ``id`` breaks.

Then, on the audit trail as a platform superuser reads it (no scope filter: the whole
table), each measured ``--repeat`` times (median, in one process, warm):

- **offset floor**: page 1 as the old view built it, ``Paginator(events, 50).get_page(1)``
  (a ``COUNT(*)`` of the whole table and the first 50 rows);
- **offset deep**: page 3,600 the same way (``OFFSET 179,950``);
- **keyset first** and **keyset deep**: ``kansrijk.paging.keyset_page`` on the first page
  and on the page after row 179,950, whose cursor is made beforehand (the bounded count
  of at most 1,001 rows included, as the view does it).

Every figure is printed beside its ratio to the offset floor measured in the same run,
so that a loaded machine shows in the floor and not as a change. Results are copied by
hand into bench/RESULTS-operations.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time

import benchenv

benchenv.configure("audit-paging")

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from kansrijk import paging  # noqa: E402
from kansrijk.audit.models import AuditEvent  # noqa: E402
from kansrijk.organisations.models import Organisation, OrganisationKind  # noqa: E402

ROWS = 200_000
BATCH = 1_000
PER_PAGE = 50
DEEP_PAGE = 3_600
ORDER = ("-created_at", "-id")


def prepare() -> None:
    if connection.vendor == "postgresql":
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Use a database whose name contains 'bench', e.g. .../kansrijk_bench_paging")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def fill() -> float:
    organisations = [
        Organisation.objects.create(name=f"Gemeente {n}", kind=OrganisationKind.MUNICIPALITY)
        for n in range(10)
    ]
    started = time.perf_counter()
    for first in range(0, ROWS, BATCH):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                action="cases.case.read",
                actor_display=f"Medewerker {n % 37}",
                organisation=organisations[n % len(organisations)],
                target_type="cases.case",
                target_id=str(n),
                target_display=f"casus TZ-{n:06d}",
                reason="lijst",
            )
            for n in range(first, first + BATCH)
        )
    with connection.cursor() as cursor:
        # Fresh statistics, as a database that has grown to this size would have.
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def request(**params):
    return RequestFactory().get("/audit/", params)


def timed(action, repeat: int) -> float:
    action()  # warm: the first run reads the pages into the database's cache
    times = []
    for _run in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(repeat: int) -> list[tuple[str, float]]:
    events = AuditEvent.objects.select_related("organisation")
    offset = (DEEP_PAGE - 1) * PER_PAGE
    row = AuditEvent.objects.order_by(*ORDER)[offset - 1 : offset].get()
    salt = paging._salt(events, ORDER, "")
    cursor = paging.make_cursor(paging.FORWARD, [row.created_at, row.pk], salt)

    def offset_page(number):
        def run():
            page = Paginator(events.order_by(*ORDER), PER_PAGE).get_page(number)
            assert len(list(page.object_list)) == PER_PAGE

        return run

    def keyset(params):
        def run():
            page = paging.keyset_page(request(**params), events, ORDER, per_page=PER_PAGE)
            assert len(page.object_list) == PER_PAGE

        return run

    # Both ways give the same deep page.
    deep_offset = list(Paginator(events.order_by(*ORDER), PER_PAGE).get_page(DEEP_PAGE))
    deep_keyset = paging.keyset_page(
        request(positie=cursor), events, ORDER, per_page=PER_PAGE
    ).object_list
    assert [e.pk for e in deep_offset] == [e.pk for e in deep_keyset]

    return [
        ("offset, pagina 1 (vloer)", timed(offset_page(1), repeat)),
        (f"offset, pagina {DEEP_PAGE:,}", timed(offset_page(DEEP_PAGE), repeat)),
        ("keyset, eerste pagina", timed(keyset({}), repeat)),
        (f"keyset, pagina {DEEP_PAGE:,}", timed(keyset({"positie": cursor}), repeat)),
    ]


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            names = [
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, {database}; load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    prepare()
    filled = fill()
    print(f"{machine()}")
    print(f"{ROWS:,} audit events written through bulk_create in {filled:.1f} s")
    results = measure(args.repeat)
    floor = results[0][1]
    print(f"| {connection.vendor} | meting | mediaan | × vloer |")
    for label, milliseconds in results:
        print(
            f"| {connection.vendor} | {label} | {milliseconds:,.1f} ms | {milliseconds / floor:.2f} |"
        )


if __name__ == "__main__":
    main()
