"""Load an agenda from a structured TOML file (the seeds in ``kansrijk/demo_data/agenda/``).

The files are entered by hand from the seed documents. Loading is idempotent: items are
matched on their external ids and updated in place, so a second run changes nothing.
The file format is documented in ``docs/formats/agenda-toml.md``.
"""

from __future__ import annotations

import datetime
import tomllib
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kansrijk.organisations.models import Organisation, Region

from . import services
from .models import (
    Activity,
    Agenda,
    AgendaStatus,
    Commitment,
    EducationPrize,
    EvaluationMoment,
    FundingLine,
    Goal,
    Intervention,
    Involvement,
    Spearhead,
    Theme,
)

AGENDA_DIR = Path(__file__).resolve().parent.parent / "demo_data" / "agenda"

AGENDA_FIELDS = [
    "title",
    "subtitle",
    "kind",
    "vision",
    "introduction",
    "status",
    "adopted_by",
    "is_public",
    "source",
]
THEME_FIELDS = ["kind", "number", "title", "background", "sources"]
SPEARHEAD_FIELDS = ["number", "title", "description", "intended_result", "priority"]
GOAL_FIELDS = ["number", "text", "indicator_text", "priority"]
ACTIVITY_FIELDS = ["kind", "title", "description", "planned_text", "status", "progress"]
INTERVENTION_FIELDS = [
    "name",
    "parties_text",
    "planning_text",
    "goal_text",
    "target_group",
    "location_text",
    "activities_text",
    "monitoring_text",
    "financing_text",
    "online_information",
    "contact",
    "status",
    "progress",
]
FUNDING_FIELDS = ["year", "source", "unit", "is_estimate", "notes"]


class AgendaFileError(Exception):
    pass


def organisation_by_reference(reference: str) -> Organisation:
    """A GM code, BRIN6, SWV code, or the exact name of an organisation."""
    found = Organisation.objects.filter(code=reference).exclude(kind="school_institution")
    if not found.exists():
        found = Organisation.objects.filter(name=reference)
    if found.count() != 1:
        raise AgendaFileError(f"Organisatie {reference!r} niet (eenduidig) gevonden.")
    return found.get()


