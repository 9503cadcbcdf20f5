"""Every change to a draft agenda read from a document goes through these functions:
start reading an upload, the background reading itself, the officer's decisions per item,
and the confirmation that turns the accepted items into a concept agenda (decision 0053).

Until ``confirm`` nothing is written to the agenda tables; ``confirm`` writes the whole
agenda in one transaction through ``agenda.demo.load_agenda_data`` and the indicators'
services, and a second confirm finds the draft confirmed and writes nothing.
"""

from __future__ import annotations

import datetime
import logging
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit
from kansrijk.pulse import Pulse, pulsing

from . import tree
from .models import AgendaDraft, DraftStatus, ItemDecision

logger = logging.getLogger(__name__)


def max_document_bytes() -> int:
    """The largest document read (the reader's own limit, ``AGENDA_INTAKE_MAX_BYTES``):
    a larger upload is refused before it is read (``views.upload`` checks the request's
    length first)."""
    return settings.AGENDA_INTAKE_MAX_BYTES


SUFFIXES = {".docx": "docx", ".pdf": "pdf", ".txt": "text"}
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "text": "text/plain; charset=utf-8",
}
PROGRESS_SECONDS = 1.0


class NotReady(ValidationError):
    """The draft is not (or no longer) open for review: still reading, failed, confirmed
    or discarded."""


def _locked(draft: AgendaDraft) -> AgendaDraft:
    return AgendaDraft.objects.without_document().select_for_update().get(pk=draft.pk)


def _open(draft: AgendaDraft) -> AgendaDraft:
    """The draft, locked for the change, if it is still being reviewed."""
    locked = _locked(draft)
    if locked.status != DraftStatus.READY:
        raise NotReady(
            {
                DraftStatus.READING: _("Het document wordt nog gelezen."),
                DraftStatus.FAILED: _("Dit document kon niet worden gelezen."),
                DraftStatus.CONFIRMED: _("Dit voorstel is al overgenomen als conceptagenda."),
                DraftStatus.DISCARDED: _("Dit voorstel is weggegooid."),
            }[locked.status]
        )
    return locked


def _record(action: str, draft: AgendaDraft, *, actor, after: dict | None = None) -> None:
    audit.record(
        f"agenda_intake.{action}",
        actor=actor,
        target=draft,
        organisation=draft.owner,
        after=after,
    )


# ------------------------------------------------------------------ reading


def document_format(name: str) -> str | None:
    return SUFFIXES.get(Path(name).suffix.lower())


@transaction.atomic
def start_reading(*, actor, owner, name: str, content: bytes) -> AgendaDraft:
    """Keep the document in a new draft and hand it to the worker once committed."""
    from .tasks import read_draft

    fmt = document_format(name) or "text"
    draft = AgendaDraft.objects.create(
        owner=owner,
        uploaded_by=actor,
        original_name=Path(name).name[:255],
        content_type=CONTENT_TYPES[fmt],
        size=len(content),
        document=content,
        language=translation.get_language() or "",
        step=_("Het document wacht op de verwerking."),
    )
    _record("upload", draft, actor=actor, after={"name": draft.original_name, "size": draft.size})
    transaction.on_commit(lambda: _enqueue(read_draft, draft.pk))
    return draft


def _enqueue(task, draft_id: int) -> None:
    result = task.enqueue(draft_id)
    AgendaDraft.objects.filter(pk=draft_id).update(task_id=str(result.id)[:64])


def pulse_key(draft_id: int) -> str:
    return f"agenda-draft-pulse-{draft_id}"


class _Progress:
    """The reader's callback: how far it is, written at most once a second (and the
    heartbeat with it), outside any transaction of the reader."""

    def __init__(self, draft_id: int, clock=time.monotonic):
        self.draft_id = draft_id
        self.clock = clock
        self.last = 0.0

    def __call__(self, done: int, total: int, step: str) -> None:
        now = self.clock()
        if now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        AgendaDraft.objects.filter(pk=self.draft_id, status=DraftStatus.READING).update(
            done=max(done, 0),
            total=max(total, 0),
            step=str(step)[:200],
            heartbeat_at=timezone.now(),
        )


