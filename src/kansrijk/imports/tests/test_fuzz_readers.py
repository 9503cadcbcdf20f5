"""Whatever the bytes, a reader gives rows or a Dutch refusal, never another exception."""

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kansrijk.imports import ImportRejected, Limits, open_table
from kansrijk.socialmap.hsds import HsdsRejected, read_json, read_zip

LIMITS = Limits(max_rows=50, max_columns=8, max_cell_chars=64, max_row_chars=256)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like CSV: delimiters, quotes, line ends, NUL, odd characters.
csv_text = st.text(alphabet=st.sampled_from(list('ab1,;"\n\r\t \x00é€\ufeff\u202e=')), max_size=400)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])


def _read_all(data: bytes, name: str) -> None:
    try:
        table = open_table(data, name, limits=LIMITS)
        for _number, cells in table.rows:
            assert len(cells) <= LIMITS.max_columns
    except ImportRejected as rejected:
        assert rejected.problems


@FAST
@given(st.binary(max_size=600))
def test_any_bytes_as_csv(data):
    _read_all(data, "f.csv")


@FAST
@given(csv_text, encodings)
def test_csv_like_text_in_any_encoding(text, encoding):
    _read_all(text.encode(encoding, errors="replace"), "f.csv")


def _zip(members: dict[str, bytes]) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return stream.getvalue()


@FAST
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=599))
def test_any_bytes_and_damaged_zips_as_xlsx(data, cut):
    _read_all(data, "f.xlsx")
    workbook = _zip({"xl/workbook.xml": data, "xl/worksheets/sheet1.xml": data})
    _read_all(workbook[: cut * len(workbook) // 600], "f.xlsx")


@FAST
@given(st.binary(max_size=600), csv_text)
def test_hsds_zip_and_json(data, text):
    for read, payload in (
        (read_zip, data),
        (read_zip, _zip({"services.csv": text.encode("utf-8", errors="replace")})),
        (read_json, data),
        (read_json, text.encode("utf-8", errors="replace")),
    ):
        try:
            read(payload)
        except HsdsRejected as rejected:
            assert rejected.problems
