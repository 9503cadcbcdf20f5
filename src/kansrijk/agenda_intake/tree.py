"""The shape of a proposal as the review screen and the confirmation see it: which items
may hang under which, how an item is named, and the agenda file format's tables that the
accepted items become (``agenda.demo.load_agenda_data``).

Plain data in, plain data out: the proposal is the dict ``Proposal.to_dict()`` made, as
the draft stores it, so that keys this module does not know survive an edit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.agenda.exporting import format_months
from kansrijk.agenda.models import InvolvementRole, WorkStatus

from .models import ItemDecision

# The kinds in the order of the tree, with their Dutch names.
KIND_LABELS = {
    "theme": gettext_lazy("thema"),
    "spearhead": gettext_lazy("speerpunt"),
    "goal": gettext_lazy("doel"),
    "indicator": gettext_lazy("indicator"),
    "activity": gettext_lazy("activiteit"),
    "intervention": gettext_lazy("interventie"),
    "funding": gettext_lazy("financieringsregel"),
    "evaluation": gettext_lazy("evaluatiemoment"),
}

# Which kinds an item of a kind may hang under, and whether it must hang under one.
PARENT_KINDS: dict[str, tuple[tuple[str, ...], bool]] = {
    "theme": ((), False),
    "spearhead": ((), False),
    "goal": (("spearhead",), False),
    "indicator": (("goal",), True),
    "activity": (("goal", "activity"), False),
    "intervention": (("goal",), False),
    "funding": (("activity", "intervention"), True),
    "evaluation": (("intervention",), False),
}

# The field that holds an item's own words (what a passage turned into an item fills).
TEXT_FIELD = {
    "theme": "title",
    "spearhead": "title",
    "goal": "text",
    "indicator": "name",
    "activity": "title",
    "intervention": "name",
    "funding": "notes",
    "evaluation": "description",
}


def items(proposal: dict) -> list[dict]:
    return proposal.get("items", [])


def by_key(proposal: dict) -> dict[str, dict]:
    return {item["key"]: item for item in items(proposal)}


def label(item: dict) -> str:
    """How the screen and the messages name an item: its own words, shortened."""
    fields = item.get("fields", {})
    kind = item["kind"]
    if kind == "goal":
        text = " ".join(str(part) for part in (fields.get("number", ""), fields.get("text", "")))
    elif kind == "funding":
        text = " ".join(
            str(fields[name])
            for name in ("year", "source", "planned_amount")
            if fields.get(name) not in (None, "")
        )
    else:
        text = str(fields.get(TEXT_FIELD[kind]) or "")
    text = " ".join(text.split())
    if not text:
        text = _("(zonder tekst)")
    return text if len(text) <= 120 else f"{text[:117]}..."


# The values the review shows of an item beside its own words, with their Dutch names.
DETAIL_LABELS = {
    "number": gettext_lazy("Nummer"),
    "indicator_text": gettext_lazy("Hoe meten we dat?"),
    "description": gettext_lazy("Toelichting"),
    "unit": gettext_lazy("Eenheid"),
    "baseline_value": gettext_lazy("Nulmeting"),
    "baseline_year": gettext_lazy("Jaar van de nulmeting"),
    "target_value": gettext_lazy("Streefwaarde"),
    "target_year": gettext_lazy("Jaar van de streefwaarde"),
    "planned_text": gettext_lazy("Planning"),
    "months": gettext_lazy("Maanden"),
    "goal_text": gettext_lazy("Doel van de interventie"),
    "target_group": gettext_lazy("Doelgroep"),
    "age_min": gettext_lazy("Leeftijd vanaf"),
    "age_max": gettext_lazy("Leeftijd tot en met"),
    "parties_text": gettext_lazy("Betrokken partijen zoals geschreven"),
    "activities_text": gettext_lazy("Activiteiten"),
    "location_text": gettext_lazy("Locatie"),
    "locations": gettext_lazy("Gebieden"),
    "planning_text": gettext_lazy("Planning"),
    "monitoring_text": gettext_lazy("Monitoring en evaluatie"),
    "financing_text": gettext_lazy("Financiering zoals geschreven"),
    "online_information": gettext_lazy("Online informatie"),
    "contact": gettext_lazy("Contact"),
    "status": gettext_lazy("Status"),
    "progress": gettext_lazy("Voortgang (%)"),
    "involvements": gettext_lazy("Betrokken"),
    "year": gettext_lazy("Jaar"),
    "source": gettext_lazy("Bron"),
    "planned_amount": gettext_lazy("Begroot bedrag"),
    "payer": gettext_lazy("Betaler"),
    "month": gettext_lazy("Maand"),
}


def organisation_references(proposal: dict) -> set[str]:
    """Every organisation reference of the proposal's involvements and payers: what the
    review page looks up in the register in one go, to show names instead of codes."""
    found = set()
    for item in items(proposal):
        fields = item.get("fields", {})
        for entry in fields.get("involvements") or []:
            if isinstance(entry, dict) and entry.get("organisation"):
                found.add(str(entry["organisation"]))
        if fields.get("payer"):
            found.add(str(fields["payer"]))
    return found


def involvements_text(entries: list, names: dict[str, str]) -> str:
    """One line per involvement as the agenda shows it: "Gemeente Maassluis (voortrekker)".
    ``names``: organisation reference → name, for those the register knows; one it does
    not know is said to become a party, as the confirmation makes it."""
    roles = dict(InvolvementRole.choices)
    lines = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        role = roles.get(entry.get("role"), entry.get("role", ""))
        if entry.get("organisation"):
            reference = str(entry["organisation"])
            if reference in names:
                lines.append(f"{names[reference]} ({role})")
            else:
                lines.append(
                    _("%(name)s (%(role)s; niet in het register, wordt een partij)")
                    % {"name": reference, "role": role}
                )
        elif entry.get("party"):
            lines.append(f"{entry['party']} ({role})")
    return "\n".join(lines)


def details(item: dict, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    fields = item.get("fields", {})
    names = names or {}
    shown = []
    for name, title in DETAIL_LABELS.items():
        value = fields.get(name)
        if value in (None, "", []) or name == TEXT_FIELD[item["kind"]]:
            continue
        if name == "months":
            value = _months_text(value)
        elif name == "involvements":
            value = involvements_text(value, names)
        elif name == "payer":
            value = names.get(str(value)) or _("%(name)s (niet in het register)") % {"name": value}
        elif name == "status":
            value = dict(WorkStatus.choices).get(value, value)
        elif isinstance(value, list):
            value = ", ".join(str(part) for part in value)
        if value:
            shown.append((str(title), str(value)))
    return shown


def _months_text(months: list[str]) -> str:
    """Months as the agenda's planning table writes them ("sep–dec 2021, jan 2022"),
    not as a list of "YYYY-MM" codes an officer has to read one by one."""
    dates = []
    for month in months:
        try:
            dates.append(datetime.date(int(month[:4]), int(month[5:7]), 1))
        except (TypeError, ValueError):
            # An officer's edit is checked by the form; anything else is shown as it is.
            return ", ".join(str(part) for part in months)
    return format_months(sorted(dates))


def confidence_words(confidence: float) -> str:
    if confidence >= 0.85:
        return _("zeker")
    if confidence >= 0.6:
        return _("waarschijnlijk")
    return _("onzeker")


def parent_choices(proposal: dict, item: dict, review: dict) -> list[dict]:
    """The items ``item`` may move under: of a kind it may hang under, not merged away,
    not itself or one of its descendants (a main activity under its own sub-activity)."""
    kinds, _required = PARENT_KINDS[item["kind"]]
    below = descendants(proposal, item["key"]) | {item["key"]}
    known = by_key(proposal)

    def is_sub_activity(other: dict) -> bool:
        # The agenda has two levels of activity: a sub-activity has none under it.
        return known.get(other.get("parent") or "", {}).get("kind") == "activity"

    return [
        other
        for other in items(proposal)
        if other["kind"] in kinds
        and other["key"] not in below
        and review.get(other["key"]) != ItemDecision.MERGED
        and not (other["kind"] == "activity" and is_sub_activity(other))
    ]


def merge_choices(proposal: dict, item: dict, review: dict) -> list[dict]:
    return [
        other
        for other in items(proposal)
        if other["kind"] == item["kind"]
        and other["key"] != item["key"]
        and review.get(other["key"]) != ItemDecision.MERGED
    ]


def children(proposal: dict, key: str) -> list[dict]:
    return [item for item in items(proposal) if item.get("parent") == key]


def descendants(proposal: dict, key: str) -> set[str]:
    found: set[str] = set()
    todo = [key]
    while todo:
        for child in children(proposal, todo.pop()):
            if child["key"] not in found:
                found.add(child["key"])
                todo.append(child["key"])
    return found


@dataclass
class Node:
    item: dict
    decision: str
    children: list[Node] = field(default_factory=list)
    # Organisation reference → name, shared by every node of the forest.
    names: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        return self.item["key"]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.item["kind"]])

    @property
    def label(self) -> str:
        return label(self.item)

    @property
    def details(self) -> list[tuple[str, str]]:
        return details(self.item, self.names)

    @property
    def confidence(self) -> float:
        return max(0.0, min(1.0, float(self.item.get("confidence") or 0)))

    @property
    def confidence_percent(self) -> int:
        return round(100 * self.confidence)

    @property
    def confidence_words(self) -> str:
        return confidence_words(self.confidence)


def forest(proposal: dict, review: dict, names: dict[str, str] | None = None) -> list[Node]:
    """The items as a tree, in the proposal's order; merged items are gone (their passage
    went into the item they were merged into); an item whose parent is unknown stands at
    the top, so nothing is hidden. ``names``: the organisations' names by reference."""
    living = [item for item in items(proposal) if review.get(item["key"]) != ItemDecision.MERGED]
    names = names or {}
    nodes = {item["key"]: Node(item, review.get(item["key"], ""), names=names) for item in living}
    roots = []
    for item in living:
        parent = nodes.get(item.get("parent") or "")
        (parent.children if parent is not None else roots).append(nodes[item["key"]])
    return roots


