"""The load test: Kansrijk under gunicorn with users of every role, side by side in one run
(decision 0048, bench/RESULTS-operations.md "Serving and load").

    # Anyone, in a minute or two: the demo in a fresh SQLite file, 10 users for 30 s.
    python bench/load.py --quick

    # National scale on PostgreSQL (the database made beforehand, see RESULTS-operations.md):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_load python bench/load.py

    # The fault variant, on a PostgreSQL cluster of its own that it may restart:
    DATABASE_URL=postgres://postgres@127.0.0.1:5433/kansrijk_faults \\
        python bench/load.py --faults --pg-cluster "15 load"

Each setup ("today": gunicorn's defaults, one sync worker; "kansrijk.serving": the
configuration shipped in the package) is started in turn on the same database, driven by
locust headless (bench/load_users.py) with the same users, and reported: requests/s, per
core of the machine, p50/p95 per page kind, errors, and the writes the users were told
succeeded against the rows found afterwards.

How the users log in: with a session made beforehand, not through the login form. For
every role the script opens sessions with Django's SessionStore for the demo user (a
logged-in session, and for the roles that need two-factor authentication the id of a
confirmed TOTP device "belastingproef" in it, as the tests' ``verified_client`` does), one
per locust user, and hands the cookies to locust. The login itself (a password hash of
~0.3 s and a TOTP code that can be used once per device and 30 s, shared by every user of
one demo account) is not what this test measures. Anonymous visitors get no session.

The demo users come from ``kansrijk load_demo``; at national scale the database also holds
``kansrijk generate_synthetic --scale national --seed 1 --replace``.
"""

import argparse
import contextlib
import csv
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Debian's tool for its PostgreSQL clusters (package postgresql-common).
PG_CTLCLUSTER = shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster"
ROLES = ["leerplicht", "leerrecht", "beleid", "partner", "school", "swv", "lezer", "beheerder"]
# How many of the locust users are of each role (anonymous visitors the most: the public
# sociale kaart and monitor are the pages with the widest audience).
ROLE_WEIGHTS = {
    "anonymous": 12,
    "leerplicht": 6,
    "leerrecht": 4,
    "beleid": 6,
    "partner": 5,
    "school": 5,
    "swv": 5,
    "lezer": 4,
    "beheerder": 3,
}
# How often each kind of page is opened, relative to the others a role can open.
PAGE_WEIGHTS = {
    "home": 2,
    "worklist": 4,
    "case list": 1,
    "case": 4,
    "quarterly report": 1,
    "agenda": 2,
    "planning": 1,
    "monitor": 2,
    "indicator": 2,
    "public monitor": 2,
    "public search": 3,
    "search results": 3,
    "audit trail": 1,
}
# The settings every server runs with: production-like (DEBUG off), plain HTTP on
# 127.0.0.1. The field key is the development key, with which `load_demo` and
# `generate_synthetic` (DEBUG on) encrypted the register's numbers.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "kansrijk.settings",
    "DEBUG": "false",
    "SECRET_KEY": "load-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "FIELD_ENCRYPTION_KEYS": "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA=",
    "SECURE_SSL_REDIRECT": "false",
    "KANSRIJK_STATIC_MANIFEST": "false",
    "KANSRIJK_ENV_FILE": "/nonexistent/.env",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "LOG_LEVEL": "WARNING",
    # The worker is not running: computed figures are refreshed later, as without one.
    "KANSRIJK_TASKS_IMMEDIATE": "false",
}


