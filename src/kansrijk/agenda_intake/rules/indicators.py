"""Indicators with a baseline (nulmeting) and a target as Dutch policy texts state them:
"In 2019 bezocht 72% van de kinderen ...", "streeft naar een bereik van 90% in 2021",
"van 12 naar 20", "minimaal 80% van de leerlingen ..."."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = r"(\d+(?:[.,]\d+)?)"
PERCENT = NUMBER + r"\s?(?:%|procent)"


def _number(text: str) -> float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


@dataclass
class Found:
    name: str
    unit: str
    baseline_value: float | None
    baseline_year: int | None
    target_value: float | None
    target_year: int | None
    text: str
    rule: str


def _year_near(sentence: str) -> int | None:
    match = re.search(r"\b(20\d\d)\b", sentence)
    return int(match.group(1)) if match else None


def _name(sentence: str, match: re.Match) -> str:
    """What is measured: the words after "van (de)" that follow the figure, or else the
    sentence without its figures, short enough for a name."""
    after = sentence[match.end() :]
    of = re.match(r"\s*(?:van\s+(?:de|het|alle)?\s*)(.+?)(?:[.;]|$)", after)
    name = of.group(1) if of else sentence
    name = re.sub(r"\s+", " ", name).strip(" .,;:")
    return name[:200]


SENTENCE = re.compile(r"[^.!?]*(?:\d[.,]\d[^.!?]*)*[^.!?]*[.!?]?")


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"'(])", text)
    return [part.strip() for part in parts if part.strip()]


WHOLE_GROUP = re.compile(
    r"\b(?:ieder|elk|alle)\s+(?:kind|kinderen|leerling|leerlingen|jongere|jongeren|peuter|peuters|"
    r"school|scholen|ouder|ouders|gezin|gezinnen)\b",
    re.IGNORECASE,
)
AIM = re.compile(
    r"\b(?:streeft|streven|streefwaarde|streefcijfer|doel(?:stelling)?\s+is|willen|beogen)\b",
    re.IGNORECASE,
)
FOLLOW_UP = re.compile(r"^(?:van hen|daarvan|hiervan|van die)\b", re.IGNORECASE)


# A sentence that gives the share of a part of a group another sentence defined ("Van
# de ouders die benaderd werden, werkte 98% mee", "Van hen ...", "Daarvan ..."): a step of
# a funnel under the passage's main measure, not a measure a target would be set for.
PART_OF_A_GROUP = re.compile(
    r"^(?:van\s+(?:de|het)\s+[^,.]*?\bdie\b|van hen\b|daarvan\b|hiervan\b|van die\b)",
    re.IGNORECASE,
)
# Words too common in these sentences to tell two measures apart.
_COMMON = {"gemeente", "kinderen", "streeft", "streven", "willen", "procent", "minimaal"}


def _words(text: str) -> set[str]:
    """Content words cut to six letters, so that "biedt" and "bieden" meet."""
    return {word[:6] for word in re.findall(r"[a-zà-ÿ]{5,}", text.lower()) if word not in _COMMON}


def combine(found: list[Found]) -> list[Found]:
    """A nulmeting and a streefwaarde of one measure in one passage are one indicator:
    Dutch policy texts state them in sentences of their own ("In 2019 bezocht 72% van de
    kinderen ... . De gemeente streeft naar een bereik van 90% in 2021."). A target
    without a baseline joins the earlier baseline without a target of the same unit that
    shares most words with it; when none shares a word, the nearest one before it, unless
    another target stands between them or that baseline is only a part of a group
    (``PART_OF_A_GROUP``), which is passed over to the measure it belongs to."""
    result: list[Found] = list(found)
    for target in found:
        if target.baseline_value is not None or target.target_value is None:
            continue
        at = result.index(target)
        before = result[:at]
        candidates = [
            item
            for item in before
            if item.unit == target.unit
            and item.target_value is None
            and item.baseline_value is not None
        ]
        if not candidates:
            continue
        wanted = _words(re.sub(r"\d+(?:[.,]\d+)?\s?%?", " ", target.text))
        scored = [(len(wanted & _words(item.name)), item) for item in candidates]
        best_count = max(count for count, _item in scored)
        baseline = None
        if best_count:
            baseline = next(item for count, item in scored if count == best_count)
        else:
            for item in reversed(before):
                if item.target_value is not None:
                    break  # another target between: it is not this one's baseline
                if item in candidates and not PART_OF_A_GROUP.match(item.text):
                    baseline = item
                    break
        if baseline is None:
            continue
        joined = Found(
            baseline.name,
            baseline.unit,
            baseline.baseline_value,
            baseline.baseline_year,
            target.target_value,
            target.target_year,
            baseline.text if baseline.text == target.text else f"{baseline.text} {target.text}",
            "nulmeting en streefwaarde in één passage",
        )
        result[result.index(baseline)] = joined
        result.remove(target)
    return result


# "wordt uitgebreid naar gemiddeld 8 uur per week", "stijgt tot 85%", "daalt naar 12":
# a change of a measure to a figure is its target.
CHANGE_TO = re.compile(
    r"\b(?:uitgebreid|uitbreiden|verhoogd|verhogen|verlaagd|verlagen|teruggebracht|"
    r"terugbrengen|gestegen|stijgt|stijgen|daalt|dalen|gedaald|groeit|groeien|gegroeid|"
    r"toenemen|neemt\s+toe|afnemen|neemt\s+af)\s+(?:naar|tot)\s+"
    r"(?:gemiddeld|minimaal|maximaal|ten minste|tenminste|minstens|ruim|circa)?\s*"
    + NUMBER
    + r"\s?(%|procent|uur|uren)?",
    re.IGNORECASE,
)
# "minimaal 80%", "ten minste 40 scholen", "maximaal 10 thuiszitters": a bound is a target.
BOUND = re.compile(
    r"\b(minimaal|minstens|ten minste|tenminste|maximaal|ten hoogste|hooguit)\s+"
    + NUMBER
    # "minimaal 1 keer per jaar" is how often something is done, a plan, not a measure.
    + r"\s?(%|procent|uur|uren|(?!keer\b|maal\b|per\b|jaar\b|weken\b|maanden\b)[a-zà-ÿ]{4,})",
    re.IGNORECASE,
)
# What a document says is provided now: "is 6 uur per week beschikbaar", "ontvangen per
# week 12 uur". Not an indicator by itself; the current value of a target set near it.
CURRENT = re.compile(
    r"(?<![\d,.])" + NUMBER + r"\s?(uur|uren)\s+per\s+(?:week|dag|maand)"
    r"|\bper\s+(?:week|dag|maand)\s+(?<![\d,.])" + NUMBER + r"\s?(uur|uren)\b",
    re.IGNORECASE,
)


def _unit(word: str | None) -> str:
    word = (word or "").lower()
    if word in ("%", "procent"):
        return "percentage"
    if word in ("uur", "uren"):
        return "hours"
    return "count"


def _years_by_sentence(parts: list[str]) -> list[int | None]:
    """Each sentence's year, or else the nearest year of the passage around it: "In
    Maassluis gaat de uitbreiding op 1 augustus 2020 in" dates the sentences beside it."""
    own = [_year_near(part) for part in parts]
    near: list[int | None] = []
    for index, year in enumerate(own):
        if year is None:
            for distance in (1, 2):
                for other in (index - distance, index + distance):
                    if 0 <= other < len(own) and own[other] is not None and year is None:
                        year = own[other]
        near.append(year)
    return near


def current_values(text: str) -> list[Found]:
    """The figures of provision a text states without a year or an aim: the baseline of
    a target of the same unit and subject near it (``Builder`` pairs them)."""
    found = []
    for sentence in sentences(text):
        if AIM.search(sentence) or CHANGE_TO.search(sentence) or _year_near(sentence):
            continue
        for match in CURRENT.finditer(sentence):
            value, unit = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
            found.append(
                Found(
                    sentence[:200],
                    _unit(unit),
                    _number(value),
                    None,
                    None,
                    None,
                    sentence,
                    "huidige waarde",
                )
            )
    return found


def pair_current_values(targets: list[Found], values: list[Found]) -> list[tuple[Found, Found]]:
    """Targets without a baseline and current values of the same unit, paired one to one,
    the pair that shares most words first; a pair that shares no word is no pair."""
    scored = []
    for target in targets:
        for value in values:
            if target.unit != value.unit or target.baseline_value is not None:
                continue
            shared = len(_words(target.text) & _words(value.text))
            if shared:
                scored.append((-shared, targets.index(target), values.index(value)))
    pairs, used_targets, used_values = [], set(), set()
    for _shared, t, v in sorted(scored):
        if t in used_targets or v in used_values:
            continue
        used_targets.add(t)
        used_values.add(v)
        pairs.append((targets[t], values[v]))
    return pairs


def find_indicators(text: str) -> list[Found]:
    return combine(_find_indicators(text))


def _find_indicators(text: str) -> list[Found]:
    found: list[Found] = []
    last_year: int | None = None
    parts = sentences(text)
    years = _years_by_sentence(parts)
    for index, sentence in enumerate(parts):
        year = _year_near(sentence)
        # "van 12 naar 16 uur in 2020", "van 72% naar 90%": baseline and target in one.
        # With one year, it is the target's: the baseline is the year before it.
        match = re.search(
            r"\bvan\s+"
            + NUMBER
            + r"\s?(%|procent|uur|uren)?\s+naar\s+"
            + NUMBER
            + r"\s?(%|procent|uur|uren)?\b",
            sentence,
            re.IGNORECASE,
        )
        if match:
            unit = _unit(match.group(4) or match.group(2))
            years = [int(y) for y in re.findall(r"\b(20\d\d)\b", sentence)]
            target_year = years[-1] if years else None
            baseline_year = (
                years[0] if len(years) > 1 else (target_year - 1 if target_year else None)
            )
            found.append(
                Found(
                    _name(sentence, match) if unit == "percentage" else sentence[:200],
                    unit,
                    _number(match.group(1)),
                    baseline_year,
                    _number(match.group(3)),
                    target_year,
                    sentence,
                    "van X naar Y",
                )
            )
            continue
        # A target: "streeft naar (een bereik van) 90% in 2021", "doel is 95% in 2022".
        match = re.search(AIM.pattern + r"[^.%]*?\b" + PERCENT, sentence, re.IGNORECASE)
        if match:
            after = _year_near(sentence[match.start() :])
            found.append(
                Found(
                    _name(sentence, match),
                    "percentage",
                    None,
                    None,
                    _number(match.group(1)),
                    after or year,
                    sentence,
                    "streeft naar X% in jaar",
                )
            )
            continue
        # "Doel is dat ieder kind in 2023 ...": a target of everyone, 100%.
        match = AIM.search(sentence)
        if match and WHOLE_GROUP.search(sentence) and year and "%" not in sentence:
            found.append(
                Found(
                    sentence[:200],
                    "percentage",
                    None,
                    None,
                    100,
                    year,
                    sentence,
                    "doel: ieder kind in jaar",
                )
            )
            continue
        # "wordt uitgebreid naar gemiddeld 8 uur per week", "stijgt tot 85% in 2026".
        match = CHANGE_TO.search(sentence)
        if match and not (
            match.group(2) is None and re.fullmatch(r"(?:19|20)\d\d", match.group(1))
        ):
            unit = _unit(match.group(2))
            found.append(
                Found(
                    _name(sentence, match) if unit == "percentage" else sentence[:200],
                    unit,
                    None,
                    None,
                    _number(match.group(1)),
                    year if year is not None else years[index],
                    sentence,
                    "verandert naar X",
                )
            )
            continue
        # "minimaal 80%", "minstens 80% van de peuters", "ten minste 40 scholen",
        # "maximaal 10 thuiszitters".
        match = BOUND.search(sentence)
        if match and not re.fullmatch(r"(?:19|20)\d\d", match.group(2)):
            unit = _unit(match.group(3))
            found.append(
                Found(
                    _name(sentence, match) if unit == "percentage" else sentence[:200],
                    unit,
                    None,
                    None,
                    _number(match.group(2)),
                    year,
                    sentence,
                    "minimaal X%" if unit == "percentage" else "minimaal of maximaal X",
                )
            )
            continue
        # A baseline: "In 2019 bezocht 72% van de kinderen ...", "nulmeting (2020): 64%";
        # every figure of the sentence ("..., tegenover 63% van de basisscholen").
        match = re.search(
            r"\b(?:in|nulmeting|peiljaar|per)\s*\(?(20\d\d)\)?\b[^.%]*?\b" + PERCENT,
            sentence,
            re.IGNORECASE,
        )
        follow = FOLLOW_UP.match(sentence) and last_year is not None
        if match or follow:
            baseline_year = int(match.group(1)) if match else last_year
            for figure in re.finditer(PERCENT, sentence):
                found.append(
                    Found(
                        _name(sentence, figure),
                        "percentage",
                        _number(figure.group(1)),
                        baseline_year,
                        None,
                        None,
                        sentence,
                        "in jaar X%" if match else "van hen X%",
                    )
                )
            last_year = baseline_year
    return found
