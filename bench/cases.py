"""Benchmarks of the thuiszitters register at national scale. Run with
`.venv/bin/python bench/cases.py [--scale national|region]` (SQLite in a temporary file) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_bench_cases .venv/bin/python
bench/cases.py` (PostgreSQL; the script refuses a database whose name does not contain
"bench", and empties its schema first). `--reuse` keeps an existing benchmark database
(reference data and synthetic cases) instead of building it again.

What is measured, in one run, with production-like settings (DEBUG off, cached templates):

0. The set-up itself: ``load_reference_data`` and ``generate_synthetic --scale national``
   (500,000 cases over five school years; the time and the peak memory, first for 50,000
   cases and then, replacing them, for 500,000: flat memory means the same peak), and the
   thuiszitters per school year it produced (calibration: 10,000–14,000).
1. The quarterly report for all gemeenten (``reporting.build_report(level="gemeente")``,
   no user) on the last 20 peildata, against the same counts from ONE hand-written SQL
   query per peildatum, grouped by the woongemeente on P (a LEFT JOIN on the residence
   valid on P, decision 0021; checked to give identical numbers for every gemeente and
   column). Target: ≤ 1.5× the hand-written query. For information: the same 20 peildata
   in one hand-written query, and the other levels (school, swv, rmc).
2. The case list (``cases:list``) and the work list (``cases:worklist``) for leerplicht
   of Amsterdam (GM0363), the coordinator of SWV PO2707 and the contact person of the
   Amsterdam school with the most cases, against a bare view that renders 50 case rows
   without scoping through the same middleware. Target: p95 ≤ 3× the bare view.

Results are recorded by hand in bench/RESULTS.md from the printed tables.
"""

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import benchenv

benchenv.configure("cases", Path(os.environ["BENCH_DIR"]) if os.environ.get("BENCH_DIR") else None)

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import RequestContext, Template  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import NoReverseMatch, include, path, reverse  # noqa: E402
from django.utils.html import escape  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from kansrijk.cases import dates, reporting, synthetic  # noqa: E402
from kansrijk.cases.models import Case, CaseCategory, Residence  # noqa: E402
from kansrijk.organisations.models import (  # noqa: E402
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    Role,
)
from kansrijk.organisations.reference_data import load_reference_data  # noqa: E402
from kansrijk.testing import factories  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
REPORT_ROUNDS = int(os.environ.get("BENCH_REPORT_ROUNDS", "3"))
SEED = 1
# A fixed last day, so that every run builds the same data (the peildata 1 Jan, 1 Apr,
# 1 Jul, 1 Oct; the last 20 of them are 2022-01-01 … 2026-10-01).
UNTIL = datetime.date(2026, 10, 1)


def floor_view(request):
    """50 case rows without scoping and without a template: framework and middleware."""
    rows = Case.objects.order_by("-start_date", "-pk").values_list(
        "dossier_id", "category", "start_date", "municipality__name"
    )[:50]
    cells = "".join(
        f"<tr><td>{escape(d)}</td><td>{c}</td><td>{s}</td><td>{escape(m)}</td></tr>"
        for d, c, s, m in rows
    )
    return HttpResponse(f"<table>{cells}</table>")


LAYOUT_FLOOR = Template(
    '{% extends "base.html" %}{% block title %}Casussen{% endblock %}{% block content %}'
    '<table class="utrecht-table"><tbody class="utrecht-table__body">'
    '{% for case in rows %}<tr class="utrecht-table__row">'
    '<td class="utrecht-table__cell">{{ case.dossier_id }}</td>'
    '<td class="utrecht-table__cell">{{ case.get_category_display }}</td>'
    '<td class="utrecht-table__cell">{{ case.start_date|date:"j F Y" }}</td>'
    '<td class="utrecht-table__cell">{{ case.municipality.name }}</td>'
    '<td class="utrecht-table__cell">{{ case.school.name|default:"–" }}</td></tr>'
    "{% endfor %}</tbody></table>{% endblock %}"
)


def layout_floor_view(request):
    """The same 50 rows in the site's layout (base.html: header, navigation, footer),
    without scoping, filters, signals or audit: what any page of the register costs."""
    rows = Case.objects.select_related("municipality", "school").order_by("-start_date", "-pk")
    return HttpResponse(LAYOUT_FLOOR.render(RequestContext(request, {"rows": list(rows[:50])})))


