"""Seed content of the monitor: the indicators, nulmetingen and targets of the seed
documents (``demo_data/indicators.toml``, entered by hand) and the national series of the
shared reference data (``reference_data/landelijke_kengetallen_verzuim_vsv_ve.csv``).

Loading is idempotent: every figure is compared with what is stored and only saved (with
its audit record) when it differs, so a second run changes nothing and writes no audit
rows. Figures that no seed or real source gives are generated for the demo from a fixed
seed, flagged ``is_generated`` and say so in their story.
"""

from __future__ import annotations

import csv
import random
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from kansrijk import forms as shared_forms
from kansrijk.organisations.models import Organisation, OrganisationKind, Region

from . import services
from .models import (
    ApprovalStatus,
    Baseline,
    Indicator,
    Measurement,
    PeriodType,
    Polarity,
    SourceKind,
    Target,
    Unit,
)

SRC_DIR = Path(__file__).resolve().parent.parent
INDICATOR_FILE = SRC_DIR / "demo_data" / "indicators.toml"
NATIONAL_SERIES_FILE = SRC_DIR / "reference_data" / "landelijke_kengetallen_verzuim_vsv_ve.csv"

GENERATED_STORY = "Gegenereerd voor de demo: geen echt cijfer."
GENERATED_SOURCE = "demo (gegenereerd)"

INDICATOR_FIELDS = [
    "name",
    "definition",
    "unit",
    "polarity",
    "numerator_definition",
    "denominator_definition",
    "period_type",
    "breakdown_levels",
    "source_kind",
    "source_name",
    "source_url",
    "computed_key",
    "is_public",
    "decimals",
]


class IndicatorFileError(Exception):
    """The seed file refers to something that does not exist (organisation, region, goal)."""


