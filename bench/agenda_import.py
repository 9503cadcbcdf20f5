"""Benchmark of reading a policy document into a proposed agenda. Run with
`.venv/bin/python bench/agenda_import.py` (SQLite in a temporary file, with the reference
data and the demo organisations loaded so that names can be matched to the register).

Seeds 000, 002, 003 and 004, each as its text, as a DOCX and as a PDF made by
``agenda_intake.samples``, are read and proposed; the proposal is compared with the
hand-made agenda of the same seed (``demo_data/agenda/*.toml``) and, for indicators, with
``demo_data/indicators.toml``:

- goals and activities (interventions count as activities): normalised text similarity
  (difflib ratio on lower-case words) of at least ``THRESHOLD`` = 0.6, or the one text
  contained in the other (at least 12 characters, scored 0.9 to 1 by the ratio of their
  lengths); one-to-one, best pairs first. A goal's
  hand-made text is compared by its first paragraph (the hand entry adds the explanation);
- indicators: the exact values with their year, ("baseline", 72, 2019) and
  ("target", 90, 2021); a school year "2021/2022" counts as its first year;
- months: (the hand-made item matched, "YYYY-MM"), for activities and interventions;
- organisations: the register references (codes or names) of the involvements;
- amounts: (amount as written, year): a funding line's ``planned_amount``, or its
  ``unit_amount`` where the document gives the amount per unit.

Precision = found and right / found, recall = found and right / in the hand-made agenda.
Prints a table per seed and format and the totals; the figures are copied by hand into
bench/RESULTS-agenda-import.md. ``BENCH_MISTAKES=1`` prints the mistakes as well;
``BENCH_SEEDS=003,004`` and ``BENCH_FORMATS=text,pdf`` run a part.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import sys
import time
import tomllib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import benchenv

# BENCH_DIR keeps the database (reference data loaded) between runs.
benchenv.configure(
    "agenda-import", Path(os.environ["BENCH_DIR"]) if os.environ.get("BENCH_DIR") else None
)

from django.core.management import call_command  # noqa: E402

from kansrijk.agenda_intake import samples  # noqa: E402
from kansrijk.agenda_intake.proposing import propose  # noqa: E402
from kansrijk.agenda_intake.reading import read_document  # noqa: E402

DATA = benchenv.ROOT / "src" / "kansrijk" / "demo_data"
SEEDS = {
    "000": "jeugdbeleid-factoren",
    "002": "midden-kennemerland",
    "003": "maassluis",
    "004": "vijfheerenlanden",
}
THRESHOLD = 0.6
MEASURES = ("goals", "activities", "indicators", "months", "organisations", "amounts")


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def similar(a: str, b: str) -> float:
    a, b = words(a), words(b)
    if not a or not b:
        return 0.0
    if len(a) >= 12 and len(b) >= 12 and (a in b or b in a):
        # Contained: a match, the closer in length the better.
        return 0.9 + 0.1 * min(len(a), len(b)) / max(len(a), len(b))
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def match(
    expected: dict[str, str],
    found: dict[str, str],
    same_parent=lambda found_key, expected_key: False,
) -> dict[str, str]:
    """One-to-one pairs found key -> expected key, best similarity first; of two equal
    texts ("Thematische netwerkbijeenkomsten" under two goals) the one under the same
    goal first."""
    pairs = []
    for found_key, found_text in found.items():
        for expected_key, expected_text in expected.items():
            score = similar(found_text, expected_text)
            if score >= THRESHOLD:
                if same_parent(found_key, expected_key):
                    score += 0.05
                pairs.append((score, found_key, expected_key))
    pairs.sort(reverse=True)
    taken_found, taken_expected, result = set(), set(), {}
    for _score, found_key, expected_key in pairs:
        if found_key in taken_found or expected_key in taken_expected:
            continue
        taken_found.add(found_key)
        taken_expected.add(expected_key)
        result[found_key] = expected_key
    return result


def first_year(period) -> int | None:
    found = re.match(r"(\d{4})", str(period or ""))
    return int(found.group(1)) if found else None


def amount(value) -> Decimal:
    return Decimal(str(value)).normalize()


def expected_of(seed: str) -> dict:
    agenda = tomllib.loads((DATA / "agenda" / f"{SEEDS[seed]}.toml").read_text(encoding="utf-8"))
    slug = agenda["agenda"]["slug"]
    goals = {goal["id"]: goal["text"].split("\n\n")[0] for goal in agenda.get("goal", [])}
    activities = {item["id"]: item["title"] for item in agenda.get("activity", [])}
    activities.update({item["id"]: item["name"] for item in agenda.get("intervention", [])})
    activity_goal = {item["id"]: item.get("goal") for item in agenda.get("activity", [])}
    months = {
        (item["id"], month)
        for item in agenda.get("activity", []) + agenda.get("intervention", [])
        for month in item.get("months", [])
    }
    organisations = {
        involvement["organisation"]
        for item in agenda.get("activity", []) + agenda.get("intervention", [])
        for involvement in item.get("involvements", [])
        if "organisation" in involvement
    }
    amounts = {
        (amount(line.get("planned_amount", line.get("unit_amount", 0))), line.get("year"))
        for line in agenda.get("funding", [])
    }
    indicators = set()
    catalogue = tomllib.loads((DATA / "indicators.toml").read_text(encoding="utf-8"))
    for indicator in catalogue["indicator"]:
        if not any(goal.startswith(slug + ":") for goal in indicator.get("goals") or []):
            continue
        for baseline in indicator.get("baseline", []):
            if "value" in baseline:
                indicators.add(
                    ("baseline", amount(baseline["value"]), first_year(baseline.get("period")))
                )
        for target in indicator.get("target", []):
            if "value" in target:
                indicators.add(
                    ("target", amount(target["value"]), first_year(target.get("period")))
                )
    return {
        "goals": goals,
        "activities": activities,
        "activity_goal": activity_goal,
        "indicators": indicators,
        "months": months,
        "organisations": organisations,
        "amounts": amounts,
    }


def score(found: set, expected: set) -> tuple[int, int, int]:
    return len(found & expected), len(found), len(expected)


def compare(proposal, expected: dict) -> dict[str, tuple[int, int, int]]:
    goals = {item.key: item.fields.get("text", "") for item in proposal.items_of("goal")}
    activities = {item.key: item.fields.get("title", "") for item in proposal.items_of("activity")}
    activities.update(
        {item.key: item.fields.get("name", "") for item in proposal.items_of("intervention")}
    )
    goal_pairs = match(expected["goals"], goals)
    goal_of = {item.key: item.fields.get("goal") for item in proposal.items_of("activity")}
    activity_pairs = match(
        expected["activities"],
        activities,
        lambda found_key, expected_key: (
            goal_pairs.get(goal_of.get(found_key)) == expected["activity_goal"].get(expected_key)
        ),
    )
    months = set()
    for item in proposal.items_of("activity") + proposal.items_of("intervention"):
        for month in item.fields.get("months", []):
            months.add((activity_pairs.get(item.key, item.key), month))
    organisations = {
        involvement["organisation"]
        for item in proposal.items
        for involvement in item.fields.get("involvements", []) or []
        if "organisation" in involvement
    }
    amounts = {
        (amount(item.fields["planned_amount"]), item.fields.get("year"))
        for item in proposal.items_of("funding")
    }
    indicators = set()
    for item in proposal.items_of("indicator"):
        fields = item.fields
        if fields.get("baseline_value") is not None:
            indicators.add(
                ("baseline", amount(fields["baseline_value"]), fields.get("baseline_year"))
            )
        if fields.get("target_value") is not None:
            indicators.add(("target", amount(fields["target_value"]), fields.get("target_year")))
    result = {
        "goals": (len(goal_pairs), len(goals), len(expected["goals"])),
        "activities": (len(activity_pairs), len(activities), len(expected["activities"])),
        "indicators": score(indicators, expected["indicators"]),
        "months": score(months, expected["months"]),
        "organisations": score(organisations, expected["organisations"]),
        "amounts": score(amounts, expected["amounts"]),
    }
    if os.environ.get("BENCH_MISTAKES"):
        print(
            "   goals not found:",
            [
                text[:60]
                for key, text in expected["goals"].items()
                if key not in goal_pairs.values()
            ],
        )
        print(
            "   goals wrong:", [text[:60] for key, text in goals.items() if key not in goal_pairs]
        )
        print(
            "   activities not found:",
            [
                text[:50]
                for key, text in expected["activities"].items()
                if key not in activity_pairs.values()
            ],
        )
        print(
            "   activities wrong:",
            [text[:50] for key, text in activities.items() if key not in activity_pairs],
        )
        print(
            "   indicators missed:",
            sorted(expected["indicators"] - indicators, key=str),
            "wrong:",
            sorted(indicators - expected["indicators"], key=str),
        )
        for label, pairs in (
            ("missed", expected["months"] - months),
            ("wrong", months - expected["months"]),
        ):
            grouped = defaultdict(list)
            for key, month in sorted(pairs):
                grouped[key].append(month)
            print(
                f"   months {label}:",
                {
                    key: f"{values[0]}..{values[-1]} ({len(values)})"
                    for key, values in grouped.items()
                },
            )
        print(
            "   organisations missed:",
            expected["organisations"] - organisations,
            "wrong:",
            organisations - expected["organisations"],
        )
        print(
            "   amounts missed:",
            expected["amounts"] - amounts,
            "wrong:",
            amounts - expected["amounts"],
        )
    return result


def ratio(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}" if total else "    –"


def main() -> int:
    started = time.monotonic()
    from django.test import override_settings

    from kansrijk.organisations.demo import load_demo_organisations
    from kansrijk.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    if not Organisation.objects.filter(code="GM0556").exists():
        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
        with override_settings(DEBUG=True):  # the demo organisations refuse production
            load_demo_organisations()
    print(f"database ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
    makers = {
        "text": lambda text: text.encode("utf-8"),
        "docx": samples.docx_from_text,
        "pdf": samples.pdf_from_text,
    }
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    header = "seed format  pages  s/page  " + "  ".join(f"{name[:11]:>11} P/R" for name in MEASURES)
    print(header)
    slowest = 0.0
    only_seeds = (
        os.environ.get("BENCH_SEEDS", "").split(",") if os.environ.get("BENCH_SEEDS") else SEEDS
    )
    only_formats = (
        os.environ.get("BENCH_FORMATS", "").split(",")
        if os.environ.get("BENCH_FORMATS")
        else makers
    )
    for seed in only_seeds:
        text = next((DATA / "seeds").glob(f"{seed}-*.txt")).read_text(encoding="utf-8")
        expected = expected_of(seed)
        for fmt in only_formats:
            make = makers[fmt]
            content = make(text)
            begun = time.monotonic()
            document = read_document(content, f"{seed}.{fmt}")
            proposal = propose(document)
            seconds = time.monotonic() - begun
            per_page = seconds / document.pages
            slowest = max(slowest, per_page)
            if os.environ.get("BENCH_MISTAKES"):
                print(f"-- {seed} {fmt}")
            result = compare(proposal, expected)
            cells = []
            for name in MEASURES:
                right, found, wanted = result[name]
                for scope in (fmt, "all"):
                    total = totals[scope][name]
                    total[0] += right
                    total[1] += found
                    total[2] += wanted
                cells.append(f"{ratio(right, found)}/{ratio(right, wanted)}")
            print(
                f"{seed}  {fmt:<6} {document.pages:>5}  {per_page:6.3f}  "
                + "  ".join(f"{cell:>15}" for cell in cells)
            )
    print()
    for scope in ("text", "docx", "pdf", "all"):
        cells = []
        for name in MEASURES:
            right, found, wanted = totals[scope][name]
            cells.append(f"{ratio(right, found)}/{ratio(right, wanted)}")
        print(f"total {scope:<6}              " + "  ".join(f"{cell:>15}" for cell in cells))
    print("\ncounts (right / found / in the hand-made agendas), per format:")
    for name in MEASURES:
        right, found, wanted = totals["text"][name]
        print(f"  {name:<14} {right:>4} / {found:>4} / {wanted:>4}")
    print(f"\nslowest: {slowest:.3f} s per page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
