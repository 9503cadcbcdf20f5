"""Named permission predicates of the register; the same names in views, templates and API.

The levels come from ``queries.scope_of``: FULL for leerplicht/RMC of the woongemeente,
EPISODE for the SWV coordinator of the school and the regievoerder, PARTIAL for the
school contact. Aggregates are open to every role, suppressed (``reporting``).
"""

from __future__ import annotations

import rules

from kansrijk.organisations.models import Membership, Role

from .queries import EPISODE, FULL, LEVEL_ORDER, PARTIAL, scope_of


def access_level(user, case) -> str | None:
    if case is None or not user.is_authenticated:
        return None
    return scope_of(user).level_for(case)


def _at_least(level: str):
    def check(user, case) -> bool:
        found = access_level(user, case)
        return found is not None and LEVEL_ORDER[found] >= LEVEL_ORDER[level]

    return check


can_view_case = rules.predicate(_at_least(PARTIAL), name="can_view_case")
can_view_timeline = rules.predicate(_at_least(EPISODE), name="can_view_timeline")
can_view_identifier = rules.predicate(_at_least(FULL), name="can_view_identifier")


@rules.predicate
def can_edit_case(user, case) -> bool:
    """Leerplicht of the woongemeente, and the regievoerder of the case."""
    if access_level(user, case) == FULL:
        return True
    return case is not None and user.is_authenticated and case.case_manager_id == user.pk


@rules.predicate
def can_register_cases(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(scope_of(user).full_region_ids))


@rules.predicate
def has_dossier_role(user) -> bool:
    return user.is_authenticated and scope_of(user).has_dossier_role


@rules.predicate
def can_see_case_figures(user) -> bool:
    """Anyone with a role sees the aggregates (suppressed unless they hold a dossier role)."""
    return user.is_authenticated and (
        user.is_superuser or Membership.objects.active_for(user).exists()
    )


@rules.predicate
def can_report_for_school(user, school) -> bool:
    """A school contact for its school, the SWV coordinator for its member schools, and
    leerplicht for the schools of its gemeenten report verzuim and counts."""
    if school is None or not user.is_authenticated:
        return False
    scope = scope_of(user)
    return (
        scope.is_superuser
        or school.pk in scope.school_ids
        or school.partnership_id in scope.partnership_ids
        or school.municipality_id in scope.full_region_ids
    )


@rules.predicate
def can_handle_report(user, report) -> bool:
    """The leerplichtambtenaar of the gemeente where the pupil lives handles a
    verzuimmelding (DUO routes it there)."""
    if report is None or not user.is_authenticated:
        return False
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    municipality = report.young_person.municipality_on(report.reported_on)
    return municipality is not None and municipality.pk in scope.full_region_ids


@rules.predicate
def can_withdraw_report(user, report) -> bool:
    """The school withdraws its own report."""
    if report is None or not user.is_authenticated:
        return False
    scope = scope_of(user)
    return scope.is_superuser or report.school_id in scope.school_ids


@rules.predicate
def can_import_cases(user) -> bool:
    return can_register_cases(user)


@rules.predicate
def can_reconcile_counts(user) -> bool:
    """The school contact, the SWV coordinator and leerplicht compare the counts reported
    for their schools with the register (``reconciliation``). Roles that may only see
    aggregates do not: a difference between two small numbers cannot be shown suppressed
    in any useful way."""
    return user.is_authenticated and scope_of(user).has_dossier_role


@rules.predicate
def can_export_inspectie_registration(user, partnership) -> bool:
    """The SWV's registration for the Inspectie: its coordinator (and the superuser)."""
    if partnership is None or not user.is_authenticated:
        return False
    scope = scope_of(user)
    return scope.is_superuser or partnership.pk in scope.partnership_ids


@rules.predicate
def can_view_annual_report(user) -> bool:
    """The figures of the leerplicht annual report: leerplicht of the gemeente as they are,
    every other role that works for the gemeente suppressed (``registration``)."""
    if not user.is_authenticated:
        return False
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.full_region_ids or scope.aggregate_region_ids)


def young_person_level(user, person) -> str | None:
    """How much of a young person ``user`` may see: FULL (leerplicht of the current
    woongemeente or of one of the episodes), EPISODE (the SWV of one of the schools, the
    regievoerder of an episode), PARTIAL (the school contact of one of the schools), or
    None. The same rule as ``YoungPerson.objects.visible_to``, for one person."""
    if person is None or not user.is_authenticated:
        return None
    scope = scope_of(user)
    if scope.is_superuser:
        return FULL
    from django.db.models import Q

    from .models import AbsenceReport, Enrolment

    if scope.full_region_ids and (
        person.residences.filter(
            valid_to__isnull=True, municipality_id__in=scope.full_region_ids
        ).exists()
        or person.cases.filter(municipality_id__in=scope.full_region_ids).exists()
    ):
        return FULL
    episode_q = Q(case_manager_id=user.pk)
    if scope.partnership_ids:
        episode_q |= Q(school__partnership_id__in=scope.partnership_ids)
    if person.cases.filter(episode_q).exists() or (
        scope.partnership_ids
        and any(
            model.objects.filter(
                young_person=person, school__partnership_id__in=scope.partnership_ids
            ).exists()
            for model in (Enrolment, AbsenceReport)
        )
    ):
        return EPISODE
    if scope.school_ids and (
        person.cases.filter(school_id__in=scope.school_ids).exists()
        or any(
            model.objects.filter(young_person=person, school_id__in=scope.school_ids).exists()
            for model in (Enrolment, AbsenceReport)
        )
    ):
        return PARTIAL
    return None


@rules.predicate
def can_view_young_person(user, person) -> bool:
    return young_person_level(user, person) is not None


@rules.predicate
def can_change_young_person(user, person) -> bool:
    """Residences, contacts, enrolments and exemptions: leerplicht (FULL) only."""
    return young_person_level(user, person) == FULL


def is_attendance_officer(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or Membership.objects.active_for(user, [Role.ATTENDANCE_OFFICER]).exists()
    )


rules.add_perm("cases.view_case", can_view_case)
rules.add_perm("cases.view_timeline", can_view_timeline)
rules.add_perm("cases.view_identifier", can_view_identifier)
rules.add_perm("cases.change_case", can_edit_case)
rules.add_perm("cases.add_case", can_register_cases)
rules.add_perm("cases.view_figures", can_see_case_figures)
rules.add_perm("cases.report_for_school", can_report_for_school)
rules.add_perm("cases.handle_report", can_handle_report)
rules.add_perm("cases.withdraw_report", can_withdraw_report)
rules.add_perm("cases.import_cases", can_import_cases)
rules.add_perm("cases.reconcile_counts", can_reconcile_counts)
rules.add_perm("cases.export_inspectie_registration", can_export_inspectie_registration)
rules.add_perm("cases.view_annual_report", can_view_annual_report)
rules.add_perm("cases.view_young_person", can_view_young_person)
rules.add_perm("cases.change_young_person", can_change_young_person)
