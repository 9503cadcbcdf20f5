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


TOTAL = re.compile(r"\b(?:totaal|totale|in totaal|totaalbedrag|begroting van)\b", re.I)
REMAINDER = re.compile(
    r"\b(?:resterend(?:e)?\s+(?:bedrag|deel|kosten)|het restant|de rest|het overige deel|"
    r"de overige kosten)\b",
    re.I,
)


def _clause_before(text: str, position: int) -> str:
    """The words of the clause up to ``position``: from the last ';', line break or
    sentence end (a full stop followed by a space, so "350.000" is no end)."""
    start = max(text.rfind(";", 0, position), text.rfind("\n", 0, position))
    end_of_sentence = max(text.rfind(". ", 0, position), -1)
    return text[max(start, end_of_sentence) + 1 : position]


def find_amounts(text: str, *, context: str = "") -> list[Amount]:
    """The funding a text names. A total split into shares ("Totale kosten € 350.000;
    aandeel gemeente € 150.000; resterend bedrag via eigen bijdrage") is no funding line
    of its own: counting it would count the shares twice. Its remainder, named but not
    written, is the total less the shares, from the source its clause names."""
    found = _find_amounts(text, context=context)
    totals = [amount for amount in found if amount.rule == "totaal"]
    if not totals or len(found) == len(totals):
        for amount in totals:
            amount.rule = "bedrag in euro"
        return found
    shares = [amount for amount in found if amount.rule != "totaal"]
    if len(totals) == 1:
        total = totals[0]
        remainder = REMAINDER.search(text)
        rest = total.amount - sum(amount.amount for amount in shares)
        if remainder and rest > 0:
            end = text.find(".", remainder.end())
            clause = text[remainder.start() : end if end != -1 else len(text)]
            source = next(
                (name for pattern, name in SOURCES if re.search(pattern, clause, re.I)), "other"
            )
            shares.append(
                Amount(
                    amount=rest,
                    is_estimate=total.is_estimate,
                    per_year=total.per_year,
                    year=total.year,
                    source=source,
                    text=remainder.group(0),
                    rule="restant van een totaal",
                )
            )
    return shares


def _find_amounts(text: str, *, context: str = "") -> list[Amount]:
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
        # The words around the amount say what it is for: first its own clause after it
        # ("€ 30.000 uit het onderwijsbudget, het SWV € 25.000"), then the clause before
        # it, then its sentence. A sentence ends at a full stop and a space, so that the
        # dot of "350.000" ends none.
        start = text.rfind(". ", 0, match.start())
        end = text.find(". ", match.end())
        sentence = text[start + 1 : end if end != -1 else len(text)]
        after = re.split(r"[,;\n€]|\. ", text[match.end() :], maxsplit=1)[0]
        words = sentence + " " + context
        source = next(
            (
                name
                for part in (after, _clause_before(text, match.start()), sentence)
                for pattern, name in SOURCES
                if re.search(pattern, part, re.I)
            ),
            None,
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
                rule="totaal"
                if TOTAL.search(_clause_before(text, match.start()))
                else "bedrag in euro",
            )
        )
    return found
