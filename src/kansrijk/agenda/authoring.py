"""Writing an agenda in the web: start one (from nothing or as a copy), add, change, move
and archive its items, name who leads them, and reopen an adopted agenda as a concept.

Every change goes through ``services.save_item`` and friends, so each writes its history
row and audit record in the same transaction as the change itself. What only this module
adds is the shape of the tree: which items are siblings (for "Omhoog"/"Omlaag"), which
parents an item may move to, and that an adopted agenda is not changed in place.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit
from kansrijk.organisations.models import Organisation

from . import services
from .models import (
    RESERVED_SLUGS,
    Activity,
    ActivityKind,
    Agenda,
    AgendaStatus,
    AgendaVersion,
    FundingLine,
    Goal,
    Intervention,
    Involvement,
    InvolvementRole,
    PlannedMonth,
    Spearhead,
)

# Items with a place among siblings ("Omhoog"/"Omlaag"); evaluation moments and funding
# lines are ordered by their month and year instead.
ORDERED_ITEMS = (Spearhead, Goal, Activity, Intervention)


class NotEditable(ValidationError):
    """The agenda is adopted: changes go into a new concept version first."""


def ensure_concept(agenda: Agenda) -> None:
    if agenda.status != AgendaStatus.CONCEPT:
        raise NotEditable(
            _(
                "Deze agenda is vastgesteld. Wijzig hem in een nieuwe conceptversie; "
                "daarna stel je hem opnieuw vast."
            )
        )


def agenda_of(item) -> Agenda:
    if isinstance(item, Agenda):
        return item
    if isinstance(item, FundingLine):
        return (item.activity or item.intervention).agenda
    return item.agenda


# ------------------------------------------------------------------ starting an agenda


def unique_slug(title: str, period_start: datetime.date, period_end: datetime.date) -> str:
    """'Uitvoeringsnota onderwijskansen' 2019–2022 → 'uitvoeringsnota-onderwijskansen-2019-2022',
    with -2, -3... when taken (or when it is the name of a page under /agenda/)."""
    base = f"{slugify(title)[:60].strip('-') or 'agenda'}-{period_start.year}-{period_end.year}"
    slug, number = base, 1
    while slug in RESERVED_SLUGS or Agenda.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _regions_of(owner: Organisation) -> list:
    """The gemeenten the owner works for: its own, and the area it serves."""
    regions = list(owner.served_regions.all())
    if owner.municipality_id and owner.municipality not in regions:
        regions.insert(0, owner.municipality)
    return regions


@transaction.atomic
def start_agenda(
    *,
    actor,
    owner: Organisation,
    title: str,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    copy_of: Agenda | None = None,
) -> Agenda:
    """A new concept agenda owned by ``owner``, empty or with a copy of ``copy_of``'s tree."""
    regions = _regions_of(owner)
    agenda = services.create_agenda(
        actor=actor,
        owners=[owner],
        regions=regions,
        slug=unique_slug(title, period_start, period_end),
        title=title,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        region=owner.municipality,
        status=AgendaStatus.CONCEPT,
        vision=copy_of.vision if copy_of else "",
        introduction=copy_of.introduction if copy_of else "",
        source=_("Kopie van '%(title)s'") % {"title": copy_of.title} if copy_of else "",
    )
    if copy_of is not None:
        _copy_tree(copy_of, agenda, actor=actor)
    return agenda


