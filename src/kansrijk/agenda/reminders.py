"""Reminders by e-mail for what falls due this month: a time a commitment is to be kept
("twee keer per jaar bestuurlijk overleg") and an evaluation moment. Sent by the worker
(``kansrijk db_worker``, through :class:`ReminderSchedule`) and by ``kansrijk
send_reminders`` for cron and tests (decision 0039).

- **What**: in an adopted agenda that runs this month, each time of a commitment that
  falls due this month and is not yet recorded (``commitments.due_in_month``), and each
  evaluation moment of this month without a date of execution.
- **To whom**: for a commitment its owner, else the agenda's owners; for an evaluation
  of an intervention its voortrekkers, else the agenda's owners. In an owning
  organisation the beleidsmedewerkers and beheerders are reminded (those who keep the
  agenda); in a voortrekker organisation everyone but a lezer (those who may update the
  intervention, as ``rules.leads_item``). Only active accounts with an e-mail address.
- **Once**: a :class:`~kansrijk.agenda.models.SentReminder` per (what, month,
  recipient), unique in the database, written in the same transaction as the mail is
  handed to the mail server; a second run, or a second worker, finds it and sends nothing.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit
from kansrijk.organisations.models import Membership, Role

from .commitments import due_in_month
from .models import (
    Agenda,
    AgendaStatus,
    Commitment,
    EvaluationMoment,
    Involvement,
    InvolvementRole,
    ReminderKind,
    SentReminder,
)

logger = logging.getLogger(__name__)

OWNER_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)
SUBJECT_LENGTH = 200


@dataclass
class ReminderReport:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    without_recipients: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Due:
    """One thing that falls due, and the organisations that answer for it, each with
    whether it answers as owner (beleid) or as voortrekker (everyone but a lezer)."""

    kind: str
    item: Commitment | EvaluationMoment
    agenda: Agenda
    month: datetime.date
    organisations: tuple[tuple[int, bool], ...]
    context: dict

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item.pk}:{self.month:%Y-%m}"


def _owners_by_agenda(agenda_ids) -> dict[int, list[int]]:
    owners = defaultdict(list)
    rows = Agenda.owners.through.objects.filter(agenda_id__in=agenda_ids).order_by(
        "organisation_id"
    )
    for agenda_id, organisation_id in rows.values_list("agenda_id", "organisation_id"):
        owners[agenda_id].append(organisation_id)
    return owners


def due_this_month(today: datetime.date) -> list[_Due]:
    """What falls due in the month of ``today`` and is not done yet: four queries."""
    month = today.replace(day=1)
    adopted = Q(agenda__status=AgendaStatus.ADOPTED)
    commitments = list(
        Commitment.objects.filter(adopted, times_per_year__isnull=False)
        .select_related("agenda")
        .order_by("agenda_id", "position", "pk")
    )
    open_commitments = [d for d in due_in_month(commitments, month) if not d.is_kept]
    evaluations = list(
        EvaluationMoment.objects.filter(adopted, month=month, done_on=None)
        .select_related("agenda", "intervention")
        .order_by("agenda_id", "pk")
    )
    owners = _owners_by_agenda(
        {d.commitment.agenda_id for d in open_commitments} | {e.agenda_id for e in evaluations}
    )
    leads = defaultdict(list)
    for intervention_id, organisation_id in (
        Involvement.objects.filter(
            intervention__in=[e.intervention_id for e in evaluations if e.intervention_id],
            role=InvolvementRole.LEAD,
        )
        .exclude(organisation=None)
        .values_list("intervention_id", "organisation_id")
    ):
        leads[intervention_id].append(organisation_id)

    due = []
    for occurrence in open_commitments:
        commitment = occurrence.commitment
        organisations = (
            [commitment.owner_id] if commitment.owner_id else owners[commitment.agenda_id]
        )
        due.append(
            _Due(
                ReminderKind.COMMITMENT,
                commitment,
                commitment.agenda,
                month,
                tuple((pk, True) for pk in organisations),
                {"occurrence": occurrence},
            )
        )
    for evaluation in evaluations:
        lead_ids = leads.get(evaluation.intervention_id, [])
        organisations = [(pk, False) for pk in lead_ids] or [
            (pk, True) for pk in owners[evaluation.agenda_id]
        ]
        due.append(
            _Due(
                ReminderKind.EVALUATION,
                evaluation,
                evaluation.agenda,
                month,
                tuple(organisations),
                {"evaluation": evaluation},
            )
        )
    return due


def _recipients(due: list[_Due]) -> dict[tuple[int, bool], list[Membership]]:
    """{(organisation, as owner): memberships of people to remind}, in one query."""
    organisation_ids = {pk for d in due for pk, _owner in d.organisations}
    memberships = (
        Membership.objects.filter(
            organisation_id__in=organisation_ids, is_active=True, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user", "organisation")
        .order_by("organisation_id", "user_id", "role")
    )
    by_organisation: dict[tuple[int, bool], list[Membership]] = defaultdict(list)
    for membership in memberships:
        if membership.role in OWNER_ROLES:
            by_organisation[(membership.organisation_id, True)].append(membership)
        if membership.role != Role.READER:
            by_organisation[(membership.organisation_id, False)].append(membership)
    return by_organisation


def _link(base_url: str, due: _Due) -> str:
    agenda = due.agenda
    if due.kind == ReminderKind.COMMITMENT:
        path = reverse("agenda:commitments", args=[agenda.slug]) + f"#afspraak-{due.item.pk}"
    elif due.item.intervention_id:
        path = reverse("agenda:intervention", args=[agenda.slug, due.item.intervention.external_id])
    else:
        path = reverse("agenda:detail", args=[agenda.slug]) + "#agenda-evaluations"
    return base_url.rstrip("/") + path


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _subject(due: _Due) -> str:
    """What it is about, then the agenda: several reminders to one person in one month
    differ in their subject line."""
    if due.kind == ReminderKind.COMMITMENT:
        what = _("Herinnering afspraak")
        text = due.item.text
    else:
        what = _("Herinnering evaluatie")
        text = due.item.description
    return _shorten(f"{what}: {_shorten(text, 60)} · {due.agenda.title}", SUBJECT_LENGTH)


def _send_one(due: _Due, membership: Membership, *, base_url: str, now) -> bool:
    """Record and send one reminder in one transaction; False when it was sent before."""
    user = membership.user
    subject = _subject(due)
    body = render_to_string(
        "agenda/reminder_email.txt",
        due.context
        | {
            "kind": due.kind,
            "agenda": due.agenda,
            "month": due.month,
            "recipient": user,
            "membership": membership,
            "link": _link(base_url, due),
        },
    )
    try:
        with transaction.atomic():
            reminder = SentReminder.objects.create(
                key=due.key,
                kind=due.kind,
                commitment=due.item if due.kind == ReminderKind.COMMITMENT else None,
                evaluation_moment=due.item if due.kind == ReminderKind.EVALUATION else None,
                agenda=due.agenda,
                organisation=membership.organisation,
                due_month=due.month,
                recipient=user,
                email=user.email,
                subject=subject,
                sent_at=now,
            )
            audit.record(
                "agenda.reminder.send",
                actor=None,
                target=due.item,
                organisation=membership.organisation,
                after={
                    "reminder": reminder.pk,
                    "month": f"{due.month:%Y-%m}",
                    "recipient": user.pk,
                },
            )
            # Inside the transaction: a mail server that refuses rolls the record back,
            # so the next run tries again.
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:
        return False  # another run got there first
    return True


def send_due_reminders(
    *, today: datetime.date | None = None, base_url: str | None = None
) -> ReminderReport:
    """Send every reminder that is due in the month of ``today`` and not sent before."""
    today = today or timezone.localdate()
    if base_url is None:
        base_url = settings.AGENDA_REMINDERS["BASE_URL"]
    report = ReminderReport()
    due = due_this_month(today)
    if not due:
        return report
    recipients = _recipients(due)
    already = set(
        SentReminder.objects.filter(key__in={d.key for d in due}).values_list("key", "recipient_id")
    )
    now = timezone.now()
    # The mails are in Dutch, whatever language the process runs in.
    with translation.override(settings.LANGUAGE_CODE):
        for item in due:
            people = {}
            for organisation in item.organisations:
                for membership in recipients.get(organisation, []):
                    people.setdefault(membership.user_id, membership)
            if not people:
                report.without_recipients.append(str(item.item))
            for user_id, membership in people.items():
                if (item.key, user_id) in already:
                    report.already_sent += 1
                    continue
                try:
                    sent = _send_one(item, membership, base_url=base_url, now=now)
                except Exception as error:  # one refused mail does not stop the others
                    logger.error("Reminder %s not sent: %s", item.key, type(error).__name__)
                    report.failed += 1
                    continue
                if sent:
                    report.sent += 1
                else:
                    report.already_sent += 1
    return report


class ReminderSchedule:
    """The worker's clock for reminders: a run at the first tick, then at most once per
    ``interval`` seconds, whatever calls it more often (the sweep thread, every minute)."""

    def __init__(self, interval: float, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self.next_run: float | None = None

    def run_if_due(self) -> ReminderReport | None:
        now = self.clock()
        if self.next_run is not None and now < self.next_run:
            return None
        self.next_run = now + self.interval
        try:
            report = send_due_reminders()
        except Exception as error:  # the next run tries again; the worker goes on
            logger.error("Agenda reminders failed: %s", type(error).__name__)
            return None
        if report.sent or report.failed:
            logger.info("Agenda reminders: %s sent, %s failed", report.sent, report.failed)
        return report
