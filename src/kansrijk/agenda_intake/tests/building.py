"""A proposal's item written in one line, a draft ready for review, and a draft read
again from the database: for the review tests."""

from __future__ import annotations

from kansrijk.agenda_intake import services
from kansrijk.agenda_intake.models import AgendaDraft, DraftStatus
from kansrijk.agenda_intake.proposal import Item, Passage, Proposal


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


def ready_draft(maassluis: dict, proposal: Proposal) -> AgendaDraft:
    """A draft of Maassluis's officer whose reading is done: ``proposal`` waits for review."""
    return AgendaDraft.objects.create(
        owner=maassluis["gemeente"],
        uploaded_by=maassluis["officer"],
        status=DraftStatus.READY,
        original_name="nota.docx",
        content_type=services.CONTENT_TYPES["docx"],
        size=4,
        document=b"PK\x03\x04",
        proposal=proposal.to_dict(),
    )