urlpatterns = [
    path("floor/", floor_view),
    path("floor-layout/", layout_floor_view),
    path("", include("kansrijk.urls")),
]


def summarise(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "p50": statistics.median(samples) * 1000,
        "p95": samples[int(0.95 * (len(samples) - 1))] * 1000,
        "total": sum(samples) * 1000,
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ the machine


def describe_machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])
    import sqlite3

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            database = f"SQLite {sqlite3.sqlite_version}"
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, Django {django.get_version()}, {database} "
        f"(SQLite library {sqlite3.sqlite_version})"
    )


# ------------------------------------------------------------------ the hand-written query

STATEMENT = """
SELECT {unit},
  COUNT(*) FILTER (WHERE {counted}) AS thuiszitters,
  COUNT(*) FILTER (WHERE {open} AND c.category = 'absoluut') AS absoluut,
  COUNT(*) FILTER (WHERE {open} AND c.category = 'relatief' AND c.start_date < {fw}) AS relatief,
  COUNT(*) FILTER (WHERE {open} AND c.category = 'vrijstelling_5_onder_a')
    AS vrijstelling_5_onder_a,
  COUNT(*) FILTER (WHERE {counted} AND c.start_date >= {fw}) AS tot_4_weken,
  COUNT(*) FILTER (WHERE {counted} AND c.start_date < {fw} AND c.start_date >= {tm})
    AS vier_weken_tot_3_maanden,
  COUNT(*) FILTER (WHERE {counted} AND c.start_date < {tm}) AS langer_dan_3_maanden,
  COUNT(*) FILTER (WHERE {counted} AND c.start_date < {tm}
    AND (c.offer_date IS NULL OR c.offer_date > {p})) AS pact_overschreden,
  COUNT(*) FILTER (WHERE c.category IN ('absoluut', 'relatief')
    AND c.start_date > {qs} AND c.start_date <= {p}) AS nieuw,
  COUNT(*) FILTER (WHERE c.category IN ('absoluut', 'relatief')
    AND c.end_date > {qs} AND c.end_date <= {p}) AS beeindigd
FROM {cases} c {join}
WHERE c.start_date <= {p} AND (c.end_date IS NULL OR c.end_date > {qs})
GROUP BY {group}
"""
OPEN = "(c.start_date <= {p} AND (c.end_date IS NULL OR c.end_date > {p}))"
KINDS = "(c.category = 'absoluut' OR (c.category = 'relatief' AND c.start_date < {fw}))"
COLUMNS = [
    "thuiszitters",
    "absoluut",
    "relatief",
    "vrijstelling_5_onder_a",
    "tot_4_weken",
    "4_weken_tot_3_maanden",
    "langer_dan_3_maanden",
    "pact_overschreden",
    "nieuw",
    "beeindigd",
]


# The woongemeente on P (decision 0021): the residence valid on P, else the case's own.
# (The report also adds a gemeente that had merged by P to its successor; the synthetic
# data gives every young person one residence in a 2025 gemeente, so that changes nothing
# here and the hand-written query leaves it out.)
RESIDENCE_JOIN = (
    "LEFT JOIN {residences} r ON r.young_person_id = c.young_person_id "
    "AND r.valid_from <= {p} AND (r.valid_to IS NULL OR r.valid_to > {p})"
)
HOME = "COALESCE(r.municipality_id, c.municipality_id)"


def one_peildatum_sql(residence: bool = True) -> str:
    """Definition ocw, one peildatum, all gemeenten; the four dates are parameters.
    ``residence=False``: grouped by the case's own woongemeente, the rule before the
    residence history decided (for comparison)."""
    names = {"p": "%(p)s", "fw": "%(fw)s", "tm": "%(tm)s", "qs": "%(qs)s"}
    open_ = OPEN.format(**names)
    unit = HOME if residence else "c.municipality_id"
    join = RESIDENCE_JOIN.format(residences=Residence._meta.db_table, **names)
    return STATEMENT.format(
        unit=unit,
        counted=f"({open_} AND {KINDS.format(**names)})",
        open=open_,
        cases=Case._meta.db_table,
        join=join if residence else "",
        group=unit,
        **names,
    )


