"""PDF from the same HTML templates as the pages (WeasyPrint), with no network access.

WeasyPrint may read Kansrijk's own static files and ``data:`` URLs, and nothing else: a
document never makes the server fetch anything from outside.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .progress import Steps, steps

PDF_CONTENT_TYPE = "application/pdf"


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple) else entry))
    return [root.resolve() for root in roots]


def local_url_fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in _static_roots()):
                    return super().fetch(url, headers)
            raise ValueError(f"Kansrijk haalt bij een document niets van buiten op: {url}")

    return LocalOnlyFetcher(allowed_protocols={"file", "data"})


def _html(html: str):
    # WeasyPrint reports every layout step at INFO (already while it is imported); a
    # command's output is not the place for that.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint import HTML

    base_url = (Path(settings.PACKAGE_DIR) / "static").as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=local_url_fetcher())


def html_to_document(html: str):
    """The laid-out document (its ``pages`` counted before writing, e.g. to keep a
    one-page summary on one page); ``.write_pdf()`` gives the bytes."""
    return _html(html).render()


def html_to_pdf(html: str, progress: Steps | None = None) -> bytes:
    """The PDF of ``html`` in two steps, laying out the pages and writing them (what
    ``HTML.write_pdf`` does in one call), so that a long document's progress moves."""
    progress = steps(progress)
    progress(_("De pagina's worden ingedeeld."))
    document = _html(html).render()
    progress(_("De PDF wordt geschreven."))
    return document.write_pdf()
