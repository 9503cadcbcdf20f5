"""Reading a document into blocks: the three formats, and every kind of hostile or broken
upload refused with a Dutch message that says what is wrong (decision 0052)."""

from __future__ import annotations

import io
import random
import time
import zipfile

import pytest

from kansrijk.agenda_intake import samples
from kansrijk.agenda_intake.reading import UnreadableDocument, read_document

TEXT = """**Werkagenda jeugd 2023-2026**

Inleiding

Deze agenda is een voorbeeld met een inleiding die over twee regels
doorloopt en toch één alinea is.

Doel 1: Meer kinderen doen mee aan sport.

Acties:

- We openen een tweede sporthal.
- We geven sportlessen op school.
  - Een proefles in groep 5.

Activiteit\tPlanning
Sporthal openen\tvoorjaar 2024
\fNa een paginascheiding

1. Een genummerde regel.
"""


def refused(content: bytes, name: str = "bestand") -> str:
    with pytest.raises(UnreadableDocument) as caught:
        read_document(content, name)
    return caught.value.message


# ---------------------------------------------------------------------- the formats


def test_plain_text_gives_headings_paragraphs_list_items_and_table_rows():
    document = read_document(TEXT.encode(), "agenda.txt")
    kinds = [(block.kind, block.text) for block in document.blocks]
    assert ("heading", "Werkagenda jeugd 2023-2026") in kinds
    assert ("heading", "Inleiding") in kinds
    assert (
        "paragraph",
        "Deze agenda is een voorbeeld met een inleiding die over twee regels doorloopt en toch "
        "één alinea is.",
    ) in kinds
    assert ("list_item", "We openen een tweede sporthal.") in kinds
    nested = next(block for block in document.blocks if block.text == "Een proefles in groep 5.")
    assert nested.kind == "list_item" and nested.level == 2
    row = next(
        block for block in document.blocks if block.kind == "table_row" and "Sporthal" in block.text
    )
    assert row.cells == ["Sporthal openen", "voorjaar 2024"]
    assert row.location == "tabel 1, rij 2"
    # The form feed ends the table and starts a block of its own.
    assert "Na een paginascheiding" in [text for _kind, text in kinds]
    assert ("list_item", "1. Een genummerde regel.") in kinds
    assert all(block.location for block in document.blocks)
    assert document.format == "text" and document.pages == 1


def test_docx_keeps_heading_levels_lists_and_tables_in_document_order():
    document = read_document(samples.docx_from_text(TEXT), "agenda.docx")
    assert document.format == "docx"
    headings = [(block.level, block.text) for block in document.blocks if block.kind == "heading"]
    assert (2, "Doel 1: Meer kinderen doen mee aan sport.") in headings
    items = [block for block in document.blocks if block.kind == "list_item"]
    assert [item.text for item in items][:2] == [
        "We openen een tweede sporthal.",
        "We geven sportlessen op school.",
    ]
    assert items[2].level == 2
    rows = [block for block in document.blocks if block.kind == "table_row"]
    assert rows[1].cells == ["Sporthal openen", "voorjaar 2024"]
    assert rows[1].location == "tabel 1, rij 2"
    assert document.blocks[1].location.startswith("alinea ")
    order = [block.text for block in document.blocks]
    assert order.index("Acties:") < order.index("Sporthal openen | voorjaar 2024")


def test_docx_heading_from_an_outline_level_and_a_dutch_style_name():
    import docx

    word = docx.Document()
    paragraph = word.add_paragraph("Speerpunt 2: Gelijke kansen")
    p_pr = paragraph._p.get_or_add_pPr()
    outline = p_pr.makeelement(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl",
        {"{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val": "0"},
    )
    p_pr.append(outline)
    word.add_paragraph("Gewone tekst.")
    out = io.BytesIO()
    word.save(out)
    blocks = read_document(out.getvalue(), "a.docx").blocks
    assert (blocks[0].kind, blocks[0].level) == ("heading", 1)
    assert blocks[1].kind == "paragraph"


