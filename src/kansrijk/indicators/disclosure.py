"""The disclosure boundary of the monitor: how each figure may be shown, and to whom.

Every surface that shows a measurement — the pages and their charts, the CSV, XLSX and
SDMX exports, the council report (PDF and DOCX) and the API — asks a ``Disclosure`` for
the figure as its viewer may see it, and never formats a count of its own.

Who sees the detail (the figures as entered, also those not yet approved): the
beleidsmedewerkers and beheerders of the indicator's owner (``indicators.change_indicator``)
and, for its own figures, the organisation that submitted them. Nobody sees the detail of
an indicator that counts people in the thuiszitters register or the sociale kaart
(``computed.counts_people``): those figures leave their module only as published
aggregates, for the owner too, as the register's own reports do. The council report is
a publication and always gets the published figures (``public=True``).

What everyone else sees: the figures through ``suppression``, with one mask per indicator
and period computed over *every* approved figure of that period — not over the rows the
surface happens to show — so the indicator page, the dashboard, the exports and the API
hide the same cells. The lines of that mask are the ones a reader could add up: the
categories of a breakdown with their total, the gemeenten of a region with the region's
figure (by the memberships valid on the first day of the period), the schools of an SWV
or of a gemeente with its figure. A count below the threshold reads "<5", a figure
hidden to protect it "." (docs/small-numbers.md).

Texts about figures: a generated story never holds a number (the computed indicators
write none); a story typed by a person is withheld beside a hidden figure when it holds
any number, and an entry form warns when a story for a public figure names a small one
(``small_numbers_in``). The status of an indicator whose latest figure is hidden is
"afgeschermd", without the figures that would give it away.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from kansrijk.organisations.models import Membership, RegionMembership

from . import computed, suppression
from .models import ApprovalStatus, Indicator, Measurement, Unit

NUMERATOR = "n"
DENOMINATOR = "d"


@dataclass(frozen=True)
class Part:
    """One number of a figure as it may leave: the machine value (``None`` when hidden or
    absent), the text the Dutch read ("1.234", "72%", "<5", ".", "–") and the marker of a
    hidden part ("<5" or ".")."""

    number: Decimal | None
    text: str
    marker: str = ""

    @property
    def hidden(self) -> bool:
        return bool(self.marker)

    @property
    def published(self):
        """For a table cell of an export: the number, or the marker, or empty."""
        if self.marker:
            return self.marker
        return self.number


NO_PART = Part(None, suppression.NO_FIGURE)


@dataclass(frozen=True)
class Figure:
    """A measurement as one viewer may see it."""

    measurement: Measurement
    value: Part
    numerator: Part
    denominator: Part
    story: str
    story_withheld: bool = False
    detail: bool = False

    @property
    def hidden(self) -> bool:
        return self.value.hidden

    @property
    def markers(self) -> set[str]:
        return {part.marker for part in (self.value, self.numerator, self.denominator)} - {""}

    @property
    def chart_value(self):
        """What a chart plots: the number, or the marker for the table beside it."""
        return self.value.marker or self.value.number


@dataclass
class _Mask:
    """The hidden parts of one indicator in one period: {(measurement pk, part): marker}."""

    markers: dict = field(default_factory=dict)


# ------------------------------------------------------------------ texts about figures

# A number in a text: digits, with Dutch thousands dots or a decimal comma.
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?![\w])|(?<![\w.,])\d+(?:,\d+)?(?![\w])")
_DIGIT = re.compile(r"\d")


def small_numbers_in(text: str, threshold: int) -> list[str]:
    """The whole numbers below ``threshold`` that a text names ("3 kinderen"), for the
    warning on a story that will be public. Parts of a date or a period (12-3-2024,
    2023/2024, 1 januari) and numbers with a decimal comma are not counts."""
    found = []
    months = (
        "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    )
    for match in _NUMBER.finditer(text or ""):
        token = match.group()
        before = text[max(match.start() - 1, 0) : match.start()]
        after = text[match.end() : match.end() + 12]
        if "," in token or (before in "-/" and before) or after[:1] in ("-", "/"):
            continue
        if re.match(rf"\s*({months})\b", after, re.IGNORECASE):
            continue
        if after.lstrip().startswith("%"):
            continue
        if int(token.replace(".", "")) < threshold:
            found.append(token)
    return found


def small_number_warning(text: str, threshold: int) -> str:
    """The warning for a story about a figure that will be public, or "" when it names no
    small number."""
    found = small_numbers_in(text, threshold)
    if not found:
        return ""
    return _(
        "Het verhaal noemt %(numbers)s: een aantal onder de %(threshold)s. Dit cijfer wordt "
        "openbaar, en zo'n klein aantal kan een kind of gezin herkenbaar maken. Schrijf het "
        "verhaal zonder dat getal."
    ) % {"numbers": ", ".join(dict.fromkeys(found)), "threshold": threshold}


def has_number(text: str) -> bool:
    return bool(_DIGIT.search(text or ""))


# ------------------------------------------------------------------ the boundary


class Disclosure:
    """The figures of the monitor as one viewer may see them.

    ``user`` is the viewer (``None``: the command line, which sees what the owner sees);
    ``public=True`` gives the published figures whoever asks (the public dashboard, the
    council report). Masks are read once per indicator and period and kept for the
    lifetime of the object: make one per request or document."""

    def __init__(self, user=None, *, public: bool = False):
        self.user = user
        self.public = public
        self._entitled: dict[int, bool] = {}
        self._masks: dict[tuple, _Mask] = {}
        self._own_organisations: set[int] | None = None

    # -------------------------------------------------------------- who sees detail

    def entitled(self, indicator: Indicator) -> bool:
        """May the viewer see this indicator's figures as entered?"""
        if indicator.pk not in self._entitled:
            self._entitled[indicator.pk] = self._is_entitled(indicator)
        return self._entitled[indicator.pk]

    def _is_entitled(self, indicator: Indicator) -> bool:
        if self.public or computed.counts_people(indicator.computed_key):
            return False
        if self.user is None:
            return True
        if not self.user.is_authenticated:
            return False
        return self.user.has_perm("indicators.change_indicator", indicator)

    def _own(self) -> set[int]:
        if self._own_organisations is None:
            user = self.user
            self._own_organisations = (
                set(Membership.objects.organisation_ids_of(user))
                if user is not None and user.is_authenticated and not self.public
                else set()
            )
        return self._own_organisations

    def sees_detail(self, measurement: Measurement) -> bool:
        indicator = measurement.indicator
        if self.entitled(indicator):
            return True
        if computed.counts_people(indicator.computed_key) or self.public:
            return False
        return measurement.organisation_id is not None and measurement.organisation_id in (
            self._own()
        )

    # -------------------------------------------------------------- figures

    def figure(self, measurement: Measurement) -> Figure:
        return self.figures([measurement])[0]

    def figures(self, measurements) -> list[Figure]:
        """Each measurement as the viewer may see it; the masks of their periods are read
        in one query for all of them."""
        measurements = list(measurements)
        self._load_masks(
            m for m in measurements if not self.sees_detail(m) and _is_suppressible(m.indicator)
        )
        return [self._figure(m) for m in measurements]

    def _figure(self, m: Measurement) -> Figure:
        indicator = m.indicator
        if self.sees_detail(m):
            return Figure(
                measurement=m,
                value=_value_part(m),
                numerator=_count_part(m.numerator),
                denominator=_count_part(m.denominator),
                story=m.story,
                detail=True,
            )
        threshold = indicator.suppression_threshold
        if not _is_suppressible(indicator):
            value = _value_part(m)
            numerator, denominator = _count_part(m.numerator), _count_part(m.denominator)
        else:
            mask = self._masks.get(_group_key(m), _Mask()).markers
            if m.approval != ApprovalStatus.APPROVED:
                # Never part of a published table: only its own small-number rule.
                mask = _primary_markers(m, threshold)
            numerator_marker = mask.get((m.pk, NUMERATOR), "")
            denominator_marker = mask.get((m.pk, DENOMINATOR), "")
            numerator = _hidden_or(_count_part(m.numerator), numerator_marker)
            denominator = _hidden_or(_count_part(m.denominator), denominator_marker)
            value_marker = ""
            if numerator_marker or denominator_marker:
                value_marker = suppression.suppressed_label(threshold)
                if suppression.SECONDARY_MARKER in (numerator_marker, denominator_marker) and (
                    suppression.suppressed_label(threshold)
                    not in (numerator_marker, denominator_marker)
                ):
                    value_marker = suppression.SECONDARY_MARKER
            value = _hidden_or(_value_part(m), value_marker)
            if not _is_rate_figure(m):
                # A count: its value is its numerator.
                numerator = denominator = NO_PART
        story, withheld = m.story, False
        hidden = value.hidden or numerator.hidden or denominator.hidden
        if hidden and has_number(story):
            story, withheld = "", True
        return Figure(
            measurement=m,
            value=value,
            numerator=numerator,
            denominator=denominator,
            story=story,
            story_withheld=withheld,
        )

    # -------------------------------------------------------------- masks

    def _load_masks(self, measurements) -> None:
        wanted = {_group_key(m): m.indicator for m in measurements}
        missing = {key: indicator for key, indicator in wanted.items() if key not in self._masks}
        if not missing:
            return
        condition = Q()
        for indicator_id, start, end in missing:
            condition |= Q(indicator_id=indicator_id, period_start=start, period_end=end)
        rows = list(
            Measurement.objects.approved()
            .filter(condition)
            .values(
                "pk",
                "indicator_id",
                "period_start",
                "period_end",
                "region_id",
                "organisation_id",
                "organisation__kind",
                "organisation__partnership_id",
                "organisation__municipality_id",
                "breakdown_key",
                "breakdown_value",
                "value",
                "numerator",
                "denominator",
                "withheld",
            )
            .order_by("period_start", "region__code", "organisation__code", "pk")
        )
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for row in rows:
            groups[(row["indicator_id"], row["period_start"], row["period_end"])].append(row)
        region_ids = {row["region_id"] for row in rows if row["region_id"]}
        memberships = list(
            RegionMembership.objects.filter(
                child_id__in=region_ids, parent_id__in=region_ids
            ).values("child_id", "parent_id", "valid_from", "valid_to")
        )
        for key, indicator in missing.items():
            self._masks[key] = _mask_of(indicator, groups.get(key, []), memberships, key[1])


