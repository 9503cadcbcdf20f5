"""Every importer refuses every hostile file quickly and in little memory: a 287 KB
XLSX of two million rows, a 1.2 MB zip that unpacks to 1.2 GB, 2.4 million blank CSV
lines and a cell over the csv module's 128 KiB limit. Measured in a fresh process (its
peak resident size and the time of each refusal); no case reaches the database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kansrijk

# The target (2 s, 150 MB) is measured by bench/robustness_files.py, not here: the test
# only guards against a return to minutes (107 s and 222 s before the pipeline) and
# gigabytes, with room for a machine busy with other test runs. The slowest refusal, the
# case file's two million blank lines, takes 1.3 s on an idle one and took 11.5 s on a
# loaded one.
SECONDS = 45.0
PEAK_MB = 150


@pytest.fixture(scope="module")
def results() -> list[dict]:
    source = str(Path(kansrijk.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "kansrijk.settings",
        "DEBUG": "true",
    }
    done = subprocess.run(
        [sys.executable, "-m", "kansrijk.testing.robustness"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_every_importer_met_every_bomb(results):
    bombs = [r for r in results if r["file"] != "klein (vloer)"]
    assert {r["importer"] for r in bombs} == {
        "agenda",
        "metingen",
        "deelname",
        "behoeften",
        "telling",
        "hsds",
        "zaken",
    }
    assert len(bombs) == 5 * 5 + 3 + 2


def test_each_bomb_refused_in_time_naming_the_limit(results):
    for result in results:
        if result["file"] == "klein (vloer)":
            assert result["message"] == "ingelezen", result
            continue
        assert result["seconds"] < SECONDS, result
        assert "grens" in result["message"], result


def test_peak_memory_stays_low(results):
    assert max(r["peak_mb"] for r in results) < PEAK_MB


def test_the_bombs_are_what_they_claim():
    from kansrijk.testing.bombs import xlsx_rows_bomb, zip_bomb

    assert 250_000 < len(xlsx_rows_bomb(2_000_000)) < 300_000
    assert 1_200_000 < len(zip_bomb()) < 1_300_000
