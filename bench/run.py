"""Benchmarks of the foundation. Run with `make bench` (SQLite) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench` (PostgreSQL).

What is measured, each against a floor measured in the same run:
1. `load_reference_data` on an empty database and again on a full one (idempotent run),
   against the floor of reading and parsing the same CSV files.
2. The organisation list page at national scale (342 gemeenten, 8,622 schools) for a
   policy officer, an SWV coordinator and a school contact (scoped by visible_to), against
   a bare view that renders the same 50 rows without scoping, middleware cost included.
Target: the scoped list page p95 ≤ 1.5× the same template unscoped (the cost of
scoping); the ratio to the bare view is reported for information.
Results are appended to bench/RESULTS.md by hand from the printed table.
"""

import csv
import os
import platform
import statistics
import sys
import time

import benchenv

benchenv.configure("foundation")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from kansrijk.organisations.models import Organisation, Role  # noqa: E402
from kansrijk.organisations.reference_data import load_reference_data  # noqa: E402
from kansrijk.testing import factories  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))


def floor_view(request):
    names = Organisation.objects.order_by("name", "pk").values_list("name", flat=True)[:50]
    return HttpResponse("<ul>" + "".join(f"<li>{n}</li>" for n in names) + "</ul>")


def unscoped_list_view(request):
    """The real list template over the same number of rows, without any scoping."""
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from kansrijk.organisations.models import OrganisationKind

    rows = Organisation.objects.select_related("municipality").order_by("name", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("pagina"))
    context = {"page": page, "query": "", "kind": "", "kinds": OrganisationKind.choices}
    return render(request, "organisations/organisation_list.html", context)


urlpatterns = [
    path("floor/", floor_view),
    path("unscoped/", unscoped_list_view),
    path("", include("kansrijk.urls")),
]


def timed(fn, repeat=REPEAT):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = fn()
        samples.append(time.perf_counter() - start)
        assert response is None or response.status_code == 200, response
    samples.sort()
    return {
        "p50": statistics.median(samples) * 1000,
        "p95": samples[int(0.95 * (len(samples) - 1))] * 1000,
    }


def main():
    print(
        f"database: {connection.vendor}; python {platform.python_version()}; "
        f"{platform.machine()} {os.cpu_count()} cores"
    )
    if connection.vendor == "postgresql":
        # A clean schema for a reproducible run, and never on a database that is not
        # meant for benchmarks.
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Use a database whose name contains 'bench', e.g. .../kansrijk_bench")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)

    directory = settings.KANSRIJK["REFERENCE_DATA_DIR"]
    start = time.perf_counter()
    for csv_file in sorted(directory.glob("*.csv")):
        with csv_file.open(encoding="utf-8") as handle:
            sum(1 for _ in csv.DictReader(handle))
    parse_floor = time.perf_counter() - start

    start = time.perf_counter()
    load_reference_data(directory)
    first_load = time.perf_counter() - start
    start = time.perf_counter()
    load_reference_data(directory)
    second_load = time.perf_counter() - start
    print(
        f"CSV parse floor {parse_floor:.2f}s; load_reference_data first {first_load:.2f}s "
        f"({first_load / parse_floor:.0f}×), second {second_load:.2f}s "
        f"({second_load / parse_floor:.0f}×)"
    )

    amsterdam = Organisation.objects.get(kind="municipality", code="GM0363")
    swv = Organisation.objects.get(kind="partnership", code="PO2707")
    school = Organisation.objects.schools().filter(municipality__code="GM0363").first()
    users = {
        "beleidsmedewerker Amsterdam": factories.MembershipFactory(
            organisation=amsterdam, role=Role.POLICY_OFFICER
        ).user,
        "lid van SWV PO2707": factories.MembershipFactory(
            organisation=swv, role=Role.POLICY_OFFICER
        ).user,
        "lid van een school": factories.MembershipFactory(
            organisation=school, role=Role.READER
        ).user,
    }
    client = Client()
    client.force_login(users["beleidsmedewerker Amsterdam"])
    with override_settings(ROOT_URLCONF=__name__):
        floor = timed(lambda: client.get("/floor/"))
        unscoped = timed(lambda: client.get("/unscoped/"))
    print(f"{'page':<52} {'p50 ms':>7} {'p95 ms':>7} {'÷ bare':>7} {'÷ unscoped':>10}")

    def report(name, result):
        print(
            f"{name:<52} {result['p50']:>7.1f} {result['p95']:>7.1f} "
            f"{result['p95'] / floor['p95']:>6.1f}× {result['p95'] / unscoped['p95']:>9.1f}×"
        )

    report("floor: bare view, 50 names, no template", floor)
    report("floor: same template, 50 rows, unscoped", unscoped)
    for label, user in users.items():
        client.force_login(user)
        for page in ("", "?pagina=3", "?q=school"):
            result = timed(lambda page=page: client.get("/organisaties/" + page))
            report(f"/organisaties/{page} ({label})", result)


if __name__ == "__main__":
    sys.exit(main())