def test_pdf_headings_from_font_size_pages_and_tables():
    document = read_document(samples.pdf_from_text(TEXT), "agenda.pdf")
    assert document.format == "pdf"
    headings = [block.text for block in document.blocks if block.kind == "heading"]
    assert "Doel 1: Meer kinderen doen mee aan sport." in headings
    assert any(
        block.kind == "list_item" and block.text == "We openen een tweede sporthal."
        for block in document.blocks
    )
    row = next(
        block for block in document.blocks if block.kind == "table_row" and "Sporthal" in block.text
    )
    assert row.cells == ["Sporthal openen", "voorjaar 2024"]
    assert all(block.location.startswith("pagina 1") for block in document.blocks)


def test_progress_is_reported_per_page():
    calls = []
    text = "Een zin over de agenda die steeds terugkomt.\n\n" * 400  # about 6 pages
    read_document(
        text.encode(), "lang.txt", progress=lambda done, total, step: calls.append((done, total))
    )
    assert calls[-1][0] == calls[-1][1] >= 6
    assert len(calls) >= 6


def test_windows_1252_text_is_read_and_says_so():
    document = read_document(
        "Doel 1: Meer café's in de wijk – vóór 2025.".encode("cp1252"), "oud.txt"
    )
    assert document.blocks[0].text == "Doel 1: Meer café's in de wijk – vóór 2025."
    assert "Windows-1252" in document.notes[0]


# ------------------------------------------------------------------- hostile input


def test_an_empty_file_is_refused():
    assert refused(b"") == "Het bestand is leeg."


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "programma (Windows)"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "programma"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "afbeelding (PNG)"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "afbeelding (JPEG)"),
    ],
)
def test_executables_and_images_are_not_documents(content, words):
    message = refused(content)
    assert words in message and "geen document" in message


def test_random_bytes_are_not_a_document():
    noise = random.Random(52).randbytes(4096)
    assert "geen document" in refused(noise) or "niet in UTF-8" in refused(noise)


def test_a_zip_that_is_not_a_word_document():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("foto.jpg", b"niets")
    assert "geen Word-document" in refused(archive.getvalue(), "agenda.docx")


def test_an_old_word_file_is_named_as_such():
    assert ".doc" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "agenda.doc")


def test_an_encrypted_pdf_is_refused():
    assert "wachtwoord" in refused(samples.encrypted_pdf(), "geheim.pdf")


def test_a_scanned_pdf_without_text_is_refused():
    assert refused(samples.scanned_pdf(), "scan.pdf").startswith(
        "De PDF bevat geen tekst, alleen afbeeldingen: "
    )


