"""Reading a policy document (DOCX, PDF with a text layer, plain text) into blocks.

PLACEHOLDER of the interface; the real reader replaces the body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, step: str) -> None:
    pass


class UnreadableDocument(Exception):
    """The file is not a document the reader can read; ``message`` says why, in Dutch,
    for the person who uploaded it (an encrypted PDF, a scan without text, ...)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "list_item", "table_row"
    text: str
    level: int = 0  # heading level or list depth
    location: str = ""  # "pagina 4", "alinea 37", "tabel 2, rij 3"
    cells: list[str] = field(default_factory=list)  # a table row's cells


@dataclass
class Document:
    filename: str
    format: str  # "docx", "pdf", "text"
    pages: int
    blocks: list[Block]


def read_document(content: bytes, filename: str, *, progress: Progress = no_progress) -> Document:
    text = content.decode("utf-8")
    blocks = [Block("paragraph", part.strip()) for part in text.split("\n\n") if part.strip()]
    return Document(filename, "text", max(1, len(text) // 3000), blocks)
