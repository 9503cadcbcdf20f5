"""Intervention cards: a heading "Interventie | <naam>" (or "Interventie: <naam>")
followed by labelled fields, as a two-column table or as "Label: text" paragraphs. The
labels are the ones of the GKA card and its variants in other agendas."""

from __future__ import annotations

import re

from ..proposal import Item
from ..reading import Block

CARD_START = re.compile(
    r"^(?:interventie(?:kaart)?|maatregel|project)\s*[|:–-]\s*(.{3,200})$", re.IGNORECASE
)
# Card labels to the intervention's fields, most specific first.
LABELS = (
    (r"^(?:betrokken )?partij(?:en)?|^samenwerkingspartners|^uitvoerders?", "parties_text"),
    (r"^planning|^looptijd|^periode|^wanneer", "planning_text"),
    (r"^doelgroep", "target_group"),
    (r"^doel(?:en)?(?: van de interventie)?|^beoogd", "goal_text"),
    (r"^locatie|^waar\b|^wijk", "location_text"),
    (r"^activiteit(?:en)?|^wat doen we|^aanpak", "activities_text"),
    (r"^monitoring|^evaluatie|^meten", "monitoring_text"),
    (r"^financiering|^kosten|^begroting|^budget", "financing_text"),
    (r"^online|^website|^meer informatie", "online_information"),
    (r"^contact", "contact"),
)


def label_field(label: str) -> str | None:
    label = label.strip().lower().rstrip(":")
    if len(label) > 40:
        return None
    for pattern, name in LABELS:
        if re.search(pattern, label):
            return name
    return None


def is_card_start(block: Block, in_card: bool) -> bool:
    return block.kind in ("heading", "paragraph") and bool(CARD_START.match(block.text.strip()))


def start_card(builder, block: Block) -> Item:
    name = CARD_START.match(block.text.strip()).group(1).strip()
    builder.goal = builder.main = builder.activity = None
    builder.in_actions = False
    return builder.add("intervention", {"name": name}, block, 0.9, "interventiekaart")


def _fill(builder, card: Item, field: str, value: str, block: Block) -> None:
    previous = card.fields.get(field)
    card.fields[field] = f"{previous}\n{value}" if previous else value
    if field == "planning_text":
        builder.place_details(card, value, block)
        card.fields["planning_text"] = card.fields.get("planning_text", value)
        card.fields.pop("planned_text", None)
    elif field in ("parties_text", "financing_text"):
        # Who a card lists as its parties takes part: a partner, unless the sentence
        # names the role ("treedt op als penvoerder").
        builder.place_details(
            card, value, block, default_role="partner" if field == "parties_text" else None
        )
        card.fields.pop("planned_text", None)
        card.fields.pop(
            "months", None
        ) if field == "financing_text" and "planning_text" in card.fields and not card.fields.get(
            "months"
        ) else None
    elif field == "target_group":
        ages = re.search(r"(\d{1,2})\s*(?:-|tot(?: en met)?|t/m)\s*(\d{1,2})\s*jaar", value)
        if ages:
            card.fields["age_min"], card.fields["age_max"] = int(ages.group(1)), int(ages.group(2))


def card_row(builder, block: Block) -> bool:
    """A row "Label | value" of the open card; True when it was one."""
    card = builder.intervention
    if card is None or len([cell for cell in block.cells if cell]) < 2:
        return False
    field = label_field(block.cells[0])
    if field is None:
        return False
    _fill(builder, card, field, "\n".join(cell for cell in block.cells[1:] if cell), block)
    return True


def card_field(builder, card: Item, block: Block) -> bool:
    """A paragraph "Label: value" (or a label heading followed by its text) of the card."""
    match = re.match(r"^([^:]{3,40}):\s*(.+)$", block.text.strip())
    if match and label_field(match.group(1)):
        _fill(builder, card, label_field(match.group(1)), match.group(2), block)
        return True
    return False
