"""Every change to an agenda goes through these functions: they validate, save, keep the
version history (django-simple-history, with the actor as history user) and write the
audit record in one transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

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


def agenda_snapshot(agenda: Agenda) -> dict[str, dict[str, Any]]:
    """The whole tree keyed by stable external ids, with the text fields a reader cares
    about. Used for frozen versions and the readable diff between two of them."""
    items: dict[str, dict[str, Any]] = {
        "agenda": {
            "kind": "agenda",
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
            "background": theme.background,
        }
    for spearhead in agenda.spearheads.all():
        items[f"spearhead:{spearhead.external_id}"] = {
            "kind": "speerpunt",
            "title": spearhead.title,
            "intended_result": spearhead.intended_result,
        }
    for goal in agenda.goals.select_related("spearhead"):
        items[f"goal:{goal.external_id}"] = {
            "kind": "doel",
            "title": goal.text,
            "number": goal.number,
            "indicator_text": goal.indicator_text,
            "spearhead": goal.spearhead.external_id if goal.spearhead else "",
        }
    months: dict[int, list[str]] = {}
    for activity_id, month in PlannedMonth.objects.filter(activity__agenda=agenda).values_list(
        "activity_id", "month"
    ):
        months.setdefault(activity_id, []).append(month.isoformat()[:7])
    for activity in agenda.activities.select_related("goal", "parent"):
        items[f"activity:{activity.external_id}"] = {
            "kind": activity.get_kind_display(),
            "title": activity.title,
            "status": activity.status,
            "planned": activity.planned_text,
            "months": sorted(months.get(activity.pk, [])),
        }
    for intervention in agenda.interventions.all():
        items[f"intervention:{intervention.external_id}"] = {
            "kind": "interventie",
            "title": intervention.name,
            "goal_text": intervention.goal_text,
            "target_group": intervention.target_group,
            "planning": intervention.planning_text,
            "status": intervention.status,
        }
    funding_lines = FundingLine.objects.filter(
        models.Q(intervention__agenda=agenda) | models.Q(activity__agenda=agenda)
    ).select_related("intervention", "activity")
    for line in funding_lines:
        funded = line.intervention.name if line.intervention else line.activity.title
        items[f"funding:{line.external_id}"] = {
            "kind": "financiering",
            "title": f"{funded} {line.year} {line.get_source_display()}",
            "planned_amount": str(line.planned_amount),
            "realised_amount": str(line.realised_amount or ""),
        }
    return items


def diff_snapshots(old: dict, new: dict) -> dict[str, list]:
    """Items added, removed and changed (field by field) between two snapshots."""
    added = [new[key] | {"key": key} for key in new.keys() - old.keys()]
    removed = [old[key] | {"key": key} for key in old.keys() - new.keys()]
    changed = []
    for key in sorted(old.keys() & new.keys()):
        fields = [
            (field, old[key].get(field), new[key].get(field))
            for field in sorted(set(old[key]) | set(new[key]))
            if old[key].get(field) != new[key].get(field)
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