def all_peildata_sql(peildata) -> tuple[str, list]:
    """The same counts for every peildatum in one statement (a VALUES list of cut-offs)."""
    cast = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"
    values = ", ".join(f"({cast}, {cast}, {cast}, {cast})" for _ in peildata)
    params = []
    for day in peildata:
        cut = reporting.Cutoffs.on(day)
        params += [cut.peildatum, cut.four_weeks, cut.three_months, cut.quarter_start]
    names = {"p": "k.p", "fw": "k.fw", "tm": "k.tm", "qs": "k.qs"}
    open_ = OPEN.format(**names)
    join = RESIDENCE_JOIN.format(residences=Residence._meta.db_table, **names)
    statement = STATEMENT.format(
        unit=f"k.p, {HOME}",
        counted=f"({open_} AND {KINDS.format(**names)})",
        open=open_,
        cases=Case._meta.db_table,
        join=f"CROSS JOIN k {join}",
        group=f"k.p, {HOME}",
        **names,
    )
    return f"WITH k(p, fw, tm, qs) AS (VALUES {values}) {statement}", params


def hand_counts(sql: str, day: datetime.date) -> dict:
    cut = reporting.Cutoffs.on(day)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "p": cut.peildatum,
                "fw": cut.four_weeks,
                "tm": cut.three_months,
                "qs": cut.quarter_start,
            },
        )
        return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in cursor.fetchall()}


def report_counts(report) -> dict:
    """The report's non-zero rows (it has a row for every unit of the level; the
    hand-written query only groups the units with a relevant case)."""
    rows = {row.unit_id: {c: row.counts[c] for c in COLUMNS} for row in report.rows}
    return {unit: counts for unit, counts in rows.items() if any(counts.values())}


# ------------------------------------------------------------------ set-up


def build(scale: str, reuse: bool) -> None:
    if connection.vendor == "postgresql":
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Use a database whose name contains 'bench', e.g. .../kansrijk_bench_cases")
        if not reuse:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    if reuse and Case.objects.filter(is_synthetic=True).exists():
        print(f"reusing {Case.objects.count()} cases")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    start = time.perf_counter()
    load_reference_data(settings.KANSRIJK["REFERENCE_DATA_DIR"])
    print(f"load_reference_data {time.perf_counter() - start:.1f} s")
    if scale == "national":
        small = synthetic.generate(scale=scale, seed=SEED, until=UNTIL, cases=50_000)
        print(
            f"generate_synthetic national, 50,000 cases: {small.seconds:.1f} s, "
            f"{small.rows:,} rows, peak RSS {peak_rss_mb():.0f} MB"
        )
    report = synthetic.generate(scale=scale, seed=SEED, until=UNTIL, replace=True)
    print(
        f"generate_synthetic {scale}: {report.cases:,} cases, {report.young_people:,} young "
        f"people, {report.rows:,} rows in {report.seconds:.1f} s "
        f"({report.rows / report.seconds:,.0f} rows/s), peak RSS {peak_rss_mb():.0f} MB"
    )
    print(
        f"  events {report.events:,}, agreements {report.agreements:,}, absence reports "
        f"{report.absence_reports:,}, exemptions {report.exemptions:,}, enrolments "
        f"{report.enrolments:,}"
    )
    # Statistics for the query planner, as after any bulk load (docs/operations.md):
    # PostgreSQL's autovacuum would gather them in a while; SQLite never does by itself.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def calibration() -> None:
    labels = ["2022/2023", "2023/2024", "2024/2025", "2025/2026"]
    yearly = synthetic.thuiszitters_per_school_year(Case.objects.all(), labels)
    starts = {
        label: Case.objects.filter(start_date__range=dates.parse_school_year(label)).count()
        for label in labels
    }
    print("thuiszitters (ocw) per school year, cases started in it:")
    for label in labels:
        print(f"  {label}: {yearly[label]:>7,}   {starts[label]:>8,}")
    stock = reporting.build_report(peildatum=UNTIL, level="gemeente", definition="ocw_5a").total
    print(
        f"stock on {UNTIL}: thuiszitters (ocw) {stock.counts['absoluut'] + stock.counts['relatief']:,}, "
        f"vrijstelling 5 onder a {stock.counts['vrijstelling_5_onder_a']:,}, open cases "
        f"{Case.objects.filter(end_date=None).count():,}"
    )


