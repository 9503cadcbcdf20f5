"""Every change to an agenda goes through these functions: they validate, save, keep the
version history (django-simple-history, with the actor as history user) and write the
audit record in one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit

from .models import (
    Activity,
    Agenda,
    AgendaStatus,
    AgendaVersion,
    Commitment,
    CommitmentOccurrence,
    CurveStory,
    EducationPrize,
    FundingLine,
    Intervention,
    Involvement,
    InvolvementRole,
    Nomination,
    NominationStatus,
    PlannedMonth,
    ProgressNote,
    WorkStatus,
)
from .progress import activity_progress, own_value


def _owner(agenda: Agenda):
    return agenda.owners.order_by("pk").first()


@transaction.atomic
def create_agenda(*, actor, owners=(), regions=(), **fields) -> Agenda:
    agenda = Agenda(**fields)
    agenda.full_clean()
    audit.with_history_user(agenda, actor).save()
    agenda.owners.set(owners)
    agenda.regions.set(regions)
    audit.record(
        "agenda.create",
        actor=actor,
        target=agenda,
        organisation=_owner(agenda),
        after=audit.snapshot(agenda),
    )
    return agenda


@transaction.atomic
def save_item(item: models.Model, *, actor, **changes) -> models.Model:
    """Create or change any node of the tree (theme, spearhead, goal, activity,
    intervention, funding line, evaluation moment, commitment)."""
    creating = item.pk is None
    before = None if creating else audit.snapshot(type(item).objects.get(pk=item.pk))
    for field, value in changes.items():
        setattr(item, field, value)
    if isinstance(item, FundingLine) and item.unit_amount is not None:
        item.planned_amount = item.computed_amount()
    item.full_clean()
    audit.with_history_user(item, actor).save()
    agenda = item if isinstance(item, Agenda) else _agenda_of(item)
    audit.record(
        f"agenda.{type(item).__name__.lower()}.{'create' if creating else 'update'}",
        actor=actor,
        target=item,
        organisation=_owner(agenda),
        before=before,
        after=audit.snapshot(item),
    )
    return item


def _agenda_of(item) -> Agenda:
    for attribute in ("agenda", "intervention", "activity", "commitment", "prize"):
        related = getattr(item, attribute, None)
        if related is not None:
            return related if isinstance(related, Agenda) else _agenda_of(related)
    raise ValueError(f"{item!r} belongs to no agenda")


@transaction.atomic
def remove_item(item: models.Model, *, actor) -> None:
    """Delete a node of the tree (with what hangs under it), audited with what it was."""
    agenda = _agenda_of(item)
    before = audit.snapshot(item)
    audit.record(
        f"agenda.{type(item).__name__.lower()}.delete",
        actor=actor,
        target=item,
        organisation=_owner(agenda),
        before=before,
    )
    audit.with_history_user(item, actor).delete()


@transaction.atomic
def set_item_links(item: models.Model, name: str, objects, *, actor) -> bool:
    """Replace a many-to-many set (owners and regions of an agenda, themes of a goal,
    goals and locations of an intervention) when it differs, audited before and after.
    Returns whether anything changed."""
    manager = getattr(item, name)
    before = sorted(manager.values_list("pk", flat=True))
    after = sorted(obj.pk for obj in objects)
    if before == after:
        return False
    manager.set(objects)
    agenda = item if isinstance(item, Agenda) else _agenda_of(item)
    audit.record(
        f"agenda.{type(item).__name__.lower()}.update",
        actor=actor,
        target=item,
        organisation=_owner(agenda),
        before={name: before},
        after={name: after},
    )
    return True


@transaction.atomic
def set_planned_months(item: Activity | Intervention, months, *, actor) -> None:
    """Replace the set of months in which ``item`` is planned (any day → first of month)."""
    wanted = {datetime.date(m.year, m.month, 1) for m in months}
    field = "activity" if isinstance(item, Activity) else "intervention"
    existing = set(item.planned_months.values_list("month", flat=True))
    item.planned_months.filter(month__in=existing - wanted).delete()
    PlannedMonth.objects.bulk_create(
        [PlannedMonth(**{field: item, "month": m}) for m in sorted(wanted - existing)]
    )
    if wanted != existing:
        audit.record(
            "agenda.planning.update",
            actor=actor,
            target=item,
            organisation=_owner(item.agenda),
            before={"months": sorted(m.isoformat()[:7] for m in existing)},
            after={"months": sorted(m.isoformat()[:7] for m in wanted)},
        )


@transaction.atomic
def update_progress(
    item: Activity | Intervention,
    *,
    actor,
    status: str | None = None,
    progress: int | None = None,
    note: str = "",
    is_milestone: bool = False,
    date: datetime.date | None = None,
) -> Activity | Intervention:
    """What a voortrekker does: set status and progress, and say what happened."""
    changes: dict[str, Any] = {}
    if status is not None:
        changes["status"] = WorkStatus(status)
    if progress is not None:
        changes["progress"] = progress
    if changes:
        save_item(item, actor=actor, **changes)
    if note:
        field = "activity" if isinstance(item, Activity) else "intervention"
        ProgressNote.objects.create(
            **{field: item},
            date=date or timezone.localdate(),
            text=note,
            is_milestone=is_milestone,
            author=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            "agenda.progress_note.create",
            actor=actor,
            target=item,
            organisation=_owner(item.agenda),
            after={"note": note, "milestone": is_milestone},
        )
    return item


# ------------------------------------------------------------------ roles


@dataclass(frozen=True)
class Party:
    """Who takes a role: an organisation of the register, a person of one (a user with a
    membership of it), or a party only named in the text ('alle kinderopvanginstellingen')."""

    organisation: Any = None
    person: Any = None
    party_name: str = ""

    @classmethod
    def of(cls, value) -> Party:
        """An Organisation, a Party or a text (a party not in the register)."""
        from kansrijk.organisations.models import Organisation

        if isinstance(value, Party):
            return value
        if isinstance(value, Organisation):
            return cls(organisation=value)
        if isinstance(value, str) and value.strip():
            return cls(party_name=value.strip())
        raise TypeError(f"Not a party: {value!r}")

    @classmethod
    def of_involvement(cls, involvement: Involvement) -> Party:
        return cls(involvement.organisation, involvement.person, involvement.party_name)

    @property
    def key(self) -> tuple:
        if self.organisation is not None:
            return (self.organisation.pk, getattr(self.person, "pk", None), "")
        return (None, None, self.party_name)

    @property
    def label(self) -> str:
        if self.organisation is None:
            return self.party_name
        if self.person is not None:
            person = self.person.get_full_name() or self.person.username
            return f"{person} ({self.organisation.name})"
        return self.organisation.name


# The roles ``set_roles`` manages; an executor (uitvoerder) of the seeds' text stays as it is.
MANAGED_ROLES = (InvolvementRole.LEAD, InvolvementRole.PARTNER, InvolvementRole.FUNDER)


def current_roles(item: Activity | Intervention) -> dict[str, list[Party]]:
    """The voortrekker, partners and financiers of ``item``, each role in the order the
    parties were added."""
    roles: dict[str, list[Party]] = {role: [] for role in MANAGED_ROLES}
    involvements = item.involvements.filter(role__in=MANAGED_ROLES).select_related(
        "organisation", "person"
    )
    for involvement in involvements.order_by("pk"):
        roles[involvement.role].append(Party.of_involvement(involvement))
    return roles


def _parties(values, role_label: str) -> list[Party]:
    parties = [Party.of(value) for value in values]
    seen: set[tuple] = set()
    for party in parties:
        if party.key in seen:
            raise ValidationError(
                _("%(party)s staat twee keer bij de %(role)s.")
                % {"party": party.label, "role": role_label}
            )
        seen.add(party.key)
    return parties


@transaction.atomic
def set_roles(item: Activity | Intervention, *, voortrekker, partners, financiers, actor) -> bool:
    """Name who leads ``item`` (one voortrekker, or None while nobody is named), who takes
    part and who pays. Each party is an Organisation, a ``Party`` (a person of an
    organisation, or a party named only as text) or a text. Replaces the three roles when
    they differ, with history and an audit record before and after; returns whether
    anything changed. Raises ValidationError with a Dutch message for a second
    voortrekker, a party twice in one role, or a person who does not work for the
    organisation named with them."""
    if not isinstance(item, Activity | Intervention):
        raise TypeError(f"Roles belong to activities and interventions, not {item!r}")
    if isinstance(voortrekker, list | tuple):
        if len(voortrekker) > 1:
            raise ValidationError(
                _(
                    "Een onderdeel heeft één voortrekker; kies er één en zet de anderen bij de partners."
                )
            )
        voortrekker = voortrekker[0] if voortrekker else None
    wanted = {
        InvolvementRole.LEAD: [] if voortrekker in (None, "") else [Party.of(voortrekker)],
        InvolvementRole.PARTNER: _parties(partners or (), _("partners")),
        InvolvementRole.FUNDER: _parties(financiers or (), _("financiers")),
    }
    lead_keys = {party.key for party in wanted[InvolvementRole.LEAD]}
    for party in wanted[InvolvementRole.PARTNER]:
        if party.key in lead_keys:
            raise ValidationError(
                _("%(party)s is al voortrekker; zet hen niet ook bij de partners.")
                % {"party": party.label}
            )
    current = current_roles(item)

    def keys(roles) -> dict[str, set]:
        return {role: {party.key for party in roles[role]} for role in MANAGED_ROLES}

    if keys(current) == keys(wanted):
        return False
    field = "activity" if isinstance(item, Activity) else "intervention"
    existing = {
        (inv.role, Party.of_involvement(inv).key): inv
        for inv in item.involvements.filter(role__in=MANAGED_ROLES).select_related(
            "organisation", "person"
        )
    }
    wanted_keys = {(role, party.key) for role in MANAGED_ROLES for party in wanted[role]}
    # Removed first: a voortrekker who is replaced makes room for the new one.
    for key, involvement in existing.items():
        if key not in wanted_keys:
            audit.with_history_user(involvement, actor).delete()
    for role in MANAGED_ROLES:
        for party in wanted[role]:
            if (role, party.key) in existing:
                continue
            involvement = Involvement(
                **{field: item},
                organisation=party.organisation,
                person=party.person,
                party_name="" if party.organisation is not None else party.party_name,
                role=role,
            )
            involvement.full_clean()
            audit.with_history_user(involvement, actor).save()

    def labels(roles) -> dict[str, list[str]]:
        return {role: [party.label for party in roles[role]] for role in MANAGED_ROLES}

    audit.record(
        f"agenda.{type(item).__name__.lower()}.roles",
        actor=actor,
        target=item,
        organisation=_owner(item.agenda),
        before=labels(current),
        after=labels(wanted),
    )
    return True


def effective_progress(activity: Activity) -> int | None:
    """An activity's own progress: the number entered, else 100 when done, else none
    (the rule of ``progress``, decision 0039)."""
    value = own_value(activity.status, activity.progress)
    return None if value is None else round(value)


def rolled_up_progress(activity: Activity, children=None) -> int | None:
    """Progress of a parent is the mean of its children that have a value, cancelled
    children left out; without such children it is its own (``progress``, decision 0039).
    ``children`` may be passed in when the caller has already fetched them."""
    children = list(activity.children.all() if children is None else children)
    return activity_progress(activity, children).value


# ------------------------------------------------------------------ adoption, versions


# A version frozen before roles, progress, evaluation moments and commitments were kept
# has no "_format" in its agenda entry; the diff then leaves out what it could not know.
SNAPSHOT_FORMAT = 2
KINDS_SINCE_FORMAT_2 = ("evaluation:", "commitment:")


def _roles_by_item(agenda: Agenda) -> dict[tuple[str, int], dict[str, Any]]:
    """Voortrekker, partners and financiers of every activity and intervention of
    ``agenda``, in one query, as the labels a reader sees."""
    names = {
        InvolvementRole.LEAD: "voortrekker",
        InvolvementRole.PARTNER: "partners",
        InvolvementRole.FUNDER: "financiers",
    }
    roles: dict[tuple[str, int], dict[str, Any]] = {}
    involvements = (
        Involvement.objects.filter(
            models.Q(activity__agenda=agenda) | models.Q(intervention__agenda=agenda),
            role__in=MANAGED_ROLES,
        )
        .select_related("organisation", "person")
        .order_by("pk")
    )
    for involvement in involvements:
        key = (
            ("activity", involvement.activity_id)
            if involvement.activity_id
            else ("intervention", involvement.intervention_id)
        )
        item = roles.setdefault(key, {"voortrekker": "", "partners": [], "financiers": []})
        label = involvement.party_label()
        if involvement.role == InvolvementRole.LEAD:
            item["voortrekker"] = label
        else:
            item[names[involvement.role]].append(label)
    for item in roles.values():
        item["partners"].sort()
        item["financiers"].sort()
    return roles


def _months_by_item(agenda: Agenda) -> dict[tuple[str, int], list[str]]:
    months: dict[tuple[str, int], list[str]] = {}
    rows = PlannedMonth.objects.filter(
        models.Q(activity__agenda=agenda) | models.Q(intervention__agenda=agenda)
    ).values_list("activity_id", "intervention_id", "month")
    for activity_id, intervention_id, month in rows:
        key = ("activity", activity_id) if activity_id else ("intervention", intervention_id)
        months.setdefault(key, []).append(month.isoformat()[:7])
    return {key: sorted(values) for key, values in months.items()}


def agenda_snapshot(agenda: Agenda) -> dict[str, dict[str, Any]]:
    """The whole tree keyed by stable external ids, with every field a reader cares
    about, including status, progress, planned months and roles. Values are stored as
    codes, months as YYYY-MM and references as external ids, so that versions compare
    across languages; ``diff_text`` turns them into Dutch. Used for frozen versions and
    the readable diff between two of them."""
    no_roles = {"voortrekker": "", "partners": [], "financiers": []}
    roles = _roles_by_item(agenda)
    months = _months_by_item(agenda)
    items: dict[str, dict[str, Any]] = {
        "agenda": {
            "kind": "agenda",
            "_format": SNAPSHOT_FORMAT,
            "title": agenda.title,
            "vision": agenda.vision,
            "status": agenda.status,
            "period": f"{agenda.period_start}–{agenda.period_end}",
        }
    }
    for theme in agenda.themes.all():
        items[f"theme:{theme.external_id}"] = {
            "kind": "thema",
            "title": theme.title,
            "number": theme.number,
            "background": theme.background,
        }
    for spearhead in agenda.spearheads.all():
        items[f"spearhead:{spearhead.external_id}"] = {
            "kind": "speerpunt",
            "title": spearhead.title,
            "number": spearhead.number,
            "description": spearhead.description,
            "intended_result": spearhead.intended_result,
            "priority": spearhead.priority,
        }
    for goal in agenda.goals.select_related("spearhead"):
        items[f"goal:{goal.external_id}"] = {
            "kind": "doel",
            "title": goal.text,
            "number": goal.number,
            "indicator_text": goal.indicator_text,
            "priority": goal.priority,
            "spearhead": goal.spearhead.external_id if goal.spearhead else "",
        }
    for activity in agenda.activities.select_related("goal", "parent"):
        items[f"activity:{activity.external_id}"] = {
            "kind": activity.get_kind_display(),
            "title": activity.title,
            "description": activity.description,
            "goal": activity.goal.external_id if activity.goal else "",
            "parent": activity.parent.external_id if activity.parent else "",
            "status": activity.status,
            "progress": activity.progress,
            "planned": activity.planned_text,
            "months": months.get(("activity", activity.pk), []),
            **roles.get(("activity", activity.pk), no_roles),
        }
    for intervention in agenda.interventions.prefetch_related("goals"):
        items[f"intervention:{intervention.external_id}"] = {
            "kind": "interventie",
            "title": intervention.name,
            "goals": sorted(goal.external_id for goal in intervention.goals.all()),
            "parties_text": intervention.parties_text,
            "goal_text": intervention.goal_text,
            "target_group": intervention.target_group,
            "age_min": _decimal_text(intervention.age_min),
            "age_max": _decimal_text(intervention.age_max),
            "location_text": intervention.location_text,
            "activities_text": intervention.activities_text,
            "monitoring_text": intervention.monitoring_text,
            "financing_text": intervention.financing_text,
            "online_information": intervention.online_information,
            "contact": intervention.contact,
            "planning": intervention.planning_text,
            "months": months.get(("intervention", intervention.pk), []),
            "status": intervention.status,
            "progress": intervention.progress,
            **roles.get(("intervention", intervention.pk), no_roles),
        }
    funding_lines = FundingLine.objects.filter(
        models.Q(intervention__agenda=agenda) | models.Q(activity__agenda=agenda)
    ).select_related("intervention", "activity", "payer")
    for line in funding_lines:
        funded = line.intervention.name if line.intervention else line.activity.title
        items[f"funding:{line.external_id}"] = {
            "kind": "financiering",
            "title": f"{funded} {line.year} {line.get_source_display()}",
            "payer": line.payer.name if line.payer else "",
            "planned_amount": str(line.planned_amount),
            "realised_amount": str(line.realised_amount or ""),
            "is_estimate": line.is_estimate,
            "notes": line.notes,
        }
    for moment in agenda.evaluation_moments.select_related("intervention"):
        items[f"evaluation:{moment.external_id}"] = {
            "kind": "evaluatiemoment",
            "title": moment.description,
            "month": moment.month.isoformat()[:7],
            "planned": moment.planned_text,
            "intervention": moment.intervention.external_id if moment.intervention else "",
            "done_on": moment.done_on.isoformat() if moment.done_on else "",
        }
    for commitment in agenda.commitments.all():
        items[f"commitment:{commitment.external_id}"] = {
            "kind": "afspraak",
            "title": commitment.text,
            "times_per_year": commitment.times_per_year,
            "at_least": commitment.at_least,
        }
    return items


def _snapshot_format(snapshot: dict) -> int:
    return snapshot.get("agenda", {}).get("_format", 1)


def _without_newer_kinds(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if not k.startswith(KINDS_SINCE_FORMAT_2)}


def _decimal_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def diff_snapshots(old: dict, new: dict) -> dict[str, list]:
    """Items added, removed and changed between two snapshots; each changed field as a
    ``diff_text.FieldChange`` with its Dutch label and values. A field that one of the
    two versions did not keep (frozen before it was recorded) is left out, as are the
    kinds of items such a version did not keep: the diff shows changes, never gaps."""
    from .diff_text import field_change

    if min(_snapshot_format(old), _snapshot_format(new)) < SNAPSHOT_FORMAT:
        old, new = _without_newer_kinds(old), _without_newer_kinds(new)
    added = [new[key] | {"key": key} for key in new.keys() - old.keys()]
    removed = [old[key] | {"key": key} for key in old.keys() - new.keys()]
    changed = []
    for key in sorted(old.keys() & new.keys()):
        fields = [
            field_change(key, field, old[key][field], new[key][field], old, new)
            for field in new[key]  # in the order the snapshot lists them: title first
            if field in old[key]
            and not field.startswith("_")
            and old[key][field] != new[key][field]
        ]
        if fields:
            changed.append(
                {"key": key, "kind": new[key]["kind"], "title": new[key]["title"], "fields": fields}
            )
    by_key = lambda item: item["key"]  # noqa: E731
    return {
        "added": sorted(added, key=by_key),
        "removed": sorted(removed, key=by_key),
        "changed": changed,
    }


@transaction.atomic
def save_version(agenda: Agenda, *, actor, label: str) -> AgendaVersion:
    number = (agenda.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = AgendaVersion.objects.create(
        agenda=agenda,
        number=number,
        label=label,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        snapshot=agenda_snapshot(agenda),
    )
    audit.record(
        "agenda.version.create",
        actor=actor,
        target=agenda,
        organisation=_owner(agenda),
        after={"version": number, "label": label},
    )
    return version


@transaction.atomic
def adopt_agenda(
    agenda: Agenda, *, actor, adopted_on: datetime.date, adopted_by: str
) -> AgendaVersion:
    """Vaststellen: the status changes and the tree is frozen as a version."""
    save_item(
        agenda,
        actor=actor,
        status=AgendaStatus.ADOPTED,
        adopted_on=adopted_on,
        adopted_by=adopted_by,
    )
    return save_version(
        agenda, actor=actor, label=f"Vastgesteld {adopted_on:%d-%m-%Y} door {adopted_by}"
    )


@transaction.atomic
def set_publication(agenda: Agenda, *, actor, is_public: bool) -> Agenda:
    return save_item(agenda, actor=actor, is_public=is_public)


# ------------------------------------------------------------------ commitments


@transaction.atomic
def record_commitment_occurrence(
    commitment: Commitment, *, actor, date: datetime.date, note: str = ""
) -> CommitmentOccurrence:
    occurrence = CommitmentOccurrence.objects.create(
        commitment=commitment,
        date=date,
        note=note,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        "agenda.commitment.occurrence",
        actor=actor,
        target=commitment,
        organisation=_owner(commitment.agenda),
        after={"date": date.isoformat(), "note": note},
    )
    return occurrence


# ------------------------------------------------------------------ the education prize


@transaction.atomic
def open_next_edition(prize: EducationPrize, *, actor) -> EducationPrize:
    """The edition ``cycle_years`` after ``prize``, with its window moved by as many
    years; the existing one when it is already there."""
    year = prize.year + prize.cycle_years
    existing = EducationPrize.objects.filter(
        organiser_id=prize.organiser_id, name=prize.name, year=year
    ).first()
    if existing is not None:
        return existing

    def moved(day: datetime.date) -> datetime.date:
        try:
            return day.replace(year=day.year + prize.cycle_years)
        except ValueError:  # 29 February into a year without it
            return day.replace(year=day.year + prize.cycle_years, day=28)

    return save_item(
        EducationPrize(organiser=prize.organiser, name=prize.name, year=year),
        actor=actor,
        agenda=prize.agenda,
        cycle_years=prize.cycle_years,
        nominations_from=moved(prize.nominations_from),
        nominations_until=moved(prize.nominations_until),
        nominations_open=True,
    )


def follow_prize_cycle(prize: EducationPrize, *, actor, today: datetime.date) -> EducationPrize:
    """Open the editions that follow ``prize`` up to the one whose nominations have not
    yet closed on ``today`` (the current edition), and return that one."""
    edition = prize
    while edition.nominations_until < today:
        edition = open_next_edition(edition, actor=actor)
    return edition


def nominations_refusal(prize: EducationPrize, day: datetime.date) -> str | None:
    """Why ``prize`` takes no nomination on ``day``, in words for the public; None when
    it does."""
    if prize.takes_nominations_on(day):
        return None
    words = {"name": prize.name, "year": prize.year}
    if prize.nominations_open and day < prize.nominations_from:
        words["date"] = date_format(prize.nominations_from, "j F Y")
        return _("Nomineren voor de %(name)s %(year)s kan vanaf %(date)s.") % words
    if prize.nominations_open:
        words["date"] = date_format(prize.nominations_until, "j F Y")
        return _("De nominaties voor de %(name)s %(year)s zijn gesloten op %(date)s.") % words
    return _("De nominaties voor de %(name)s %(year)s zijn gesloten.") % words


@transaction.atomic
def submit_nomination(prize: EducationPrize, *, actor, **fields) -> Nomination:
    refusal = nominations_refusal(prize, timezone.localdate())
    if refusal is not None:
        raise ValueError(refusal)
    nomination = Nomination(prize=prize, **fields)
    nomination.full_clean()
    nomination.save()
    audit.record(
        "agenda.nomination.create",
        actor=actor,
        target=nomination,
        organisation=prize.organiser,
        after=audit.snapshot(nomination),
    )
    return nomination


@transaction.atomic
def set_nomination_status(nomination: Nomination, *, actor, status: str) -> Nomination:
    """Shortlist, choose the winner (at most one per category) or leave out."""
    before = {"status": nomination.status}
    if status == NominationStatus.WINNER:
        Nomination.objects.filter(
            prize=nomination.prize, category=nomination.category, status=NominationStatus.WINNER
        ).exclude(pk=nomination.pk).update(status=NominationStatus.SHORTLISTED)
    nomination.status = NominationStatus(status)
    nomination.save(update_fields=["status"])
    audit.record(
        "agenda.nomination.status",
        actor=actor,
        target=nomination,
        organisation=nomination.prize.organiser,
        before=before,
        after={"status": nomination.status},
    )
    return nomination


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


@transaction.atomic
def save_curve_story(agenda: Agenda, indicator, *, actor, text: str) -> CurveStory:
    """Write the story behind the curve of ``indicator`` in ``agenda`` (one per pair),
    with its history and audit record; an unchanged text writes nothing."""
    story = (
        CurveStory.objects.select_for_update().filter(agenda=agenda, indicator=indicator).first()
    )
    if story is None:
        story = CurveStory(agenda=agenda, indicator=indicator)
    elif story.text == text:
        return story
    return save_item(story, actor=actor, text=text)
