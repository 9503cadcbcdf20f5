"""Amounts with their source and year: "€ 25.000", "€ 1,2 miljoen", "circa € 40.000 per
jaar uit de onderwijsachterstandenmiddelen (OAB)"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

AMOUNT = re.compile(
    r"(?:(circa|ca\.|ongeveer|ruim|maximaal|bijna)\s+)?(?:€|EUR|euro)\s?"
    r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}|-))?\s*(miljoen|mln\.?|duizend|k)?(?![\d])",
    re.IGNORECASE,
)
# The source words of the funding table's sources, most specific first.
SOURCES = (
    (r"\bGKA\b|gelijke kansen alliantie", "gka"),
    (r"\bNPO\b|nationaal programma onderwijs", "npo"),
    (r"\bOAB\b|\bOAB-|onderwijsachterstand|\bGOAB\b", "oab"),
    (r"jeugdzorg|jeugdhulp|jeugdwet", "youth_care"),
    (r"\bSWV\b|samenwerkingsverband", "swv"),
    (
        r"cofinanciering|eigen bijdrage|bijdrage van (?:de )?partners|partnerbijdrage",
        "partner_contribution",
    ),
    (r"corona", "corona"),
    (
        r"onderwijsbudget|onderwijsbegroting|gemeentelijke middelen|gemeentelijk budget",
        "municipal_education",
    ),
)


@dataclass
class Amount:
    amount: Decimal
    is_estimate: bool
    per_year: bool
    year: int | None
    source: str
    text: str
    rule: str


def find_amounts(text: str, *, context: str = "") -> list[Amount]:
    """``context``: the text around (a card's financing field, the paragraph) in which
    the source and year may stand when the sentence of the amount does not name them."""
    found = []
    for match in AMOUNT.finditer(text):
        whole = match.group(2).replace(".", "")
        cents = match.group(3) if match.group(3) and match.group(3) != "-" else ""
        amount = Decimal(whole + ("." + cents if cents else ""))
        scale = (match.group(4) or "").lower().rstrip(".")
        if scale in ("miljoen", "mln"):
            amount = (
                Decimal(match.group(2).replace(".", "") + ("." + cents if cents else ""))
                * 1_000_000
            )
        elif scale in ("duizend", "k"):
            amount *= 1000
        # The words around the amount, up to the sentence's end, say what it is for.
        start = text.rfind(".", 0, max(0, match.start() - 1))
        sentence = text[
            start + 1 : text.find(".", match.end()) if "." in text[match.end() :] else len(text)
        ]
        words = sentence + " " + context
        source = next(
            (name for pattern, name in SOURCES if re.search(pattern, sentence, re.I)), None
        )
        if source is None:
            source = next(
                (name for pattern, name in SOURCES if re.search(pattern, context, re.I)), "other"
            )
        year_match = re.search(r"\b(20\d\d)\b", sentence) or re.search(r"\b(20\d\d)\b", context)
        found.append(
            Amount(
                amount=amount.quantize(Decimal("0.01")) if amount % 1 else amount,
                is_estimate=bool(match.group(1))
                and match.group(1).lower() in ("circa", "ca.", "ongeveer", "bijna", "ruim"),
                per_year=bool(re.search(r"per jaar|jaarlijks|structureel", words, re.I)),
                year=int(year_match.group(1)) if year_match else None,
                source=source,
                text=match.group(0).strip(),
                rule="bedrag in euro",
            )
        )
    return found
