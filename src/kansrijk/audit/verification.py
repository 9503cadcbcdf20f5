"""Checking the audit trail's hash chain (``kansrijk audit_verify``) and anchoring its
head outside the database (``kansrijk audit_anchor``); decision 0025.

The walk reads the table in batches by sequence number (keyset, never the whole table),
recomputes every hash and checks every link. It needs no transaction: rows that writers
add while it runs are walked at the end, until the walk has caught up with the head.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from . import chain
from .models import AuditChainHead, AuditEvent

logger = logging.getLogger("kansrijk.audit")

BATCH = 5000
KEPT_PROBLEMS = 1000
COLUMNS = ("id", *chain.HASHED_FIELDS, "hash")
DEFAULT_CLOCK_TOLERANCE = timedelta(seconds=60)
TRIGGERS = {
    "sqlite": ("audit_auditevent_no_update", "audit_auditevent_no_delete"),
    "postgresql": ("audit_auditevent_append_only", "audit_auditevent_no_truncate"),
}


@dataclass(frozen=True)
class Problem:
    what: str
    sequence: int | None = None
    event_id: int | None = None

    def __str__(self) -> str:
        where = []
        if self.sequence is not None:
            where.append(f"volgnummer {self.sequence}")
        if self.event_id is not None:
            where.append(f"id {self.event_id}")
        return f"{', '.join(where)}: {self.what}" if where else self.what


@dataclass(frozen=True)
class Anchor:
    sequence: int
    hash: str
    at: str = ""


@dataclass
class Report:
    rows: int = 0
    last_sequence: int = 0
    last_hash: str = chain.GENESIS
    anchors_checked: int = 0
    # The first problems, in chain order; a trail broken everywhere is counted, not kept.
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem_count

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(problem)


def _json_object_in(text: str):
    found = re.search(r"\{.*\}", text)
    if not found:
        return None
    try:
        return json.loads(found.group(0))
    except ValueError:
        return None


def read_anchors(lines: Iterable[str]) -> list[Anchor]:
    """The anchors in an anchor file or a log: every line that holds a JSON object with
    ``sequence`` and ``hash`` (what ``audit_anchor`` writes to both), also as the message
    of a JSON log line (``KANSRIJK_LOG_FORMAT=json``, decision 0043)."""
    anchors = []
    for line in lines:
        data = _json_object_in(line)
        if isinstance(data, dict) and "sequence" not in data and "message" in data:
            data = _json_object_in(str(data["message"]))
        if isinstance(data, dict) and isinstance(data.get("sequence"), int) and data.get("hash"):
            anchors.append(Anchor(data["sequence"], str(data["hash"]), str(data.get("at", ""))))
    return anchors


def _rows_after(sequence: int, batch: int, using: str) -> Iterator[dict]:
    while True:
        rows = list(
            AuditEvent.objects.using(using)
            .filter(sequence__gt=sequence)
            .order_by("sequence")
            .values(*COLUMNS)[:batch]
        )
        if not rows:
            return
        yield from rows
        sequence = rows[-1]["sequence"]


class _Walk:
    """The state of one walk along the chain."""

    def __init__(self, report: Report, anchors: list[Anchor], tolerance: timedelta):
        self.report = report
        self.anchors = {anchor.sequence: anchor for anchor in anchors}
        self.tolerance = tolerance
        self.previous_time = None

    def problem(self, what: str, row: dict | None = None) -> None:
        self.report.add(Problem(what, row["sequence"] if row else None, row["id"] if row else None))

    def step(self, row: dict) -> None:
        report, sequence = self.report, row["sequence"]
        expected = report.last_sequence + 1
        if sequence != expected:
            missing = f"{expected}" if sequence == expected + 1 else f"{expected}–{sequence - 1}"
            self.problem(f"volgnummer(s) {missing} ontbreken: regels verwijderd", row)
        elif row["prev_hash"] != report.last_hash:
            self.problem("verwijst niet naar de hash van de regel ervoor", row)
        if chain.digest(row) != row["hash"]:
            self.problem("de inhoud past niet bij de hash: de regel is gewijzigd", row)
        moment = row["created_at"]
        if self.previous_time is not None and moment < self.previous_time - self.tolerance:
            self.problem(
                f"tijdstip {moment:%Y-%m-%d %H:%M:%S} ligt vóór dat van de regel ervoor "
                f"({self.previous_time:%Y-%m-%d %H:%M:%S}): terug gedateerd",
                row,
            )
        anchor = self.anchors.pop(sequence, None)
        if anchor is not None:
            report.anchors_checked += 1
            if anchor.hash != row["hash"]:
                self.problem(
                    f"hash wijkt af van het anker van {anchor.at or 'eerder'}: "
                    "de keten is vanaf hier of eerder herschreven",
                    row,
                )
        self.previous_time = max(moment, self.previous_time or moment)
        report.rows += 1
        report.last_sequence, report.last_hash = sequence, row["hash"]

    def finish(self) -> None:
        for sequence in sorted(self.anchors):
            anchor = self.anchors[sequence]
            self.report.add(
                Problem(
                    f"het anker van {anchor.at or 'eerder'} noemt deze regel, maar de keten "
                    "heeft hem niet: regels verwijderd",
                    sequence,
                )
            )


def _check_head(report: Report, *, caught_up: bool, using: str) -> bool:
    """Compare the walk's end with the head. False when the head is ahead and the walk
    has not caught up yet (a writer added rows meanwhile): walk on."""
    head = AuditChainHead.objects.using(using).filter(pk=chain.HEAD_ID).first()
    if head is None:
        if report.rows:
            report.add(Problem("de kop van de keten ontbreekt"))
        return True
    if head.sequence > report.last_sequence:
        if not caught_up:
            return False
        report.add(
            Problem(
                f"de kop van de keten staat op volgnummer {head.sequence}, maar de keten "
                "eindigt hier: regels aan het eind verwijderd",
                report.last_sequence,
            )
        )
    elif head.sequence < report.last_sequence:
        report.add(
            Problem(
                f"de keten loopt door tot na de kop (volgnummer {head.sequence}): "
                "regels buiten de applicatie toegevoegd",
                report.last_sequence,
            )
        )
    elif head.hash != report.last_hash:
        report.add(Problem("de kop van de keten noemt een andere hash", report.last_sequence))
    return True


def _unchained(report: Report, using: str) -> None:
    rows = AuditEvent.objects.using(using).filter(sequence__isnull=True).order_by("id")
    for pk, moment, action in rows.values_list("id", "created_at", "action").iterator(
        chunk_size=BATCH
    ):
        report.add(
            Problem(
                f"regel zonder plaats in de keten ({action}, {moment:%Y-%m-%d %H:%M:%S}): "
                "buiten de applicatie ingevoegd",
                event_id=pk,
            )
        )


def _triggers(report: Report, using: str) -> None:
    connection = connections[using]
    names = TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
                "AND tgenabled <> 'D'"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_auditevent'"
            )
        else:
            return
        present = {name for (name,) in cursor.fetchall()}
    for name in names:
        if name not in present:
            report.add(
                Problem(f"de trigger {name} ontbreekt of staat uit: de tabel is niet afgeschermd")
            )


def verify(
    *,
    anchors: list[Anchor] = (),
    tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE,
    batch: int = BATCH,
    using: str = DEFAULT_DB_ALIAS,
) -> Report:
    """Walk the whole chain of the database ``using`` (a restored copy in a drill);
    every problem found, in chain order."""
    report = Report()
    walk = _Walk(report, list(anchors), tolerance)
    for attempt in range(10):
        walked = report.rows
        for row in _rows_after(report.last_sequence, batch, using):
            walk.step(row)
        caught_up = attempt == 9 or (attempt > 0 and report.rows == walked)
        if _check_head(report, caught_up=caught_up, using=using):
            break
    walk.finish()
    _unchained(report, using)
    _triggers(report, using)
    return report


def anchor(path: Path | None = None) -> Anchor:
    """The chain's last link, written to the log and (when given) appended to ``path``."""
    last = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    ) or (0, chain.GENESIS)
    found = Anchor(last[0], last[1], timezone.now().isoformat(timespec="seconds"))
    line = json.dumps({"sequence": found.sequence, "hash": found.hash, "at": found.at})
    logger.info("audit-anker %s", line)
    if path is not None:
        with path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
    return found
