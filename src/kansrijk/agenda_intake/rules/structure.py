"""The document's own structure: numbered goals and spearheads, the words that open a
list of actions, and the columns of the tables Dutch agendas use ("Doel", "Indicator",
"Hoofdactiviteit", "Planning")."""

from __future__ import annotations

import re

# "Doel 3: ...", "Subdoel 2.1 ...", "Doelstelling 4. ..."
GOAL = re.compile(
    r"^(?:sub)?doel(?:stelling)?\s+(\d{1,2}(?:\.\d{1,2})*[a-z]?)\s*[:.)\-–]?\s*(.*)$", re.IGNORECASE
)
# "Speerpunt 1: ...", "Ambitie 2 ...", "Pijler 3.", "Actielijn 1"
SPEARHEAD = re.compile(
    r"^(speerpunt|ambitie|pijler|actielijn|programmalijn|opgave|prioriteit)\s+(\d{1,2})\s*[:.)\-–]?\s*(.*)$",
    re.IGNORECASE,
)
# "Thema 2: ...", "Factor 1. ...", "Dwarsverband ..."
THEME = re.compile(r"^(thema|factor)\s+(\d{1,2})\s*[:.)\-–]?\s*(.*)$", re.IGNORECASE)
# What opens a list of activities.
ACTIONS_MARKER = re.compile(
    r"^(?:acties|activiteiten|actiepunten|maatregelen|wat gaan we doen|wat doen we(?: daarvoor)?|"
    r"aanpak|inzet|uitvoering|interventies)\b[^.]{0,40}[:?]?$",
    re.IGNORECASE,
)
# A sentence that says something will be done: an activity where no list marks one.
ACTION_VERBS = (
    r"(?:organiseren|organiseert|starten|start|ontwikkelen|ontwikkelt|zetten|zet|voeren|voert|"
    r"bieden|biedt|maken|maakt|stellen|stelt|brengen|brengt|richten|richt|werken|werkt|"
    r"gaan|gaat|zorgen|zorgt|versterken|versterkt|stimuleren|stimuleert)"
)
ACTION_SENTENCE = re.compile(
    r"^(?:(?:we|wij|de gemeente|het samenwerkingsverband|scholen|partners)\s+"
    + ACTION_VERBS
    # "In 2025 stellen we ...", "Vanaf 2024 organiseren wij ...": the time first.
    + r"|(?:in|vanaf|voor|eind|begin)\s+(?:\w+\s+)?20\d\d\s+"
    + ACTION_VERBS
    + r"\s+(?:we|wij))\b",
    re.IGNORECASE,
)
# In prose, what the gemeente commits to is a first-person plural sentence in Dutch main
# clause order: "We ..." with its verb, or a phrase first and the verb before "we" ("Met
# de scholen hebben we afspraken over ...", "Daarnaast kunnen we ... financieren", "Samen
# met ... denken en beslissen wij mee"). A sentence that opens with a word pointing back
# ("Dit doen we door ...") says how the aim before it is pursued, and one that opens with
# a subordinate clause ("Als ...", "Waar ...") is a condition, not a commitment; "zijn we"
# states a responsibility, not a deed.
COMMITMENT = re.compile(
    r"^(?!(?:dit|dat|hiermee|daarmee|daarom|zo|waar|als|om|wanneer|omdat|hoe)\b)"
    r"[^.;:]*?\b(?!willen\b)[a-zà-ÿ]{2,}en\s+(?:en\s+[a-zà-ÿ]+en\s+)?(?:we|wij)\b(?!\s+willen)",
    re.IGNORECASE,
)
# A sentence of intention: what a section without numbered goals aims at.
INTENTION = re.compile(
    r"^(?:(?:we|wij)\s+willen|(?:\w+\s+){0,3}willen\s+(?:we|wij)\b|(?:we|wij)\s+voorkomen|"
    r"ons doel is|het doel is|we streven|wij streven|als gemeente (?:willen|hebben) we)\b",
    re.IGNORECASE,
)
INTENDED_RESULT = re.compile(
    r"^(?:beoogd(?:e)? resultaat|beoogd effect|ambitie)\s*[:.]?\s*(.*)$", re.IGNORECASE
)

COLUMN_WORDS = {
    "goal": r"\bdoel|wat willen we bereiken",
    "indicator": r"\bindicator|hoe meten we|meetbaar|resultaat",
    "main": r"hoofd\w*activiteit|wat doen we|\bactiviteit|\bactie",
    "sub": r"sub\w*activiteit",
    "planning": r"planning|wanneer|periode|tijdpad|maand|kwartaal",
    # The parties of an activity, with the role their column gives them.
    "lead": r"trekker|regie|eigenaar|verantwoordelijk",
    "executor": r"uitvoer",
    "partners": r"partners|partijen|betrokken|samenwerking|(?<!voor )\bwie\b",
    "spearhead": r"speerpunt|thema|ambitie",
    "amount": r"budget|bedrag|kosten|middelen|financiering",
}


