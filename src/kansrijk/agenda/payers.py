"""Who pays what: the cost of each intervention or activity split per paying
organisation (``FundingLine.payer``) and per year, summed by the database.

A line without a payer is money whose source the agenda names without saying which
organisation pays it ("eigen bijdrage vanuit deelnemende partners"): it is shown as such,
per source, never spread over the partners by a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from .models import FundingSource


@dataclass
class PayerRow:
    label: str
    named: bool  # False: the agenda does not say which organisation pays
    by_year: dict[int, Decimal] = field(default_factory=dict)
    estimates: bool = False

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), Decimal(0))


@dataclass
class PayerSplit:
    """One funded item (intervention or activity) with its payers down and years across."""

    kind: str  # "intervention" or "activity"
    external_id: str
    name: str
    years: list[int]
    rows: list[PayerRow]

    def cells(self, row: PayerRow) -> list[Decimal | None]:
        return [row.by_year.get(year) for year in self.years]

    @property
    def year_totals(self) -> list[Decimal]:
        return [
            sum((r.by_year.get(y, Decimal(0)) for r in self.rows), Decimal(0)) for y in self.years
        ]

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.rows), Decimal(0))

    @property
    def estimates(self) -> bool:
        return any(row.estimates for row in self.rows)

    @property
    def table_rows(self) -> list[dict]:
        return [{"row": row, "cells": self.cells(row)} for row in self.rows]


def split_by_payer(lines: QuerySet) -> list[PayerSplit]:
    """The funding ``lines`` (a FundingLine queryset) per funded item, payer and year;
    items in the agenda's order, named payers first (by amount), unnamed ones after."""
    sums = (
        lines.values(
            "intervention__external_id",
            "intervention__name",
            "intervention__position",
            "activity__external_id",
            "activity__title",
            "activity__position",
            "payer_id",
            "payer__name",
            "source",
            "year",
        )
        .annotate(planned=Sum("planned_amount"), estimates=Count("pk", filter=Q(is_estimate=True)))
        .order_by()
    )
    source_labels = dict(FundingSource.choices)
    splits: dict[tuple[str, str], PayerSplit] = {}
    order: dict[tuple[str, str], tuple] = {}
    for row in sums:
        if row["intervention__external_id"] is not None:
            key = ("intervention", row["intervention__external_id"])
            name, position = row["intervention__name"], row["intervention__position"]
        else:
            key = ("activity", row["activity__external_id"])
            name, position = row["activity__title"], row["activity__position"]
        split = splits.setdefault(key, PayerSplit(key[0], key[1], name, [], []))
        order[key] = (key[0] != "intervention", position, key[1])
        if row["payer_id"] is not None:
            label, named = row["payer__name"], True
        else:
            label = _("%(source)s: niet vastgelegd wie betaalt") % {
                "source": source_labels.get(row["source"], row["source"])
            }
            named = False
        payer = next((r for r in split.rows if (r.label, r.named) == (label, named)), None)
        if payer is None:
            payer = PayerRow(label, named)
            split.rows.append(payer)
        payer.by_year[row["year"]] = payer.by_year.get(row["year"], Decimal(0)) + row["planned"]
        payer.estimates |= row["estimates"] > 0
    for split in splits.values():
        split.years = sorted({year for row in split.rows for year in row.by_year})
        split.rows.sort(key=lambda r: (not r.named, -r.total, r.label))
    return [splits[key] for key in sorted(splits, key=order.get)]