def _claim(draft_id: int) -> AgendaDraft | None:
    """The draft, now being read; None when another worker has it or it has ended."""
    claimed = AgendaDraft.objects.filter(
        pk=draft_id, status=DraftStatus.READING, heartbeat_at=None
    ).update(heartbeat_at=timezone.now(), step=_("Het document wordt gelezen."))
    if not claimed:
        return None
    return AgendaDraft.objects.select_related("owner").get(pk=draft_id)


def read(draft_id: int) -> None:
    """The background task's work: read the document, propose an agenda, keep it in the
    draft. An unreadable document gets the reader's Dutch reason; any other error is
    logged by its type only (its text may quote the document)."""
    from .reading import UnreadableDocument

    draft = _claim(draft_id)
    if draft is None:
        return
    with translation.override(draft.language or settings.LANGUAGE_CODE):
        try:
            with Pulse(pulse_key(draft.pk), interval=PROGRESS_SECONDS):
                proposal = propose_from(
                    bytes(draft.document),
                    draft.original_name,
                    owner=draft.owner,
                    progress=_Progress(draft.pk),
                )
        except UnreadableDocument as unreadable:
            _fail(draft, unreadable.message)
            return
        except Exception as error:
            logger.error("Reading agenda draft %s failed: %s", draft.pk, type(error).__name__)
            _fail(
                draft,
                _(
                    "Dit document kon niet worden gelezen. Is het een Word-document "
                    "(.docx), een PDF met tekst of een tekstbestand?"
                ),
            )
            return
    AgendaDraft.objects.filter(pk=draft.pk, status=DraftStatus.READING).update(
        status=DraftStatus.READY,
        proposal=proposal.to_dict(),
        review={},
        done=0,
        total=0,
        step="",
        read_at=timezone.now(),
    )


def propose_from(content: bytes, name: str, *, owner, progress):
    """The reader and its rules (``reading``, ``proposing``), as the review needs them."""
    from .proposing import propose
    from .reading import read_document

    document = read_document(content, name, progress=progress)
    return propose(document, owner=owner.code or None, progress=progress)


def _fail(draft: AgendaDraft, message: str) -> None:
    AgendaDraft.objects.filter(pk=draft.pk, status=DraftStatus.READING).update(
        status=DraftStatus.FAILED, error=str(message)[:1000], step="", read_at=timezone.now()
    )


def sweep(now: datetime.datetime | None = None) -> int:
    """Fail the drafts whose reading stopped: a heartbeat and pulse gone silent (the
    worker died), or waiting longer than an uploaded file is kept; and forget the
    document of a draft that failed or was discarded that long ago (it became no
    agenda's source); and expire a proposal left unreviewed and unchanged for
    ``AGENDA_INTAKE_DRAFT_MAX_AGE_DAYS``, forgetting its document too. Safe to run at any time, from any process: each change is
    conditional on the state it saw. Returns how many readings it failed."""
    now = now or timezone.now()
    limit = settings.IMPORT_RECOVERY["STALE_SECONDS"]
    stale_before = now - datetime.timedelta(seconds=limit)
    failed = 0
    for draft in AgendaDraft.objects.without_document().filter(
        status=DraftStatus.READING, heartbeat_at__lt=stale_before
    ):
        if pulsing(pulse_key(draft.pk), now, limit):
            continue
        failed += AgendaDraft.objects.filter(
            pk=draft.pk, status=DraftStatus.READING, heartbeat_at=draft.heartbeat_at
        ).update(
            status=DraftStatus.FAILED,
            error=_("Het lezen is onderbroken. Upload het document opnieuw."),
            read_at=now,
        )
    waited = now - datetime.timedelta(hours=settings.IMPORT_RECOVERY["FILE_MAX_AGE_HOURS"])
    failed += AgendaDraft.objects.filter(
        status=DraftStatus.READING, heartbeat_at=None, created_at__lt=waited
    ).update(
        status=DraftStatus.FAILED,
        error=_("Het document wachtte te lang op de verwerking. Upload het opnieuw."),
        read_at=now,
    )
    AgendaDraft.objects.filter(
        status__in=[DraftStatus.FAILED, DraftStatus.DISCARDED], created_at__lt=waited
    ).exclude(size=0).update(document=b"", size=0)
    days = settings.AGENDA_INTAKE_DRAFT_MAX_AGE_DAYS
    AgendaDraft.objects.annotate(last=Coalesce("changed_at", "read_at", "created_at")).filter(
        status=DraftStatus.READY, last__lt=now - datetime.timedelta(days=days)
    ).update(
        status=DraftStatus.DISCARDED,
        error=_("Dit voorstel is %(days)s dagen niet bekeken en is daarom vervallen.")
        % {"days": days},
        document=b"",
        size=0,
        changed_at=now,
    )
    return failed


