"""Organisations named in a document, matched against the register, with the role the
text gives them ("voortrekker", "in samenwerking met", "financiert", "voert uit").

The register is read once per document (``Register.load``: one query), not per word; the
text is then searched by the first word of every name, so a document of a hundred pages
against tens of thousands of schools stays a dictionary look-up per word.

Documents name the organisations they work with most by an abbreviation ("CJG", "GGD")
or a short name. An abbreviation is matched only where its meaning is known: the
document defines it ("het Centrum voor Jeugd en Gezin (CJG)"), the register writes it
in a name ("GGD (Gemeentelijke Gezondheidsdienst)"), or it is the initials of exactly one
organisation that serves the agenda's gemeenten."""

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
    (
        r"\bin samenwerking met|\bsamen met|\bpartners?\b|\bbetrokken|\bsamenwerkings"
        # Who meets or is connected takes part: "uitvoeringsoverleg CJG, SWV en GGD",
        # "aansluiting tussen wijkteam, scholen en kinderopvang".
        r"|overleg|\b(?:aansluiting|afstemming|samenwerking|verbinding)\s+(?:tussen|met)\b",
        "partner",
    ),
)
# Words that open a phrase that is not a sentence's subject ("Via Leerrecht worden ...").
PREPOSITIONS = {
    "aan", "als", "bij", "binnen", "door", "in", "met", "na", "naar", "om", "onder", "op",
    "over", "per", "sinds", "tijdens", "tot", "tussen", "uit", "van", "vanaf", "vanuit",
    "via", "voor", "zonder",
}  # fmt: skip
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

ARTICLES = {"de", "het", "een"}
# An abbreviation is written in capitals, three or more: "CJG", "GGD", "RBL".
ABBREVIATION = re.compile(r"[A-Z][A-Z0-9]{2,}")
# A definition: the full name, then the abbreviation in parentheses, "(GGD HN)".
DEFINITION = re.compile(r"\(\s*([A-Z][A-Z0-9]+(?:[ -][A-Z][A-Za-z0-9]*)*)\s*\)")
# The sector a text names, for "het SWV" of an agenda with one of each.
SECTORS = {
    "PO": r"\bPO\b|\b[Pp]rimair onderwijs|\b[Bb]asis(?:onderwijs|school|scholen)\b",
    "VO": r"\bVO\b|\b[Vv]oortgezet onderwijs",
}
SECTOR_WORDS = {"PO": "Primair Onderwijs", "VO": "Voortgezet Onderwijs"}