@dataclass
class SeedReport:
    indicators_created: int = 0
    indicators_updated: int = 0
    baselines_saved: int = 0
    targets_saved: int = 0
    measurements_saved: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)

    def add(self, other: SeedReport) -> SeedReport:
        for name in (
            "indicators_created",
            "indicators_updated",
            "baselines_saved",
            "targets_saved",
            "measurements_saved",
            "unchanged",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.codes += other.codes
        return self


# ------------------------------------------------------------------------------ periods


# The seed file writes periods as the pages print them (decision 0035).
SEED_PERIODS = (shared_forms.SCHOOL_YEAR, shared_forms.CALENDAR_YEAR, shared_forms.REFERENCE_DATE)


def parse_period(text: str) -> shared_forms.Period:
    """ "2019" → calendar year; "2021/2022" → school year 1 Aug - 31 Jul; "2022-10-01" →
    peildatum (one day), labelled "1 oktober 2022"."""
    try:
        return shared_forms.parse_period(str(text), SEED_PERIODS)
    except ValidationError as error:
        raise IndicatorFileError(f"Onbekende periode {text!r}.") from error


# ------------------------------------------------------------------------------ helpers


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _same(stored, wanted) -> bool:
    if isinstance(stored, Decimal) or isinstance(wanted, Decimal):
        return _decimal(stored) == _decimal(wanted)
    if hasattr(stored, "pk") or hasattr(wanted, "pk"):
        return getattr(stored, "pk", None) == getattr(wanted, "pk", None)
    return stored == wanted


def _changes(instance, wanted: dict) -> dict:
    return {
        name: value for name, value in wanted.items() if not _same(getattr(instance, name), value)
    }


class _Lookups:
    """Cached look-ups of regions, organisations and goals by their codes."""

    def __init__(self):
        self.regions: dict[str, Region] = {}
        self.organisations: dict[str, Organisation] = {}

    def region(self, code: str) -> Region:
        if code not in self.regions:
            try:
                self.regions[code] = Region.objects.get(code=code)
            except Region.DoesNotExist as missing:
                raise IndicatorFileError(f"Regio {code!r} niet gevonden.") from missing
        return self.regions[code]

    def organisation(self, code: str) -> Organisation:
        if code not in self.organisations:
            found = Organisation.objects.filter(code=code).exclude(
                kind=OrganisationKind.SCHOOL_INSTITUTION
            )
            if code.startswith("GM"):
                found = found.filter(kind=OrganisationKind.MUNICIPALITY)
            organisation = found.first()
            if organisation is None:
                raise IndicatorFileError(f"Organisatie {code!r} niet gevonden.")
            self.organisations[code] = organisation
        return self.organisations[code]

    def goals(self, references: list[str]):
        from kansrijk.agenda.models import Goal

        goals = []
        for reference in references:
            slug, _, external_id = reference.partition(":")
            goal = Goal.objects.filter(agenda__slug=slug, external_id=external_id).first()
            if goal is None:
                raise IndicatorFileError(
                    f"Doel {reference!r} niet gevonden: laad eerst de agenda {slug!r}."
                )
            goals.append(goal)
        return goals


def _save_indicator(code: str, wanted: dict, *, actor, report: SeedReport) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        indicator = services.save_figure(Indicator(code=code), actor=actor, **wanted)
        report.indicators_created += 1
    elif changes := _changes(indicator, wanted):
        services.save_figure(indicator, actor=actor, **changes)
        report.indicators_updated += 1
    else:
        report.unchanged += 1
    report.codes.append(code)
    return indicator


def _save_scoped(model, lookup: dict, wanted: dict, *, actor, report: SeedReport) -> bool:
    existing = model.objects.filter(**lookup).first()
    if existing is None:
        services.save_figure(model(**lookup), actor=actor, **wanted)
        return True
    if changes := _changes(existing, wanted):
        services.save_figure(existing, actor=actor, **changes)
        return True
    report.unchanged += 1
    return False


def _save_measurement(cell: dict, wanted: dict, *, actor, report: SeedReport) -> Measurement:
    """Submit and approve one figure unless the stored one is already the same."""
    cell = {"breakdown_key": "", "breakdown_value": "", **cell}
    scope = {"region": cell.pop("region", None), "organisation": cell.pop("organisation", None)}
    existing = Measurement.objects.filter(**cell, **scope).first()
    if (
        existing is not None
        and existing.approval == ApprovalStatus.APPROVED
        and not _changes(existing, wanted)
    ):
        report.unchanged += 1
        return existing
    report.measurements_saved += 1
    return services.submit_measurement(actor=actor, approve=True, **cell, **scope, **wanted)


# ------------------------------------------------------------------------- seed file


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(part) for part in parts))


def _between(low, high, position: float) -> float:
    return float(low) + (float(high) - float(low)) * position


def _generated_cells(indicator: Indicator, spec: dict):
    """Yield (region_code, period, breakdown_key, breakdown_value, figures) for a generate
    block; deterministic: each cell has its own seeded random generator."""
    periods = [parse_period(text) for text in spec["periods"]]
    breakdown_key = spec.get("breakdown_key", "")
    breakdown_values = spec.get("breakdown_values", [])
    noise = float(spec.get("noise", 1.5))
    for region_code in spec["regions"]:
        size = _rng(indicator.code, region_code, "size").uniform(0, 1)
        for index, period in enumerate(periods):
            position = index / (len(periods) - 1) if len(periods) > 1 else 1.0
            rng = _rng(indicator.code, region_code, period.label)
            if "rate" in spec:
                low, high = spec["denominator"]
                denominator = round(_between(low, high, size) * rng.uniform(0.95, 1.05))
                denominator = max(1, denominator)
                percent = _between(*spec["rate"], position) + rng.uniform(-noise, noise)
                percent = min(100.0, max(0.0, percent))
                numerator = min(denominator, round(denominator * percent / 100))
                yield (
                    region_code,
                    period,
                    "",
                    "",
                    {
                        "numerator": Decimal(numerator),
                        "denominator": Decimal(denominator),
                    },
                )
            elif "range" in spec:
                low, high = spec["range"]
                if breakdown_values:
                    total = 0
                    for value in breakdown_values:
                        count = _rng(indicator.code, region_code, period.label, value).randint(
                            low, high
                        )
                        total += count
                        yield region_code, period, breakdown_key, value, {"value": Decimal(count)}
                    yield region_code, period, "", "", {"value": Decimal(total)}
                else:
                    yield region_code, period, "", "", {"value": Decimal(rng.randint(low, high))}
            elif "values" in spec:
                value = _between(*spec["values"], position)
                if spec["values"][0] != spec["values"][1]:
                    value += rng.uniform(-0.2, 0.2)
                places = Decimal(1).scaleb(-indicator.decimals)
                yield (
                    region_code,
                    period,
                    "",
                    "",
                    {"value": Decimal(str(value)).quantize(places, ROUND_HALF_UP)},
                )
            else:
                raise IndicatorFileError(f"{indicator.code}: generate zonder rate/range/values.")


