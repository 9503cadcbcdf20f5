"""Benchmark: a 50 MB upload kept in the database and read back (decision 0050).

Run with `.venv/bin/python bench/kept_files.py` (SQLite in a temporary file) or
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_bench_kept .venv/bin/python
bench/kept_files.py` (PostgreSQL; the script refuses a database whose name does not
contain "bench", and creates the two tables it needs there if they are missing).

Each step runs in a process of its own, so that its peak memory is its own: the growth
of the process's maximum resident set over what it had once Django was loaded, and the
peak of Python's own allocations (tracemalloc). The same 50 MB (64 KiB pieces, as an
upload hands them over; never whole in memory) are

1. **floor**: written to a local file (and fsync'd) and read back, in the same run;
2. **keep**: ``kept_files.keep`` (encrypted, chunks of a mebibyte, one transaction);
3. **read**: ``kept_files.open`` read to the end in 64 KiB pieces, as a download streams;
4. **spool**: ``kept_files.spooled``, the copy a case import reads from;
5. **delete**: ``kept_files.delete``.

Results are copied by hand into bench/RESULTS-operations.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import benchenv

SIZE = 50 * 1000 * 1000
PIECE = 64 * 1024


def source(size: int = SIZE):
    """The file, 64 KiB at a time: the same pseudo-random block in every process, each
    piece made different by its number (neither compression nor deduplication flatters
    anything)."""
    block = bytearray(
        b"".join(hashlib.sha256(index.to_bytes(4, "big")).digest() for index in range(PIECE // 32))
    )
    sent = number = 0
    while sent < size:
        block[:8] = number.to_bytes(8, "big")
        piece = bytes(block[: min(PIECE, size - sent)])
        sent += len(piece)
        number += 1
        yield piece


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(step):
    """Run ``step``; its seconds, the growth of the peak resident set and Python's peak."""
    baseline = _rss_mib()
    tracemalloc.start()
    began = time.perf_counter()
    outcome = step()
    seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return outcome, {
        "seconds": round(seconds, 2),
        "peak_rss_growth_mib": round(_rss_mib() - baseline, 1),
        "python_peak_mib": round(peak / 2**20, 1),
    }


def _digest(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _read_all(handle):
    while chunk := handle.read(PIECE):
        yield chunk


def step(name: str, argument: str) -> dict:
    from kansrijk import kept_files

    if name == "floor-write":

        def write():
            with open(argument, "wb") as target:
                for piece in source():
                    target.write(piece)
                target.flush()
                os.fsync(target.fileno())

        _, measured = _measure(write)
    elif name == "floor-read":

        def read():
            with open(argument, "rb") as handle:
                return _digest(_read_all(handle))

        measured = {"sha256": None}
        measured["sha256"], more = _measure(read)
        measured.update(more)
    elif name == "keep":
        reference, measured = _measure(lambda: kept_files.keep("bench", "bench.bin", source()))
        measured["reference"] = reference
    elif name == "read":

        def read():
            with kept_files.open(argument) as handle:
                return _digest(_read_all(handle))

        digest, measured = _measure(read)
        measured["sha256"] = digest
    elif name == "spool":

        def spool():
            with kept_files.spooled(argument) as path:
                return path.stat().st_size

        size, measured = _measure(spool)
        measured["bytes"] = size
    elif name == "delete":
        _, measured = _measure(lambda: kept_files.delete(argument))
    else:
        raise SystemExit(f"unknown step {name}")
    return measured


def _ensure_tables() -> None:
    from django.db import connection

    from kansrijk.storage.models import KeptChunk, KeptFile

    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in (KeptFile, KeptChunk):
            if model._meta.db_table not in existing:
                editor.create_model(model)


def _run_step(name: str, argument: str = "") -> dict:
    output = subprocess.run(  # noqa: S603 - this script, its own arguments
        [sys.executable, __file__, "--step", name, "--argument", argument],
        env=os.environ,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step")
    parser.add_argument("--argument", default="")
    args = parser.parse_args()
    own_directory = "KANSRIJK_BENCH_DIR" not in os.environ  # the steps run in the run's
    if own_directory:
        os.environ["KANSRIJK_BENCH_DIR"] = tempfile.mkdtemp(prefix="kept-")
    directory = Path(os.environ["KANSRIJK_BENCH_DIR"])
    os.environ.setdefault("KANSRIJK_VAR_DIR", str(directory / "var"))
    benchenv.configure("kept-files", directory)
    from django.db import connection

    if args.step:
        print(json.dumps(step(args.step, args.argument)))
        return 0
    if connection.vendor != "sqlite" and "bench" not in connection.settings_dict["NAME"]:
        raise SystemExit("The database's name must contain 'bench'.")
    _ensure_tables()
    connection.close()
    print(
        f"database: {connection.vendor}; python {platform.python_version()}; "
        f"{platform.machine()} {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; "
        f"{SIZE / 1e6:.0f} MB in pieces of {PIECE // 1024} KiB"
    )
    floor_file = directory / "floor.bin"
    results = {
        "floor write (local file, fsync)": _run_step("floor-write", str(floor_file)),
        "floor read (local file)": _run_step("floor-read", str(floor_file)),
    }
    floor_file.unlink()
    kept = _run_step("keep")
    reference = kept.pop("reference")
    results["keep (database)"] = kept
    results["read (database)"] = _run_step("read", reference)
    results["spool (database to a local file)"] = _run_step("spool", reference)
    results["delete (database)"] = _run_step("delete", reference)
    same = results["read (database)"].pop("sha256") == results["floor read (local file)"].pop(
        "sha256"
    )
    for name, measured in results.items():
        print(f"{name}: {json.dumps(measured)}")
    print(f"read back the same bytes as written: {same}")
    if own_directory:
        shutil.rmtree(directory, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
