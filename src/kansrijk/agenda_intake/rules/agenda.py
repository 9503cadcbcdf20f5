"""The agenda itself, from its title page: title, kind, period and owner."""

from __future__ import annotations

import re

from .time import YEAR

# The kind of agenda from the words of its title page, most specific first.
KINDS = (
    (r"\bGKA\b|gelijke kansen alliantie", "gka_agenda"),
    (r"\bLEA\b|\bLEJA\b|lokale educatieve", "lea"),
    (r"onderwijskansen|onderwijsachterstand|\bOAB\b", "educational_opportunities"),
    (r"uitvoeringsagenda|uitvoeringsnota|uitvoeringsplan|werkagenda", "execution_agenda"),
    (r"beleidskader|beleidsplan|beleidsnota|jeugdbeleid", "policy_framework"),
    (r"handreiking|leidraad|wegwijzer", "guidance"),
)
PERIOD = re.compile(
    r"\b" + YEAR + r"\s*(?:-|–|—|t/m|tot en met|tot)\s*" + YEAR + r"\b", re.IGNORECASE
)


# The words that say what kind of document a line names, strongest first: that line is
# the title. "plan" also names a chapter ("Activiteitenplan & begroting") and "beleid" a
# department ("Sociaal Beleid, Jeugd en Onderwijs"), so they count only where no line
# names an agenda or a nota.
DOCUMENT_WORDS = (
    re.compile(r"\b(?:\w*nota|\w*agenda|LEA|LEJA)\b", re.IGNORECASE),
    re.compile(r"\b(?:\w*plan|\w*beleid|beleids\w+|\w*kader|bijlage)\b", re.IGNORECASE),
)
QUOTED = re.compile(r"^[\"“”'‘’„]+(.+?)[\"“”'‘’]+$")


def title_and_subtitle(lines: list[str]) -> tuple[str | None, str | None]:
    """The agenda's title and subtitle from the lines of its first pages (headings,
    short paragraphs, the first cells of a table of contents). The title is the first
    short line with a word for a kind of document ("Uitvoeringsnota ...", "... agenda",
    "LEA", else "...beleid", "...plan"); a slogan in quotes, or a line of at most three
    words (two or three: one word is a section heading) next to the title ("Allen voor
    één"), is the subtitle, never the title.
    Without a document word the first line that is no slogan is the title."""
    short = []
    for line in lines:
        line = re.sub(r"\*+", "", " ".join(line.split())).strip()
        words = line.split()
        if not words or len(words) > 12 or line.endswith((".", ":", ";", ",")):
            continue
        short.append(line)

    def named(line: str) -> bool:
        return any(pattern.search(line) for pattern in DOCUMENT_WORDS)

    quoted = [line for line in short if QUOTED.match(line)]
    brief = [
        line
        for line in short
        if 2 <= len(line.split()) <= 3 and not re.search(r"[():\d@]", line) and not named(line)
    ]
    title = None
    for pattern in DOCUMENT_WORDS:
        title = title or next(
            (line for line in short if line not in quoted and pattern.search(line)), None
        )
    if title is None:
        title = next((line for line in short if line not in quoted + brief), None)
    if title is None:
        title = next((line for line in short if line not in quoted), None)
    if title is None:
        return None, None
    position = short.index(title)
    near = [line for line in brief if line != title and abs(short.index(line) - position) <= 2]
    subtitle = None
    if quoted:
        subtitle = QUOTED.match(quoted[0]).group(1)
    elif near:
        subtitle = min(near, key=lambda line: abs(short.index(line) - position))
    return title, subtitle


RUN = re.compile(
    r"\b(?:looptijd|uitvoeringsperiode|uitvoeringsfase)\b[^.]{0,40}?\b"
    + YEAR
    + r"\s+(?:en|tot en met|t/m)\s+"
    + YEAR
    + r"\b",
    re.IGNORECASE,
)


def agenda_kind(text: str) -> str | None:
    for pattern, kind in KINDS:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return None


def agenda_period(text: str, *, title: str = "") -> tuple[int, int] | None:
    """The agenda's period as a pair of years: a "2019-2022" or "2022 t/m 2024" in the
    title, else one next to "looptijd", "periode" or "agenda", else the first in the
    text (a text may name the years of its preparation or of other plans first)."""
    candidates = []
    for match in PERIOD.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + 12:
            before = text[max(0, match.start() - 60) : match.start()].lower()
            # The years of the preparation or of an earlier plan are not the agenda's.
            if re.search(r"voorbereid|schrijf|vorige|eerdere|afgelopen|vastgesteld in", before):
                continue
            near = bool(re.search(r"looptijd|periode|agenda|nota|plan|beleid", before))
            candidates.append((not near, match.start(), (start, end)))
    # "De uitvoeringsperiode is in 2022 en 2023", "looptijd 2023 en 2024".
    for match in RUN.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + 12:
            candidates.append((False, match.start(), (start, end)))
    for match in PERIOD.finditer(title):
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + 12:
            return start, end
    return min(candidates)[2] if candidates else None
