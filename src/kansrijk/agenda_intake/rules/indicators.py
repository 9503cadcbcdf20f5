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


def find_indicators(text: str) -> list[Found]:
    found: list[Found] = []
    for sentence in sentences(text):
        # "van 12 naar 16", "van 72% naar 90%": baseline and target in one.
        match = re.search(
            r"\bvan\s+" + NUMBER + r"\s?(%|procent)?\s+naar\s+" + NUMBER + r"\s?(%|procent)?",
            sentence,
            re.I,
        )
        if match:
            unit = "percentage" if (match.group(2) or match.group(4)) else "count"
            years = [int(y) for y in re.findall(r"\b(20\d\d)\b", sentence)]
            found.append(
                Found(
                    _name(sentence, match) if unit == "percentage" else sentence[:200],
                    unit,
                    _number(match.group(1)),
                    years[0] if len(years) > 1 else None,
                    _number(match.group(3)),
                    years[-1] if years else None,
                    sentence,
                    "van X naar Y",
                )
            )
            continue
        # A target: "streeft naar (een bereik van) 90% in 2021", "doel is 95% in 2022".
        match = re.search(
            r"\b(?:streeft|streven|streefwaarde|streefcijfer|doel(?:stelling)?\s+is|willen|beogen)\b[^.%]*?\b"
            + PERCENT,
            sentence,
            re.I,
        )
        if match:
            found.append(
                Found(
                    _name(sentence, match),
                    "percentage",
                    None,
                    None,
                    _number(match.group(1)),
                    _year_near(sentence[match.start() :]) or _year_near(sentence),
                    sentence,
                    "streeft naar X% in jaar",
                )
            )
            continue
        # "minimaal 80%", "minstens 80% van de peuters", "ten minste 90%".
        match = re.search(
            r"\b(?:minimaal|minstens|ten minste|tenminste|ruim|meer dan)\s+" + PERCENT,
            sentence,
            re.I,
        )
        if match:
            found.append(
                Found(
                    _name(sentence, match),
                    "percentage",
                    None,
                    None,
                    _number(match.group(1)),
                    _year_near(sentence),
                    sentence,
                    "minimaal X%",
                )
            )
            continue
        # A baseline: "In 2019 bezocht 72% van de kinderen ...", "nulmeting (2020): 64%".
        match = re.search(
            r"\b(?:in|nulmeting|peiljaar|per)\s*\(?(20\d\d)\)?\b[^.%]*?\b" + PERCENT, sentence, re.I
        )
        if match and not re.search(r"\bvan\s+(?:de|het)?\s*\w+\s+die\b.*\bwerkte\b", sentence):
            found.append(
                Found(
                    _name(sentence, match),
                    "percentage",
                    _number(match.group(2)),
                    int(match.group(1)),
                    None,
                    None,
                    sentence,
                    "in jaar X%",
                )
            )
    return found
