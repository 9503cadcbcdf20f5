"""The interface says "je", never "u": a guard over the Dutch source strings of every
template and every gettext call (the sociale kaart once said "u" where the rest said "je")."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kansrijk"
SEEDS = PACKAGE / "demo_data" / "seeds"
FORMAL = re.compile(r"(?<![\w/.{-])(?:[Uu]|[Uu]w|[Uu]zelf)(?=[ ,.?!:;)]|$)", re.M)
GETTEXT = re.compile(
    r"\b_(?:lazy)?\(\s*((?:\"[^\"]*\"\s*)+)|gettext(?:_lazy)?\(\s*((?:\"[^\"]*\"\s*)+)"
)


def _sources():
    for path in PACKAGE.rglob("*"):
        if "tests" in path.parts or "locale" in path.parts or "migrations" in path.parts:
            continue
        # The seed texts are policy documents quoted as their authors wrote them ("Voor u
        # ligt ..."): source material the reader is tested on, not interface text.
        if path.is_relative_to(SEEDS):
            continue
        if path.suffix in {".html", ".txt"}:
            yield path, path.read_text()
        elif path.suffix == ".py":
            strings = [
                group
                for match in GETTEXT.finditer(path.read_text())
                for group in match.groups()
                if group
            ]
            yield path, "\n".join(strings)


def test_no_user_facing_text_says_u():
    found = [
        f"{path.relative_to(PACKAGE)}: {text[max(0, m.start() - 30) : m.end() + 30]!r}"
        for path, text in _sources()
        for m in FORMAL.finditer(text)
    ]
    assert found == []
