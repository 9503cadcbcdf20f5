"""The full demo, loaded once for the tests of this package: the real reference data and
``kansrijk load_demo``, as ``make demo`` does. It is loaded in a transaction that is rolled
back when the package is done; each test runs in a savepoint inside it, so nothing a test
changes outlives it and the tests after this package find an empty database."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from kansrijk.testing.database import rolled_back

from .support import TIMINGS, Kansrijk


@pytest.fixture(scope="package")
def pdf_once_per_document() -> Iterator[dict]:
    """Render each distinct HTML document to PDF once (WeasyPrint is deterministic for
    the same HTML); every later request for it still runs its view and gets the bytes."""
    import weasyprint

    rendered: dict[str, bytes] = {}
    real_html = weasyprint.HTML

    class OncePerDocument:
        def __init__(self, *args, string=None, **kwargs):
            self._make = lambda: real_html(*args, string=string, **kwargs)
            self._key = (
                hashlib.sha256(string.encode()).hexdigest() + repr(sorted(kwargs))
                if string is not None and not args
                else None
            )

        def render(self, *args, **kwargs):
            # A document laid out to count its pages first (the one-page curve PDF).
            return self._make().render(*args, **kwargs)

        def write_pdf(self, *args, **kwargs):
            if self._key is None or args or kwargs:
                return self._make().write_pdf(*args, **kwargs)
            if self._key not in rendered:
                rendered[self._key] = self._make().write_pdf()
            return rendered[self._key]

    weasyprint.HTML = OncePerDocument
    yield rendered
    weasyprint.HTML = real_html


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, pdf_once_per_document) -> Iterator[dict]:
    """The full demo, loaded once for the package and rolled back afterwards."""
    kansrijk = Kansrijk()
    with rolled_back(django_db_blocker):
        with override_settings(DEBUG=True):
            reference = kansrijk("load_reference_data")
            loaded = kansrijk("load_demo")
        yield {"runs": kansrijk.runs, "reference": reference, "demo": loaded}
    if os.environ.get("KANSRIJK_SMOKE_TIMINGS"):
        Path(os.environ["KANSRIJK_SMOKE_TIMINGS"]).write_text(
            "".join(f"{seconds:.3f}\t{what}\n" for seconds, what in TIMINGS), encoding="utf-8"
        )


@pytest.fixture
def demo_user(demo, db):
    """A demo user by name (the test client logs in without a password)."""
    from kansrijk.organisations.models import User

    return lambda username: User.objects.get(username=username)
