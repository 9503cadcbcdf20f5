"""Sample documents made from a text: the seed texts as a Word file and as a PDF, so that
the reader is measured on the formats gemeenten really send (``bench/agenda_import.py``)
and the tests and the review screen can upload one; and the hostile PDFs (a scan without
text, a PDF with a password) the reader must refuse.

The text is split into blocks by the plain-text reader, so a heading of the text is a
Heading style in the DOCX and an ``<h2>`` in the PDF, a bullet a list item, and the rest
paragraphs: the layout a policy officer gives a document in Word.
"""

from __future__ import annotations

import html
import io

from .reading import Block, text_blocks


def _blocks(text: str) -> list[Block]:
    return text_blocks(text)


def docx_from_text(text: str) -> bytes:
    import docx

    document = docx.Document()
    table = None
    blocks = _blocks(text)
    for index, block in enumerate(blocks):
        if block.kind == "table_row":
            if table is None:
                # As wide as the widest row of the table: a row may leave cells out.
                width = 1
                for following in blocks[index:]:
                    if following.kind != "table_row":
                        break
                    width = max(width, len(following.cells))
                table = document.add_table(rows=0, cols=width)
                table.style = "Table Grid"
            row = table.add_row()
            for cell, value in zip(row.cells, block.cells, strict=False):
                cell.text = value
            continue
        table = None
        if block.kind == "heading":
            document.add_heading(block.text, level=max(1, min(block.level, 4)))
        elif block.kind == "list_item":
            style = "List Bullet" if block.level <= 1 else "List Bullet 2"
            document.add_paragraph(block.text, style=style)
        else:
            document.add_paragraph(block.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_from_text(text: str) -> str:
    parts = []
    in_list = False
    in_table = False
    for block in _blocks(text):
        if block.kind == "table_row":
            if not in_table:
                parts.append("<table>")
                in_table = True
            cells = "".join(f"<td>{_cell_html(cell)}</td>" for cell in block.cells)
            parts.append(f"<tr>{cells}</tr>")
            continue
        if in_table:
            parts.append("</table>")
            in_table = False
        if block.kind == "list_item":
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{html.escape(block.text)}</li>")
            continue
        if in_list:
            parts.append("</ul>")
            in_list = False
        if block.kind == "heading":
            level = max(1, min(block.level, 4))
            parts.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        else:
            parts.append(f"<p>{html.escape(block.text)}</p>")
    if in_list:
        parts.append("</ul>")
    if in_table:
        parts.append("</table>")
    style = (
        "@page { size: A4; margin: 2cm } body { font-family: sans-serif; font-size: 10pt; "
        "line-height: 1.3 } h1 { font-size: 18pt } h2 { font-size: 14pt } "
        "h3 { font-size: 12pt } p, li { margin: 0 0 6pt 0 } "
        "table { border-collapse: collapse; width: 100% } "
        "td { border: 0.5pt solid black; padding: 2pt; vertical-align: top; font-size: 8pt }"
    )
    return (
        f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><style>{style}</style>'
        f"</head><body>{''.join(parts)}</body></html>"
    )


def _cell_html(cell: str) -> str:
    """A cell of several items shows them as bullets, as a cell in Word does."""
    items = cell.split("\n")
    if len(items) == 1:
        return html.escape(cell)
    return "<br>".join("• " + html.escape(item) for item in items)


def pdf_from_text(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html_from_text(text)).write_pdf()


def scanned_pdf() -> bytes:
    """A one-page PDF that holds only a picture of text, as a scanner makes it."""
    import base64

    from PIL import Image, ImageDraw
    from weasyprint import HTML

    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "Doel 1: Gelijke kansen voor alle kinderen", fill="black")
    png = io.BytesIO()
    image.save(png, format="PNG")
    source = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")
    return HTML(string=f'<html><body><img src="{source}" alt=""></body></html>').write_pdf()


def encrypted_pdf(password: str = "geheim") -> bytes:  # noqa: S107 (a sample's password)
    """A PDF that opens only with a password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_from_text("Doel 1: Een doel."))))
    writer.encrypt(
        user_password=password, owner_password=password + "-eigenaar", algorithm="AES-128"
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
