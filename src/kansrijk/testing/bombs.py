"""Hostile files, made quickly: the tests and ``bench/robustness_files.py`` feed them to
every importer. Each is built by writing the bytes directly (a 2-million-row sheet is
never built through openpyxl)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="A1:A%(rows)s"/><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def xlsx_rows_bomb(rows: int = 2_000_000, header: str = "type") -> bytes:
    """A workbook whose one sheet has ``rows`` one-cell rows (about 290 KB for two
    million): the first holds ``header``, the others the same short text."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((_SHEET_START % {"rows": rows}).encode())
            sheet.write(f'<row><c t="inlineStr"><is><t>{header}</t></is></c></row>'.encode())
            block = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 10_000
            for _ in range((rows - 1) // 10_000):
                sheet.write(block)
            sheet.write(
                b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * ((rows - 1) % 10_000)
            )
            sheet.write(_SHEET_END.encode())
    return stream.getvalue()


def zip_bomb(member: str = "services.csv", mebibytes: int = 1200) -> bytes:
    """A zip with one CSV member that unpacks to ``mebibytes`` MiB of the same row, in
    about a thousandth of that (1.2 GB in 1.2 MB). The deflate stream is one compressed
    MiB repeated (each ends in a full flush, so the copies are independent): building
    it costs a checksum, not a compression of the whole."""
    block = b"x,y\n" * (1 << 18)  # 1 MiB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_block = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(block, crc)
    packed = packed_block * mebibytes + tail
    name = member.encode()
    sizes = struct.pack("<III", crc, len(packed), len(block) * mebibytes)
    local = struct.pack("<IHHHHH", 0x04034B50, 20, 0, 8, 0, 0x21) + sizes
    local += struct.pack("<HH", len(name), 0) + name
    central = struct.pack("<IHHHHHH", 0x02014B50, 20, 20, 0, 8, 0, 0x21) + sizes
    central += struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(packed), 0
    )
    return local + packed + central + end


def blank_csv(lines: int = 2_400_000, header: str = "type,external_id") -> bytes:
    """A header and then only line ends (2.4 MB for 2.4 million)."""
    return header.encode() + b"\n" + b"\n" * lines


def big_cell_csv(size: int = 200 * 1024, header: str = "type,external_id") -> bytes:
    """A header and one row whose first cell is ``size`` characters, quoted."""
    return header.encode() + b'\n"' + b"x" * size + b'",a\n'
