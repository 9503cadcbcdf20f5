"""The shared readers: encodings named, limits checked while reading, column rules."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from kansrijk.imports import (
    UTF8_ONLY,
    Column,
    ImportRejected,
    Limits,
    check_header,
    check_row,
    check_zip,
    data_rows,
    open_table,
    parse_decimal,
    parse_integer,
    read_csv,
    read_member_csv,
)
from kansrijk.testing.bombs import big_cell_csv, blank_csv, xlsx_rows_bomb, zip_bomb

LIMITS = Limits()


def _rejected(data, name="f.csv", limits=LIMITS, **options) -> str:
    with pytest.raises(ImportRejected) as caught:
        table = open_table(data, name, limits=limits, **options)
        for _row in table.rows:
            pass
    return str(caught.value)


def _rows(data, name="f.csv", **options):
    table = open_table(data, name, limits=LIMITS, **options)
    return table, [[cell.value for cell in cells] for _n, cells in table.rows]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("a;b\n1;é\n".encode(), "utf-8"),
        ("\ufeffa;b\n1;é\n".encode(), "utf-8-sig"),
        ("a;b\n1;é\n".encode("utf-16"), "utf-16"),
        ("a;b\n1;é\n".encode("cp1252"), "cp1252"),
    ],
)
def test_csv_encodings_are_detected_and_named(data, encoding):
    table, rows = _rows(data)
    assert table.encoding == encoding
    assert table.columns == ["a", "b"]
    assert rows == [["1", "é"]]


def test_utf16_without_bom_or_not_accepted_is_told_encoding_not_missing_columns():
    assert "UTF-16 zonder BOM" in _rejected("a,b\n1,2\n".encode("utf-16-le"))
    message = _rejected("a,b\n1,2\n".encode("utf-16"), encodings=UTF8_ONLY)
    assert "codering UTF-16" in message
    assert "Rij 3" in _rejected("a,b\n1,2\n3,é\n".encode("cp1252"), encodings=UTF8_ONLY)


def test_blank_lines_count_as_rows():
    message = _rejected(blank_csv(2_400_000))
    assert "Rij 25001" in message and "25.000 rijen" in message


def test_a_cell_over_the_csv_module_limit_gets_our_message():
    assert "langer dan 32.768 tekens" in _rejected(big_cell_csv(200 * 1024))
    assert "cel is langer dan 32.768 tekens" in _rejected(b"a,b\n" + b"x" * 300_000 + b"\n")
    many_cells = b"a,b\n" + b"x," * 100_000 + b"\n"
    assert "rij is langer dan 163.840 tekens" in _rejected(
        many_cells, limits=Limits(max_columns=10**6)
    )
    assert "langer dan 32.768 tekens" in _rejected(big_cell_csv(40 * 1024))


def test_nul_columns_bytes_refused_with_the_limit():
    assert "NUL" in _rejected(b"a,b\n1,\x002\n")
    assert "meer dan 3 kolommen" in _rejected(b"a,b\n1,2,3,4\n", limits=Limits(max_columns=3))
    assert "groter dan 1 KB" in _rejected(b"a\n" + b"1\n" * 600, limits=Limits(max_bytes=1024))


def test_xlsx_is_streamed_with_formulas_marked():
    book = Workbook()
    book.active.append(["Type", "Waarde"])
    book.active.append(["theme", "=1+1"])
    stream = io.BytesIO()
    book.save(stream)
    table, rows = _rows(stream.getvalue(), "f.xlsx")
    assert table.columns == ["type", "waarde"]
    assert rows == [["theme", "=1+1"]]


def test_xlsx_bomb_refused_by_ratio_and_else_by_rows():
    bomb = xlsx_rows_bomb(2_000_000)
    assert "keer zo groot" in _rejected(bomb, "f.xlsx")
    lenient = Limits(max_ratio=10**6, max_decompressed_bytes=10**10)
    assert "Rij 25001" in _rejected(bomb, "f.xlsx", limits=lenient)


def test_zip_bomb_refused_from_its_directory_and_members_stream():
    with pytest.raises(ImportRejected, match="uitgepakt groter dan 100 MB"):
        check_zip(io.BytesIO(zip_bomb(mebibytes=1200)), LIMITS, what="zip")
    # Under a lenient ratio, the member is streamed and its rows counted.
    lenient = Limits(max_ratio=10**6)
    small = check_zip(io.BytesIO(zip_bomb(mebibytes=2)), lenient, what="zip")
    table = read_member_csv(small, "services.csv", limits=lenient)
    assert table.columns == ["x", "y"]
    with pytest.raises(ImportRejected, match=r"25\.000 rijen"):
        for _row in table.rows:
            pass


def test_column_rules_name_row_and_column():
    rules = [
        Column("naam", required=True, filled=True, max_length=5),
        Column("aantal", parse=parse_integer, minimum=0, maximum=10),
        Column("soort", choices={"po": "PO", "vo": "VO"}),
        Column("bedrag", parse=parse_decimal),
    ]
    assert [str(p) for p in check_header(rules, ["aantal", "aantal"])] == [
        "Rij 1, kolom 'aantal': deze kolom staat er twee keer in.",
        "Kolom 'naam': deze kolom ontbreekt in het bestand.",
    ]
    values, problems = check_row(
        rules, 4, {"naam": "Jansen-de Vries", "aantal": "11", "soort": "VO", "bedrag": "1.234,5"}
    )
    assert values == {"soort": "VO", "bedrag": Decimal("1234.5")}
    assert [str(p) for p in problems] == [
        "Rij 4, kolom 'naam': hoogstens 5 tekens.",
        "Rij 4, kolom 'aantal': 11 is groter dan 10.",
    ]
    _values, problems = check_row(rules, 5, {"naam": "a\x00", "aantal": "1e999"})
    # 1e999 is a number, but more than 15 digits before the decimal point (decision 0027).
    assert ["NUL" in p.message or "te groot" in p.message for p in problems] == [True, True]


def test_data_rows_skip_blanks_and_count_the_rest():
    table = open_table(b"a,b\n1,2\n,\n3,4\n5,6\n", "f.csv", limits=LIMITS)
    with pytest.raises(ImportRejected, match="meer dan 2 rijen"):
        list(data_rows(table, {"a", "b"}, max_rows=2))


def test_progress_is_reported_while_reading():
    seen = []
    table = open_table(
        b"a\n" + b"1\n" * 2500, "f.csv", limits=LIMITS, progress=lambda *a: seen.append(a)
    )
    assert sum(1 for _row in table.rows) == 2500
    assert seen == [("lezen", 1000, 0), ("lezen", 2000, 0)]


def test_the_reading_pass_can_be_observed():
    import hashlib

    data = b"a,b\n1,2\n3,4\n"
    digest = hashlib.sha256()
    table = read_csv(io.BytesIO(data), limits=LIMITS, observe=digest.update)
    assert sum(1 for _row in table.rows) == 2
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_every_importer_passes_progress_to_its_reader():
    from kansrijk.socialmap.hsds import HsdsRejected
    from kansrijk.testing.robustness import _importers

    for importer in _importers():
        if importer.name == "zaken":  # only its reading pass; its progress goes to its run
            continue
        seen = []
        if importer.name == "hsds":
            data, name = _zip_member("services.csv", blank_csv(60_000, importer.header)), "f.zip"
        else:
            data, name = blank_csv(30_000, importer.header), "f.csv"
        with pytest.raises((ImportRejected, HsdsRejected), match="rijen"):
            importer.run(data, name, lambda *args, seen=seen: seen.append(args))
        assert ("lezen", 1000, 0) in seen, importer.name


def _zip_member(name: str, data: bytes) -> bytes:
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr(name, data)
    return stream.getvalue()


def test_hsds_json_refuses_deep_nesting_and_masses_of_objects():
    from kansrijk.socialmap.hsds import HsdsRejected, read_json

    with pytest.raises(HsdsRejected, match="geen JSON"):
        read_json(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(HsdsRejected, match="objecten en lijsten"):
        read_json(b"[" + b"{}," * 600_000 + b"{}]")


def test_a_row_spread_over_many_lines_is_bounded_too():
    many_quoted_cells = b"a,b\n" + b'"x\n",' * 100_000 + b"\n"
    assert "Rij 2: deze rij is langer dan 163.840 tekens" in _rejected(many_quoted_cells)
    one_endless_cell = b"a,b\n" + b'"' + b"x\n" * 100_000 + b'"\n'
    assert "Rij 2: een cel is langer dan" in _rejected(one_endless_cell)
    legitimate = b'a,b\n"twee\nregels",1\n3,4\n'
    assert _rows(legitimate)[1] == [["twee\nregels", "1"], ["3", "4"]]


def test_hsds_json_refuses_nul():
    from kansrijk.socialmap.hsds import HsdsRejected, read_json

    with pytest.raises(HsdsRejected, match="NUL"):
        read_json(b'[{"id": "a\\u0000b"}]')


def test_a_wrong_byte_after_a_bom_is_named_with_its_row():
    message = _rejected(b"\xef\xbb\xbfa,b\n1,2\n\xff\xfe\n")
    assert message.startswith("Rij 3: het bestand is niet in UTF-8 opgeslagen")


def test_encrypted_or_oddly_packed_members_are_refused():
    import zipfile

    for packing, encrypted in ((zipfile.ZIP_BZIP2, False), (zipfile.ZIP_DEFLATED, True)):
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", packing) as archive:
            archive.writestr("services.csv", b"id,name\n1,a\n")
        data = bytearray(stream.getvalue())
        if encrypted:  # zipfile cannot write it; set the flag in both headers
            central = data.index(b"PK\x01\x02")
            data[6] |= 0x1
            data[central + 8] |= 0x1
        with pytest.raises(ImportRejected, match="versleuteld of op een onbekende manier"):
            check_zip(io.BytesIO(bytes(data)), LIMITS, what="zip")


def test_a_zip_listing_masses_of_members_is_refused_before_they_are_listed():
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        for number in range(150):
            archive.writestr(f"m{number}.csv", b"")
    with pytest.raises(ImportRejected, match="meer dan 100 onderdelen"):
        check_zip(io.BytesIO(stream.getvalue()), LIMITS, what="zip")
    with pytest.raises(ImportRejected, match="kon niet worden gelezen als zip"):
        check_zip(io.BytesIO(b"geen zip"), LIMITS, what="zip")
