"""Organisations named in a document, matched against the register, with the role the
text gives them ("voortrekker", "in samenwerking met", "financiert", "voert uit").

The register is read once per document (``Register.load``: one query), not per word; the
text is then searched by the first word of every name, so a document of a hundred pages
against tens of thousands of schools stays a dictionary look-up per word."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

ROLES = (
    (
        r"\b(?:voor)?trekker|\bregie\b|\bregievoerder|\bpenvoerder|\bverantwoordelijk(?:e)?\b|\beigenaar\b",
        "lead",
    ),
    (
        r"\bfinanciert|\bfinancier\b|\bbetaalt|\bsubsidieert|\bbekostigt|\bfinanciering\s+(?:door|van(?:uit)?)",
        "funder",
    ),
    (
        r"\bvoert?\b[^.]*\buit\b|\buitvoerder|\buitgevoerd door|\bverzorgt|\bbiedt\b|\borganiseert|\bgeeft\b",
        "executor",
    ),
    (r"\bin samenwerking met|\bsamen met|\bpartners?\b|\bbetrokken|\bsamenwerkings", "partner"),
)
SCHOOL_TYPE = re.compile(
    r"\b(?:basisschool|basisonderwijs|onderwijs|school|sbo|s?obs|s?cbs|rkbs|pcbs|kindcentrum|ikc|"
    r"college|lyceum)\b",
    re.IGNORECASE,
)
BRIN = re.compile(r"\b(\d{2}[A-Z]{2}(?:\d{2})?)\b")
SWV_CODE = re.compile(r"\b((?:PO|VO)\s?\d{2}[-.\s]?\d{2})\b")
# Parties the text names that are not one organisation: kept as party text.
PARTY_WORDS = (
    r"(?:de\s+)?(?:scholen|schoolbesturen|kinderopvang(?:organisaties)?|peuteropvang|"
    r"leerplicht(?:ambtenaar|ambtenaren)?|jeugdteams?|wijkteams?|CJG|GGD|JGZ|bibliotheek|"
    r"welzijnsorganisaties?|RMC(?:-regio)?|buurtsportcoach(?:es)?|ouders|partners|"
    r"ondersteuningsteam|zorgaanbieders|onderwijs)"
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass
class Register:
    """Names and codes of the register, indexed for matching."""

    by_first_word: dict[str, list[tuple[list[str], set[str]]]] = field(default_factory=dict)
    by_code: dict[str, str] = field(default_factory=dict)
    # A school's name is matched only in the gemeenten of the agenda (``area``): the
    # register holds thousands of schools, and "Diamant" or "De Regenboog" in a text is
    # the local one, if any. Elsewhere a school is found by its BRIN.
    school_gemeente: dict[str, str] = field(default_factory=dict)
    area: set[str] = field(default_factory=set)
    # Local organisations are named "<what> <gemeente>" ("Bibliotheek Zuidstad"), and a
    # document of that gemeente calls them by what they are ("de bibliotheek"): the
    # part before the gemeente's name, found only in documents of that gemeente.
    local_stems: dict[str, list[tuple[list[str], str, str]]] = field(default_factory=dict)

    def add(self, name: str, reference: str) -> None:
        words = normalise(name).split()
        if not words or len(" ".join(words)) < 4:
            return
        entries = self.by_first_word.setdefault(words[0], [])
        for known_words, references in entries:
            if known_words == words:
                # Two organisations of one name ("De Regenboog" is a school in many
                # gemeenten): which one is decided where the name is found.
                references.add(reference)
                return
        entries.append((words, {reference}))

    @classmethod
    def load(cls) -> Register:
        from kansrijk.organisations.models import Organisation, OrganisationKind

        register = cls()
        rows = (
            Organisation.objects.filter(is_active=True)
            .exclude(kind=OrganisationKind.SCHOOL_INSTITUTION)
            .values_list("kind", "name", "code", "municipality__code")
        )
        for kind, name, code, gemeente in rows:
            reference = code or name
            if kind == OrganisationKind.SCHOOL_LOCATION:
                register.school_gemeente[reference] = gemeente or ""
                # The register writes "Chr School voor Speciaal Basisonderwijs De Brug";
                # a document writes "SBO De Brug" or "De Brug".
                proper = SCHOOL_TYPE.split(name)[-1].strip(" -,")
                if proper and proper != name and len(proper) >= 4:
                    register.add(proper, reference)
            if code:
                register.by_code[code.replace(" ", "").upper()] = reference
            if kind == OrganisationKind.MUNICIPALITY:
                bare = re.sub(r"^gemeente\s+", "", name, flags=re.I)
                register.add(f"gemeente {bare}", reference)
                register.add(bare, reference)
            else:
                register.add(name, reference)
                short = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
                if short != name:
                    register.add(short, reference)
                # "Stichting O2A5" is written "O2A5" as often as not.
                bare = re.sub(r"^(?:stichting|vereniging|co[oö]peratie)\s+", "", short, flags=re.I)
                if bare != short:
                    register.add(bare, reference)
        gemeenten = {
            normalise(re.sub(r"^gemeente\s+", "", name, flags=re.I)): code
            for kind, name, code, _gemeente in rows
            if kind == OrganisationKind.MUNICIPALITY and code
        }
        for kind, name, code, _gemeente in rows:
            if kind in (OrganisationKind.MUNICIPALITY, OrganisationKind.SCHOOL_LOCATION):
                continue
            words = normalise(re.sub(r"\s*\(.*?\)\s*", " ", name)).split()
            for size in (1, 2):
                place = " ".join(words[-size:])
                stem = words[:-size]
                if place in gemeenten and stem and len(" ".join(stem)) >= 6:
                    register.local_stems.setdefault(stem[0], []).append(
                        (stem, gemeenten[place], code or name)
                    )
        for words_list in register.by_first_word.values():
            words_list.sort(key=lambda entry: len(entry[0]), reverse=True)
        return register

    def is_local(self, reference: str) -> bool:
        return reference not in self.school_gemeente or self.school_gemeente[reference] in self.area

    def find(self, text: str) -> list[tuple[str, str]]:
        """(reference, words as found) of every register name and code in ``text``,
        longest name first where names overlap."""
        found: list[tuple[str, str]] = []
        for match in BRIN.finditer(text):
            code = match.group(1)
            if code in self.by_code:
                found.append((self.by_code[code], code))
        for match in SWV_CODE.finditer(text):
            code = re.sub(r"[-.\s]", "", match.group(1)).upper()
            if code in self.by_code:
                found.append((self.by_code[code], match.group(1)))
        originals = [word for word in re.split(r"[^\w]+", text) if word]
        words = [normalise(word) for word in originals]
        index = 0
        while index < len(words):
            step = 1
            for name_words, references in self.by_first_word.get(words[index], ()):
                if words[index : index + len(name_words)] == name_words:
                    step = len(name_words)
                    # A name is written with a capital ("Best", "Ede"); the same word in
                    # lower case is a word ("het best", "de beste").
                    capital = originals[index][:1].isupper() or words[index] == "gemeente"
                    # Of the organisations of this name, the ones that can be meant
                    # here; a name that still means two stays party text.
                    local = {reference for reference in references if self.is_local(reference)}
                    if capital and len(local) == 1:
                        found.append((local.pop(), " ".join(name_words)))
                    break
            else:
                for stem, gemeente, reference in self.local_stems.get(words[index], ()):
                    if gemeente in self.area and words[index : index + len(stem)] == stem:
                        found.append((reference, " ".join(stem)))
                        step = len(stem)
                        break
            index += step
        seen = set()
        unique = []
        for reference, words_found in found:
            if reference not in seen:
                seen.add(reference)
                unique.append((reference, words_found))
        return unique


def role_in(sentence: str) -> str | None:
    for pattern, role in ROLES:
        if re.search(pattern, sentence, re.IGNORECASE):
            return role
    return None


def involvements(
    text: str,
    register: Register,
    *,
    default_role: str | None = None,
    own_gemeente: str | None = None,
) -> list[dict]:
    """The involvements a sentence or a cell names: register organisations with the role
    of their sentence, and the parties the text names by what they are ("scholen").
    ``default_role``: the role where the sentence names none (a card's "Betrokken
    partijen" are partners); ``own_gemeente``: who "Gemeente" is in the agenda's own
    text."""
    result: list[dict] = []
    for sentence in re.split(r"(?<=[.;!?])\s+", text):
        role = role_in(sentence) or default_role
        if role is None:
            continue
        if (
            own_gemeente
            and re.search(r"(?:^|[,;]\s*)(?:de\s+)?gemeente\b(?!\s+[A-Z])", sentence, re.IGNORECASE)
            and not any(item.get("organisation") == own_gemeente for item in result)
        ):
            result.append({"organisation": own_gemeente, "role": role})
        matches = register.find(sentence)
        for reference, _words in matches:
            if not any(item.get("organisation") == reference for item in result):
                result.append({"organisation": reference, "role": role})
        if not matches:
            party = re.search(
                r"\b(?:in samenwerking met|samen met|door)\s+("
                + PARTY_WORDS
                + r"(?:\s+(?:en|,)\s+"
                + PARTY_WORDS
                + r")*)",
                sentence,
                re.I,
            )
            if party:
                result.append({"party": party.group(1).strip(), "role": role})
    # At most one lead per item, as in the agenda format.
    leads = [item for item in result if item["role"] == "lead"]
    for item in leads[1:]:
        item["role"] = "partner"
    return result


def cell_involvements(
    cell: str, register: Register, role: str, *, own_gemeente: str | None = None
) -> list[dict]:
    """The parties in a table cell of a column that gives their role ("Trekker",
    "Uitvoering", "Partners", "Betrokken partijen", "Wie"): a cell lists names without
    a role word ("GGD, CJG en de scholen"). Each name is a register organisation if it is
    one, or else party text; a role word in the cell ("GGD (regie)") wins."""
    result: list[dict] = []
    for part in re.split(r"\s*(?:[,;/\n•]|\ben\b)\s*", cell):
        part = part.strip(" .-()")
        if len(part) < 2:
            continue
        part_role = role_in(part) or role
        if own_gemeente and re.fullmatch(r"(?:de\s+)?gemeente\b.*", part, re.I):
            found = [(own_gemeente, part)]
        else:
            found = register.find(part)
        if found:
            for reference, _words in found:
                if not any(item.get("organisation") == reference for item in result):
                    result.append({"organisation": reference, "role": part_role})
        elif len(part) <= 60:
            name = re.sub(r"\s*\((?:regie|trekker|uitvoering|partner)\)", "", part, flags=re.I)
            result.append({"party": name.strip(), "role": part_role})
    leads = [item for item in result if item["role"] == "lead"]
    for item in leads[1:]:
        item["role"] = "partner"
    return result
