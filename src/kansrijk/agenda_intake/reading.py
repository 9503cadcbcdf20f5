"""Reading a policy document (DOCX, PDF with a text layer, plain text) into blocks.

A block is what the rules of ``proposing`` work on: a heading with its level, a paragraph,
a list item with its depth, or a table row with its cells, each with the place it stands
("pagina 4", "alinea 37", "tabel 2, rij 3") so that an officer can find it again.

Uploaded files are hostile until read: every refusal is an ``UnreadableDocument`` whose
message says, in Dutch, what is wrong and what to do. The checks that cost nothing (size,
kind of file, uncompressed size of a DOCX, number of pages) come before any parsing.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

Progress = Callable[[int, int, str], None]

# A printed page of running text: how the pages of a DOCX or a text are counted.
CHARACTERS_PER_PAGE = 3000

# Defaults for the limits in settings (AGENDA_INTAKE_*): an agenda is tens of pages;
# these leave room for a long LEA with appendices and refuse what no agenda is.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PAGES = 300
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024

BULLET = re.compile(r"^\s*(?:[-•●▪◦·*–]|o(?=\s))\s+")
NUMBERED_LINE = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z][.)])\s+")


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
    # What the reader had to decide that the uploader should know ("gelezen als
    # Windows-1252"): shown with the proposal.
    notes: list[str] = field(default_factory=list)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_size(size: int) -> None:
    """Refuse a file over the size limit; callers with a file on disk call it before
    they read the file into memory."""
    max_bytes = _limit("AGENDA_INTAKE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if size > max_bytes:
        raise UnreadableDocument(
            _("Het bestand is te groot (%(size)d MB); het maximum is %(max)d MB.")
            % {"size": size // (1024 * 1024), "max": max_bytes // (1024 * 1024)}
        )


def read_document(content: bytes, filename: str, *, progress: Progress = no_progress) -> Document:
    if not content:
        raise UnreadableDocument(_("Het bestand is leeg."))
    check_size(len(content))
    kind = _kind_of(content)
    if kind == "pdf":
        return read_pdf(content, filename, progress=progress)
    if kind == "docx":
        return read_docx(content, filename, progress=progress)
    return read_text(content, filename, progress=progress)


# Magic numbers of files that are sometimes uploaded by mistake.
NOT_DOCUMENTS = (
    (b"MZ", "een programma (Windows)"),
    (b"\x7fELF", "een programma"),
    (b"\x89PNG", "een afbeelding (PNG)"),
    (b"\xff\xd8\xff", "een afbeelding (JPEG)"),
    (b"GIF8", "een afbeelding (GIF)"),
    (b"II*\x00", "een afbeelding (TIFF)"),
    (b"MM\x00*", "een afbeelding (TIFF)"),
    (b"\x1f\x8b", "een gecomprimeerd archief (gzip)"),
    (b"Rar!", "een gecomprimeerd archief (RAR)"),
    (b"7z\xbc\xaf", "een gecomprimeerd archief (7-Zip)"),
)


def _kind_of(content: bytes) -> str:
    head = content[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if content.startswith(b"PK\x03\x04") or content.startswith(b"PK\x05\x06"):
        return "docx"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableDocument(
            _(
                "Dit is een Word-bestand in het oude formaat (.doc). Sla het in Word op als "
                ".docx of als PDF en lever het opnieuw aan."
            )
        )
    for magic, what in NOT_DOCUMENTS:
        if content.startswith(magic):
            raise UnreadableDocument(
                _(
                    "Dit bestand is geen document maar %(what)s. Lever een Word-bestand "
                    "(.docx), een PDF met tekst of een tekstbestand aan."
                )
                % {"what": what}
            )
    return "text"


def _pages_of_text(characters: int) -> int:
    return max(1, -(-characters // CHARACTERS_PER_PAGE))


def _check_pages(pages: int) -> None:
    max_pages = _limit("AGENDA_INTAKE_MAX_PAGES", DEFAULT_MAX_PAGES)
    if pages > max_pages:
        raise UnreadableDocument(
            _(
                "Het document heeft %(pages)d pagina's; er worden er hoogstens %(max)d "
                "gelezen. Lever alleen het deel met de agenda aan."
            )
            % {"pages": pages, "max": max_pages}
        )


# ------------------------------------------------------------------------- plain text


def _decode(content: bytes) -> tuple[str, list[str]]:
    """UTF-8 first (with or without a byte order mark), then Windows-1252, the encoding
    Word and older Windows tools write; anything else is refused rather than guessed."""
    if b"\x00" in content[:4096]:
        # UTF-16 text or a binary file: neither is something we read as text.
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return content.decode("utf-16"), [_("Gelezen als UTF-16-tekst.")]
            except UnicodeDecodeError:
                pass
        raise UnreadableDocument(
            _(
                "Dit bestand is geen document dat gelezen kan worden (het bevat binaire "
                "gegevens). Lever een Word-bestand (.docx), een PDF met tekst of een "
                "tekstbestand aan."
            )
        )
    try:
        return content.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableDocument(
            _(
                "De tekst is niet in UTF-8 of Windows-1252 geschreven en kan daarom niet "
                "betrouwbaar gelezen worden. Sla het bestand op als UTF-8 of lever het als "
                "Word-bestand aan."
            )
        ) from None
    return text, [_("De tekst was geen UTF-8 en is gelezen als Windows-1252.")]


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control / len(sample) > 0.01


def read_text(content: bytes, filename: str, *, progress: Progress = no_progress) -> Document:
    text, notes = _decode(content)
    if _looks_binary(text):
        raise UnreadableDocument(
            _(
                "Dit bestand is geen document dat gelezen kan worden (het bevat binaire "
                "gegevens). Lever een Word-bestand (.docx), een PDF met tekst of een "
                "tekstbestand aan."
            )
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableDocument(_("Het bestand bevat geen tekst."))
    pages = _pages_of_text(len(text))
    _check_pages(pages)
    blocks = text_blocks(text, progress=progress, pages=pages)
    return Document(filename, "text", pages, blocks, notes)


# A numbered section heading typed by hand: "2.3 Doelen", "3 Planning" (not "1. ...",
# which is a numbered list item).
SECTION_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+[A-ZÀ-Ý][^.;:]{2,100}$")


def section_level(text: str) -> int:
    """The depth of a numbered section heading ("2.3 Doelen" is 2), or 0."""
    match = SECTION_NUMBER.match(text.strip())
    return match.group(1).count(".") + 1 if match else 0


def _is_heading_line(line: str) -> bool:
    """A line that stands alone, is short and does not end a sentence: how a heading
    looks once a document has lost its styles."""
    stripped = line.strip()
    if not stripped or len(stripped) > 80:
        return False
    if stripped[-1] in ".;,:" and not re.match(r"^(?:[A-Z][a-z]+ )?\d+(?:\.\d+)*[.:]", stripped):
        return False
    return stripped[0].isupper() or stripped[0].isdigit() or stripped[0] in "“\"'"


def _clean_cell(cell: str) -> str:
    """A cell's text without the markup some converters leave (``<ul ...>``), with each
    bullet on a line of its own, as a cell of a Word table holds them."""
    cell = re.sub(r"<[^>]+>", " ", cell)
    cell = re.sub(r"\s*[•●▪]\s*", "\n", cell)
    lines = [re.sub(r"\s+", " ", line).strip() for line in cell.split("\n")]
    return "\n".join(line for line in lines if line)


def text_blocks(text: str, *, progress: Progress = no_progress, pages: int = 1) -> list[Block]:
    """Blocks of a plain text: paragraphs are separated by empty lines, a wrapped line
    joins its paragraph, a bullet or a number starts a list item, a ``**bold**`` or
    ``#`` line and a short line standing alone are headings."""
    blocks: list[Block] = []
    paragraph_number = 0
    characters = 0
    reported = 0
    current: list[str] = []
    current_kind = "paragraph"
    current_level = 0
    table_number = row_number = 0
    in_table = False

    def flush() -> None:
        nonlocal current, current_kind, current_level, paragraph_number
        if current:
            joined = " ".join(part.strip() for part in current).strip()
            joined = re.sub(r"\s+", " ", joined)
            if joined:
                paragraph_number += 1
                kind = current_kind
                if kind == "paragraph" and len(current) == 1 and _is_heading_line(joined):
                    kind = "heading"
                    current_level = section_level(joined) or 2
                blocks.append(
                    Block(kind, joined, current_level, _("alinea %(n)d") % {"n": paragraph_number})
                )
        current = []
        current_kind = "paragraph"
        current_level = 0

    for raw in text.split("\n"):
        characters += len(raw) + 1
        if "\f" in raw:
            flush()
            raw = raw.replace("\f", "")
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if "\t" in line and len([cell for cell in line.split("\t") if cell.strip()]) >= 2:
            # A table row as text tools write it: cells separated by tabs.
            flush()
            if not in_table:
                table_number += 1
                row_number = 0
                in_table = True
            row_number += 1
            cells = [_clean_cell(cell) for cell in line.rstrip("\t").split("\t")]
            blocks.append(
                Block(
                    "table_row",
                    " | ".join(cell for cell in cells if cell),
                    0,
                    _("tabel %(t)d, rij %(r)d") % {"t": table_number, "r": row_number},
                    cells,
                )
            )
            continue
        in_table = False
        bold = re.fullmatch(r"\*\*(.+?)\*\*:?", stripped)
        markdown = re.match(r"^(#{1,6})\s+(.+)$", stripped)
        if bold or markdown:
            flush()
            current = [bold.group(1) if bold else markdown.group(2)]
            current_kind = "heading"
            current_level = len(markdown.group(1)) if markdown else 2
            flush()
            continue
        if BULLET.match(line) or NUMBERED_LINE.match(line):
            flush()
            indent = len(line) - len(line.lstrip())
            current = [BULLET.sub("", line, count=1) if BULLET.match(line) else stripped]
            current_kind = "list_item"
            current_level = 1 + indent // 2
            continue
        current.append(stripped)
        page = min(pages, 1 + characters // CHARACTERS_PER_PAGE)
        if page > reported:
            reported = page
            progress(page, pages, _("tekst lezen"))
    flush()
    progress(pages, pages, _("tekst lezen"))
    return blocks


# ------------------------------------------------------------------------------- DOCX

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_docx_archive(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableDocument(
            _("Het bestand is een beschadigd ZIP- of Word-bestand en kan niet geopend worden.")
        ) from None
    if "word/document.xml" not in {info.filename for info in names}:
        raise UnreadableDocument(
            _(
                "Dit ZIP-bestand is geen Word-document (.docx). Pak het uit en lever het "
                "document zelf aan."
            )
        )
    # A zip bomb inflates a small upload into gigabytes: the sizes in the archive's
    # directory are checked before anything is unpacked, and reading stops at the limit
    # below even if the directory lies.
    max_uncompressed = _limit(
        "AGENDA_INTAKE_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
    )
    total = sum(info.file_size for info in names)
    if total > max_uncompressed or len(names) > 10_000:
        raise UnreadableDocument(
            _(
                "Het Word-bestand wordt uitgepakt groter dan %(max)d MB; zo groot is geen "
                "agenda. Het bestand wordt niet gelezen."
            )
            % {"max": max_uncompressed // (1024 * 1024)}
        )
    # Every part is unpacked once, counted as it comes, before python-docx loads them
    # all: a directory that understates a part's size is caught at the limit.
    unpacked = 0
    too_large = _("Het Word-bestand wordt uitgepakt te groot; het bestand wordt niet gelezen.")
    for info in names:
        is_xml = info.filename.endswith((".xml", ".rels"))
        chunks = []
        try:
            with archive.open(info) as part:
                while chunk := part.read(1024 * 1024):
                    unpacked += len(chunk)
                    if unpacked > max_uncompressed:
                        raise UnreadableDocument(too_large)
                    if is_xml:
                        chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise UnreadableDocument(
                _("Het Word-bestand is beschadigd en kan niet geopend worden.")
            ) from None
        data = b"".join(chunks)
        # Word never writes a DTD: one is there only to define entities (billion laughs,
        # external files), so a part that has one is refused, not parsed.
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise UnreadableDocument(
                _(
                    "Het Word-bestand bevat XML-constructies (DTD of entiteiten) die Word "
                    "zelf nooit schrijft; het bestand wordt niet gelezen."
                )
            )


def _heading_level(paragraph) -> int:
    """The heading level of a DOCX paragraph: its style ("Heading 2", "Kop 2", "Title"),
    or the outline level set on the paragraph or its style; 0 for body text."""
    style = paragraph.style
    name = (style.name or "") if style is not None else ""
    match = re.match(r"^(?:heading|kop)\s*(\d)", name, re.IGNORECASE)
    if match:
        return int(match.group(1))
    if name.lower() in ("title", "titel"):
        return 1
    for element in (paragraph._p, getattr(style, "element", None)):
        if element is None:
            continue
        outline = element.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None:
            value = int(outline.get(f"{W}val", "9"))
            if value < 9:
                return value + 1
    return 0


def _bold_heading(paragraph, text: str) -> int:
    """A heading made by hand: a short paragraph, all of it bold, that does not end a
    sentence. It gets the lowest level, below every styled heading."""
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs or len(text) > 100 or text.endswith((".", ";", ",")):
        return 0
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    if all(run.bold or (run.bold is None and style_bold) for run in runs):
        return 9
    return 0


def _list_level(paragraph) -> int | None:
    """The depth of a list item (1 for the top), from the numbering on the paragraph or
    its style ("List Bullet", "Lijstalinea"); None for a paragraph that is not one."""
    num_pr = paragraph._p.find(f"{W}pPr/{W}numPr")
    if num_pr is not None:
        ilvl = num_pr.find(f"{W}ilvl")
        return 1 + (int(ilvl.get(f"{W}val", "0")) if ilvl is not None else 0)
    name = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    if name.startswith(("list", "lijst")):
        match = re.search(r"(\d)$", name)
        return int(match.group(1)) if match else 1
    return None


def read_docx(content: bytes, filename: str, *, progress: Progress = no_progress) -> Document:
    _check_docx_archive(content)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(content))
    except Exception:  # python-docx raises many kinds for a broken package
        raise UnreadableDocument(
            _("Het Word-bestand is beschadigd en kan niet geopend worden.")
        ) from None
    body = document.element.body
    characters = sum(len(text.text or "") for text in body.iter(f"{W}t"))
    pages = _pages_of_text(characters)
    _check_pages(pages)
    blocks: list[Block] = []
    paragraph_number = table_number = 0
    done = 0
    reported = 0
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            paragraph = Paragraph(child, document)
            text = re.sub(r"\s+", " ", paragraph.text).strip()
            if not text:
                continue
            paragraph_number += 1
            location = _("alinea %(n)d") % {"n": paragraph_number}
            done += len(text)
            level = (
                _heading_level(paragraph) or section_level(text) or _bold_heading(paragraph, text)
            )
            list_level = _list_level(paragraph) if not level else None
            if level:
                blocks.append(Block("heading", text, level, location))
            elif list_level is not None:
                blocks.append(
                    Block("list_item", BULLET.sub("", text, count=1), list_level, location)
                )
            elif BULLET.match(text):
                blocks.append(Block("list_item", BULLET.sub("", text, count=1), 1, location))
            elif NUMBERED_LINE.match(text):
                # Numbering typed by hand ("1. ...", "a) ..."), as in a text.
                blocks.append(Block("list_item", text, 1, location))
            else:
                blocks.append(Block("paragraph", text, 0, location))
        elif child.tag == f"{W}tbl":
            table_number += 1
            table = Table(child, document)
            for row_number, row in enumerate(table.rows, start=1):
                cells: list[str] = []
                seen = set()
                for cell in row.cells:
                    # A merged cell is returned once per grid column it spans.
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(re.sub(r"[ \t]+", " ", cell.text).strip())
                if not any(cells):
                    continue
                done += sum(len(cell) for cell in cells)
                blocks.append(
                    Block(
                        "table_row",
                        " | ".join(cell for cell in cells if cell),
                        0,
                        _("tabel %(t)d, rij %(r)d") % {"t": table_number, "r": row_number},
                        cells,
                    )
                )
        page = min(pages, 1 + done // CHARACTERS_PER_PAGE)
        if page > reported:
            reported = page
            progress(page, pages, _("Word-document lezen"))
    progress(pages, pages, _("Word-document lezen"))
    if not blocks:
        raise UnreadableDocument(_("Het Word-document bevat geen tekst."))
    return Document(filename, "docx", pages, blocks)


# -------------------------------------------------------------------------------- PDF


def read_pdf(content: bytes, filename: str, *, progress: Progress = no_progress) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    encrypted = _(
        "De PDF is beveiligd met een wachtwoord of versleuteld en kan niet gelezen worden. "
        "Lever een versie zonder beveiliging aan."
    )
    try:
        pdf = pdfplumber.open(io.BytesIO(content))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UnreadableDocument(encrypted) from None
    except (PDFSyntaxError, Exception) as error:
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise UnreadableDocument(encrypted) from None
        raise UnreadableDocument(_("De PDF is beschadigd en kan niet geopend worden.")) from None
    with pdf:
        try:
            pages = len(pdf.pages)
        except Exception:
            raise UnreadableDocument(
                _("De PDF is beschadigd en kan niet geopend worden.")
            ) from None
        if pages == 0:
            raise UnreadableDocument(_("De PDF heeft geen pagina's."))
        _check_pages(pages)
        lines_per_page = []
        images = 0
        for number, page in enumerate(pdf.pages, start=1):
            try:
                lines_per_page.append(_pdf_page_lines(page))
                images += len(page.images)
            except (PDFPasswordIncorrect, PDFEncryptionError):
                raise UnreadableDocument(encrypted) from None
            except Exception:
                raise UnreadableDocument(
                    _("Pagina %(n)d van de PDF is beschadigd en kan niet gelezen worden.")
                    % {"n": number}
                ) from None
            page.flush_cache()
            progress(number, pages, _("PDF lezen"))
    characters = sum(len(line["text"]) for lines in lines_per_page for line in lines)
    if characters < 20:
        if images:
            raise UnreadableDocument(
                _(
                    "De PDF bevat geen tekst, alleen afbeeldingen: het is waarschijnlijk een "
                    "scan. Lever het document aan als Word-bestand of als PDF met tekst "
                    "(bijvoorbeeld na tekstherkenning)."
                )
            )
        raise UnreadableDocument(_("De PDF bevat geen tekst."))
    return Document(filename, "pdf", pages, _pdf_blocks(_without_running_lines(lines_per_page)))


def _pdf_page_lines(page) -> list[dict]:
    """The lines of one page, top to bottom, each with its font size and boldness, and
    the rows of the page's tables (whose words are left out of the lines)."""
    # A table row that runs over a page break is drawn open at the break (no border
    # below on the first page, none above on the next): the ends of the vertical rules
    # close it, so that both parts are still found as table rows.
    ends = sorted(
        {round(edge["top"], 1) for edge in page.vertical_edges}
        | {round(edge["bottom"], 1) for edge in page.vertical_edges}
    )
    tables = page.find_tables({"explicit_horizontal_lines": ends} if ends else {})
    boxes = [table.bbox for table in tables]
    words = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False)
    kept = []
    for word in words:
        middle_x = (word["x0"] + word["x1"]) / 2
        middle_y = (word["top"] + word["bottom"]) / 2
        if any(x0 <= middle_x <= x1 and top <= middle_y <= bottom for x0, top, x1, bottom in boxes):
            continue
        kept.append(word)
    # Words on (nearly) the same baseline form a line, read left to right: a list's
    # bullet is drawn apart from its text and would otherwise come after it.
    kept.sort(key=lambda word: (round(word["bottom"]), word["x0"]))
    lines: list[dict] = []
    for word in kept:
        if lines and abs(lines[-1]["bottom"] - word["bottom"]) < 2:
            line = lines[-1]
            line["text"] += " " + word["text"]
            line["top"] = min(line["top"], word["top"])
            line["sizes"].append(round(word["size"], 1))
            line["bold"] = line["bold"] and "bold" in word["fontname"].lower()
        else:
            lines.append(
                {
                    "kind": "line",
                    "text": word["text"],
                    "top": word["top"],
                    "bottom": word["bottom"],
                    "x0": word["x0"],
                    "sizes": [round(word["size"], 1)],
                    "bold": "bold" in word["fontname"].lower(),
                }
            )
    for line in lines:
        line["size"] = Counter(line["sizes"]).most_common(1)[0][0]
    for table in tables:
        rows = table.extract()
        top = table.bbox[1]
        for index, row in enumerate(rows):
            # A cell's lines are wrapped text; its items are marked by bullets.
            cells = [_clean_cell(re.sub(r"\s+", " ", cell or "")) for cell in row]
            if any(cells):
                lines.append(
                    {
                        "kind": "table_row",
                        "cells": cells,
                        "top": top + index * 0.01,
                        "text": " ".join(cells),
                    }
                )
    lines.sort(key=lambda line: line["top"])
    return lines


def _running_key(line: dict) -> str:
    return re.sub(r"\d+", "#", line["text"].lower()).strip()


def _without_running_lines(lines_per_page: list[list[dict]]) -> list[list[dict]]:
    """Without the running headers and footers: a line at the top or the bottom of a page
    that recurs there on at least three pages and half of them ("Pagina 3 van 12", the
    document's title), with its numbers taken as equal."""
    counts: Counter = Counter()
    for lines in lines_per_page:
        text_lines = [line for line in lines if line["kind"] == "line"]
        edges = {_running_key(line) for line in text_lines[:2] + text_lines[-2:]}
        counts.update(edges)
    threshold = max(3, (len(lines_per_page) + 1) // 2)
    running = {key for key, count in counts.items() if count >= threshold}
    if not running:
        return lines_per_page
    result = []
    for lines in lines_per_page:
        text_lines = [line for line in lines if line["kind"] == "line"]
        edges = {id(line) for line in text_lines[:2] + text_lines[-2:]}
        result.append(
            [line for line in lines if id(line) not in edges or _running_key(line) not in running]
        )
    return result


def _pdf_blocks(lines_per_page: list[list[dict]]) -> list[Block]:
    """Lines into blocks: the body's font size is the most common one; a larger size is a
    heading (the largest level 1), a bold short line alone is a heading of the lowest
    level; a bullet starts a list item; a gap wider than a line starts a new paragraph."""
    sizes: Counter = Counter()
    for lines in lines_per_page:
        for line in lines:
            if line["kind"] == "line":
                sizes[line["size"]] += len(line["text"])
    body = sizes.most_common(1)[0][0] if sizes else 10
    larger = sorted({size for size in sizes if size > body * 1.12}, reverse=True)
    level_of = {size: min(index + 1, 4) for index, size in enumerate(larger)}
    blocks: list[Block] = []
    table_number = 0
    for page_number, lines in enumerate(lines_per_page, start=1):
        location = _("pagina %(n)d") % {"n": page_number}
        current: Block | None = None
        previous = None
        in_table = False
        row_number = 0
        for line in lines:
            if line["kind"] == "table_row":
                cells = line["cells"]
                last = blocks[-1] if blocks else None
                if (
                    not in_table
                    and last is not None
                    and last.kind == "table_row"
                    and len(last.cells) == len(cells)
                    and not cells[0]
                ):
                    # The rest of a row that ran over the page break: one row again.
                    last.cells = [
                        "\n".join(part for part in (before, after) if part)
                        for before, after in zip(last.cells, cells, strict=True)
                    ]
                    last.text = " | ".join(cell for cell in last.cells if cell)
                    in_table = True
                    current = None
                    continue
                if not in_table:
                    table_number += 1
                    row_number = 0
                    in_table = True
                row_number += 1
                blocks.append(
                    Block(
                        "table_row",
                        " | ".join(cell for cell in cells if cell),
                        0,
                        _("pagina %(p)d, tabel %(t)d, rij %(r)d")
                        % {"p": page_number, "t": table_number, "r": row_number},
                        cells,
                    )
                )
                current = None
                continue
            in_table = False
            text = line["text"].strip()
            heading_level = level_of.get(line["size"], 0)
            if not heading_level and line["bold"] and len(text) < 90:
                heading_level = len(larger) + 1
            gap = (line["top"] - previous["bottom"]) if previous else 0
            height = line["bottom"] - line["top"]
            previous = line
            if heading_level:
                if (
                    current is not None
                    and current.kind == "heading"
                    and gap < height
                    and current.level == heading_level
                ):
                    current.text += " " + text
                else:
                    current = Block("heading", text, heading_level, location)
                    blocks.append(current)
                continue
            if BULLET.match(text):
                current = Block("list_item", BULLET.sub("", text, count=1), 1, location)
                blocks.append(current)
                continue
            if NUMBERED_LINE.match(text):
                current = Block("list_item", text, 1, location)
                blocks.append(current)
                continue
            if (
                current is not None
                and current.kind in ("paragraph", "list_item")
                and gap < height * 0.8
            ):
                current.text += " " + text
            else:
                current = Block("paragraph", text, 0, location)
                blocks.append(current)
    for block in blocks:
        block.text = re.sub(r"\s+", " ", block.text).strip()
    return [block for block in blocks if block.text]