# ------------------------------------------------------------------ the agenda's tables


class NotConfirmable(Exception):
    """The accepted items do not make an agenda yet; ``problems`` says why, per item."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def accepted(proposal: dict, review: dict) -> list[dict]:
    return [item for item in items(proposal) if review.get(item["key"]) == ItemDecision.ACCEPTED]


def _depth(item: dict, known: dict[str, dict]) -> int:
    depth, seen = 0, set()
    while item.get("parent") in known and item["key"] not in seen:
        seen.add(item["key"])
        item = known[item["parent"]]
        depth += 1
    return depth


def agenda_tables(proposal: dict, review: dict, *, resolve_organisation) -> dict[str, Any]:
    """The file format's tables (without ``[agenda]``) for the accepted items, and the
    accepted indicators apart (they go through the indicators app, not the loader).

    ``resolve_organisation(reference)`` gives a reference the loader can resolve, or None:
    an organisation the register does not know is kept as a party by its name."""
    chosen = accepted(proposal, review)
    known = {item["key"]: item for item in chosen}
    everything = by_key(proposal)
    problems = []
    for item in chosen:
        _kinds, required = PARENT_KINDS[item["kind"]]
        parent = item.get("parent")
        if parent and parent not in known:
            if parent in everything:
                problems.append(
                    _(
                        "%(kind)s ‘%(item)s’ hangt onder ‘%(parent)s’, dat niet wordt "
                        "overgenomen: neem dat ook over, verplaats het of laat het weg."
                    )
                    % {
                        "kind": str(KIND_LABELS[item["kind"]]).capitalize(),
                        "item": label(item),
                        "parent": label(everything[parent]),
                    }
                )
                continue
            parent = None
        if required and not parent:
            problems.append(
                _("%(kind)s ‘%(item)s’ hangt nergens onder: verplaats het of laat het weg.")
                % {"kind": str(KIND_LABELS[item["kind"]]).capitalize(), "item": label(item)}
            )
    if problems:
        raise NotConfirmable(problems)

    tables: dict[str, list[dict]] = {
        "theme": [],
        "spearhead": [],
        "goal": [],
        "activity": [],
        "intervention": [],
        "funding": [],
        "evaluation": [],
    }
    indicators = []
    for item in sorted(chosen, key=lambda item: _depth(item, known)):
        kind, fields, key = item["kind"], dict(item.get("fields", {})), item["key"]
        parent = known.get(item.get("parent") or "")
        # A value left empty (an age, an amount, a payer cleared in the review) is left
        # out, as an agenda file leaves it out: the loader reads what is there.
        entry = {name: value for name, value in fields.items() if value is not None}
        entry["id"] = key
        if kind == "indicator":
            indicators.append({**fields, "goal": parent["key"]})
            continue
        if kind == "goal" and parent is not None:
            entry["spearhead"] = parent["key"]
        elif kind == "activity":
            entry.pop("parent", None)
            entry["kind"] = "main"
            if parent is not None and parent["kind"] == "goal":
                entry["goal"] = parent["key"]
            elif parent is not None:
                entry["kind"] = "sub"
                entry["parent"] = parent["key"]
                if parent.get("parent") in known:
                    entry["goal"] = parent["parent"]
            entry["involvements"] = _involvements(
                fields.get("involvements", []), resolve_organisation
            )
        elif kind == "intervention":
            entry["goals"] = [parent["key"]] if parent is not None else []
            entry["involvements"] = _involvements(
                fields.get("involvements", []), resolve_organisation
            )
        elif kind == "funding":
            entry[parent["kind"]] = parent["key"]
            if "payer" in entry:
                payer = resolve_organisation(entry["payer"])
                if payer is None:
                    entry.pop("payer")
                else:
                    entry["payer"] = payer
        elif kind == "evaluation" and parent is not None:
            entry["intervention"] = parent["key"]
        tables[kind].append(entry)
    return {"tables": tables, "indicators": indicators}


def _involvements(entries: list[dict], resolve_organisation) -> list[dict]:
    kept = []
    for entry in entries:
        role = entry.get("role", "executor")
        if "organisation" in entry:
            found = resolve_organisation(entry["organisation"])
            kept.append(
                {"organisation": found, "role": role}
                if found is not None
                else {"party": str(entry["organisation"]), "role": role}
            )
        elif entry.get("party"):
            kept.append({"party": str(entry["party"]), "role": role})
    return kept
