"""Every surface a visitor can reach, read as text and tables: for tests that look at the
product as its users meet it (what leaves for the public, what a user of another
organisation sees).

``crawl(client, start)`` follows the links of every page it reaches (same site, GET only)
and reads each answer by its kind: HTML (its text, the texts of ``title``, ``alt`` and
``aria-label`` attributes and its tables), CSV, XLSX, PDF, DOCX, a zip of CSV files and
JSON (the API, whose lists lead to their details). Each surface keeps its text and its
rows of cells, so a test can search both.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.http import HttpResponse

# Never followed: leaving the session, changing the language, the admin, the account
# pages (forms to change a password or a second factor) and static files.
SKIPPED_PREFIXES = ("/account/", "/i18n/", "/beheer/", "/static/", "/media/")
API_PREFIX = "/api/"


@dataclass
class Surface:
    url: str
    status: int
    content_type: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    # The pieces of text as the format separates them: the text nodes and attribute
    # texts of a page, the paragraphs of a document, the pages of a PDF.
    fragments: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.content_type.split(";")[0].strip()


class _Page(HTMLParser):
    """The text of an HTML page (with the texts of title, alt and aria-label), its table
    rows and its links."""

    TEXT_ATTRIBUTES = ("title", "alt", "aria-label", "aria-description", "value")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        for name in self.TEXT_ATTRIBUTES:
            if attributes.get(name) and not (tag == "input" and name == "value"):
                self.texts.append(attributes[name])
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(squashed(" ".join(self._cell)))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._skip:
            return
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def squashed(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def read_csv(content: bytes) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) if row]


def read_xlsx(content: bytes) -> list[list[str]]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if any(value is not None for value in row):
                rows.append(["" if value is None else str(value) for value in row])
    book.close()
    return rows


def read_pdf(content: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    try:
        return " ".join(squashed(page.get_textpage().get_text_range()) for page in pdf)
    finally:
        pdf.close()


def read_docx(content: bytes) -> tuple[str, list[list[str]]]:
    from docx import Document

    document = Document(io.BytesIO(content))
    rows = [
        [squashed(cell.text) for cell in row.cells]
        for table in document.tables
        for row in table.rows
    ]
    text = " ".join(paragraph.text for paragraph in document.paragraphs)
    return text, rows


def _json_rows(data) -> list[list[str]]:
    """Every object of a JSON answer as a row of "key=value" cells."""
    rows = []

    def walk(value):
        if isinstance(value, dict):
            rows.append(
                [
                    f"{key}={inner}"
                    for key, inner in value.items()
                    if not isinstance(inner, dict | list)
                ]
            )
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(data)
    return rows


def read(url: str, response) -> tuple[Surface, list[str]]:
    """The surface of one answer, and the links it offers."""
    content_type = response.get("Content-Type", "")
    surface = Surface(url=url, status=response.status_code, content_type=content_type)
    if response.status_code != 200 or getattr(response, "streaming", False):
        return surface, []
    content = response.content
    kind = surface.kind
    links: list[str] = []
    if kind == "text/html":
        page = _Page()
        page.feed(content.decode())
        surface.fragments = [text for text in map(squashed, page.texts) if text]
        surface.text = " ".join(surface.fragments)
        surface.rows = page.rows
        links = page.links
    elif kind in ("text/csv", "application/vnd.sdmx.data+csv"):
        surface.rows = read_csv(content)
        surface.text = " ".join(",".join(row) for row in surface.rows)
    elif kind.endswith("spreadsheetml.sheet"):
        surface.rows = read_xlsx(content)
        surface.text = " ".join(",".join(row) for row in surface.rows)
    elif kind == "application/pdf":
        surface.text = read_pdf(content)
        surface.fragments = [surface.text]
    elif kind.endswith("wordprocessingml.document"):
        surface.text, surface.rows = read_docx(content)
        surface.fragments = [surface.text]
    elif kind == "application/zip":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if name.endswith(".csv"):
                    surface.rows += read_csv(archive.read(name))
        surface.text = " ".join(",".join(row) for row in surface.rows)
    elif kind == "application/json" or kind.endswith("+json"):
        data = json.loads(content)
        surface.text = json.dumps(data, ensure_ascii=False)
        surface.rows = _json_rows(data)
        links = _api_links(url, data)
    else:
        surface.text = content.decode(errors="replace")[:100_000]
    return surface, links


def _api_links(url: str, data) -> list[str]:
    """The links of an API answer: the resources of the root, the next page of a list and
    the detail of every row (by its id, or its code)."""
    links = []
    path = urlsplit(url).path
    if (
        isinstance(data, dict)
        and "results" not in data
        and all(isinstance(value, str) and value.startswith("http") for value in data.values())
    ):
        return list(data.values())  # the API root: {name: url}
    if isinstance(data, dict) and "results" in data:
        if data.get("next"):
            links.append(data["next"])
        for row in data["results"]:
            if not isinstance(row, dict):
                continue
            for key in ("code", "id"):
                if row.get(key) not in (None, ""):
                    links.append(f"{path}{row[key]}/")
    return links


def _normal(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    absolute = urljoin(base, href)
    parts = urlsplit(absolute)
    if parts.netloc not in ("", "testserver"):
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path in ("/account/logout/",):
        return None
    query = urlencode(sorted(parse_qsl(parts.query)))
    return parts.path + (f"?{query}" if query else "")


DOCUMENT_KINDS = ("application/pdf", "officedocument", "text/csv", "application/zip")


def materialised(response):
    """A kept document is streamed from its file (decision 0047): read it whole, so the
    crawl reads the document as it read the ones built in the request before."""
    content_type = response.get("Content-Type", "")
    if not getattr(response, "streaming", False) or not any(
        kind in content_type for kind in DOCUMENT_KINDS
    ):
        return response
    plain = HttpResponse(b"".join(response.streaming_content), status=response.status_code)
    for header, value in response.headers.items():
        if header.lower() != "content-length":
            plain[header] = value
    return plain


def crawl(
    client,
    start: list[str],
    *,
    max_pages: int = 600,
    variants_per_path: int = 3,
    skip=None,
) -> dict[str, Surface]:
    """Every surface reachable from ``start`` for ``client``, by URL.

    A path is followed with at most ``variants_per_path`` different query strings (the
    pages of a long list, the filters of a search), so the crawl stays finite; ``skip``
    is a predicate of a path that must not be opened (a download that starts a task).

    A document's status page and file are listed under the download link that led to
    them (``<link> → /documenten/…``, ``<link> → /documenten/…/bestand``) rather than
    under their job's id or token, which another crawl would not find again: two crawls
    of the same pages list the same documents (decisions 0047, 0051)."""
    seen: dict[str, Surface] = {}
    variants: dict[str, int] = {}
    # The download link each document page was reached from.
    origin: dict[str, str] = {}
    queue = [url for url in (_normal("/", url) for url in start) if url]
    while queue and len(seen) < max_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        path = urlsplit(url).path
        if skip is not None and skip(path):
            continue
        if "?" in url:
            variants[path] = variants.get(path, 0) + 1
            if variants[path] > variants_per_path:
                continue
        headers = {"HTTP_ACCEPT": "application/json"} if path.startswith(API_PREFIX) else {}
        response = materialised(client.get(url, **headers))
        surface, links = read(url, response)
        seen[url] = surface
        if 300 <= response.status_code < 400 and response.get("Location"):
            # A download link answers with its document's status page (decision 0047),
            # which links to the file: follow it, so the documents are read too.
            links = [response["Location"], *links]
            status_page = _normal(url, response["Location"])
            if status_page and urlsplit(status_page).path.startswith(DOCUMENT_PAGES):
                origin[urlsplit(status_page).path] = url
        for link in links:
            target = _normal(url, link)
            if target and target not in seen:
                queue.append(target)
    return {_named_by_origin(url, origin): surface for url, surface in seen.items()}


DOCUMENT_PAGES = "/documenten/"


def _named_by_origin(url: str, origin: dict[str, str]) -> str:
    path = urlsplit(url).path
    for suffix in ("", "/bestand", "/voortgang"):
        if suffix and not path.endswith(suffix):
            continue
        link = origin.get(path.removesuffix(suffix) if suffix else path)
        if link is not None:
            return f"{link} → {DOCUMENT_PAGES}…{suffix}"
    return url


__all__ = ["Surface", "crawl", "read", "read_csv", "read_docx", "read_pdf", "read_xlsx"]