def _copy(instance: models.Model, **changes) -> models.Model:
    """An unsaved copy of ``instance`` with ``changes`` (a new primary key on save)."""
    values = {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return type(instance)(**values)


def _copy_tree(source: Agenda, target: Agenda, *, actor) -> None:
    """Every living item of ``source`` into ``target``, with the same external ids (they
    are unique per agenda), parents re-pointed and the links, months, roles and money
    carried. Archived items stay behind: a copy starts from what the agenda says now."""

    def save(item):
        services.save_item(item, actor=actor)
        return item

    themes = {t.pk: save(_copy(t, agenda_id=target.pk)) for t in source.themes.all()}
    spearheads = {
        s.pk: save(_copy(s, agenda_id=target.pk))
        for s in source.spearheads.filter(archived_on=None)
    }
    goals = {}
    for goal in source.goals.filter(archived_on=None).prefetch_related("themes", "indicators"):
        copy = save(
            _copy(
                goal,
                agenda_id=target.pk,
                spearhead_id=(
                    spearheads[goal.spearhead_id].pk if goal.spearhead_id in spearheads else None
                ),
            )
        )
        copy.themes.set([themes[t.pk] for t in goal.themes.all() if t.pk in themes])
        # The monitor's indicators are shared, not copied: the copy measures the same figure.
        for indicator in goal.indicators.all():
            indicator.goals.add(copy)
        goals[goal.pk] = copy
    activities: dict[int, Activity] = {}
    # Parents before children: main activities first.
    # (Not order_by("parent_id"): PostgreSQL sorts the empty parents last.)
    living_activities = source.activities.filter(archived_on=None)
    for activity in sorted(living_activities, key=lambda a: (a.parent_id is not None, a.pk)):
        if activity.parent_id and activity.parent_id not in activities:
            continue  # its main activity is archived
        copy = save(
            _copy(
                activity,
                agenda_id=target.pk,
                goal_id=goals[activity.goal_id].pk if activity.goal_id in goals else None,
                parent_id=activities[activity.parent_id].pk if activity.parent_id else None,
            )
        )
        activities[activity.pk] = copy
    interventions = {}
    for intervention in source.interventions.filter(archived_on=None):
        copy = save(_copy(intervention, agenda_id=target.pk))
        copy.goals.set([goals[g.pk] for g in intervention.goals.all() if g.pk in goals])
        copy.locations.set(intervention.locations.all())
        interventions[intervention.pk] = copy
    for old, new in list(activities.items()) + list(interventions.items()):
        field = "activity" if isinstance(new, Activity) else "intervention"
        Involvement.objects.bulk_create(
            _copy(involvement, **{f"{field}_id": new.pk})
            for involvement in Involvement.objects.filter(**{f"{field}_id": old})
        )
        PlannedMonth.objects.bulk_create(
            _copy(month, **{f"{field}_id": new.pk})
            for month in PlannedMonth.objects.filter(**{f"{field}_id": old})
        )
        for line in FundingLine.objects.filter(**{f"{field}_id": old}, archived_on=None):
            save(_copy(line, **{f"{field}_id": new.pk}))
    for moment in source.evaluation_moments.filter(archived_on=None):
        save(
            _copy(
                moment,
                agenda_id=target.pk,
                intervention_id=(
                    interventions[moment.intervention_id].pk
                    if moment.intervention_id in interventions
                    else None
                ),
                done_on=None,
            )
        )
    for commitment in source.commitments.all():
        save(_copy(commitment, agenda_id=target.pk))
    audit.record(
        "agenda.copy",
        actor=actor,
        target=target,
        organisation=target.owners.order_by("pk").first(),
        after={"copy_of": source.slug},
    )


# ------------------------------------------------------------------ items


def next_external_id(agenda: Agenda, model: type[models.Model], prefix: str) -> str:
    """A stable id for a new item: 'doel-3', 'activiteit-12' (the count plus one, or the
    next number that is free)."""
    taken = set(
        model.objects.filter(**_agenda_filter(model, agenda)).values_list("external_id", flat=True)
    )
    number = len(taken) + 1
    while f"{prefix}-{number}" in taken:
        number += 1
    return f"{prefix}-{number}"


def _agenda_filter(model, agenda: Agenda) -> dict:
    if model is FundingLine:
        return {
            "pk__in": FundingLine.objects.filter(
                models.Q(activity__agenda=agenda) | models.Q(intervention__agenda=agenda)
            ).values("pk")
        }
    return {"agenda": agenda}


@transaction.atomic
def save_item(item, *, actor, **changes):
    """Add or change an item of a concept agenda (or the agenda's own facts); a new
    ordered item goes last."""
    ensure_concept(agenda_of(item))
    if item.pk is None and isinstance(item, ORDERED_ITEMS):
        last = siblings(item).aggregate(last=Max("position"))["last"]
        changes.setdefault("position", 0 if last is None else last + 1)
    return services.save_item(item, actor=actor, **changes)


@transaction.atomic
def set_months(activity: Activity, months: Iterable[datetime.date], *, actor) -> None:
    ensure_concept(activity.agenda)
    services.set_planned_months(activity, months, actor=actor)


@transaction.atomic
def set_links(item, name: str, objects, *, actor) -> bool:
    """The goals an intervention works for (and other many-to-many links), audited."""
    ensure_concept(agenda_of(item))
    return services.set_item_links(item, name, list(objects), actor=actor)


KEEP = object()  # set_roles: leave the voortrekker's person as it is


@transaction.atomic
def set_roles(
    item: Activity | Intervention,
    *,
    actor,
    lead: Organisation | None,
    lead_person=KEEP,
    partners: Iterable[Organisation] = (),
    funders: Iterable[Organisation] = (),
) -> bool:
    """Replace who leads, takes part in and pays for ``item`` with the organisations the
    editor's form names, and the person at the voortrekker it names (``None``: the
    organisation itself), through the one roles service (``services.set_roles``, with its
    history and audit). What the form does not show stays: the person named with a
    partner or financier that keeps its role (from the spreadsheet or the API), and
    parties named only as text ('alle kinderopvanginstellingen'). Returns whether
    anything changed."""
    ensure_concept(item.agenda)
    current = services.current_roles(item)

    def parties(role, organisations) -> list:
        named = {p.organisation.pk: p for p in current[role] if p.organisation is not None}
        chosen = [named.get(o.pk) or services.Party(organisation=o) for o in organisations]
        return chosen + [p for p in current[role] if p.organisation is None]

    voortrekker = parties(InvolvementRole.LEAD, [lead] if lead else [])
    if lead and lead_person is not KEEP:
        voortrekker[0] = services.Party(organisation=lead, person=lead_person)
    return services.set_roles(
        item,
        voortrekker=voortrekker[:1],
        partners=parties(InvolvementRole.PARTNER, partners),
        financiers=parties(InvolvementRole.FUNDER, funders),
        actor=actor,
    )


def siblings(item) -> models.QuerySet:
    """The living items that share ``item``'s place in the tree, in their order."""
    model = type(item)
    agenda = agenda_of(item)
    queryset = model.objects.filter(agenda=agenda, archived_on=None)
    if isinstance(item, Goal):
        queryset = queryset.filter(spearhead_id=item.spearhead_id)
    elif isinstance(item, Activity):
        if item.parent_id:
            queryset = queryset.filter(parent_id=item.parent_id)
        else:
            queryset = queryset.filter(parent=None, goal_id=item.goal_id)
    return queryset.order_by("position", "pk")


@transaction.atomic
def move(item, *, actor, direction: str) -> bool:
    """One place up ("up") or down ("down") among its siblings. The siblings are numbered
    0, 1, 2... first, so that equal positions (an import writes them as 0) swap cleanly."""
    ensure_concept(agenda_of(item))
    ordered = list(siblings(item))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered):
        if sibling.position != position:
            services.save_item(sibling, actor=actor, position=position)
    return True