def test_a_broken_pdf_is_refused():
    assert "beschadigd" in refused(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer\n%%EOF")


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed():
    huge = b"%PDF-1.7\n" + bytes(200 * 1024 * 1024)
    started = time.monotonic()
    message = refused(huge, "groot.pdf")
    assert time.monotonic() - started < 1
    assert message == "Het bestand is te groot (200 MB); het maximum is 50 MB."


def test_too_many_pages_are_refused(settings):
    settings.AGENDA_INTAKE_MAX_PAGES = 3
    text = "Een alinea van de agenda met genoeg woorden om ruimte te vullen.\n\n" * 200
    assert "hoogstens 3" in refused(text.encode(), "lang.txt")
    assert "hoogstens 3" in refused(samples.pdf_from_text(text), "lang.pdf")


def docx_with(part: str, data: bytes) -> bytes:
    """A real DOCX with one part replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(samples.docx_from_text("Doel 1: Een doel.")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info, source.read(info))
        target.writestr(part, data)
    return out.getvalue()


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.AGENDA_INTAKE_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = docx_with("word/media/bom.xml", b"<a>" + b"0" * (8 * 1024 * 1024) + b"</a>")
    assert len(bomb) < 100_000  # small upload, large when unpacked
    assert "uitgepakt groter dan 1 MB" in refused(bomb, "bom.docx")


def test_xml_entities_in_a_docx_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    assert "DTD of entiteiten" in refused(docx_with("word/document.xml", laughs), "lol.docx")


def test_text_in_an_unknown_encoding_is_refused_with_what_was_tried():
    # 0x81 and 0x8D are undefined in Windows-1252 and invalid as UTF-8.
    message = refused(b"Doel 1: \x81\x8d onleesbaar", "vreemd.txt")
    assert "UTF-8" in message and "Windows-1252" in message


def test_a_pdf_table_row_over_a_page_break_is_one_row():
    filler = "Een alinea die ruimte inneemt op de eerste pagina van het document.\n\n" * 32
    long_cell = "BEGIN " + "woorden in een lange cel " * 60 + "EINDE"
    text = filler + f"Doel\tActiviteit\nEen doel\t{long_cell}\n"
    document = read_document(samples.pdf_from_text(text), "lang.pdf")
    rows = [block for block in document.blocks if block.kind == "table_row"]
    assert document.pages == 2
    row = next(row for row in rows if "BEGIN" in row.text)
    assert row.location.startswith("pagina 1,")  # begun on page 1, ended on page 2
    assert "EINDE" in row.cells[1]
    assert row.cells[0] == "Een doel"


def test_a_docx_part_larger_than_its_directory_says_is_refused(settings):
    settings.AGENDA_INTAKE_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = bytearray(docx_with("word/media/bom.bin", b"\0" * (4 * 1024 * 1024)))
    # Rewrite the sizes the archive's central directory gives for the part to 100 bytes.
    name = b"word/media/bom.bin"
    central = bomb.rfind(b"PK\x01\x02", 0, bomb.rfind(name))
    bomb[central + 24 : central + 28] = (100).to_bytes(4, "little")
    # Unpacking stops at the size the directory gives, and the part's checksum fails.
    assert refused(bytes(bomb), "bom.docx") == (
        "Het Word-bestand is beschadigd en kan niet geopend worden."
    )


def test_running_headers_and_footers_of_a_pdf_are_left_out():
    from weasyprint import HTML

    words = [
        "lezen",
        "sport",
        "ouders",
        "school",
        "wijk",
        "taal",
        "zorg",
        "spel",
        "muziek",
        "kunst",
    ]
    body = (
        "".join(
            f"<p>Over {words[n % 10]} en {words[(n * 7 + 3) % 10]}: afspraak {words[n // 10 % 10]}.</p>"
            for n in range(159)
        )
        + "<p>De laatste alinea van het plan.</p>"
    )
    page_css = (
        "@page { size: A5; margin: 2cm; "
        "@top-center { content: 'Werkagenda Zuidstad' } "
        "@bottom-center { content: 'Pagina ' counter(page) } }"
    )
    pdf = HTML(
        string=f"<html><head><style>{page_css}</style></head><body>{body}</body></html>"
    ).write_pdf()
    document = read_document(pdf, "plan.pdf")
    assert document.pages >= 4
    texts = [block.text for block in document.blocks]
    assert not any("Werkagenda Zuidstad" in text or "Pagina" in text for text in texts)
    assert any("De laatste alinea van het plan." in text for text in texts)


def test_docx_bold_paragraphs_are_headings_and_typed_numbers_list_items():
    import docx

    word = docx.Document()
    word.add_paragraph().add_run("Actielijn onderwijs").bold = True
    word.add_paragraph("1. Een genummerd punt dat met de hand is getypt.")
    mixed = word.add_paragraph("Een zin met ")
    mixed.add_run("één vet woord").bold = True
    out = io.BytesIO()
    word.save(out)
    blocks = read_document(out.getvalue(), "a.docx").blocks
    assert [(block.kind, block.level) for block in blocks] == [
        ("heading", 9),
        ("list_item", 1),
        ("paragraph", 0),
    ]


def test_numbered_section_headings_typed_by_hand():
    import docx

    word = docx.Document()
    word.add_paragraph("2 Doelen en activiteiten")
    word.add_paragraph("2.3 Ouders en school")
    word.add_paragraph("3 scholen doen mee aan de pilot.")
    out = io.BytesIO()
    word.save(out)
    blocks = read_document(out.getvalue(), "a.docx").blocks
    assert [(block.kind, block.level) for block in blocks] == [
        ("heading", 1),
        ("heading", 2),
        ("paragraph", 0),
    ]
    text = read_document(b"Inleiding\n\n2.3 Ouders en school\n\nTekst.", "a.txt").blocks
    assert (text[1].kind, text[1].level) == ("heading", 2)
