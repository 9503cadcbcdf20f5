"""From the blocks of a document to a proposed agenda.

The document's own structure comes first: its numbered goals and spearheads, the words
that open a list of actions, the columns of its tables. Within that frame the wording
rules (``rules/``) find what a sentence says: an indicator with its nulmeting and target,
the months of an activity, the organisations and their roles, amounts and their source.
Every item keeps the passage it came from and the name of the rule that made it; every
block that no rule placed is listed in ``unrecognised``, so nothing of the document is
lost between reading and review.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import DatabaseError

from .proposal import Item, Passage, Proposal
from .reading import Block, Document, Progress, no_progress
from .rules import agenda as agenda_rules
from .rules import interventions as intervention_rules
from .rules import structure
from .rules.indicators import (
    CURRENT,
    current_values,
    find_indicators,
    pair_current_values,
    sentences,
)
from .rules.money import find_amounts
from .rules.organisations import Register, cell_involvements, involvements
from .rules.time import find_periods

# Rules whose months are a whole stretch rather than a named month or season.
WHOLE = {"in jaar", "vanaf", "doorlopend", "schooljaar", "verleden", "jaarlijks"}


def propose(
    document: Document, *, owner: str | None = None, progress: Progress = no_progress
) -> Proposal:
    """``owner``: an organisation code (GM0556) the agenda belongs to, when known."""
    try:
        register = Register.load()
    except DatabaseError:
        # Without a register (a command run before the database exists) names stay
        # party text; nothing else depends on it.
        register = Register()
    builder = Builder(document, register, owner)
    total = len(document.blocks)
    for index, block in enumerate(document.blocks, start=1):
        builder.handle(block)
        if index % 25 == 0 or index == total:
            progress(index, total, "voorstel maken")
    return builder.proposal()


class Builder:
    """Walks the blocks once, keeping where in the agenda's tree it stands."""

    def __init__(self, document: Document, register: Register, owner: str | None):
        self.document = document
        self.register = register
        self.owner = owner
        self.items: list[Item] = []
        self.by_key: dict[str, Item] = {}
        self.unrecognised: list[Passage] = []
        self.spearhead: Item | None = None
        self.goal: Item | None = None
        self.main: Item | None = None
        self.activity: Item | None = None  # the last activity, for what follows it
        self.intervention: Item | None = None
        self.in_actions = False
        self.detail_intro = False  # the previous paragraph opened a list of details
        self.columns: dict[str, int] = {}
        self.table_year: int | None = None
        self.goal_numbers: dict[str, Item] = {}
        self.spearhead_numbers: dict[str, Item] = {}
        self.counter = 0
        self.in_theme = False  # in a theme's section: goals may be sentences
        self.theme_key: str | None = None
        self.theme_orphans: list[Item] = []  # activities waiting for their theme's goal
        # Numbered goals ("Doel 3") anywhere in the text: then goals are never guessed
        # from sentences.
        self.goal_numbers_in_text = any(
            structure.GOAL.match(re.sub(r"\*+", "", block.text.strip()))
            for block in document.blocks
            if block.kind != "list_item"
        )
        self.agenda = self._agenda()
        self.period_end = (
            int(self.agenda["period_end"][:4]) if self.agenda.get("period_end") else None
        )
        self.period_start = (
            int(self.agenda["period_start"][:4]) if self.agenda.get("period_start") else None
        )
        self.item_periods: dict[str, list] = {}
        # Targets without a baseline read in the last blocks, with the block's number:
        # a figure of what is provided now, stated just after, is their baseline.
        self.open_targets: list[tuple[Item, Any, int]] = []
        self.block_number = 0

    # ------------------------------------------------------------------ the agenda

    def _agenda(self) -> dict[str, Any]:
        blocks = self.document.blocks
        front = " ".join(block.text for block in blocks[:40])
        agenda: dict[str, Any] = {"owners": [self.owner] if self.owner else []}
        # The lines of the first pages: headings and paragraphs, and of a table of
        # contents the entries (a text and a page number), which often name the title.
        lines = []
        for block in blocks[:100]:
            if block.kind == "table_row":
                rest = [cell for cell in block.cells[1:] if cell.strip()]
                if block.cells and all(re.fullmatch(r"\d{1,3}", cell.strip()) for cell in rest):
                    lines.append(block.cells[0])
            elif block.kind != "list_item":
                lines.append(block.text)
        title, subtitle = agenda_rules.title_and_subtitle(lines)
        if title:
            agenda["title"] = structure.title_of(title)[:200]
        if subtitle:
            agenda["subtitle"] = subtitle[:200]
        kind = agenda_rules.agenda_kind(front)
        if kind:
            agenda["kind"] = kind
        period = agenda_rules.agenda_period(front, title=agenda.get("title", ""))
        if period:
            agenda["period_start"] = f"{period[0]}-01-01"
            agenda["period_end"] = f"{period[1]}-12-31"
        if not self.owner:
            owners = [reference for reference, _words in self.register.find(front[:3000])]
            agenda["owners"] = owners[:10]
        # The agenda's gemeenten: where a school named by its name is looked for, and
        # who "de gemeente" is.
        self.register.area = {code for code in agenda["owners"] if code.startswith("GM")}
        self.own_gemeente = next(iter(self.register.area)) if len(self.register.area) == 1 else None
        # Who "het SWV" is: the agenda's own samenwerkingsverband of that sector.
        sectors: dict[str, list[str]] = {}
        for code in agenda["owners"]:
            if re.fullmatch(r"(?:PO|VO)\d{4}", code):
                sectors.setdefault(code[:2], []).append(code)
        self.register.own_partnerships = {
            sector: codes[0] for sector, codes in sectors.items() if len(codes) == 1
        }
        agenda["source"] = self.document.filename
        return agenda

    # ------------------------------------------------------------------- the items

    def add(
        self,
        kind: str,
        fields: dict,
        block: Block,
        confidence: float,
        rule: str,
        parent: Item | None = None,
        key: str | None = None,
    ) -> Item:
        self.counter += 1
        key = key or f"{kind}-{self.counter}"
        while key in self.by_key:
            key = f"{key}-{self.counter}"
        item = Item(
            key,
            kind,
            fields,
            Passage(block.text[:2000], block.location),
            confidence,
            parent.key if parent else None,
            rule,
        )
        self.items.append(item)
        self.by_key[key] = item
        return item

    def proposal(self) -> Proposal:
        return Proposal(
            agenda=self.agenda,
            items=self.items,
            unrecognised=self.unrecognised,
            document={
                "filename": self.document.filename,
                "format": self.document.format,
                "pages": self.document.pages,
                "notes": list(self.document.notes),
            },
        )

    def skip(self, block: Block) -> None:
        self.unrecognised.append(Passage(block.text, block.location))

    # ---------------------------------------------------------------- the walk

    def handle(self, block: Block) -> None:
        self.block_number += 1
        # "het Centrum voor Jeugd en Gezin (CJG)": the abbreviation means that
        # organisation from here on, in this block too.
        self.register.learn_definitions(block.text)
        self._handle(block)
        if block.kind != "table_row" and CURRENT.search(block.text):
            self.complete_targets(block.text)

    def complete_targets(self, text: str) -> None:
        """ "Voor kinderen zonder indicatie wordt het aanbod uitgebreid naar 8 uur per
        week" and, a sentence or a paragraph later, "Voor kinderen zonder indicatie is 6
        uur per week beschikbaar": the figure of now is the target's baseline, in the year
        before the target's (as with "van 6 naar 8 uur")."""
        self.open_targets = [
            entry for entry in self.open_targets if self.block_number - entry[2] <= 2
        ]
        targets = [found for _item, found, _number in self.open_targets]
        for target, value in pair_current_values(targets, current_values(text)):
            item = next(entry[0] for entry in self.open_targets if entry[1] is target)
            year = item.fields.get("target_year")
            item.fields["baseline_value"] = value.baseline_value
            item.fields["baseline_year"] = year - 1 if year else None
            item.rule = f"{item.rule} + huidige waarde"
            target.baseline_value = value.baseline_value
            if self.same_indicator(item):
                # "Uitbreiding van 12 naar 16 uur" said it already: one indicator.
                self.items.remove(item)
                del self.by_key[item.key]
            self.open_targets = [entry for entry in self.open_targets if entry[1] is not target]

    def _handle(self, block: Block) -> None:
        text = block.text.strip()
        if block.kind == "table_row":
            self.table_row(block)
            return
        # Out of the table: its columns and its year ("Planning 2022") end with it.
        self.columns = {}
        self.table_year = None
        if intervention_rules.is_card_start(block, self.in_card()):
            self.intervention = intervention_rules.start_card(self, block)
            return
        if self.intervention is not None and intervention_rules.card_field(
            self, self.intervention, block
        ):
            return
        if self.structural(block, text):
            return
        if block.kind == "list_item":
            self.list_item(block, text)
        else:
            self.paragraph(block, text)

    def in_card(self) -> bool:
        return self.intervention is not None

    def structural(self, block: Block, text: str) -> bool:
        """Headings and numbered goals, spearheads and themes; True when the block was one."""
        plain = re.sub(r"\*+", "", text)
        match = structure.SPEARHEAD.match(plain)
        if match and len(plain) < 200 and block.kind != "list_item":
            number = match.group(2)
            if number not in self.spearhead_numbers:
                self.spearhead = self.add(
                    "spearhead",
                    {"number": number, "title": structure.title_of(match.group(3)) or plain},
                    block,
                    0.9,
                    "genummerd speerpunt",
                    key=f"spearhead-{number}",
                )
                self.spearhead_numbers[number] = self.spearhead
            else:
                self.spearhead = self.spearhead_numbers[number]
            self.goal = self.main = self.activity = self.intervention = None
            self.in_actions = False
            self.in_theme = False
            return True
        match = structure.GOAL.match(plain)
        if match and block.kind != "list_item" and len(plain) < 400:
            self.new_goal(block, match.group(1), match.group(2), "genummerd doel")
            return True
        match = structure.THEME.match(plain)
        if match and len(plain) < 200 and block.kind != "list_item":
            kind = "factor" if match.group(1).lower() == "factor" else "cross_cutting"
            self.add(
                "theme",
                {
                    "number": match.group(2),
                    "title": structure.title_of(match.group(3)),
                    "kind": kind,
                },
                block,
                0.85,
                "genummerd thema",
                key=f"theme-{match.group(2)}",
            )
            self.goal = self.main = self.activity = None
            self.in_actions = False
            self.in_theme = True
            self.theme_key = f"theme-{match.group(2)}"
            self.theme_orphans = []
            return True
        match = structure.INTENDED_RESULT.match(plain)
        if match and self.spearhead is not None and match.group(1):
            self.spearhead.fields["intended_result"] = match.group(1)
            return True
        if structure.ACTIONS_MARKER.match(plain) and len(plain) < 60:
            self.in_actions = True
            self.main = self.activity = None
            return True
        # Another heading ends the goal's section, unless it is a quote in it.
        if block.kind == "heading" and not plain.startswith(("“", '"', "'", "‘")):
            self.goal = self.main = self.activity = self.intervention = None
            self.in_actions = False
            self.skip(block)
            return True
        return False

    def new_goal(
        self, block: Block, number: str, text: str, rule: str, confidence: float = 0.9
    ) -> Item:
        if number in self.goal_numbers and self.goal_numbers[number].fields.get("text"):
            self.goal = self.goal_numbers[number]
        else:
            self.goal = self.add(
                "goal",
                {"number": number, "text": text.strip()},
                block,
                confidence,
                rule,
                parent=self.spearhead,
                key=f"goal-{number}" if f"goal-{number}" not in self.by_key else None,
            )
            self.goal_numbers[number] = self.goal
        self.main = self.activity = self.intervention = None
        self.in_actions = False
        return self.goal

    def new_activity(
        self, block: Block, title: str, rule: str, *, sub: bool = False, confidence: float = 0.8
    ) -> Item:
        parent = self.main if sub and self.main is not None else self.goal
        fields: dict[str, Any] = {
            "title": structure.title_of(title),
            "kind": "sub" if sub and self.main else "main",
        }
        if self.goal is not None:
            fields["goal"] = self.goal.key
        item = self.add("activity", fields, block, confidence, rule, parent=parent)
        if not sub or self.main is None:
            self.main = item
        self.activity = item
        # A row's other cells name the parties of the row's other activities.
        parties = title if block.kind == "table_row" else None
        self.place_details(item, block.text, block, parties_text=parties)
        return item

    def place_details(
        self,
        item: Item,
        text: str,
        block: Block,
        *,
        default_role: str | None = None,
        parties_text: str | None = None,
    ) -> None:
        """Months, involvements and amounts that a text gives an activity; its
        involvements from ``parties_text`` where that is given."""
        periods = []
        for sentence in sentences(text):
            # "In 2019 bezocht 72% ..." measures the past and "streeft naar 90% in 2021"
            # aims at a figure: their years are no plan.
            if find_indicators(sentence):
                continue
            periods.extend(self.periods_in(sentence))
        if periods:
            self.item_periods.setdefault(item.key, []).extend(periods)
            planned = "; ".join(period.text for period in periods)
            previous = item.fields.get("planned_text")
            item.fields["planned_text"] = f"{previous}; {planned}" if previous else planned
            self.set_months(item)
        found = involvements(
            text if parties_text is None else parties_text,
            self.register,
            default_role=default_role,
            own_gemeente=self.own_gemeente,
        )
        if found:
            existing = item.fields.setdefault("involvements", [])
            for involvement in found:
                if involvement not in existing:
                    existing.append(involvement)
        for amount in find_amounts(text):
            fields = {
                "year": amount.year
                or (
                    int(self.agenda["period_start"][:4])
                    if self.agenda.get("period_start")
                    else None
                ),
                "source": amount.source,
                "planned_amount": float(amount.amount),
                "is_estimate": amount.is_estimate,
                "notes": amount.text + (" per jaar" if amount.per_year else ""),
                item.kind: item.key,
            }
            self.add("funding", fields, block, 0.7, amount.rule, parent=item)

    def periods_in(self, text: str) -> list:
        return find_periods(
            text, year=self.table_year, period_end=self.period_end, period_start=self.period_start
        )

    def set_months(self, item: Item) -> None:
        """The months of all the times an item's text names; a whole year ("in 2020")
        gives way to a month the text names in that year ("op 1 augustus 2020")."""
        periods = self.item_periods.get(item.key, [])
        specific_years = {
            month[:4] for period in periods if period.rule not in WHOLE for month in period.months
        }
        months = set()
        for period in periods:
            if period.rule == "in jaar":
                months.update(m for m in period.months if m[:4] not in specific_years)
            else:
                months.update(period.months)
        if months:
            item.fields["months"] = sorted(months)
        else:
            item.fields.pop("months", None)

    VALUES = ("unit", "baseline_value", "baseline_year", "target_value", "target_year")

    def same_indicator(self, item: Item) -> bool:
        """Another indicator under the same goal with the same values: a document that
        states a measure twice ("van 12 naar 16 uur" in a list and in prose). Only a
        full pair of nulmeting and streefwaarde with their years tells: two measures of
        one goal can share a single figure ("minstens 80%" of peuters and of kleuters)."""
        values = tuple(item.fields.get(name) for name in self.VALUES)
        if None in values:
            return False
        return any(
            other is not item
            and other.kind == "indicator"
            and other.parent == item.parent
            and tuple(other.fields.get(name) for name in self.VALUES) == values
            for other in self.items
        )

    def add_indicators(self, block: Block, text: str) -> bool:
        found = find_indicators(text)
        for indicator in found:
            fields = {
                "unit": indicator.unit,
                "baseline_value": indicator.baseline_value,
                "baseline_year": indicator.baseline_year,
                "target_value": indicator.target_value,
                "target_year": indicator.target_year,
            }
            parent = self.goal.key if self.goal else None
            if None not in fields.values() and any(
                other.kind == "indicator"
                and other.parent == parent
                and all(other.fields.get(name) == value for name, value in fields.items())
                for other in self.items
            ):
                continue  # the same pair stated before under this goal: proposed once
            self.add(
                "indicator",
                {
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "baseline_value": indicator.baseline_value,
                    "baseline_year": indicator.baseline_year,
                    "target_value": indicator.target_value,
                    "target_year": indicator.target_year,
                },
                block,
                0.7,
                indicator.rule,
                parent=self.goal,
            )
            if indicator.baseline_value is None and indicator.target_value is not None:
                self.open_targets.append((self.items[-1], indicator, self.block_number))
        return bool(found)

    def list_item(self, block: Block, text: str) -> None:
        # "*Sportmenu:* De buurtsportcoach ..." or "Opvoeden: de rol van ouders ...": a
        # named part of the activity above it, described after the colon.
        emphasis = re.match(r"^\*+([^*]{2,80}?):?\*+:?\s*(.*)$", text) or re.match(
            r"^([A-Z][^:.;]{2,40}):\s+(\S.{19,})$", text
        )
        if self.goal is None:
            if self.add_indicators(block, text):
                return
            self.skip(block)
            return
        if not self.in_actions and not structure.ACTION_SENTENCE.match(text):
            if self.add_indicators(block, text):
                return
            self.skip(block)
            return
        if emphasis:
            self.new_activity(
                block, emphasis.group(1), "benoemd onderdeel van een activiteit", sub=True
            )
            self.add_indicators(block, text)
            return
        if self.detail_intro and text[:1].islower() and self.activity is not None:
            self.activity.fields["description"] = (
                self.activity.fields.get("description", "") + "\n" + text
            ).strip()
            return
        self.new_activity(
            block, text, "opsomming onder acties", sub=block.level >= 2 and self.main is not None
        )
        self.add_indicators(block, text)

    def paragraph(self, block: Block, text: str) -> None:
        self.detail_intro = text.endswith(":")
        placed = False
        if self.goal is not None and not self.goal.fields.get("text") and not self.in_actions:
            self.goal.fields["text"] = text
            return
        if self.add_indicators(block, text):
            placed = True
        if self.goal is not None and self.in_actions and self.activity is not None:
            description = self.activity.fields.get("description", "")
            self.activity.fields["description"] = (description + "\n\n" + text).strip()
            self.place_details(self.activity, text, block)
            return
        if self.in_theme and not self.goal_numbers_in_text and self.sentences(block, text):
            return
        if self.goal is not None and structure.ACTION_SENTENCE.match(text):
            self.new_activity(block, text, "zin: wat we gaan doen", confidence=0.6)
            return
        if not placed:
            self.skip(block)

    def sentences(self, block: Block, text: str) -> bool:
        """A theme's section in a document without numbered goals ("Factor 3. ..."):
        a sentence of intention ("We willen ...") is a goal, a sentence that says what
        will be done ("We stimuleren ...", "In 2025 stellen we ...", "Met de scholen
        hebben we afspraken ...") an activity of it. An activity stated before the
        theme's first goal waits for that goal, and hangs under none if none comes (the
        officer places it)."""
        placed = False
        for sentence in sentences(text):
            if structure.INTENTION.match(sentence):
                number = str(len(self.goal_numbers) + 1)
                self.new_goal(block, number, sentence, "zin: wat we willen", confidence=0.55)
                self.goal.parent = self.theme_key
                for orphan in self.theme_orphans:
                    orphan.parent = self.goal.key
                    orphan.fields["goal"] = self.goal.key
                self.theme_orphans = []
                placed = True
            elif structure.ACTION_SENTENCE.match(sentence) or structure.COMMITMENT.match(sentence):
                item = self.new_activity(
                    Block(block.kind, sentence, block.level, block.location),
                    sentence,
                    "zin: wat we gaan doen",
                    confidence=0.5,
                )
                if self.goal is None:
                    self.theme_orphans.append(item)
                placed = True
        return placed

    # ---------------------------------------------------------------- tables

    def table_row(self, block: Block) -> None:
        cells = block.cells
        first = re.sub(r"\*+", "", cells[0]) if cells else ""
        columns = structure.table_columns(cells)
        if columns:
            self.columns = columns
            years = re.findall(r"\b(20\d\d)\b", " ".join(cells))
            self.table_year = int(years[-1]) if years else self.table_year
            return
        if structure.SPEARHEAD.match(first) and len([cell for cell in cells if cell]) == 1:
            self.structural(Block("heading", first, 2, block.location), first)
            return
        result = structure.INTENDED_RESULT.match(first)
        if result and self.spearhead is not None:
            self.spearhead.fields["intended_result"] = " ".join(
                cell for cell in cells[1:] if cell
            ) or result.group(1)
            return
        if intervention_rules.card_row(self, block):
            return
        if not self.columns:
            self.loose_row(block)
            return
        self.column_row(block)

    def column_row(self, block: Block) -> None:
        cells = block.cells
        columns = self.columns

        def cell(name: str) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        if cell("spearhead") and "goal" in columns:
            for number, item in self.spearhead_numbers.items():
                if structure.normalise_title(
                    item.fields.get("title", "")
                ) == structure.normalise_title(cell("spearhead")):
                    self.spearhead = self.spearhead_numbers[number]
        goals_here: list[Item] = []
        if cell("goal") and "main" in columns:
            for text in structure.split_cell(cell("goal")):
                number, text = structure.strip_number(text)
                number = number or str(len(self.goal_numbers) + 1)
                goals_here.append(
                    self.new_goal(block, number, text, "kolom doel van een tabel", 0.85)
                )
            if cell("indicator") and self.goal is not None:
                lines = structure.split_cell(cell("indicator"))
                self.goal.fields["indicator_text"] = "\n".join(lines)
                for line in lines:
                    self.add_indicators(block, line)
        elif cell("goal") and "planning" in columns:
            self.planning_row(block, cell("goal"), cell("planning"))
            return
        if "main" in columns and self.goal is not None:
            self.main = None
            first_new = len(self.items)
            for text in structure.split_cell(cell("main")):
                self.new_activity(
                    block, text, "kolom hoofdactiviteit van een tabel", confidence=0.85
                )
            first_main = self.main
            for text in structure.split_cell(cell("sub")):
                self.main = first_main
                self.new_activity(
                    block, text, "kolom subactiviteit van een tabel", sub=True, confidence=0.8
                )
            if cell("planning") and self.activity is not None:
                self.place_details(self.activity, cell("planning"), block)
            self.column_parties(
                cell,
                [
                    item
                    for item in self.items[first_new:]
                    if item.kind == "activity" and item.fields.get("kind") == "main"
                ],
            )
            return
        self.skip(block)

    def column_parties(self, cell, activities: list[Item]) -> None:
        """The parties of a row's "Trekker", "Uitvoering" and "Partners" columns for its
        main activities, with the role the column gives them."""
        for column, role in (("lead", "lead"), ("executor", "executor"), ("partners", "partner")):
            if not cell(column):
                continue
            found = cell_involvements(
                cell(column), self.register, role, own_gemeente=self.own_gemeente
            )
            for item in activities:
                existing = item.fields.setdefault("involvements", [])
                for involvement in found:
                    same = [
                        known
                        for known in existing
                        if known.get("organisation", known.get("party"))
                        == involvement.get("organisation", involvement.get("party"))
                    ]
                    if not same:
                        existing.append(dict(involvement))
                    elif column == "lead":
                        same[0]["role"] = "lead"  # the column says who leads

    def planning_row(self, block: Block, goal_cell: str, planning_cell: str) -> None:
        """A row of a planning table: goals numbered in one column ("2. Planmatig ..."),
        their plans numbered the same way in the next ("2. Netwerkbijeenkomsten: juni.").
        A numbered goal the tables before gave is found again by its words, and takes
        the document's number; a plan gives its months to the activity of that goal it
        names, or becomes one; a plan that is only a time ("1. Eind 2021.") is the time
        of the goal's one activity."""
        for number, text in structure.numbered_parts(goal_cell):
            if number is None:
                continue
            known = self.goal_numbers.get(number)
            if known is None or not structure.same_text(known.fields.get("text", ""), text):
                known = next(
                    (
                        item
                        for item in self.items
                        if item.kind == "goal"
                        and structure.same_text(item.fields.get("text", ""), text)
                    ),
                    None,
                )
            if known is not None:
                known.fields["number"] = number
                self.goal_numbers[number] = known
            else:
                self.spearhead_for_row = None
                goal = self.add(
                    "goal",
                    {"number": number, "text": text},
                    block,
                    0.7,
                    "kolom doel van een planning",
                )
                self.goal_numbers[number] = goal
        for number, text in structure.numbered_parts(planning_cell):
            goal = self.goal_numbers.get(number or "")
            if goal is None:
                self.skip(Block("table_row", text, 0, block.location))
                continue
            for line in structure.plan_lines(text):
                self.plan_line(block, goal, line)

    def plan_line(self, block: Block, goal: Item, line: str) -> None:
        periods = self.periods_in(line)
        name = line
        for period in periods:
            name = name.replace(period.text, " ")
        name = structure.title_of(re.sub(r"\s+", " ", name).strip(" :;,.-"))
        activities = [
            item
            for item in self.items
            if item.kind == "activity" and item.fields.get("goal") == goal.key
        ]
        target = None
        if re.search(r"\w{3,}", name):
            # The activity the line names: the same words, or else the most shared ones
            # ("Evaluatie OZA's" is "In kaart brengen en evalueren van ... OZA's").
            target = structure.closest(
                name, [(item.fields.get("title", ""), item) for item in activities]
            )
        elif activities:
            target = activities[0]
        if target is None:
            previous_goal, previous_main = self.goal, self.main
            self.goal = goal
            self.main = next(
                (item for item in activities if item.fields.get("kind") == "main"), None
            )
            title = name if re.search(r"\w{3,}", name) else goal.fields.get("text", "")
            sub = self.main is not None
            target = self.new_activity(
                Block("table_row", line, 0, block.location),
                title,
                "regel van een planningstabel",
                sub=sub,
                confidence=0.6,
            )
            target.fields.pop("months", None)
            target.fields.pop("planned_text", None)
            self.item_periods.pop(target.key, None)
            self.goal, self.main = previous_goal, previous_main
        self.place_details(target, line, Block("table_row", line, 0, block.location))

    def loose_row(self, block: Block) -> None:
        """A row of a table without a header the rules know: a row with a time in one
        cell and words in another is a planning line; anything else is kept unplaced."""
        cells = [cell for cell in block.cells if cell]
        timed = [cell for cell in cells if self.periods_in(cell) and len(cell) < 60]
        words = [cell for cell in cells if cell not in timed and len(cell) > 3]
        if timed and words and self.goal is not None:
            item = self.new_activity(
                Block("table_row", words[0], 0, block.location, block.cells),
                words[0],
                "regel met een tijd in een tabel",
                confidence=0.6,
            )
            self.place_details(item, timed[0], block)
            return
        self.skip(block)