def log(text: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def environment(work: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(SERVER_ENV)
    env["DATABASE_URL"] = database_url
    env["KANSRIJK_VAR_DIR"] = str(work / "var")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def kansrijk(env: dict[str, str], *args: str, debug: bool = False) -> None:
    run_env = dict(env, DEBUG="true") if debug else env
    subprocess.run(  # noqa: S603 - this interpreter, our own command and arguments
        [PYTHON, "-m", "kansrijk.manage", *args], env=run_env, check=True, stdout=subprocess.DEVNULL
    )


def make_demo(env: dict[str, str]) -> None:
    """The demo in the database of ``env`` (load_demo runs only with DEBUG on)."""
    log("demo: migrate, load_reference_data, load_demo")
    kansrijk(env, "migrate", "-v", "0", debug=True)
    kansrijk(env, "load_reference_data", "-v", "0", debug=True)
    kansrijk(env, "load_demo", debug=True)


# --- The plan: sessions and pages per role, checked before the run --------------------------


def make_plan(env: dict[str, str], users: int, marker: str, host_name: str) -> dict:
    """Sessions and pages per role. Runs Django in this process with the servers' settings
    (the same SECRET_KEY, so the sessions are valid), and opens every page once through
    Django's test client: a page the role may not open (403/404) is left out of its mix
    and named, so that the run counts no refusal as an error."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kansrijk.agenda.models import Agenda
    from kansrijk.cases.models import Case
    from kansrijk.indicators.models import Indicator
    from kansrijk.organisations.models import User

    agendas = list(Agenda.objects.order_by("slug").values_list("slug", flat=True)[:10])
    indicators = list(Indicator.objects.order_by("code").values_list("code", flat=True)[:15])
    plan = {"marker": marker, "host_name": host_name, "roles": {}, "left_out": {}}

    public = [
        ("home", "/"),
        ("public search", "/sociale-kaart/"),
        ("search results", "/sociale-kaart/aanbod/?q=sport"),
        ("search results", "/sociale-kaart/aanbod/?leeftijd=12"),
        ("search results", "/sociale-kaart/aanbod/?q=taal&leeftijd=8"),
        ("public monitor", "/monitor/openbaar/"),
        *[("agenda", f"/agenda/{slug}/") for slug in agendas],
    ]
    plan["roles"]["anonymous"] = _checked(Client(), "anonymous", public, plan)
    plan["roles"]["anonymous"]["weight"] = ROLE_WEIGHTS["anonymous"]

    per_role = {
        role: max(1, round(users * w / sum(ROLE_WEIGHTS.values())))
        for role, w in ROLE_WEIGHTS.items()
    }
    for username in ROLES:
        user = User.objects.get(username=username)
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="belastingproef", defaults={"confirmed": True}
        )
        sessions = []
        for _ in range(per_role[username] + 2):
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store["otp_device_id"] = device.persistent_id
            store.create()
            sessions.append(store.session_key)
        cases = list(
            Case.objects.visible_to(user)
            .filter(end_date__isnull=True)
            .order_by("-start_date", "pk")
            .values_list("pk", flat=True)[:40]
        )
        candidates = [
            ("home", "/"),
            ("worklist", "/thuiszitters/"),
            ("case list", "/thuiszitters/casussen/"),
            ("quarterly report", "/thuiszitters/kwartaalrapportage/"),
            ("monitor", "/monitor/"),
            ("public search", "/sociale-kaart/"),
            ("search results", "/sociale-kaart/aanbod/?q=sport"),
            ("audit trail", "/audit/"),
            *[("case", f"/thuiszitters/casussen/{pk}/") for pk in cases[:3]],
            *[("agenda", f"/agenda/{slug}/") for slug in agendas],
            *[("planning", f"/agenda/{slug}/planning/") for slug in agendas],
            *[("indicator", f"/monitor/{code}/") for code in indicators],
        ]
        client = Client()
        client.cookies["sessionid"] = sessions[0]
        role_plan = _checked(client, username, candidates, plan)
        if any(kind == "case" for kind, _url, _w in role_plan["pages"]):
            # The other cases of the role: opened in the run without checking each.
            role_plan["pages"] += [
                ("case", f"/thuiszitters/casussen/{pk}/", PAGE_WEIGHTS["case"] / 10)
                for pk in cases[3:]
            ]
        role_plan["write_cases"] = [
            pk for pk in cases[:20] if user.has_perm("cases.change_case", Case.objects.get(pk=pk))
        ]
        role_plan["sessions"] = sessions
        role_plan["weight"] = ROLE_WEIGHTS[username]
        plan["roles"][username] = role_plan
    return plan


def _checked(client, role: str, candidates, plan) -> dict:
    pages, seen_kinds = [], {}
    for kind, url in candidates:
        # At most a few agendas, plannings and indicators per role: enough for the mix.
        if seen_kinds.get(kind, 0) >= 3:
            continue
        status = client.get(url).status_code
        if status == 200:
            pages.append((kind, url, PAGE_WEIGHTS[kind]))
            seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
        else:
            plan["left_out"].setdefault(role, []).append(f"{url} ({status})")
    return {"pages": pages}


# --- The servers --------------------------------------------------------------------------


SETUPS = {
    # Gunicorn as an operator would start it today: its defaults, one sync worker.
    "today": lambda port: ["kansrijk.wsgi:application", "--bind", f"127.0.0.1:{port}"],
    # The configuration in the package (decision 0048).
    "kansrijk.serving": lambda port: [
        "-c",
        "python:kansrijk.serving",
        "kansrijk.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
    ],
}


class Server:
    def __init__(self, name: str, port: int, env: dict[str, str], work: Path):
        self.name, self.port = name, port
        self.log_path = work / f"gunicorn-{name.replace('.', '-')}.log"
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
            [PYTHON, "-m", "gunicorn", *SETUPS[name](port)],
            env=env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            cwd=work,
        )
        self.cpu_seen: dict[int, float] = {}

    def wait_until_ready(self, seconds: float = 90) -> None:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/toegankelijkheid/") as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer within {seconds} s: see {self.log_path}")

    def workers(self) -> list:
        import psutil

        return psutil.Process(self.process.pid).children(recursive=True)

    def sample_cpu(self) -> None:
        """CPU seconds per process, kept for processes that have been replaced since."""
        import psutil

        try:
            processes = [psutil.Process(self.process.pid), *self.workers()]
        except psutil.NoSuchProcess:
            return
        for process in processes:
            try:
                times = process.cpu_times()
                self.cpu_seen[process.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                pass

    def memory_mib(self) -> float:
        import psutil

        total = 0
        for process in [psutil.Process(self.process.pid), *self.workers()]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_full_info().uss
        return total / 2**20

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(40)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- One run --------------------------------------------------------------------------------


def drive(server: Server, plan_path: Path, work: Path, users: int, seconds: int, faults=None):
    """Run locust against ``server`` for ``seconds``; return its stats and the record."""
    prefix = work / f"locust-{server.name.replace('.', '-')}"
    record = work / f"record-{server.name.replace('.', '-')}.json"
    env = dict(os.environ, LOAD_PLAN=str(plan_path), LOAD_RECORD=str(record))
    command = [
        PYTHON,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "load_users.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 5)),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{server.port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    started = time.time()
    load_before = os.getloadavg()[0]
    locust = subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    events = []
    while locust.poll() is None:
        server.sample_cpu()
        if faults:
            events += faults.tick(time.time() - started, server)
        time.sleep(1)
    stderr = locust.stderr.read().decode(errors="replace")
    if locust.returncode not in (0, 1):  # 1: some requests failed
        raise RuntimeError(f"locust failed ({locust.returncode}):\n{stderr[-3000:]}")
    elapsed = time.time() - started
    return {
        "stats": _read_stats(Path(f"{prefix}_stats.csv")),
        "record": json.loads(record.read_text()),
        "started": started,
        "seconds": elapsed,
        "cpu_seconds": sum(server.cpu_seen.values()),
        "load": (load_before, os.getloadavg()[0]),
        "events": events,
    }


def _read_stats(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as file:
        return {row["Name"]: row for row in csv.DictReader(file)}


def count_writes(env: dict[str, str], marker: str, confirmed: list[str]) -> tuple[int, int]:
    """(rows with the marker in the database, confirmed writes not found there)."""
    from kansrijk.cases.models import Agreement

    found = set(
        Agreement.objects.filter(description__startswith=marker).values_list(
            "description", flat=True
        )
    )
    return len(found), sum(1 for key in confirmed if key not in found)


# --- Faults ---------------------------------------------------------------------------------


class Faults:
    """SIGKILL one of the two gunicorn workers at 30 % of the run (its master starts a new
    one), restart the PostgreSQL cluster at 50 %."""

    def __init__(self, seconds: int, cluster: str):
        self.kill_at, self.restart_at = seconds * 0.3, seconds * 0.5
        self.cluster = cluster.split()
        self.done: set[str] = set()

    def tick(self, now: float, server: Server) -> list[tuple[str, float, float]]:
        events = []
        if now >= self.kill_at and "kill" not in self.done:
            self.done.add("kill")
            worker = server.workers()[0]
            at = time.time()
            os.kill(worker.pid, signal.SIGKILL)
            events.append(("SIGKILL gunicorn worker", at, at))
            log(f"faults: killed worker {worker.pid}")
        if now >= self.restart_at and "restart" not in self.done:
            self.done.add("restart")
            start = time.time()
            subprocess.run(  # noqa: S603 - the cluster named on our command line
                [PG_CTLCLUSTER, *self.cluster, "restart"], check=True
            )
            events.append(("pg_ctlcluster restart", start, time.time()))
            log(f"faults: PostgreSQL restarted in {time.time() - start:.1f} s")
        return events


# --- Report ---------------------------------------------------------------------------------


def report(results: dict[str, dict], cores: int, writes: dict[str, tuple[int, int]]) -> str:
    lines = []
    names = list(results)
    lines.append("| | " + " | ".join(f"`{name}`" for name in names) + " |")
    lines.append("|---|" + "---|" * len(names))

    def row(label, values):
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    aggregated = {name: result["stats"]["Aggregated"] for name, result in results.items()}
    rps = {name: float(agg["Requests/s"]) for name, agg in aggregated.items()}
    row("requests", [aggregated[n]["Request Count"] for n in names])
    row("requests/s", [f"{rps[n]:.1f}" for n in names])
    row(f"requests/s per core ({cores} cores)", [f"**{rps[n] / cores:.1f}**" for n in names])
    row(
        "requests per CPU-second of gunicorn",
        [
            f"{int(aggregated[n]['Request Count']) / max(results[n]['cpu_seconds'], 0.01):.1f}"
            for n in names
        ],
    )
    row(
        "p50 / p95 all pages (ms)",
        [f"{aggregated[n]['50%']} / {aggregated[n]['95%']}" for n in names],
    )
    row("errors", [aggregated[n]["Failure Count"] for n in names])
    row(
        "writes confirmed / rows found / lost",
        [
            f"{len(results[n]['record']['writes_confirmed'])} / {writes[n][0]} / {writes[n][1]}"
            for n in names
        ],
    )
    row(
        "load average before → after",
        [f"{results[n]['load'][0]:.1f} → {results[n]['load'][1]:.1f}" for n in names],
    )
    if len(names) > 1:
        first, last = names[0], names[-1]
        lines.append("")
        lines.append(
            f"Throughput per core, `{last}` ÷ `{first}`: **{rps[last] / rps[first]:.2f}×**"
        )
    lines.append("")
    lines.append("| page | " + " | ".join(f"`{n}` p50 / p95 ms (n)" for n in names) + " |")
    lines.append("|---|" + "---|" * len(names))
    kinds = sorted({kind for r in results.values() for kind in r["stats"] if kind != "Aggregated"})
    for kind in kinds:
        cells = []
        for n in names:
            s = results[n]["stats"].get(kind)
            cells.append(f"{s['50%']} / {s['95%']} ({s['Request Count']})" if s else "–")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fault_report(result: dict) -> str:
    requests = result["record"]["requests"]
    failures = [(t, name, error) for t, name, ok, error in requests if not ok]
    lines = ["| event | at (s) | took (s) |", "|---|---|---|"]
    for label, start, end in result["events"]:
        lines.append(f"| {label} | {start - result['started']:.1f} | {end - start:.1f} |")
    lines.append("")
    lines.append(f"Requests: {len(requests)}, failed: {len(failures)}.")
    windows = [(label, start, end) for label, start, end in result["events"]]
    for label, start, end in windows:
        inside = [f for f in failures if start - 1 <= f[0] <= end + 30]
        if inside:
            last = max(f[0] for f in inside)
            lines.append(
                f"- {label}: {len(inside)} failed requests between {inside[0][0] - start:+.1f} s and "
                f"{last - start:+.1f} s of it (the last {last - end:.1f} s after it ended); "
                f"errors: {sorted({f[2][:60] for f in inside})}"
            )
        else:
            lines.append(f"- {label}: no failed request within 30 s of it")
    outside = [f for f in failures if not any(s - 1 <= f[0] <= e + 30 for _l, s, e in windows)]
    lines.append(f"- failed requests outside these windows: {len(outside)}")
    if outside:
        lines.append(f"  {sorted({(f[1], f[2][:60]) for f in outside})}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 users, 30 s, the demo in SQLite")
    parser.add_argument("--faults", action="store_true", help="kill a worker, restart PostgreSQL")
    parser.add_argument("--users", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--setups", default="today,kansrijk.serving", help="comma-separated")
    parser.add_argument("--pg-cluster", default="15 load", help='for --faults: "VERSION NAME"')
    parser.add_argument("--work", type=Path, help="keep the logs, CSVs and records here")
    parser.add_argument("--output", type=Path, help="append the report (Markdown) here")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="kansrijk-load-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "var").mkdir(exist_ok=True)
    users = args.users or (10 if args.quick else 50)
    seconds = args.seconds or (30 if args.quick else 120 if args.faults else 300)
    setups = ["kansrijk.serving"] if args.faults else args.setups.split(",")
    database_url = os.environ.get("DATABASE_URL")
    if args.faults and not (database_url or "").startswith("postgres"):
        parser.error("--faults needs DATABASE_URL of a PostgreSQL cluster it may restart")
    if not database_url:
        if not args.quick:
            parser.error("set DATABASE_URL (national data), or use --quick")
        database_url = f"sqlite:///{work / 'var' / 'demo.sqlite3'}"
    env = environment(work, database_url)
    if (
        args.quick
        and database_url.startswith("sqlite")
        and not (work / "var" / "demo.sqlite3").exists()
    ):
        make_demo(env)
    if args.faults:
        # Two workers, as on a machine of two cores: killing one leaves the other.
        env["KANSRIJK_WEB_WORKERS"] = "2"

    marker = f"LOAD-{datetime.datetime.now():%Y%m%d%H%M%S}"
    log(f"plan: sessions and pages for {users} users (work directory {work})")
    plan = make_plan(env, users, marker, "127.0.0.1")
    plan_path = work / "plan.json"
    plan_path.write_text(json.dumps(plan))
    for role, refused in plan["left_out"].items():
        log(f"  {role}: left out {', '.join(refused)}")

    results, writes = {}, {}
    for index, name in enumerate(setups):
        server = Server(name, 8790 + index, env, work)
        try:
            server.wait_until_ready()
            faults = Faults(seconds, args.pg_cluster) if args.faults else None
            log(f"{name}: {users} users for {seconds} s")
            results[name] = drive(server, plan_path, work, users, seconds, faults)
            results[name]["memory_mib"] = server.memory_mib()
        finally:
            server.stop()
        confirmed = results[name]["record"]["writes_confirmed"]
        writes[name] = count_writes(env, f"{marker} ", confirmed)
        # The next setup counts its own writes: a new marker.
        plan["marker"] = marker = f"LOAD-{datetime.datetime.now():%Y%m%d%H%M%S}-{index + 1}"
        plan_path.write_text(json.dumps(plan))

    cores = os.cpu_count() or 1
    text = [
        f"### {datetime.datetime.now():%Y-%m-%d %H:%M} · {users} users, {seconds} s, "
        f"{'demo' if args.quick else 'faults' if args.faults else 'national'} "
        f"({database_url.split('@')[-1]})",
        "",
        report(results, cores, writes),
        "",
        "Memory (USS) of gunicorn at the end: "
        + ", ".join(f"`{n}` {r['memory_mib']:.0f} MiB" for n, r in results.items()),
    ]
    if args.faults:
        text += ["", fault_report(results["kansrijk.serving"])]
    left_out = "; ".join(f"{role}: {', '.join(urls)}" for role, urls in plan["left_out"].items())
    text += ["", f"Pages left out of a role's mix (not 200 for it): {left_out or 'none'}."]
    output = "\n".join(text)
    print(output)
    if args.output:
        with args.output.open("a", encoding="utf-8") as out:
            out.write(output + "\n\n")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