def _group_key(m: Measurement) -> tuple:
    return (m.indicator_id, m.period_start, m.period_end)


def _is_suppressible(indicator: Indicator) -> bool:
    """Counts of people and rates built on them; hours, euros, scores and percentages
    from a source without their counts are not subject to the small-number rule."""
    return indicator.unit == Unit.COUNT or indicator.is_rate


def _is_rate_figure(m) -> bool:
    return m.numerator is not None and bool(m.denominator)


def _primary_markers(m: Measurement, threshold: int) -> dict:
    markers = {}
    numerator = m.numerator if _is_rate_figure(m) else m.value
    if numerator is not None and numerator < threshold:
        markers[(m.pk, NUMERATOR)] = suppression.suppressed_label(threshold)
    if _is_rate_figure(m) and m.denominator < threshold:
        markers[(m.pk, DENOMINATOR)] = suppression.suppressed_label(threshold)
        markers.setdefault((m.pk, NUMERATOR), suppression.suppressed_label(threshold))
    return markers


def _mask_of(indicator: Indicator, rows: list[dict], memberships: list[dict], day) -> _Mask:
    """Primary and secondary suppression over every approved figure of one indicator in
    one period, numerators and denominators each along the lines a reader can add up."""
    threshold = indicator.suppression_threshold
    parents: dict[int, set[int]] = defaultdict(set)
    for link in memberships:
        if (link["valid_from"] is None or link["valid_from"] <= day) and (
            link["valid_to"] is None or link["valid_to"] > day
        ):
            parents[link["child_id"]].add(link["parent_id"])

    by_cell: dict[tuple, int] = {}  # (scope, breakdown key, breakdown value) → pk
    for row in rows:
        scope = ("r", row["region_id"]) if row["region_id"] else ("o", row["organisation_id"])
        by_cell[(scope, row["breakdown_key"], row["breakdown_value"])] = row["pk"]

    lines: list[tuple[list, object]] = []
    # The categories of a breakdown add up to the total of their scope.
    breakdowns: dict[tuple, list[int]] = defaultdict(list)
    for (scope, key, _value), pk in by_cell.items():
        if key:
            breakdowns[(scope, key)].append(pk)
    for (scope, _key), members in breakdowns.items():
        total = by_cell.get((scope, "", ""))
        if total is not None:
            lines.append((members, total))
    # Gemeenten add up to their region; schools to their SWV and to their gemeente.
    children: dict[tuple, list[int]] = defaultdict(list)
    for row in rows:
        cell = (row["breakdown_key"], row["breakdown_value"])
        if row["region_id"]:
            for parent in parents.get(row["region_id"], ()):
                children[(("r", parent), *cell)].append(row["pk"])
        elif row["organisation_id"]:
            if row["organisation__partnership_id"]:
                children[(("o", row["organisation__partnership_id"]), *cell)].append(row["pk"])
            if row["organisation__municipality_id"]:
                children[(("r", row["organisation__municipality_id"]), *cell)].append(row["pk"])
    for (scope, key, value), members in children.items():
        total = by_cell.get((scope, key, value))
        if total is not None and members:
            lines.append((members, total))

    markers: dict = {}
    # Figures the module with the data withheld to protect a count published elsewhere.
    withheld = {row["pk"] for row in rows if row["withheld"]}
    rate_rows = [row for row in rows if row["numerator"] is not None and row["denominator"]]
    if rate_rows:
        numerators = {row["pk"]: row["numerator"] for row in rate_rows}
        denominators = {row["pk"]: row["denominator"] for row in rate_rows}
        hidden_d = _hide(denominators, lines, threshold)
        # A small denominator hides its numerator too (it is no larger).
        small_d = {pk for pk, denominator in denominators.items() if denominator < threshold}
        hidden_n = _hide(numerators, lines, threshold, also_hidden=small_d | withheld)
        for pk in hidden_n:
            markers[(pk, NUMERATOR)] = suppression.marker_for(
                min(numerators[pk], denominators[pk]), threshold
            )
        for pk in hidden_d:
            markers[(pk, DENOMINATOR)] = suppression.marker_for(denominators[pk], threshold)
    count_rows = {
        row["pk"]: row["value"]
        for row in rows
        if row["value"] is not None and not (row["numerator"] is not None and row["denominator"])
    }
    if count_rows and indicator.unit == Unit.COUNT:
        for pk in _hide(count_rows, lines, threshold, also_hidden=withheld):
            markers[(pk, NUMERATOR)] = suppression.marker_for(count_rows[pk], threshold)
    return _Mask(markers)