def region_by_code(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise AgendaFileError(f"Regio {code!r} niet gevonden.") from None


def parse_month(value: str) -> datetime.date:
    year, month = value.split("-")
    return datetime.date(int(year), int(month), 1)


def _pick(entry: dict, fields: list[str]) -> dict:
    return {field: entry[field] for field in fields if field in entry}


def _normalised(model, values: dict) -> dict:
    """Values as the model stores them (TOML's 1 for a text field becomes "1"), so that
    an unchanged file compares equal and a second load writes nothing."""
    normalised = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        normalised[name] = value if field.is_relation else field.to_python(value)
    return normalised


def _upsert(model, lookup: dict, values: dict, *, actor):
    values = _normalised(model, values)
    instance = model.objects.filter(**lookup).first() or model(**lookup)
    changed = instance.pk is None or any(
        getattr(instance, field) != value for field, value in values.items()
    )
    if changed:
        services.save_item(instance, actor=actor, **values)
    return instance


def _involvements(item, entries: list[dict], *, actor) -> None:
    """Voortrekker, partners and financiers through ``services.set_roles`` (one
    voortrekker, audited, unchanged roles left alone); the executors the seeds name are
    kept beside them as they are."""
    field = "activity" if isinstance(item, Activity) else "intervention"
    roles: dict[str, list] = {"lead": [], "partner": [], "funder": []}
    executors = []
    for entry in entries:
        party = (
            organisation_by_reference(entry["organisation"])
            if "organisation" in entry
            else entry["party"]
        )
        if entry["role"] == "executor":
            executors.append(party)
        else:
            roles[entry["role"]].append(party)
    services.set_roles(
        item,
        voortrekker=roles["lead"],
        partners=roles["partner"],
        financiers=roles["funder"],
        actor=actor,
    )
    wanted = {(p.pk, "") if isinstance(p, Organisation) else (None, p) for p in executors}
    current = {
        (i.organisation_id, i.party_name): i for i in item.involvements.filter(role="executor")
    }
    for key, involvement in current.items():
        if key not in wanted:
            involvement.delete()
    for organisation_id, party in wanted - current.keys():
        Involvement.objects.create(
            **{field: item}, organisation_id=organisation_id, party_name=party, role="executor"
        )


def load_agenda_file(path: Path, *, actor=None) -> Agenda:
    return load_agenda_data(tomllib.loads(path.read_text(encoding="utf-8")), actor=actor)


@transaction.atomic
def load_agenda_data(data: dict, *, actor=None) -> Agenda:
    """Load an agenda from the file format's tables as a dict (a parsed TOML file, or an
    agenda proposed from a document and accepted by an officer): the same rules, the same
    services, the same audit, whatever the data came from."""
    spec = data["agenda"]
    values = _pick(spec, AGENDA_FIELDS)
    values["period_start"] = datetime.date.fromisoformat(spec["period_start"])
    values["period_end"] = datetime.date.fromisoformat(spec["period_end"])
    if spec.get("adopted_on"):
        values["adopted_on"] = datetime.date.fromisoformat(spec["adopted_on"])
    if spec.get("region"):
        values["region"] = region_by_code(spec["region"])
    agenda = _upsert(Agenda, {"slug": spec["slug"]}, values, actor=actor)
    # An organisation itself where the caller already chose it (the owner of a draft).
    owners = [
        ref if isinstance(ref, Organisation) else organisation_by_reference(ref)
        for ref in spec.get("owners", [])
    ]
    services.set_item_links(agenda, "owners", owners, actor=actor)
    regions = [region_by_code(code) for code in spec.get("regions", [])]
    services.set_item_links(agenda, "regions", regions, actor=actor)

    for position, entry in enumerate(data.get("theme", [])):
        _upsert(
            Theme,
            {"agenda": agenda, "external_id": entry["id"]},
            _pick(entry, THEME_FIELDS) | {"position": position},
            actor=actor,
        )
    spearheads = {}
    for position, entry in enumerate(data.get("spearhead", [])):
        spearheads[entry["id"]] = _upsert(
            Spearhead,
            {"agenda": agenda, "external_id": entry["id"]},
            _pick(entry, SPEARHEAD_FIELDS) | {"position": position},
            actor=actor,
        )
    goals = {}
    for position, entry in enumerate(data.get("goal", [])):
        extra = {"position": position, "spearhead": spearheads.get(entry.get("spearhead"))}
        goal = _upsert(
            Goal,
            {"agenda": agenda, "external_id": entry["id"]},
            _pick(entry, GOAL_FIELDS) | extra,
            actor=actor,
        )
        themes = Theme.objects.filter(agenda=agenda, external_id__in=entry.get("themes", []))
        services.set_item_links(goal, "themes", list(themes), actor=actor)
        goals[entry["id"]] = goal
    activities = {}
    for position, entry in enumerate(data.get("activity", [])):
        extra = {
            "position": position,
            "goal": goals.get(entry.get("goal")),
            "parent": activities.get(entry.get("parent")),
        }
        activity = _upsert(
            Activity,
            {"agenda": agenda, "external_id": entry["id"]},
            _pick(entry, ACTIVITY_FIELDS) | extra,
            actor=actor,
        )
        services.set_planned_months(
            activity, [parse_month(m) for m in entry.get("months", [])], actor=actor
        )
        _involvements(activity, entry.get("involvements", []), actor=actor)
        activities[entry["id"]] = activity
    # Rows an earlier version of the file held and this one replaced (seed 002's separate
    # planning rows): named in the file, so nothing else is ever removed.
    retired = data.get("retired", {}).get("activities", [])
    for activity in Activity.objects.filter(agenda=agenda, external_id__in=retired):
        services.remove_item(activity, actor=actor)
    interventions = {}
    for position, entry in enumerate(data.get("intervention", [])):
        values = _pick(entry, INTERVENTION_FIELDS) | {"position": position}
        for age in ("age_min", "age_max"):
            if age in entry:
                values[age] = Decimal(str(entry[age]))
        intervention = _upsert(
            Intervention, {"agenda": agenda, "external_id": entry["id"]}, values, actor=actor
        )
        linked_goals = [goals[g] for g in entry.get("goals", [])]
        services.set_item_links(intervention, "goals", linked_goals, actor=actor)
        locations = [region_by_code(c) for c in entry.get("locations", [])]
        services.set_item_links(intervention, "locations", locations, actor=actor)
        services.set_planned_months(
            intervention, [parse_month(m) for m in entry.get("months", [])], actor=actor
        )
        _involvements(intervention, entry.get("involvements", []), actor=actor)
        interventions[entry["id"]] = intervention
    for entry in data.get("funding", []):
        values = _pick(entry, FUNDING_FIELDS)
        for amount in ("unit_amount", "quantity", "share", "planned_amount", "realised_amount"):
            if amount in entry:
                values[amount] = Decimal(str(entry[amount]))
        if "payer" in entry:
            values["payer"] = organisation_by_reference(entry["payer"])
        if "planned_amount" not in values and "unit_amount" in values:
            values["planned_amount"] = (
                values["unit_amount"] * values.get("quantity", 1) * values.get("share", 1)
            ).quantize(Decimal("0.01"))
        owner = (
            {"intervention": interventions[entry["intervention"]]}
            if "intervention" in entry
            else {"activity": activities[entry["activity"]]}
        )
        _upsert(FundingLine, owner | {"external_id": entry["id"]}, values, actor=actor)
    for entry in data.get("evaluation", []):
        _upsert(
            EvaluationMoment,
            {"agenda": agenda, "external_id": entry["id"]},
            {
                "month": parse_month(entry["month"]),
                "planned_text": entry.get("planned_text", ""),
                "description": entry["description"],
                "intervention": interventions.get(entry.get("intervention")),
            },
            actor=actor,
        )
    for position, entry in enumerate(data.get("commitment", [])):
        _upsert(
            Commitment,
            {"agenda": agenda, "external_id": entry["id"]},
            {
                "text": entry["text"],
                "owner": organisation_by_reference(entry["owner"]) if "owner" in entry else None,
                "times_per_year": entry.get("times_per_year"),
                "at_least": entry.get("at_least", False),
                "position": position,
            },
            actor=actor,
        )
    for entry in data.get("prize", []):
        values = {
            "agenda": agenda,
            "cycle_years": entry.get("cycle_years", 2),
            "nominations_open": entry.get("nominations_open", True),
        }
        for day in ("nominations_from", "nominations_until"):
            if day in entry:
                values[day] = datetime.date.fromisoformat(entry[day])
        prize = _upsert(
            EducationPrize,
            {
                "organiser": organisation_by_reference(entry["organiser"]),
                "name": entry["name"],
                "year": entry["year"],
            },
            values,
            actor=actor,
        )
        if entry.get("follow_cycle"):
            # The editions after the one the document names, up to today's: the demo
            # shows the prize as it runs now, not as it ran in the document's year.
            services.follow_prize_cycle(prize, actor=actor, today=timezone.localdate())
    if agenda.status != "concept" and not agenda.versions.exists():
        label = (
            "Zoals gepubliceerd (uit het brondocument)"
            if agenda.status == AgendaStatus.PUBLISHED
            else "Zoals vastgesteld (uit het brondocument)"
        )
        services.save_version(agenda, actor=actor, label=label)
    return agenda


def load_all_agendas(directory: Path = AGENDA_DIR, *, actor=None) -> list[Agenda]:
    return [load_agenda_file(path, actor=actor) for path in sorted(directory.glob("*.toml"))]
