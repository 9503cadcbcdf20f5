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
configuration shipped in the package; or variants, see --setups) runs on the same
database, and locust headless (bench/load_users.py) drives them in turns with the same
users: the run is cut into rounds, taken ABBA (A B B A A …), so that the other work on a
shared machine weighs on both alike. Reported: requests/s, per core of the machine, p50
and p95 per page kind, errors (any answer but 200, or 302 after a write), and the writes
the users were told succeeded against the rows found afterwards. The first seconds of a
round (the users starting) are not counted.

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
import datetime
import json
import logging
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
# Each round starts its users over this many seconds; they are not counted.
RAMP_SECONDS = 5
# A fault's errors count as its own within this many seconds after it ended.
RECOVERY_SECONDS = 30
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
    print(
        f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S} UTC] {text}", file=sys.stderr, flush=True
    )


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
    # The pages a role may not open are named in the report; not a traceback each.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
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


def gunicorn_arguments(setup: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a setup:

    - ``today``: gunicorn as an operator would start it today, its defaults (one sync worker);
    - ``kansrijk.serving``: the configuration in the package (decision 0048);
    - ``sync:W``: gunicorn's defaults with W sync workers;
    - ``gthread:W:T``: the package's configuration with W workers of T threads each.
    """
    kind, *numbers = setup.split(":")
    bind = ["--bind", f"127.0.0.1:{port}"]
    if kind == "today":
        return ["kansrijk.wsgi:application", *bind], {}
    if kind == "sync":
        return ["kansrijk.wsgi:application", "--workers", numbers[0], *bind], {}
    package = ["-c", "python:kansrijk.serving", "kansrijk.wsgi:application", *bind]
    if kind == "kansrijk.serving":
        return package, {}
    if kind == "gthread":
        return package, {"KANSRIJK_WEB_WORKERS": numbers[0], "KANSRIJK_WEB_THREADS": numbers[1]}
    raise ValueError(f"unknown setup {setup!r}")


def _file_name(setup: str) -> str:
    return setup.replace(".", "-").replace(":", "-")


class Server:
    def __init__(self, name: str, port: int, env: dict[str, str], work: Path):
        self.name, self.port = name, port
        self.log_path = work / f"gunicorn-{_file_name(name)}.log"
        arguments, settings = gunicorn_arguments(name, port)
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
            [PYTHON, "-m", "gunicorn", *arguments],
            env=dict(env, **settings),
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


# --- One round ------------------------------------------------------------------------------


def drive(server: Server, plan_path: Path, record: Path, users: int, seconds: int, faults=None):
    """Run locust against ``server`` for ``seconds``; return what the visitors recorded."""
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
        str(max(1, users // RAMP_SECONDS)),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{server.port}",
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    started = time.time()
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
    seen = json.loads(record.read_text())
    seen.update(started=started, seconds=time.time() - started, events=events)
    return seen


def count_writes(marker: str, confirmed: list[str]) -> tuple[int, int]:
    """(rows with the marker in the database, confirmed writes not found there)."""
    from django.db import connections

    from kansrijk.cases.models import Agreement

    # This process's connection from before the run may be dead (--faults restarted the
    # database); a fresh one.
    connections.close_all()

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
            events.append(("SIGKILL of one of the two gunicorn workers", at, at))
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


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Tally:
    """The requests of one setup over all its rounds, without each round's ramp-up."""

    def __init__(self):
        self.requests: list[tuple[float, str, float, bool, str]] = []
        self.seconds = 0.0
        self.confirmed: list[str] = []
        self.refused: list = []
        self.cpu_seconds = 0.0
        self.loads: list[float] = []

    def add(self, seen: dict) -> None:
        counted_from = seen["started"] + RAMP_SECONDS
        self.requests += [r for r in seen["requests"] if r[0] >= counted_from]
        self.seconds += seen["seconds"] - RAMP_SECONDS
        self.confirmed += seen["writes_confirmed"]
        self.refused += seen["writes_refused"]

    def per_kind(self) -> dict[str, list]:
        kinds: dict[str, list] = {}
        for request in self.requests:
            kinds.setdefault(request[1], []).append(request)
        return kinds


def report(tallies: dict[str, Tally], cores: int, writes: dict[str, tuple[int, int]]) -> str:
    names = list(tallies)
    lines = ["| | " + " | ".join(f"`{name}`" for name in names) + " |"]
    lines.append("|---|" + "---|" * len(names))

    def row(label, values):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in values) + " |")

    rps = {n: len(t.requests) / t.seconds for n, t in tallies.items()}
    times = {n: [r[2] for r in t.requests if r[3]] for n, t in tallies.items()}
    errors = {n: sum(1 for r in t.requests if not r[3]) for n, t in tallies.items()}
    row(
        "requests (counted seconds)",
        [f"{len(t.requests)} ({t.seconds:.0f} s)" for t in tallies.values()],
    )
    row("requests/s", [f"{rps[n]:.1f}" for n in names])
    row(f"requests/s per core ({cores} cores)", [f"**{rps[n] / cores:.2f}**" for n in names])
    row(
        "requests per CPU-second of gunicorn",
        [f"{len(t.requests) / max(t.cpu_seconds, 0.01):.2f}" for t in tallies.values()],
    )
    row(
        "p50 / p95 all pages (ms)",
        [f"{_percentile(times[n], 0.5):.0f} / {_percentile(times[n], 0.95):.0f}" for n in names],
    )
    row("errors", [errors[n] for n in names])
    row(
        "writes confirmed / rows found / confirmed but missing",
        [f"{len(tallies[n].confirmed)} / {writes[n][0]} / {writes[n][1]}" for n in names],
    )
    row(
        "load average during the rounds",
        [", ".join(f"{load:.1f}" for load in t.loads) for t in tallies.values()],
    )
    if len(names) > 1:
        first, last = names[0], names[-1]
        lines += [
            "",
            f"Throughput per core, `{last}` ÷ `{first}`: **{rps[last] / rps[first]:.2f}×**",
        ]
    lines += ["", "| page | " + " | ".join(f"`{n}` p50 / p95 ms (requests)" for n in names) + " |"]
    lines.append("|---|" + "---|" * len(names))
    per_kind = {n: t.per_kind() for n, t in tallies.items()}
    for kind in sorted({k for kinds in per_kind.values() for k in kinds}):
        cells = []
        for n in names:
            requests = per_kind[n].get(kind, [])
            ok = [r[2] for r in requests if r[3]]
            failed = len(requests) - len(ok)
            if not requests:
                cells.append("–")
                continue
            cell = f"{_percentile(ok, 0.5):.0f} / {_percentile(ok, 0.95):.0f} ({len(requests)})"
            cells.append(cell + (f", {failed} errors" if failed else ""))
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fault_report(seen: dict) -> str:
    """Each failed request belongs to the last fault that began before it, if it came
    within RECOVERY_SECONDS of that fault's end; any other failure is named apart."""
    requests = seen["requests"]
    events = sorted(seen["events"], key=lambda event: event[1])
    lines = ["| event | at (s into the run) | took (s) |", "|---|---|---|"]
    for label, start, end in events:
        lines.append(f"| {label} | {start - seen['started']:.1f} | {end - start:.1f} |")
    failures = [(t, name, error) for t, name, _ms, ok, error in requests if not ok]
    lines += ["", f"Requests: {len(requests)}, failed: {len(failures)}."]
    owned: dict[int, list] = {index: [] for index in range(len(events))}
    outside = []
    for failure in failures:
        begun = [i for i, (_label, start, _end) in enumerate(events) if start - 1 <= failure[0]]
        if begun and failure[0] <= events[begun[-1]][2] + RECOVERY_SECONDS:
            owned[begun[-1]].append(failure)
        else:
            outside.append(failure)
    for index, (label, start, end) in enumerate(events):
        inside = owned[index]
        if inside:
            last = max(f[0] for f in inside)
            lines.append(
                f"- {label}: {len(inside)} failed requests, from {inside[0][0] - start:+.1f} s "
                f"to {last - start:+.1f} s of its start (the last {last - end:+.1f} s after it "
                f"ended); errors: {sorted({f[2][:70] for f in inside})}"
            )
        else:
            lines.append(f"- {label}: no failed request")
        first_ok = min((r[0] for r in requests if r[0] > end and r[3]), default=None)
        if first_ok is not None:
            lines.append(f"  first successful request {first_ok - end:.1f} s after it ended")
    lines.append(f"- failed requests outside these windows: {len(outside)}")
    if outside:
        lines.append(f"  {sorted({(f[1], f[2][:70]) for f in outside})}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 users, 30 s, the demo in SQLite")
    parser.add_argument("--faults", action="store_true", help="kill a worker, restart PostgreSQL")
    parser.add_argument("--users", type=int)
    parser.add_argument("--seconds", type=int, help="per setup, over all its rounds")
    parser.add_argument("--rounds", type=int, help="the setups take turns (ABBA) this often")
    parser.add_argument(
        "--setups",
        default="today,kansrijk.serving",
        help="comma-separated: today, kansrijk.serving, sync:W, gthread:W:T (--faults: the last)",
    )
    parser.add_argument("--pg-cluster", default="15 load", help='for --faults: "VERSION NAME"')
    parser.add_argument("--work", type=Path, help="keep the logs, plans and records here")
    parser.add_argument("--output", type=Path, help="append the report (Markdown) here")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="kansrijk-load-"))
    work.mkdir(parents=True, exist_ok=True)
    # No collectstatic: the test asks for pages, not for the static files (which browsers
    # keep for a year, and WhiteNoise serves without touching Django's views).
    (work / "var" / "static").mkdir(parents=True, exist_ok=True)
    users = args.users or (10 if args.quick else 50)
    seconds = args.seconds or (30 if args.quick else 120 if args.faults else 300)
    rounds = args.rounds or (1 if args.quick or args.faults else 5)
    setups = [args.setups.split(",")[-1]] if args.faults else args.setups.split(",")
    database_url = os.environ.get("DATABASE_URL")
    if args.faults and not (database_url or "").startswith("postgres"):
        parser.error("--faults needs DATABASE_URL of a PostgreSQL cluster it may restart")
    if not database_url:
        if not args.quick:
            parser.error("set DATABASE_URL (national data), or use --quick")
        database_url = f"sqlite:///{work / 'var' / 'demo.sqlite3'}"
    env = environment(work, database_url)
    if database_url.startswith("sqlite") and not (work / "var" / "demo.sqlite3").exists():
        make_demo(env)
    if args.faults:
        # Two workers, as on a machine of two cores: killing one leaves the other.
        env["KANSRIJK_WEB_WORKERS"] = "2"

    stamp = f"LOAD-{time.strftime('%Y%m%d%H%M%S')}"
    log(f"plan: sessions and pages for {users} users (work directory {work})")
    plan = make_plan(env, users, stamp, "127.0.0.1")
    for role, refused in plan["left_out"].items():
        log(f"  {role}: left out {', '.join(refused)}")
    plans, tallies = {}, {}
    for name in setups:
        plans[name] = work / f"plan-{_file_name(name)}.json"
        plans[name].write_text(json.dumps(dict(plan, marker=f"{stamp}-{name}")))
        tallies[name] = Tally()

    servers = {name: Server(name, 8790 + i, env, work) for i, name in enumerate(setups)}
    worker = None
    if args.faults:
        # The task worker must live through the restart too (it polls the queue every second).
        worker_log = work / "db_worker.log"
        worker = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
            [PYTHON, "-m", "kansrijk.manage", "db_worker"],
            env=dict(env, LOG_LEVEL="INFO"),
            stdout=worker_log.open("w"),
            stderr=subprocess.STDOUT,
        )
    try:
        for server in servers.values():
            server.wait_until_ready()
        order = []
        for turn in range(rounds):  # ABBA: a trend in the machine's load hits both alike
            order += setups if turn % 2 == 0 else setups[::-1]
        per_round = seconds // rounds
        last_seen = {}
        for turn, name in enumerate(order):
            faults = Faults(per_round, args.pg_cluster) if args.faults else None
            log(f"round {turn + 1}/{len(order)}: {name}, {users} users for {per_round} s")
            tallies[name].loads.append(os.getloadavg()[0])
            record = work / f"record-{turn}.json"
            last_seen[name] = drive(servers[name], plans[name], record, users, per_round, faults)
            record.write_text(json.dumps(last_seen[name]))  # with the faults' times
            tallies[name].add(last_seen[name])
        for name, server in servers.items():
            tallies[name].cpu_seconds = sum(server.cpu_seen.values())
        memory = {name: server.memory_mib() for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
        worker_alive = worker is not None and worker.poll() is None
        if worker is not None:
            if worker_alive:
                worker.send_signal(signal.SIGTERM)
                worker.wait(60)
            else:
                log(f"db_worker stopped by itself (exit {worker.returncode}): see {worker_log}")
    writes = {n: count_writes(f"{stamp}-{n} ", tallies[n].confirmed) for n in setups}

    kind = "demo" if args.quick else "faults" if args.faults else "national"
    text = [
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {users} users, {seconds} s per setup in "
        f"{rounds} round(s), {kind} ({database_url.split('@')[-1]})",
        "",
        report(tallies, os.cpu_count() or 1, writes),
        "",
        "Memory (USS) of gunicorn at the end: "
        + ", ".join(f"`{n}` {mib:.0f} MiB" for n, mib in memory.items()),
    ]
    if args.faults:
        text += ["", fault_report(last_seen[setups[0]])]
        text += [
            "- the task worker (`kansrijk db_worker`, started before the run): "
            + ("still running at the end" if worker_alive else f"stopped, exit {worker.returncode}")
        ]
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