# ------------------------------------------------------------------ 1. the report


def bench_report() -> None:
    peildata = reporting.peildata_between(datetime.date(2021, 1, 1), UNTIL)[-20:]
    assert len(peildata) == 20, peildata
    sql = one_peildatum_sql()
    # The same numbers, for every gemeente and every column, on every peildatum.
    for day in peildata:
        expected = hand_counts(sql, day)
        report = reporting.build_report(peildatum=day, level="gemeente")
        existing = set(
            Region.objects.municipalities().existing_on(day).values_list("pk", flat=True)
        )
        assert {row.unit_id for row in report.rows} == existing | set(expected), day
        nonzero = {unit: counts for unit, counts in expected.items() if any(counts.values())}
        assert report_counts(report) == nonzero, day
    combined_sql, combined_params = all_peildata_sql(peildata)
    with connection.cursor() as cursor:
        cursor.execute(combined_sql, combined_params)
        combined = {}
        for row in cursor.fetchall():
            day = (
                row[0] if isinstance(row[0], datetime.date) else datetime.date.fromisoformat(row[0])
            )
            combined[(day, row[1])] = dict(zip(COLUMNS, row[2:], strict=True))
    for day in peildata:
        expected = hand_counts(sql, day)
        assert {k[1]: v for k, v in combined.items() if k[0] == day} == expected, day
    print(f"identical counts on all 20 peildata ({peildata[0]} … {peildata[-1]})")

    def summary(samples):
        samples = sorted(samples)
        return {
            "p50": statistics.median(samples) * 1000,
            "p95": samples[int(0.95 * (len(samples) - 1))] * 1000,
            "total": sum(samples) * 1000 / REPORT_ROUNDS,
        }

    def interleaved(functions):
        """Every function on every peildatum, in turn, REPORT_ROUNDS times: a machine
        shared with other work slows them alike."""
        samples = {name: [] for name in functions}
        for _ in range(REPORT_ROUNDS):
            for day in peildata:
                for name, fn in functions.items():
                    start = time.perf_counter()
                    fn(day)
                    samples[name].append(time.perf_counter() - start)
        return {name: summary(values) for name, values in samples.items()}

    state = {"n": 0}

    def one_statement(_day):
        # Run the combined statement once per 20 calls (so its total is one run per round).
        state["n"] += 1
        if state["n"] % 20 == 1:
            with connection.cursor() as cursor:
                cursor.execute(combined_sql, combined_params)
                cursor.fetchall()

    hand_name = "hand-written SQL, one query per peildatum (floor)"
    without_residence = one_peildatum_sql(residence=False)
    results = interleaved(
        {
            hand_name: lambda day: hand_counts(sql, day),
            "hand-written SQL without the residence join (for information)": lambda day: (
                hand_counts(without_residence, day)
            ),
            "build_report level=gemeente": lambda day: reporting.build_report(
                peildatum=day, level="gemeente"
            ),
            "hand-written SQL, all 20 peildata in one query": one_statement,
        }
    )
    hand = results[hand_name]
    lines = list(results.items())
    for level in ("school", "swv", "rmc"):
        result = interleaved(
            {level: lambda day, level=level: reporting.build_report(peildatum=day, level=level)}
        )
        lines.append((f"build_report level={level} (for information)", result[level]))
    print(
        f"{'quarterly report, 20 peildata':<52} {'p50 ms':>8} {'p95 ms':>8} {'20 ms':>9} {'÷ SQL':>6}"
    )
    for name, result in lines:
        print(
            f"{name:<52} {result['p50']:>8.1f} {result['p95']:>8.1f} {result['total']:>9.0f} "
            f"{result['total'] / hand['total']:>5.2f}×"
        )


# ------------------------------------------------------------------ 2. the pages


def verified(client: Client, user) -> Client:
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def member(username: str, organisation, role):
    user = factories.UserFactory(username=username)
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