def parent_choices(item) -> list[tuple[str, models.Model | None]]:
    """Where ``item`` may move to: a goal to another speerpunt (or none), a main activity
    to another goal, a sub-activity to another main activity."""
    agenda = agenda_of(item)
    if isinstance(item, Goal):
        return [(s.title, s) for s in agenda.spearheads.filter(archived_on=None)] + [
            (_("Geen speerpunt (algemeen doel)"), None)
        ]
    if isinstance(item, Activity) and item.kind == ActivityKind.SUB:
        mains = agenda.activities.filter(
            archived_on=None, kind=ActivityKind.MAIN, parent=None
        ).select_related("goal")
        return [(_activity_label(a), a) for a in mains]
    if isinstance(item, Activity):
        return [(str(g), g) for g in agenda.goals.filter(archived_on=None)]
    return []


def _activity_label(activity: Activity) -> str:
    if activity.goal:
        return f"{activity.title} ({_('doel')} {activity.goal.number or activity.goal.text[:40]})"
    return activity.title


@transaction.atomic
def move_to(item, new_parent, *, actor):
    """Under another parent, as its last child. A main activity takes its sub-activities
    with it to the new goal."""
    ensure_concept(agenda_of(item))
    allowed = [parent for _label, parent in parent_choices(item)]
    if new_parent not in allowed:
        raise ValidationError(_("Daarheen kan dit onderdeel niet verplaatst worden."))
    if isinstance(item, Goal):
        changes = {"spearhead": new_parent}
    elif isinstance(item, Activity) and item.kind == ActivityKind.SUB:
        changes = {"parent": new_parent, "goal": new_parent.goal}
    else:
        changes = {"goal": new_parent}
    for name, value in changes.items():
        setattr(item, name, value)
    last = siblings(item).exclude(pk=item.pk).aggregate(last=Max("position"))["last"]
    services.save_item(item, actor=actor, position=0 if last is None else last + 1, **changes)
    if isinstance(item, Activity) and item.kind == ActivityKind.MAIN:
        for child in item.children.all():
            if child.goal_id != item.goal_id:
                services.save_item(child, actor=actor, goal=item.goal)
    return item


