"""Every importer against every hostile file: time to refusal and peak memory.

Each case runs in a fresh process (``python -m kansrijk.testing.robustness IMPORTER
FILE``) so that its peak resident memory is its own; the floor is the same importer
reading a small valid file (200 rows) in a process of its own. Every case is run
``REPEAT`` times; the table gives the median time and the largest peak. The result
replaces the section "Bestanden" of ``bench/RESULTS-robustness.md``.

Run: ``.venv/bin/python bench/robustness_files.py`` (no database is touched: every file
is refused before an importer looks anything up).
"""

from __future__ import annotations

import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS-robustness.md"
REPEAT = 3
FLOOR = "klein (vloer)"
SECONDS, PEAK_MB = 2.0, 150


def run_case(importer: str, name: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "kansrijk.settings",
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, our own module and names
        [sys.executable, "-m", "kansrijk.testing.robustness", importer, name],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def cases() -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kansrijk.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from kansrijk.testing import robustness

    return [
        (importer.name, name)
        for importer in robustness._importers()
        for name in [FLOOR, *robustness.bombs(importer)]
    ]


def measured() -> dict[tuple[str, str], dict]:
    results = {}
    for importer, name in cases():
        runs = [run_case(importer, name) for _ in range(REPEAT)]
        results[importer, name] = {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs),
            "bytes": runs[0]["bytes"],
            "message": runs[0]["message"],
        }
        print(importer, name, results[importer, name], file=sys.stderr)
    return results


def _command(*args: str) -> str:
    try:
        # Fixed commands (lscpu, psql --version), not input.
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> str:
    lscpu = _command("lscpu")
    model = re.search(r"Model name:\s*(.+)", lscpu)
    memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    postgres = _command("psql", "--version").strip() or "niet gevonden"
    import django
    import openpyxl

    return (
        f"{os.cpu_count()} cores ({model[1].strip() if model else platform.processor()}), "
        f"{int(memory[1]) / 1024 / 1024:.0f} GiB, {platform.platform()}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"openpyxl {openpyxl.__version__}, SQLite {sqlite3.sqlite_version}, {postgres} "
        "(geen van beide wordt hier aangesproken)"
    )


def table(results: dict) -> list[str]:
    lines = [
        "| importer | bestand | grootte | tijd tot weigering | × vloer | piekgeheugen | "
        "boven vloer | melding |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for (importer, name), result in results.items():
        floor = results[importer, FLOOR]
        lines.append(
            f"| {importer} | {name} | {result['bytes'] / 1024:,.0f} KB | "
            f"{result['seconds'] * 1000:,.1f} ms | {result['seconds'] / floor['seconds']:,.1f} | "
            f"{result['peak_mb']:.0f} MB | {result['peak_mb'] - floor['peak_mb']:+.0f} MB | "
            f"{result['message'][:90]} |"
        )
    return lines


def section(results: dict) -> str:
    bombs = [r for (i, n), r in results.items() if n != FLOOR]
    worst_time = max(r["seconds"] for r in bombs)
    worst_peak = max(r["peak_mb"] for r in bombs)
    verdict = "gehaald" if worst_time < SECONDS and worst_peak < PEAK_MB else "NIET gehaald"
    return "\n".join(
        [
            "## Bestanden",
            "",
            "Run with `.venv/bin/python bench/robustness_files.py`. Every case in a fresh "
            f"process (Django started, nothing else), {REPEAT} times: median time from the call "
            "of the importer to its refusal, and the largest peak resident memory of the "
            "process (VmHWM, Django included; not `ru_maxrss`, which Linux carries over from the parent process). The floor (`klein (vloer)`) is the same "
            "importer *reading* a valid 200-row file; `× vloer` and `boven vloer` compare each "
            "bomb with it.",
            "",
            f"Machine: {machine()}.",
            "",
            f"Target: every bomb refused within {SECONDS:.0f} s with peak memory under "
            f"{PEAK_MB} MB: **{verdict}** (slowest {worst_time * 1000:,.1f} ms, "
            f"highest peak {worst_peak:.0f} MB).",
            "",
            *table(results),
            "",
        ]
    )


def write(text: str) -> None:
    old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results: robustness\n"
    pattern = re.compile(r"^## Bestanden\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _m: text + "\n", old) if pattern.search(old) else old + "\n" + text
    RESULTS.write_text(new.rstrip() + "\n")


if __name__ == "__main__":
    write(section(measured()))
    print(f"geschreven: {RESULTS}")
