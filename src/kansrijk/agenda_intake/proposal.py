"""The proposed agenda that reading a policy document gives: what the reader hands to the
review screen, to ``kansrijk import_agenda_document --json`` and to the benchmark.

A proposal is a flat list of items, each of one kind of the agenda file format
(``docs/formats/agenda-toml.md``) plus indicators, with the passage of the document it
came from and a confidence. ``fields`` holds the item's values in that format's keys
(a goal's ``number``, ``text`` and ``indicator_text``; an activity's ``title``,
``planned_text``, ``months`` as ``"YYYY-MM"`` and ``involvements``; a funding line's
``year``, ``source`` and ``planned_amount``...), so that an accepted proposal becomes
an agenda through the same loader as the seeds. ``parent`` is the key of the item it
hangs under: a goal's spearhead, an activity's goal (or main activity, for a sub
activity), an indicator's goal, a funding line's activity or intervention.

Nothing here touches the database: a proposal is plain data, serialised as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The kinds an item may have, in the order the review screen shows them.
KINDS = (
    "theme",
    "spearhead",
    "goal",
    "indicator",
    "activity",
    "intervention",
    "funding",
    "evaluation",
)


@dataclass
class Passage:
    """A piece of the document as it was read: its text, and where it stands
    ("pagina 4", "alinea 37", "tabel 2, rij 3") so that an officer finds it again."""

    text: str
    location: str = ""


@dataclass
class Item:
    key: str  # unique within the proposal: "goal-3", "activity-3-2", "indicator-3-1"
    kind: str  # one of KINDS
    fields: dict[str, Any]
    source: Passage
    confidence: float  # 0..1: how sure the reader is that this is what it says it is
    parent: str | None = None
    # Which rule made it ("numbered goal heading", "streeft naar ... in <year>"): for the
    # review screen's explanation and for the benchmark's list of mistakes.
    rule: str = ""


@dataclass
class Indicator:
    """The shape of an indicator item's ``fields``: a name, a unit and the values the
    text gives. Years are integers; values are numbers as written (72, 90, 1.5)."""

    name: str
    unit: str = "percentage"  # "percentage", "count" or "value"
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None


@dataclass
class Proposal:
    # The agenda's own values in the file format's [agenda] keys: title, subtitle, kind,
    # period_start, period_end ("YYYY-MM-DD"), owners (organisation codes), source.
    agenda: dict[str, Any]
    items: list[Item] = field(default_factory=list)
    # What the reader could not place: listed on the review screen, never lost.
    unrecognised: list[Passage] = field(default_factory=list)
    # The document: its file name, format ("docx", "pdf", "text") and number of pages
    # (for a text: characters / 3,000, the length of a printed page).
    document: dict[str, Any] = field(default_factory=dict)

    def items_of(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Proposal:
        return cls(
            agenda=dict(data.get("agenda", {})),
            items=[
                Item(**{**item, "source": Passage(**item["source"])})
                for item in data.get("items", [])
            ],
            unrecognised=[Passage(**passage) for passage in data.get("unrecognised", [])],
            document=dict(data.get("document", {})),
        )