@transaction.atomic
def archive(item, *, actor, on: datetime.date | None = None):
    """Off the agenda's pages, kept in the history. Archiving a parent archives what
    hangs under it, so nothing is left without its place in the tree."""
    ensure_concept(agenda_of(item))
    on = on or timezone.localdate()
    services.save_item(item, actor=actor, archived_on=on)
    children: list = []
    if isinstance(item, Spearhead):
        children = list(item.goals.filter(archived_on=None))
    elif isinstance(item, Goal):
        children = list(item.activities.filter(archived_on=None, parent=None))
    elif isinstance(item, Activity):
        children = list(item.children.filter(archived_on=None))
    for child in children:
        archive(child, actor=actor, on=on)
    return item


# ------------------------------------------------------------------ indicators of goals


@transaction.atomic
def add_goal_indicator(
    goal: Goal,
    *,
    actor,
    name: str,
    unit: str,
    baseline_value,
    baseline_year: int,
    target_value,
    target_year: int,
):
    """A new indicator of the monitor for ``goal``, with its nulmeting and streefwaarde
    for the agenda's gemeente (e.g. VVE-bereik 72 % in 2019, 90 % in 2021)."""
    from kansrijk.indicators import services as indicator_services
    from kansrijk.indicators.models import Baseline, Indicator, PeriodType, Target

    agenda = goal.agenda
    ensure_concept(agenda)
    region = _agenda_region(agenda)
    if region is None:
        raise ValidationError(
            _("De agenda hoort bij geen gemeente: een nulmeting heeft een gemeente nodig.")
        )
    code = slugify(f"{agenda.slug}-{name}")[:70].strip("-")
    base_code, number = code, 1
    while Indicator.objects.filter(code=code).exists():
        number += 1
        code = f"{base_code}-{number}"
    indicator = indicator_services.save_figure(
        Indicator(),
        actor=actor,
        code=code,
        name=name,
        unit=unit,
        period_type=PeriodType.CALENDAR_YEAR,
        owner=agenda.owners.order_by("pk").first(),
    )
    indicator.goals.add(goal)
    indicator_services.save_figure(
        Baseline(),
        actor=actor,
        indicator=indicator,
        region=region,
        period_label=str(baseline_year),
        date=datetime.date(baseline_year, 12, 31),
        value=baseline_value,
    )
    indicator_services.save_figure(
        Target(),
        actor=actor,
        indicator=indicator,
        region=region,
        period_label=str(target_year),
        date=datetime.date(target_year, 12, 31),
        value=target_value,
    )
    return indicator


def _agenda_region(agenda: Agenda):
    return agenda.region or next(
        (o.municipality for o in agenda.owners.all() if o.municipality_id), None
    )


@transaction.atomic
def update_goal_indicator(
    goal: Goal,
    indicator,
    *,
    actor,
    name: str,
    unit: str,
    baseline_value,
    baseline_year: int,
    target_value,
    target_year: int,
):
    """Change the name, the nulmeting and the streefwaarde of a goal's indicator for the
    agenda's gemeente (the target with the latest date when there are several)."""
    from kansrijk.indicators import services as indicator_services
    from kansrijk.indicators.models import Baseline, Target

    ensure_concept(goal.agenda)
    region = _agenda_region(goal.agenda)
    indicator_services.save_figure(indicator, actor=actor, name=name, unit=unit)
    baseline = Baseline.objects.filter(indicator=indicator, region=region).first() or Baseline(
        indicator=indicator, region=region
    )
    indicator_services.save_figure(
        baseline,
        actor=actor,
        period_label=str(baseline_year),
        date=datetime.date(baseline_year, 12, 31),
        value=baseline_value,
    )
    target = Target.objects.filter(indicator=indicator, region=region).order_by("-date").first()
    indicator_services.save_figure(
        target or Target(indicator=indicator, region=region),
        actor=actor,
        period_label=str(target_year),
        date=datetime.date(target_year, 12, 31),
        value=target_value,
    )
    return indicator


