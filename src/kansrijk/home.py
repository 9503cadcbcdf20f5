"""The home page's question, "what needs me today?", answered per role.

Each task is a count computed in the database (one query, on the same scoped queryset the
target page lists) with a link to that page. A task is offered only when the permission
that guards its page passes, asked through the same function or named permission the view
asks (decision 0033), so the home page never links to a 403 or a 404. A task with nothing
to do stays on the page as done rather than disappearing, so the page reads the same every
day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kansrijk.agenda.models import Activity, Agenda, Intervention
from kansrijk.agenda.queries import due_in_month
from kansrijk.cases import reporting, worklist
from kansrijk.cases.models import Case, ReportedCount, ReportStatus
from kansrijk.cases.queries import scope_of
from kansrijk.cases.views import absence_reports_visible_to, register_nav
from kansrijk.documents import failures
from kansrijk.imports.models import ImportJob, JobStatus
from kansrijk.indicators.forms import scopes_for
from kansrijk.indicators.models import ApprovalStatus, Measurement
from kansrijk.organisations.models import Membership, Organisation, Role
from kansrijk.socialmap.models import Service, ServiceStatus
from kansrijk.socialmap.views import provider_choices


@dataclass(frozen=True)
class Task:
    label: str
    url: str | None  # None: a count with nowhere to go for this user
    count: int | None = None  # None: a place to go, not something to count


@dataclass
class Section:
    title: str
    tasks: list[Task] = field(default_factory=list)


def link(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def case_tasks(user, today: datetime.date) -> Section:
    """Leerplicht, the SWV and the school: the work list's signals (its own functions, on
    the cases the user sees), the new verzuimmeldingen and the counts to report. What the
    register's own menu offers (``register_nav``) decides which of its pages appear."""
    section = Section(_("Thuiszitters en verzuim"))
    offered = register_nav(user)
    cases = Case.objects.visible_to(user)
    if offered["escalation"]:
        section.tasks += [
            Task(
                _("Casussen met een signaal"),
                link("cases:worklist"),
                worklist.cases_with_signals(cases, today).count(),
            ),
            Task(
                _("Urgent: langer dan 3 maanden zonder passend aanbod"),
                link("cases:worklist", signaal="pact"),
                worklist.cases_with_signals(cases, today, only="pact").count(),
            ),
            Task(
                _("Casussen voor het doorbraakberaad"),
                link("cases:escalation"),
                worklist.escalation_candidates(cases, today).count(),
            ),
        ]
    if offered["dossiers"]:
        section.tasks += [
            Task(_("Open casussen"), link("cases:list"), cases.open().count()),
            Task(
                _("Nieuwe verzuimmeldingen"),
                link("cases:absence_list", status=ReportStatus.REGISTERED),
                absence_reports_visible_to(user).filter(status=ReportStatus.REGISTERED).count(),
            ),
        ]
    section.tasks += counts_to_report(user, today)
    if offered["add_case"]:
        section.tasks.append(Task(_("Nieuwe casus openen"), link("cases:new")))
    if offered["dossiers"] and offered["report_absence"]:
        section.tasks.append(Task(_("Verzuim melden"), link("cases:absence_new")))
    if offered["figures"]:
        section.tasks.append(Task(_("Kwartaalrapportage thuiszitters"), link("cases:report")))
    if user.has_perm("cases.view_annual_report"):
        section.tasks.append(
            Task(_("Jaarverslag leerplicht voor de raad"), link("cases_oversight:annual_report"))
        )
    return section


def counts_to_report(user, today: datetime.date) -> list[Task]:
    """The school's locations, or the SWV's member schools, without a reported count of
    thuiszitters for the latest peildatum (the afstemming page takes and compares them)."""
    scope = scope_of(user)
    if not (scope.school_ids or scope.partnership_ids) or not user.has_perm(
        "cases.reconcile_counts"
    ):
        return []
    peildatum = reporting.latest_peildatum(today)
    reported = ReportedCount.objects.filter(school=OuterRef("pk"), reference_date=peildatum)
    schools = Organisation.objects.schools().filter(
        Q(pk__in=scope.school_ids) | Q(partnership_id__in=scope.partnership_ids)
    )
    label = _("Scholen zonder opgegeven aantal thuiszitters op peildatum %(day)s") % {
        "day": date_format(peildatum, "j F Y")
    }
    missing = schools.filter(~Exists(reported)).count()
    return [Task(label, link("cases_oversight:reconciliation"), missing)]