PARTY_COLUMNS = {"lead", "executor", "partners"}
# A party column's header is the role word itself, first in its cell ("Trekker", "Wie
# doet wat?", "Betrokken partijen").
PARTY_START = r"(?:de\s+|het\s+)?(?:trekker|regie|eigenaar|verantwoordelijk|uitvoer|partners|samenwerkings|betrokken|wie\b)"


def table_columns(cells: list[str]) -> dict[str, int]:
    """The meaning of each column of a header row, or {} when the row is no header.
    A column whose header names two things ("Wat doen we daarvoor? Subactiviteit(en)")
    takes the most specific."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        lowered = cell.lower()
        if len(lowered) > 80:
            return {}
        for name in (
            "sub",
            "planning",
            "main",
            "indicator",
            "goal",
            "lead",
            "executor",
            "partners",
            "spearhead",
            "amount",
        ):
            if name in PARTY_COLUMNS and not (
                len(lowered) <= 30 and re.match(PARTY_START, lowered)
            ):
                continue  # "uitvoering vanaf 2e helft 2022" in a cell is no header
            if re.search(COLUMN_WORDS[name], lowered) and name not in columns:
                columns[name] = index
                break
    if len(columns) >= 2 and ("goal" in columns or "main" in columns or "planning" in columns):
        return columns
    return {}


def split_cell(cell: str) -> list[str]:
    """A cell's items: one per line or bullet, a numbered run ("1. ... 2. ...") split."""
    parts = [part.strip(" ;•-") for part in cell.split("\n") if part.strip(" ;•-")]
    items: list[str] = []
    # A run of short items separated by semicolons is a list written on one line.
    listed = []
    for part in parts:
        pieces = [piece.strip() for piece in part.split(";") if piece.strip()]
        if len(pieces) > 1 and all(len(piece) <= 100 for piece in pieces):
            listed.extend(pieces)
        else:
            listed.append(part)
    parts = listed
    for part in parts:
        numbered = re.split(r"(?:(?<=^)|(?<=[.;]\s))(?=\d{1,2}\.\s)", part)
        items.extend(piece.strip() for piece in numbered if piece.strip())
    return items


def strip_number(text: str) -> tuple[str | None, str]:
    match = re.match(r"^(\d{1,2})\.\s+(.*)$", text)
    if match:
        return match.group(1), match.group(2)
    return None, text


def title_of(text: str) -> str:
    """An item's title as written, without the list's closing punctuation and the
    emphasis markers of converted text."""
    text = re.sub(r"\*+", "", text).strip()
    return (
        text.rstrip(" ;,").rstrip(".")
        if text.endswith((";", ",", ".")) and text.count(".") <= 1
        else text
    )


def normalise_title(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def same_text(a: str, b: str, threshold: float = 0.6) -> bool:
    """Two wordings of one thing: the one's words contained in the other's (a planning
    table shortens "Thematische netwerkbijeenkomsten" to "Netwerkbijeenkomsten"), or
    similar enough."""
    import difflib

    a, b = normalise_title(a), normalise_title(b)
    if not a or not b:
        return False
    if len(a) >= 6 and len(b) >= 6 and (a in b or b in a):
        return True
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold


def numbered_parts(cell: str) -> list[tuple[str | None, str]]:
    """ "2. Eerste. 3. Tweede." -> [("2", "Eerste."), ("3", "Tweede.")]; text before the
    first number has number None."""
    text = " ".join(cell.split())
    pieces = re.split(r"(?:^|(?<=[\s.]))(\d{1,2})\.\s+(?=[A-Za-zÀ-ÿ])", text)
    parts: list[tuple[str | None, str]] = []
    if pieces[0].strip():
        parts.append((None, pieces[0].strip()))
    for index in range(1, len(pieces) - 1, 2):
        parts.append((pieces[index], pieces[index + 1].strip()))
    return parts


def plan_lines(text: str) -> list[str]:
    """The plans of one goal in a planning cell: sentences, split where a new one starts
    with a capital ("Netwerkbijeenkomsten: juni. Kennisdeling: nov.")."""
    parts = re.split(r"(?<=\.)\s+(?=[A-Z])", text)
    return [part.strip() for part in parts if part.strip()]


# Words too common in agendas to tell two activities apart.
COMMON = {
    "samen", "tussen", "jeugdigen", "kinderen", "onderwijs", "gemeente", "gemeenten",
    "scholen", "school", "ouders", "regio", "beter", "elkaar", "worden", "wordt",
}  # fmt: skip


def stems(text: str) -> set[str]:
    """The content words of a text, cut to their first six letters, so that "overleg"
    and "overleggen", "evaluatie" and "evalueren" meet."""
    words = re.findall(r"[a-zà-ÿ]{5,}", text.lower())
    return {word[:6] for word in words if word not in COMMON}


def closest(name: str, candidates: list[tuple[str, object]]) -> object | None:
    """The candidate whose text is the same as ``name`` (``same_text``), or else the one
    sharing most content words with it; None when none shares any."""
    for text, candidate in candidates:
        if same_text(text, name):
            return candidate
    wanted = stems(name)
    best, best_count = None, 0
    for text, candidate in candidates:
        count = len(wanted & stems(text))
        if count > best_count:
            best, best_count = candidate, count
    return best
