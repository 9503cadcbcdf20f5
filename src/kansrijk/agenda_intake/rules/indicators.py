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


def find_indicators(text: str) -> list[Found]:
    found: list[Found] = []
    last_year: int | None = None
    for sentence in sentences(text):
        year = _year_near(sentence)
        # "van 12 naar 16 uur in 2020", "van 72% naar 90%": baseline and target in one.
        # With one year, it is the target's: the baseline is the year before it.
        match = re.search(
            r"\bvan\s+" + NUMBER + r"\s?(%|procent)?\s+naar\s+" + NUMBER + r"\s?(%|procent)?",
            sentence,
            re.IGNORECASE,
        )
        if match:
            unit = "percentage" if (match.group(2) or match.group(4)) else "count"
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
        # "minimaal 80%", "minstens 80% van de peuters", "ten minste 90%".
        match = re.search(
            r"\b(?:minimaal|minstens|ten minste|tenminste)\s+" + PERCENT, sentence, re.IGNORECASE
        )
        if match:
            found.append(
                Found(
                    _name(sentence, match),
                    "percentage",
                    None,
                    None,
                    _number(match.group(1)),
                    year,
                    sentence,
                    "minimaal X%",
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