def figure_tasks(user) -> Section:
    """The monitor: figures waiting for this approver (not their own: four eyes), and the
    user's own figures that came back rejected."""
    section = Section(_("Cijfers"))
    if user.has_perm("indicators.approve_figures"):
        section.tasks.append(
            Task(
                _("Cijfers die wachten op jouw goedkeuring"),
                link("indicators:approval_queue"),
                Measurement.objects.waiting_for(user).count(),
            )
        )
    if scopes_for(user):  # the same test as the indicator page's "Een cijfer aanleveren"
        section.tasks.append(
            Task(_("Een cijfer aanleveren"), link("indicators:overview", aanleveren=1))
        )
    rejected = Measurement.objects.filter(entered_by=user, approval=ApprovalStatus.REJECTED)
    rejected_count = rejected.count()
    if rejected_count:
        section.tasks.append(
            Task(
                _("Afgewezen cijfers om opnieuw aan te leveren"),
                link("indicators:overview"),
                rejected_count,
            )
        )
    return section


def agenda_tasks(user, today: datetime.date) -> Section:
    section = Section(_("Agenda"))
    if Membership.objects.active_for(user).exists():
        month = today.replace(day=1)
        due = (
            due_in_month(Activity.objects, user, month).count()
            + due_in_month(Intervention.objects, user, month).count()
        )
        section.tasks.append(
            Task(_("Activiteiten en interventies deze maand"), link("agenda:this_month"), due)
        )
    # The council's report of each agenda the user's organisations own: its monitor page
    # opens to whoever may see the agenda, and owning it makes the report theirs to bring.
    owned = (
        Agenda.objects.visible_to(user)
        .filter(owners__in=Membership.objects.active_for(user).values("organisation"))
        .distinct()
        .order_by("title")
    )
    for agenda in owned.only("slug", "title"):
        section.tasks.append(
            Task(
                _("Voortgangsrapportage voor de raad: %(title)s") % {"title": agenda.title},
                link("indicators:agenda", agenda.slug),
            )
        )
    return section


def socialmap_tasks(user, today: datetime.date) -> Section:
    section = Section(_("Sociale kaart"))
    if provider_choices(user):  # what the create view asks
        section.tasks.append(Task(_("Nieuw aanbod toevoegen"), link("socialmap:create")))
    if user.has_perm("socialmap.maintain_entries"):
        section.tasks.append(
            Task(
                _("Aanbod om te controleren (een jaar of langer niet bevestigd)"),
                link("socialmap:manage"),
                Service.objects.editable_by(user).past_their_check(today).count(),
            )
        )
    if user.has_perm("socialmap.manage_needs"):
        waiting = Service.objects.approvable_by(user).filter(status=ServiceStatus.SUBMITTED)
        section.tasks.append(
            Task(
                _("Aanbod dat wacht op jouw goedkeuring"), link("socialmap:manage"), waiting.count()
            )
        )
    return section


def admin_tasks(user, admin_access: bool) -> Section:
    """The beheerder: failed import jobs (the latest one opens), the failed background
    work of their organisations' users (documents and imports, to try again), the users
    of their organisations (a link to the admin only for whom it opens), the audit
    trail."""
    section = Section(_("Beheer"))
    if user.has_perm("audit.view_auditevent"):
        failed = ImportJob.objects.visible_to(user).filter(status=JobStatus.FAILED)
        found = failed.aggregate(count=Count("pk"), latest=Max("pk"))
        url = link("imports:status", found["latest"]) if found["latest"] else None
        section.tasks.append(Task(_("Mislukte importtaken"), url, found["count"]))
        # The same permission guards the page (documents.views.failed_tasks).
        section.tasks.append(
            Task(_("Taken die mislukten"), link("failed_tasks"), failures.failed_count(user))
        )
        administered = Membership.objects.active_for(user, [Role.ADMIN]).values("organisation_id")
        users = (
            Membership.objects.filter(is_active=True, organisation_id__in=administered)
            .values("user_id")
            .distinct()
            .count()
        )
        admin_url = link("admin:index") if admin_access else None
        section.tasks.append(Task(_("Gebruikers in jouw organisaties"), admin_url, users))
        section.tasks.append(Task(_("Audittrail"), link("audit:list")))
    return section


def dashboards() -> Section:
    """Open to everyone who logs in: the places to read."""
    return Section(
        _("Dashboards"),
        [
            Task(_("Monitor: alle indicatoren"), link("indicators:overview")),
            Task(_("Openbaar dashboard"), link("indicators:public")),
            Task(_("Agenda's"), link("agenda:list")),
            Task(_("Organisaties in jouw netwerk"), link("organisations:list")),
        ],
    )


def home_sections(user, today: datetime.date, *, admin_access: bool = False) -> list[Section]:
    """What needs ``user`` today, section by section; empty sections are left out."""
    sections = [
        case_tasks(user, today),
        figure_tasks(user),
        agenda_tasks(user, today),
        socialmap_tasks(user, today),
        admin_tasks(user, admin_access),
        dashboards(),
    ]
    return [section for section in sections if section.tasks]