def partnership_names(name: str) -> list[str]:
    """The ways a text writes a samenwerkingsverband the register calls "Samenwerkingsverband
    VO Midden-Kennemerland": "SWV VO Midden-Kennemerland", "Samenwerkingsverband
    Voortgezet Onderwijs Midden-Kennemerland", or by its sector and region alone
    ("Voortgezet Onderwijs Midden-Kennemerland"). Not for a name that is only a number
    ("Samenwerkingsverband PO 26-05"): its code says that."""
    match = re.fullmatch(r"(?:samenwerkingsverband|swv)\s+(PO|VO)\s+(\D+)", name.strip(), re.I)
    if not match:
        return []
    sector, region = match.group(1).upper(), match.group(2).strip()
    return [
        f"SWV {sector} {region}",
        f"Samenwerkingsverband {SECTOR_WORDS[sector]} {region}",
        f"SWV {SECTOR_WORDS[sector]} {region}",
        f"{sector} {region}",
        f"{SECTOR_WORDS[sector]} {region}",
    ]


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
    # The gemeenten an organisation serves (its werkgebied and its own gemeente): an
    # abbreviation that several organisations share ("CJG") means the one of the area.
    served: dict[str, set[str]] = field(default_factory=dict)
    # Abbreviations the register writes in a name: "(CJG)" after or inside it, or the
    # name itself before its full form, "GGD (Gemeentelijke Gezondheidsdienst)".
    abbreviations: dict[str, set[str]] = field(default_factory=dict)
    # Initials of an organisation's words ("Centrum voor Jeugd en Gezin Zuidstad": CJG),
    # used only for the organisations that serve the agenda's gemeenten.
    initials: dict[str, set[str]] = field(default_factory=dict)
    # What this document defined ("de GGD Hollands Noorden (GGD HN)"), by first word:
    # the abbreviation's words and the organisation, for the rest of the document.
    defined: dict[str, list[tuple[list[str], str]]] = field(default_factory=dict)
    # The agenda's own samenwerkingsverbanden by sector ("PO", "VO"): who "het SWV" is.
    own_partnerships: dict[str, str] = field(default_factory=dict)

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

    def add_abbreviations(self, name: str, reference: str, gemeenten: dict[str, str]) -> None:
        """The abbreviations a name carries, its full form, and its initials."""
        for abbreviation in re.findall(r"\(\s*([A-Z][A-Z0-9]{2,})\b", name):
            self.abbreviations.setdefault(abbreviation, set()).add(reference)
        written = re.fullmatch(r"([A-Z][A-Z0-9]{2,})\s*\(([^)]{4,})\)", name.strip())
        if written:
            self.abbreviations.setdefault(written.group(1), set()).add(reference)
            self.add(written.group(2), reference)
        # Initials of the capitalised words, without the gemeente the name ends with:
        # three or more, so that two letters ("ST") never stand for a name.
        words = re.sub(r"\s*\(.*?\)\s*", " ", name).split()
        while words and normalise(words[-1]) in gemeenten:
            words.pop()
        capitals = [word for word in words if word[:1].isupper()]
        if len(capitals) >= 3 and all(word.isalpha() for word in capitals):
            self.initials.setdefault("".join(word[0] for word in capitals), set()).add(reference)

    @classmethod
    def load(cls) -> Register:
        from kansrijk.organisations.models import Organisation, OrganisationKind

        register = cls()
        # One query: an organisation comes once per gemeente it serves.
        organisations: dict[int, tuple[str, str, str, str | None]] = {}
        serving: dict[int, set[str]] = {}
        for pk, kind, name, code, gemeente, served in (
            Organisation.objects.filter(is_active=True)
            .exclude(kind=OrganisationKind.SCHOOL_INSTITUTION)
            .values_list("pk", "kind", "name", "code", "municipality__code", "served_regions__code")
        ):
            organisations[pk] = (kind, name, code, gemeente)
            serving.setdefault(pk, set()).update(region for region in (served, gemeente) if region)
        rows = list(organisations.values())
        gemeenten = {
            normalise(re.sub(r"^gemeente\s+", "", name, flags=re.I)): code
            for kind, name, code, _gemeente in rows
            if kind == OrganisationKind.MUNICIPALITY and code
        }
        for pk, (kind, name, code, gemeente) in organisations.items():
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
                continue
            register.add(name, reference)
            short = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
            if short != name:
                register.add(short, reference)
            # "Stichting O2A5" is written "O2A5" as often as not.
            bare = re.sub(r"^(?:stichting|vereniging|co[oö]peratie)\s+", "", short, flags=re.I)
            if bare != short:
                register.add(bare, reference)
            if kind == OrganisationKind.PARTNERSHIP:
                for variant in partnership_names(short):
                    register.add(variant, reference)
            elif kind != OrganisationKind.SCHOOL_LOCATION:
                # A school's "(SBO)" or "(VSO)" says what it is, not what it is called.
                register.served[reference] = serving[pk]
                register.add_abbreviations(name, reference, gemeenten)
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

    def serves_area(self, reference: str) -> bool:
        return bool(self.served.get(reference, set()) & self.area)

    def abbreviation(self, word: str) -> str | None:
        """The organisation an all-capitals word stands for, if only one can be meant."""
        known = self.abbreviations.get(word)
        if known:
            # Of the organisations that write it, the one of the agenda's gemeenten;
            # one that serves no recorded gemeente may be anyone's.
            if self.area:
                known = {
                    reference
                    for reference in known
                    if self.serves_area(reference) or not self.served.get(reference)
                }
            return next(iter(known)) if len(known) == 1 else None
        local = {
            reference for reference in self.initials.get(word, ()) if self.serves_area(reference)
        }
        return local.pop() if len(local) == 1 else None

    def own_partnership(self, text: str) -> str | None:
        """ "het SWV" or "het samenwerkingsverband": the agenda's own one of the sector the
        text names ("SWV op VO"), or its only one."""
        sectors = {sector for sector, pattern in SECTORS.items() if re.search(pattern, text)}
        if len(sectors) == 1:
            return self.own_partnerships.get(sectors.pop())
        if not sectors and len(self.own_partnerships) == 1:
            return next(iter(self.own_partnerships.values()))
        return None

    def learn_definitions(self, text: str) -> None:
        """ "het Centrum voor Jeugd en Gezin Zuidstad (CJG)": from here on the
        abbreviation stands for the organisation its full name is, if the full name is
        one of the register's and ends right before the parenthesis."""
        for match in DEFINITION.finditer(text):
            before = re.split(r"[.;:!?]\s", text[: match.start()])[-1]
            words = [word for word in re.split(r"[^\w]+", before) if word]
            named = [span for span in self.spans(before) if span[1] == len(words)]
            abbreviation = [word for word in re.split(r"[^\w]+", match.group(1)) if word]
            if len(named) != 1 or normalise(" ".join(abbreviation)) == " ".join(
                normalise(word) for word in words[named[0][0] :]
            ):
                continue
            entries = self.defined.setdefault(abbreviation[0], [])
            entries[:] = [entry for entry in entries if entry[0] != abbreviation]
            entries.append((abbreviation, named[0][2]))
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(first word, word after the last, reference) of every name, abbreviation and
        own partnership in ``text``, in the order of the text; codes are not included."""
        found: list[tuple[int, int, str]] = []
        originals = [word for word in re.split(r"[^\w]+", text) if word]
        words = [normalise(word) for word in originals]
        index = 0
        while index < len(words):
            step = 1
            reference = None
            for abbreviation, defined in self.defined.get(originals[index], ()):
                if originals[index : index + len(abbreviation)] == abbreviation:
                    reference, step = defined, len(abbreviation)
                    break
            else:
                for name_words, references in self.by_first_word.get(words[index], ()):
                    if words[index : index + len(name_words)] == name_words:
                        step = len(name_words)
                        # A name is written with a capital ("Best", "Ede"); the same
                        # word in lower case is a word ("het best", "de beste"). A name
                        # of more words needs one capital ("wijkteam VraagRaak").
                        written = originals[index : index + step]
                        capital = (
                            written[0][:1].isupper()
                            or words[index] == "gemeente"
                            or any(
                                word[:1].isupper()
                                for word in written[1:]
                                if normalise(word) not in ARTICLES
                            )
                        )
                        # Of the organisations of this name, the ones that can be meant
                        # here; a name that still means two stays party text.
                        local = {ref for ref in references if self.is_local(ref)}
                        if capital and len(local) == 1:
                            reference = local.pop()
                        break
                else:
                    if ABBREVIATION.fullmatch(originals[index]):
                        reference = self.abbreviation(originals[index])
                    if reference is None and (
                        originals[index] == "SWV" or words[index] == "samenwerkingsverband"
                    ):
                        reference = self.own_partnership(text)
                    if reference is None:
                        for stem, gemeente, stem_reference in self.local_stems.get(
                            words[index], ()
                        ):
                            if gemeente in self.area and words[index : index + len(stem)] == stem:
                                reference, step = stem_reference, len(stem)
                                break
            if reference is not None:
                found.append((index, index + step, reference))
            index += step
        return found

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
        words = [normalise(word) for word in re.split(r"[^\w]+", text) if word]
        for start, end, reference in self.spans(text):
            found.append((reference, " ".join(words[start:end])))
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


def acting(sentence: str, register: Register) -> list[str]:
    """The organisations that are the subject of a sentence: named before its verb, with
    articles, "en" and other parties between them ("Leerplichtambtenaar en GGD
    bespreken met school ...", "De buurtcoach en het CJG bespreken ..."). A sentence that opens with a preposition ("Via
    Leerrecht worden ...") or has no word after the names has none."""
    text = sentence.strip(" \t•*·-–")
    originals = [word for word in re.split(r"[^\w]+", text) if word]
    starts = {start: (end, reference) for start, end, reference in register.spans(text)}
    named: list[str] = []
    index = 0
    while index < len(originals):
        if index in starts:
            index, reference = starts[index]
            named.append(reference)
            continue
        word = originals[index]
        if word.lower() in PREPOSITIONS:
            return []
        if word.lower() in ARTICLES and index + 1 < len(originals) and index + 1 not in starts:
            # "de buurtcoach": another party, named by what it is.
            index += 2
            continue
        if word.lower() in ARTICLES or word == "en" or word[:1].isupper():
            index += 1
            continue
        return named
    return []


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
            # No role word: an organisation the sentence names as doing something
            # ("De GGD en de scholen bespreken ...") takes part in it, no more.
            for reference in acting(sentence, register):
                if not any(item.get("organisation") == reference for item in result):
                    result.append({"organisation": reference, "role": "partner"})
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
