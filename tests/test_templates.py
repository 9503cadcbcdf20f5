"""Template hygiene that Django does not check itself."""

import re
from pathlib import Path

from django.conf import settings

# Django's {# … #} comment must open and close on one line; otherwise its text is shown
# on the page. Longer comments use {% comment %}.
OPEN_ONLY = re.compile(r"\{#(?![^\n]*#\})")


def test_no_multi_line_short_comments():
    offenders = []
    for path in Path(settings.PACKAGE_DIR).rglob("templates/**/*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OPEN_ONLY.search(line):
                offenders.append(f"{path.relative_to(settings.PACKAGE_DIR)}:{number}")
    assert offenders == []
