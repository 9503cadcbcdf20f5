"""A proposal's item written in one line, and a draft read again from the database:
for the review tests."""

from __future__ import annotations

from kansrijk.agenda_intake.models import AgendaDraft
from kansrijk.agenda_intake.proposal import Item, Passage


def item(key, kind, parent=None, confidence=0.9, **fields):
    return Item(
        key=key,
        kind=kind,
        fields=fields,
        source=Passage(f"De tekst van {key}.", f"alinea {len(key)}"),
        confidence=confidence,
        parent=parent,
        rule="test",
    )


def refreshed(draft) -> AgendaDraft:
    return AgendaDraft.objects.get(pk=draft.pk)