def _hide(
    values: dict[int, Decimal], lines: list, threshold: int, also_hidden=frozenset()
) -> set[int]:
    """``suppress_lines`` over the lines whose members and total have a value here."""
    usable = []
    for members, total in lines:
        present = [pk for pk in members if pk in values]
        if present and total in values:
            usable.append((present, total))
    return suppression.suppress_lines(
        dict(values), usable, threshold=threshold, also_hidden=also_hidden
    )


# ------------------------------------------------------------------ parts


def _count_part(number) -> Part:
    if number is None:
        return NO_PART
    number = _machine(number)
    return Part(number, suppression.format_decimal(number))


def _value_part(m: Measurement) -> Part:
    indicator = m.indicator
    if _is_rate_figure(m):
        ratio = Decimal(m.numerator) / Decimal(m.denominator)
        if indicator.unit == Unit.PERCENTAGE:
            ratio *= 100
        number = ratio.quantize(Decimal(1).scaleb(-max(indicator.decimals, 1)), ROUND_HALF_UP)
        return Part(
            _machine(number),
            suppression.publish_value(ratio, unit=indicator.unit, decimals=indicator.decimals),
        )
    if m.value is None:
        return NO_PART
    return Part(
        _machine(m.value),
        suppression.publish_value(m.value, unit=indicator.unit, decimals=indicator.decimals),
    )