# ------------------------------------------------------------------ the review


def _save(draft: AgendaDraft, **fields) -> None:
    fields.setdefault("changed_at", timezone.now())
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save(update_fields=list(fields))


def _item(draft: AgendaDraft, key: str) -> dict:
    found = tree.by_key(draft.proposal).get(key)
    if found is None or draft.review.get(key) == ItemDecision.MERGED:
        raise NotReady(_("Dit onderdeel staat niet (meer) in het voorstel."))
    return found


@transaction.atomic
def decide(draft: AgendaDraft, key: str, decision: str, *, actor) -> AgendaDraft:
    """Accept an item, or drop it with everything that hangs under it."""
    draft = _open(draft)
    item = _item(draft, key)
    review = dict(draft.review)
    if decision == ItemDecision.DROPPED:
        for dropped in {key} | tree.descendants(draft.proposal, key):
            if review.get(dropped) != ItemDecision.MERGED:
                review[dropped] = ItemDecision.DROPPED
    elif decision == ItemDecision.ACCEPTED:
        review[key] = ItemDecision.ACCEPTED
    else:
        raise ValueError(decision)
    _save(draft, review=review)
    _record("review", draft, actor=actor, after={"item": item["key"], "decision": decision})
    return draft


@transaction.atomic
def accept_open_items(draft: AgendaDraft, *, actor) -> int:
    """Accept every item the officer has not decided about yet; returns how many."""
    draft = _open(draft)
    review = dict(draft.review)
    opened = [item["key"] for item in tree.items(draft.proposal) if item["key"] not in review]
    for key in opened:
        review[key] = ItemDecision.ACCEPTED
    _save(draft, review=review)
    _record("review", draft, actor=actor, after={"accepted": len(opened)})
    return len(opened)


@transaction.atomic
def edit_item(draft: AgendaDraft, key: str, fields: dict, *, actor) -> AgendaDraft:
    """Change an item's values (the form validated them); an edited item is accepted.

    ``fields["involvements"]`` replaces the item's involvements: each an organisation
    reference or a party with one of the roles, at most one of them the voortrekker."""
    draft = _open(draft)
    item = _item(draft, key)
    if "involvements" in fields:
        _check_involvements(item, fields["involvements"])
    item["fields"] = {**item.get("fields", {}), **fields}
    _save(draft, proposal=draft.proposal, review={**draft.review, key: ItemDecision.ACCEPTED})
    _record("review", draft, actor=actor, after={"item": key, "decision": "edited"})
    return draft


def _check_involvements(item: dict, involvements: list[dict]) -> None:
    from kansrijk.agenda.models import InvolvementRole

    if item["kind"] not in ("activity", "intervention"):
        raise ValidationError(
            {"involvements": _("Alleen een activiteit of interventie heeft betrokkenen.")}
        )
    for entry in involvements:
        if entry.get("role") not in InvolvementRole.values or not (
            entry.get("organisation") or entry.get("party")
        ):
            raise ValidationError(
                {"involvements": _("Geef elke betrokkene een organisatie of partij en een rol.")}
            )
    leads = [entry for entry in involvements if entry["role"] == InvolvementRole.LEAD]
    if len(leads) > 1:
        raise ValidationError({"involvements": _("Een onderdeel heeft hoogstens één voortrekker.")})


@transaction.atomic
def move_item(draft: AgendaDraft, key: str, parent: str | None, *, actor) -> AgendaDraft:
    """Hang an item under another parent (one of ``tree.parent_choices``), or under none
    where its kind allows that."""
    draft = _open(draft)
    item = _item(draft, key)
    allowed = {other["key"] for other in tree.parent_choices(draft.proposal, item, draft.review)}
    _kinds, required = tree.PARENT_KINDS[item["kind"]]
    if (parent and parent not in allowed) or (not parent and required):
        raise ValidationError({"parent": _("Dit onderdeel kan daar niet onder hangen.")})
    item["parent"] = parent or None
    _save(draft, proposal=draft.proposal)
    _record("review", draft, actor=actor, after={"item": key, "moved_to": parent or ""})
    return draft