def load_indicator_file(path: Path = INDICATOR_FILE, *, actor=None) -> SeedReport:
    """Load the indicators of a seed TOML file (format at the top of the file)."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    report = SeedReport()
    lookups = _Lookups()
    threshold = settings.KANSRIJK["SMALL_NUMBER_THRESHOLD"]
    with transaction.atomic():
        entries = []
        # First every indicator, so that generate blocks can fill companion counts.
        for entry in data.get("indicator", []):
            wanted = {
                "name": entry["name"],
                "definition": entry.get("definition", ""),
                "unit": Unit(entry["unit"]),
                "polarity": Polarity(entry.get("polarity", Polarity.HIGHER_IS_BETTER)),
                "numerator_definition": entry.get("numerator_definition", ""),
                "denominator_definition": entry.get("denominator_definition", ""),
                "period_type": PeriodType(entry["period_type"]),
                "breakdown_levels": entry.get("breakdown_levels", []),
                "source_kind": SourceKind(entry.get("source_kind", SourceKind.ENTERED)),
                "source_name": entry.get("source_name", ""),
                "source_url": entry.get("source_url", ""),
                "computed_key": entry.get("computed_key", ""),
                "owner": lookups.organisation(entry["owner"]) if entry.get("owner") else None,
                # The national series is loaded first, so the comparison can be found.
                "comparison": (
                    Indicator.objects.get(code=entry["comparison"])
                    if entry.get("comparison")
                    else None
                ),
                "is_public": entry.get("is_public", True),
                "suppression_threshold": entry.get("suppression_threshold", threshold),
                "decimals": entry.get("decimals", 0),
            }
            indicator = _save_indicator(entry["code"], wanted, actor=actor, report=report)
            goals = lookups.goals(entry.get("goals", []))
            if {goal.pk for goal in goals} != set(indicator.goals.values_list("pk", flat=True)):
                indicator.goals.set(goals)
            entries.append((indicator, entry))

        for indicator, entry in entries:
            source = entry.get("source_name", "")
            for baseline in entry.get("baseline", []):
                region = lookups.region(baseline["region"])
                saved = _save_scoped(
                    Baseline,
                    {"indicator": indicator, "region": region},
                    {
                        "period_label": str(baseline["period"]),
                        "date": baseline["date"],
                        "value": _decimal(baseline.get("value")),
                        "numerator": _decimal(baseline.get("numerator")),
                        "denominator": _decimal(baseline.get("denominator")),
                        "note": baseline.get("note", ""),
                        "source": baseline.get("source", source),
                    },
                    actor=actor,
                    report=report,
                )
                report.baselines_saved += saved
            for target in entry.get("target", []):
                region = lookups.region(target["region"])
                saved = _save_scoped(
                    Target,
                    {"indicator": indicator, "region": region, "date": target["date"]},
                    {
                        "period_label": str(target.get("period", "")),
                        "value": _decimal(target["value"]),
                        "note": target.get("note", ""),
                        "source": target.get("source", source),
                    },
                    actor=actor,
                    report=report,
                )
                report.targets_saved += saved
            for measurement in entry.get("measurement", []):
                period = parse_period(measurement["period"])
                _save_measurement(
                    {
                        "indicator": indicator,
                        "period_start": period.start,
                        "period_end": period.end,
                        "region": lookups.region(measurement["region"]),
                        "breakdown_key": measurement.get("breakdown_key", ""),
                        "breakdown_value": measurement.get("breakdown_value", ""),
                    },
                    {
                        "period_label": period.label,
                        "value": _decimal(measurement.get("value")),
                        "numerator": _decimal(measurement.get("numerator")),
                        "denominator": _decimal(measurement.get("denominator")),
                        "is_final": measurement.get("is_final", True),
                        "story": measurement.get("story", ""),
                        "source": measurement.get("source", source),
                        "is_generated": False,
                    },
                    actor=actor,
                    report=report,
                )
            for spec in entry.get("generate", []):
                companions = {
                    part: Indicator.objects.get(code=code)
                    for part, code in spec.get("counts_for", {}).items()
                }
                for region_code, period, key, value, figures in _generated_cells(indicator, spec):
                    region = lookups.region(region_code)
                    cell = {
                        "period_start": period.start,
                        "period_end": period.end,
                        "region": region,
                        "breakdown_key": key,
                        "breakdown_value": value,
                    }
                    common = {
                        "period_label": period.label,
                        "is_final": True,
                        "story": GENERATED_STORY,
                        "source": GENERATED_SOURCE,
                        "is_generated": True,
                    }
                    _save_measurement(
                        {"indicator": indicator, **cell},
                        {"value": None, "numerator": None, "denominator": None} | figures | common,
                        actor=actor,
                        report=report,
                    )
                    for part, companion in companions.items():
                        _save_measurement(
                            {"indicator": companion, **cell},
                            {"value": figures[part], "numerator": None, "denominator": None}
                            | common,
                            actor=actor,
                            report=report,
                        )
    return report


# -------------------------------------------------------------------- national series

NATIONAL_INDICATORS = {
    "vrijstelling_art5a_leerplichtwet": (
        "Vrijstellingen artikel 5 onder a Leerplichtwet (landelijk)",
        "Het aantal kinderen van leerplichtige leeftijd met een vrijstelling op grond van "
        "artikel 5 onder a van de Leerplichtwet (lichamelijke of psychische gronden), "
        "volgens de Leerplichttelling van OCW.",
        Polarity.LOWER_IS_BETTER,
    ),
    "absoluut_verzuim": (
        "Absoluut verzuim (landelijk)",
        "Het aantal leerplichtige kinderen dat niet op een school staat ingeschreven, "
        "volgens de Leerplichttelling van OCW.",
        Polarity.LOWER_IS_BETTER,
    ),
    "langdurig_relatief_verzuim_gt4wk": (
        "Langdurig relatief verzuim, meer dan vier weken (landelijk)",
        "Het aantal ingeschreven leerplichtige kinderen dat langer dan vier weken "
        "ongeoorloofd niet naar school gaat, volgens de Leerplichttelling van OCW.",
        Polarity.LOWER_IS_BETTER,
    ),
    "nieuwe_vsv_ers": (
        "Nieuwe voortijdig schoolverlaters (landelijk)",
        "Het aantal jongeren dat in het schooljaar zonder startkwalificatie het onderwijs "
        "verliet (nieuwe voortijdig schoolverlaters), volgens de Kamerbrieven van OCW.",
        Polarity.LOWER_IS_BETTER,
    ),
    "ve_voorschoolse_plaatsen": (
        "Voorschoolse plaatsen (landelijk, deel van de gemeenten)",
        "Het aantal voorschoolse plaatsen volgens de gemeentelijke vragenlijst van het NJi; "
        "niet alle gemeenten leveren gegevens.",
        Polarity.NEUTRAL,
    ),
    "ve_doelgroepkinderen": (
        "Doelgroepkinderen voorschoolse educatie (landelijk, deel van de gemeenten)",
        "Het aantal doelgroepkinderen voor voorschoolse educatie volgens de gemeentelijke "
        "vragenlijst van het NJi; niet alle gemeenten leveren gegevens.",
        Polarity.NEUTRAL,
    ),
    "ve_bereikte_doelgroepkinderen": (
        "Bereikte doelgroepkinderen voorschoolse educatie (landelijk, deel van de gemeenten)",
        "Het aantal doelgroepkinderen dat voorschoolse educatie volgt, volgens de "
        "gemeentelijke vragenlijst van het NJi; niet alle gemeenten leveren gegevens.",
        Polarity.HIGHER_IS_BETTER,
    ),
    "ve_bereik_doelgroep_pct": (
        "Bereik voorschoolse educatie onder doelgroepkinderen (landelijk)",
        "Het percentage doelgroepkinderen dat voorschoolse educatie volgt, volgens het NJi; "
        "berekend over de gemeenten die alle jaren leverden.",
        Polarity.HIGHER_IS_BETTER,
    ),
}


def _national_region(area: str, lookups: _Lookups) -> Region:
    """ "NL" and "NL (deel gemeenten)" are both the country; the toelichting says which."""
    code = area.split("(")[0].strip()
    return lookups.region(code)


def load_national_series(csv_path: Path = NATIONAL_SERIES_FILE, *, actor=None) -> SeedReport:
    """The national series as public, imported indicators with approved, final
    measurements on the region "NL" (source = bron_url, story = toelichting)."""
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    report = SeedReport()
    lookups = _Lookups()
    by_indicator: dict[str, list[dict]] = {}
    for row in rows:
        by_indicator.setdefault(row["indicator"], []).append(row)
    with transaction.atomic():
        for code, series in by_indicator.items():
            name, definition, polarity = NATIONAL_INDICATORS.get(
                code, (code.replace("_", " ").capitalize(), "", Polarity.NEUTRAL)
            )
            periods = [parse_period(row["periode"]) for row in series]
            is_percentage = series[0]["eenheid"].strip().lower() in {"procent", "%"}
            school_years = all("/" in row["periode"] for row in series)
            latest = max(zip(periods, series, strict=True), key=lambda pair: pair[0].start)[1]
            indicator = _save_indicator(
                code,
                {
                    "name": name,
                    "definition": f"{definition} Eenheid in de bron: {series[0]['eenheid']}.",
                    "unit": Unit.PERCENTAGE if is_percentage else Unit.COUNT,
                    "polarity": polarity,
                    "period_type": (
                        PeriodType.SCHOOL_YEAR if school_years else PeriodType.CALENDAR_YEAR
                    ),
                    "breakdown_levels": [],
                    "source_kind": SourceKind.IMPORTED,
                    "source_name": latest["toelichting"][:200],
                    "source_url": latest["bron_url"],
                    "owner": None,
                    "is_public": True,
                    "decimals": 0,
                },
                actor=actor,
                report=report,
            )
            for period, row in zip(periods, series, strict=True):
                _save_measurement(
                    {
                        "indicator": indicator,
                        "period_start": period.start,
                        "period_end": period.end,
                        "region": _national_region(row["gebied"], lookups),
                    },
                    {
                        "period_label": period.label,
                        "value": Decimal(row["waarde"]),
                        "numerator": None,
                        "denominator": None,
                        "is_final": True,
                        "story": row["toelichting"],
                        "source": row["bron_url"][:255],
                        "is_generated": False,
                    },
                    actor=actor,
                    report=report,
                )
    return report


def load_demo_indicators(*, actor=None) -> SeedReport:
    """Everything for ``kansrijk load_demo``: after the organisations and agendas."""
    report = load_national_series(actor=actor)
    return report.add(load_indicator_file(actor=actor))