def bench_pages(scale: str) -> None:
    try:
        pages = {"lijst": reverse("cases:list"), "werkvoorraad": reverse("cases:worklist")}
    except NoReverseMatch:
        print("cases:list / cases:worklist do not exist yet: page benchmark not run")
        return
    # A large gemeente and its SWV (the region scale: Beverwijk and PO2711).
    gemeente, swv_code = ("GM0363", "PO2707") if scale == "national" else ("GM0375", "PO2711")
    amsterdam = Region.objects.get(code=gemeente)
    office_name = f"Leerplicht {amsterdam.name} (benchmark)"
    office = Organisation.objects.filter(name=office_name).order_by("pk").first()
    office = office or Organisation.objects.create(
        kind=OrganisationKind.ATTENDANCE_OFFICE, name=office_name
    )
    office.served_regions.add(amsterdam)
    swv = Organisation.objects.get(kind=OrganisationKind.PARTNERSHIP, code=swv_code)
    busiest = (
        Case.objects.filter(school__municipality=amsterdam)
        .values("school")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    school = Organisation.objects.get(pk=busiest["school"])
    users = {
        f"leerplicht {amsterdam.name}": member("bench-leerplicht", office, Role.ATTENDANCE_OFFICER),
        f"SWV-coördinator {swv_code}": member("bench-swv", swv, Role.SWV_COORDINATOR),
        f"schoolcontact {school.code}": member("bench-school", school, Role.SCHOOL_CONTACT),
    }
    sizes = {label: Case.objects.visible_to(user).count() for label, user in users.items()}
    open_sizes = {
        label: Case.objects.visible_to(user).filter(end_date=None).count()
        for label, user in users.items()
    }
    floor_client = verified(Client(), users[f"leerplicht {amsterdam.name}"])
    admin = factories.UserFactory(username="bench-superuser", is_superuser=True)
    lines: dict[str, Callable] = {
        "floor: bare view, 50 case rows, no scoping, no template": lambda: floor_client.get(
            "/floor/"
        ),
        "floor: 50 case rows in the site layout, no scoping": lambda: floor_client.get(
            "/floor-layout/"
        ),
    }
    # For information: the same pages unscoped (a superuser's visible_to is all()).
    admin_client = verified(Client(), admin)
    for name, url in pages.items():
        lines[f"{name} unscoped (superuser: {Case.objects.count():,})"] = lambda url=url: (
            admin_client.get(url)
        )
    for label, user in users.items():
        client = verified(Client(), user)
        for name, url in pages.items():
            for query in ("", "?pagina=3"):
                lines[f"{name}{query} ({label}: {sizes[label]:,}, {open_sizes[label]:,})"] = (
                    lambda url=url, query=query, client=client: client.get(url + query)
                )
        lines[f"lijst?categorie=absoluut ({label})"] = lambda client=client: client.get(
            pages["lijst"], {"categorie": CaseCategory.ABSOLUTE}
        )
    with override_settings(ROOT_URLCONF=__name__):
        # Every line once per round, REPEAT rounds: the floors and the pages share the
        # same moments of a machine that is never quite idle.
        samples: dict[str, list[float]] = {name: [] for name in lines}
        for fn in lines.values():
            fn()  # warm up (template and query caches)
        for _ in range(REPEAT):
            for name, fn in lines.items():
                start = time.perf_counter()
                response = fn()
                samples[name].append(time.perf_counter() - start)
                assert response.status_code == 200, (name, response.status_code)
    results = {name: summarise(values) for name, values in samples.items()}
    floor, layout = list(results.values())[:2]
    print(
        f"{'page (user: visible cases, open)':<64} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'÷ bare':>7} {'÷ layout':>8}"
    )
    for name, result in results.items():
        print(
            f"{name:<64} {result['p50']:>7.1f} {result['p95']:>7.1f} "
            f"{result['p95'] / floor['p95']:>6.1f}× {result['p95'] / layout['p95']:>7.1f}×"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=synthetic.SCALES, default="national")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"machine: {describe_machine()}")
    build(args.scale, args.reuse)
    calibration()
    if not args.skip_report:
        bench_report()
    if not args.skip_pages:
        bench_pages(args.scale)


if __name__ == "__main__":
    sys.exit(main())