@transaction.atomic
def merge_item(draft: AgendaDraft, key: str, into: str, *, actor) -> AgendaDraft:
    """Merge an item into another of its kind: its passage is added to the other's (the
    text is not lost) and what hung under it moves to the other."""
    draft = _open(draft)
    item = _item(draft, key)
    allowed = {other["key"] for other in tree.merge_choices(draft.proposal, item, draft.review)}
    if into not in allowed:
        raise ValidationError({"into": _("Kies een ander onderdeel van dezelfde soort.")})
    target = tree.by_key(draft.proposal)[into]
    source, added = target.setdefault("source", {"text": "", "location": ""}), item["source"]
    source["text"] = "\n\n".join(part for part in (source.get("text"), added.get("text")) if part)
    source["location"] = "; ".join(
        part for part in (source.get("location"), added.get("location")) if part
    )
    # Values the other item lacks come from this one: a nulmeting in one sentence and
    # its streefwaarde in the next become one indicator.
    fields = target.setdefault("fields", {})
    for name, value in item.get("fields", {}).items():
        if fields.get(name) in (None, "", []) and value not in (None, "", []):
            fields[name] = value
    for child in tree.children(draft.proposal, key):
        child["parent"] = into
    review = {**draft.review, key: ItemDecision.MERGED}
    _save(draft, proposal=draft.proposal, review=review)
    _record("review", draft, actor=actor, after={"item": key, "merged_into": into})
    return draft


@transaction.atomic
def passage_to_item(draft: AgendaDraft, index: int, kind: str, parent: str | None, *, actor) -> str:
    """Turn an unrecognised passage into an item of ``kind`` (accepted, its words as the
    item's text, the passage as its source); returns the new item's key."""
    draft = _open(draft)
    unrecognised = draft.proposal.get("unrecognised", [])
    if not 0 <= index < len(unrecognised) or kind not in tree.KIND_LABELS:
        raise NotReady(_("Deze passage staat niet (meer) in het voorstel."))
    passage = unrecognised.pop(index)
    known = tree.by_key(draft.proposal)
    number = 1
    while f"passage-{number}" in known:
        number += 1
    key = f"passage-{number}"
    item = {
        "key": key,
        "kind": kind,
        "fields": {tree.TEXT_FIELD[kind]: passage.get("text", "")},
        "source": passage,
        "confidence": 1.0,
        "parent": None,
        "rule": _("door de beleidsmedewerker gemaakt"),
    }
    draft.proposal.setdefault("items", []).append(item)
    allowed = {other["key"] for other in tree.parent_choices(draft.proposal, item, draft.review)}
    _kinds, required = tree.PARENT_KINDS[kind]
    if (parent and parent not in allowed) or (not parent and required):
        raise ValidationError(
            {
                "parent": _("Een %(kind)s kan daar niet onder hangen.")
                % {"kind": tree.KIND_LABELS[kind]}
            }
        )
    item["parent"] = parent or None
    _save(draft, proposal=draft.proposal, review={**draft.review, key: ItemDecision.ACCEPTED})
    _record("review", draft, actor=actor, after={"item": key, "from_passage": index})
    return key


@transaction.atomic
def set_agenda_facts(draft: AgendaDraft, facts: dict, *, actor) -> AgendaDraft:
    """The agenda's title, kind and period (``facts`` as the form cleaned them)."""
    draft = _open(draft)
    agenda = dict(draft.proposal.get("agenda", {}))
    for name, value in facts.items():
        agenda[name] = value.isoformat() if isinstance(value, datetime.date) else value
    draft.proposal["agenda"] = agenda
    _save(draft, proposal=draft.proposal)
    _record("review", draft, actor=actor, after={"agenda": sorted(facts)})
    return draft


@transaction.atomic
def discard(draft: AgendaDraft, *, actor) -> AgendaDraft:
    """Throw the proposal away: nothing of it was ever written to the agenda."""
    draft = _open(draft)
    _save(draft, status=DraftStatus.DISCARDED)
    _record("discard", draft, actor=actor)
    return draft


# ------------------------------------------------------------------ confirming


def _resolve_organisation(reference) -> str | None:
    from kansrijk.agenda.demo import AgendaFileError, organisation_by_reference

    try:
        organisation_by_reference(str(reference))
    except AgendaFileError:
        return None
    return str(reference)