def _hidden_or(part: Part, marker: str) -> Part:
    if not marker or part.number is None:
        return part
    return Part(None, marker, marker)


def _machine(value) -> Decimal:
    """A number as a machine reads it: 4730, 6.6 — no trailing zeros, no exponent."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# ------------------------------------------------------------------ status


def suppressed_status(status):
    """The status of an indicator whose latest figure is hidden from the viewer: no
    verdict (it would tell which side of the target a small number lies) and no figure."""
    from .status import IndicatorStatus

    return IndicatorStatus(
        code="suppressed",
        label=_("afgeschermd"),
        latest_value=None,
        expected_value=None,
        target=status.target,
        baseline=None,
        explanation=_(
            "Het laatste cijfer is een klein aantal of beschermt er een. Om niemand "
            "herkenbaar te maken tonen we het niet, en ook geen status."
        ),
        latest_period=status.latest_period,
        target_date=status.target_date,
    )


def status_for(disclosure: Disclosure, status):
    """``status`` as the viewer may see it: "afgeschermd" when the latest figure it was
    made from, or the nulmeting its explanation names, is hidden from the viewer."""
    if status is None or status.latest is None:
        return status
    if disclosure.figure(status.latest).hidden:
        return suppressed_status(status)
    baseline = status.baseline_record
    if (
        baseline is not None
        and not disclosure.entitled(baseline.indicator)
        and suppression.is_marker(suppression.publish_measurement(baseline))
    ):
        return suppressed_status(status)
    return status


__all__ = [
    "Disclosure",
    "Figure",
    "Part",
    "has_number",
    "small_number_warning",
    "small_numbers_in",
    "status_for",
    "suppressed_status",
]