def goal_indicator_values(goal: Goal, indicator) -> dict:
    """What the indicator form shows of an indicator, for the agenda's gemeente."""
    region = _agenda_region(goal.agenda)
    baseline = indicator.baselines.filter(region=region).first()
    target = indicator.targets.filter(region=region).order_by("-date").first()
    return {
        "name": indicator.name,
        "unit": indicator.unit,
        "baseline_value": baseline.value if baseline else None,
        "baseline_year": baseline.date.year if baseline else None,
        "target_value": target.value if target else None,
        "target_year": target.date.year if target else None,
    }


@transaction.atomic
def remove_goal_indicator(goal: Goal, indicator, *, actor) -> None:
    """The indicator no longer measures this goal; it stays in the monitor."""
    ensure_concept(goal.agenda)
    indicator.goals.remove(goal)
    audit.record(
        "agenda.goal.update",
        actor=actor,
        target=goal,
        organisation=goal.agenda.owners.order_by("pk").first(),
        before={"indicators": [indicator.pk]},
        after={"indicators": []},
    )


# ------------------------------------------------------------------ versions


def current_snapshot(agenda: Agenda) -> dict:
    """The tree as it is now for the diff: archived items count as removed."""
    snapshot = services.agenda_snapshot(agenda)
    archived = [
        f"{prefix}:{external_id}"
        for prefix, queryset in (
            ("spearhead", agenda.spearheads),
            ("goal", agenda.goals),
            ("activity", agenda.activities),
            ("intervention", agenda.interventions),
        )
        for external_id in queryset.exclude(archived_on=None).values_list("external_id", flat=True)
    ]
    archived += [
        f"funding:{external_id}"
        for external_id in FundingLine.objects.filter(
            models.Q(activity__agenda=agenda) | models.Q(intervention__agenda=agenda)
        )
        .exclude(archived_on=None)
        .values_list("external_id", flat=True)
    ]
    for key in archived:
        snapshot.pop(key, None)
    return snapshot


def last_adopted_version(agenda: Agenda) -> AgendaVersion | None:
    """The newest version frozen while the agenda was adopted."""
    for version in agenda.versions.order_by("-number"):
        if version.snapshot.get("agenda", {}).get("status") == AgendaStatus.ADOPTED:
            return version
    return None


def changes_since_adoption(agenda: Agenda) -> dict | None:
    version = last_adopted_version(agenda)
    if version is None:
        return None
    # The agenda's own status is no news on the adopt page (it is a concept until adopted
    # again): left out on both sides, so the diff shows what the content became.
    old = version.snapshot | {"agenda": _without_status(version.snapshot.get("agenda", {}))}
    new = current_snapshot(agenda)
    new["agenda"] = _without_status(new.get("agenda", {}))
    return {"version": version, "diff": services.diff_snapshots(old, new)}


def _without_status(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key != "status"}


@transaction.atomic
def open_new_concept(agenda: Agenda, *, actor) -> AgendaVersion:
    """'Wijzigen in een nieuwe conceptversie': the adopted content is kept as the last
    version (frozen again if it changed since, e.g. by progress), then the agenda becomes
    a concept. A concept cannot be public (a database rule), so publication pauses until
    the agenda is adopted again."""
    if agenda.status == AgendaStatus.CONCEPT:
        raise ValidationError(_("Deze agenda is al een concept."))
    latest = agenda.versions.order_by("-number").first()
    snapshot = services.agenda_snapshot(agenda)
    if latest is None or latest.snapshot != snapshot:
        latest = services.save_version(
            agenda,
            actor=actor,
            label=_("Vastgestelde inhoud op %(date)s")
            % {"date": f"{timezone.localdate():%d-%m-%Y}"},
        )
    services.save_item(agenda, actor=actor, status=AgendaStatus.CONCEPT, is_public=False)
    return latest
