"""From the blocks of a document to a proposed agenda.

PLACEHOLDER of the interface; the real rules replace the body.
"""

from __future__ import annotations

from .proposal import Passage, Proposal
from .reading import Document, Progress, no_progress


def propose(document: Document, *, owner: str | None = None, progress: Progress = no_progress) -> Proposal:
    """``owner``: an organisation code (GM0556) the agenda belongs to, when known."""
    return Proposal(
        agenda={"title": document.filename, "owners": [owner] if owner else []},
        unrecognised=[Passage(block.text, block.location) for block in document.blocks],
        document={"filename": document.filename, "format": document.format, "pages": document.pages},
    )