def _agenda_spec(draft: AgendaDraft) -> dict:
    """The ``[agenda]`` table: the proposal's values, the officer's facts, the owner
    chosen at the upload, its gemeente, a new slug and the document named as source."""
    from kansrijk.agenda import authoring
    from kansrijk.agenda.models import AgendaKind, AgendaStatus

    proposed = draft.proposal.get("agenda", {})
    problems = []
    title = str(proposed.get("title") or "").strip()
    if not title:
        problems.append(_("Geef de agenda een titel."))
    try:
        start = datetime.date.fromisoformat(str(proposed.get("period_start")))
        end = datetime.date.fromisoformat(str(proposed.get("period_end")))
    except ValueError:
        problems.append(_("Vul de looptijd van de agenda in."))
        start = end = None
    kind = proposed.get("kind")
    if kind not in AgendaKind.values:
        problems.append(_("Kies de soort agenda."))
    if problems:
        raise tree.NotConfirmable(problems)
    owner = draft.owner
    regions = authoring._regions_of(owner)
    read_on = date_format(timezone.localtime(draft.created_at), "j F Y")
    source = _(
        "Gelezen uit het document ‘%(name)s’ (geüpload op %(date)s) en nagekeken "
        "voordat het werd opgeslagen."
    ) % {"name": draft.original_name, "date": read_on}
    spec = {
        "slug": authoring.unique_slug(title, start, end),
        "title": title[:255],
        "subtitle": str(proposed.get("subtitle") or "")[:255],
        "kind": kind,
        "status": AgendaStatus.CONCEPT,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "owners": [owner],
        "regions": [region.code for region in regions],
        "source": source,
    }
    if owner.municipality_id:
        spec["region"] = owner.municipality.code
    for text in ("vision", "introduction"):
        if proposed.get(text):
            spec[text] = str(proposed[text])
    return spec


@transaction.atomic
def confirm(draft: AgendaDraft, *, actor):
    """Write the accepted items as a new concept agenda, all or nothing; returns it.

    A draft that was confirmed before raises ``NotReady`` and writes nothing."""
    from kansrijk.agenda.demo import AgendaFileError, load_agenda_data

    draft = _open(draft)
    spec = _agenda_spec(draft)
    converted = tree.agenda_tables(
        draft.proposal, draft.review, resolve_organisation=_resolve_organisation
    )
    try:
        with transaction.atomic():
            agenda = load_agenda_data({"agenda": spec, **converted["tables"]}, actor=actor)
            _add_indicators(agenda, converted["indicators"], actor=actor)
    except AgendaFileError as error:
        raise tree.NotConfirmable([str(error)]) from None
    except ValidationError as error:
        raise tree.NotConfirmable(list(error.messages)) from None
    _save(draft, status=DraftStatus.CONFIRMED, agenda=agenda, confirmed_at=timezone.now())
    _record(
        "confirm",
        draft,
        actor=actor,
        after={
            "agenda": agenda.slug,
            "items": len(tree.accepted(draft.proposal, draft.review)),
        },
    )
    return agenda


def _add_indicators(agenda, indicators: list[dict], *, actor) -> None:
    """Each accepted indicator through the indicators app, linked to its goal, with its
    nulmeting and streefwaarde; one the document gives no values for stays as text under
    its goal's "Hoe meten we dat?", as an agenda file keeps it."""
    from kansrijk.agenda import authoring, services
    from kansrijk.agenda.models import Goal
    from kansrijk.indicators.models import Unit

    for entry in indicators:
        goal = Goal.objects.get(agenda=agenda, external_id=entry["goal"])
        values = [
            entry.get(name)
            for name in ("baseline_value", "baseline_year", "target_value", "target_year")
        ]
        if all(value not in (None, "") for value in values):
            authoring.add_goal_indicator(
                goal,
                actor=actor,
                name=str(entry.get("name") or "")[:255],
                unit=entry.get("unit") if entry.get("unit") in Unit.values else Unit.SCORE,
                baseline_value=Decimal(str(values[0])),
                baseline_year=int(values[1]),
                target_value=Decimal(str(values[2])),
                target_year=int(values[3]),
            )
        else:
            text = "\n".join(
                part for part in (goal.indicator_text, str(entry.get("name") or "")) if part
            )
            services.save_item(goal, actor=actor, indicator_text=text)
