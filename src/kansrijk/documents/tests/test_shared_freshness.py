"""The key of a shared public build covers everything its document shows (decision
0054): an edit made through the agenda's and the indicators' service functions gives
the next visitor a new build at once, not the one of a few minutes ago; and the key is
read in one query, however large the agenda."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import Commitment, EvaluationMoment, FundingLine, Intervention
from kansrijk.documents import kinds, services
from kansrijk.indicators import services as indicator_services
from kansrijk.indicators.models import Baseline, Target
from kansrijk.indicators.tests._io_helpers import make_indicators
from kansrijk.organisations.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(make_member, municipality_organisation):
    return make_member(municipality_organisation, Role.POLICY_OFFICER)


@pytest.fixture
def figures(public_agenda, municipality_organisation, actor):
    """An indicator of the agenda's first goal, with a baseline and a target for the
    gemeente: what the council's report shows beside the goal."""
    reach, _count = make_indicators(municipality_organisation)
    reach.goals.add(public_agenda.goals.order_by("position", "pk").first())
    region = municipality_organisation.municipality
    baseline = indicator_services.save_figure(
        Baseline(indicator=reach, region=region),
        actor=actor,
        period_label="2019",
        date=datetime.date(2019, 12, 31),
        value=Decimal("70"),
    )
    target = indicator_services.save_figure(
        Target(indicator=reach, region=region),
        actor=actor,
        period_label="2025",
        date=datetime.date(2025, 12, 31),
        value=Decimal("85"),
    )
    return {"baseline": baseline, "target": target}


def plan_a_month(agenda, figures, actor):
    activity = agenda.activities.filter(external_id="doel-07-planning-1").get()
    months = list(activity.planned_months.values_list("month", flat=True))
    agenda_services.set_planned_months(activity, [*months, datetime.date(2023, 1, 1)], actor=actor)


def change_a_role(agenda, figures, actor):
    # The library leads the Peuterplus; now it only takes part.
    card = Intervention.objects.get(agenda=agenda, external_id="peuterplus")
    library = card.involvements.get().organisation
    agenda_services.set_roles(
        card, voortrekker=None, partners=[library], financiers=[], actor=actor
    )


def change_an_amount(agenda, figures, actor):
    line = FundingLine.objects.get(intervention__agenda=agenda, external_id="peuterplus-oab-2023")
    agenda_services.save_item(line, actor=actor, planned_amount=Decimal("130000"))


def move_an_evaluation(agenda, figures, actor):
    moment = EvaluationMoment.objects.get(agenda=agenda, external_id="tussentijds")
    agenda_services.save_item(moment, actor=actor, month=datetime.date(2023, 3, 1))


def change_a_commitment(agenda, figures, actor):
    commitment = Commitment.objects.get(agenda=agenda, external_id="bestuurlijk-overleg")
    agenda_services.save_item(commitment, actor=actor, times_per_year=3)


def link_a_goal_to_a_card(agenda, figures, actor):
    card = Intervention.objects.get(agenda=agenda, external_id="peuterplus")
    agenda_services.set_item_links(card, "goals", list(agenda.goals.all()), actor=actor)


def change_the_baseline(agenda, figures, actor):
    indicator_services.save_figure(figures["baseline"], actor=actor, value=Decimal("72"))


def change_the_target(agenda, figures, actor):
    indicator_services.save_figure(figures["target"], actor=actor, value=Decimal("90"))


@pytest.mark.parametrize(
    ("kind", "fmt", "edit"),
    [
        ("agenda", "csv", plan_a_month),
        ("agenda", "csv", change_a_role),
        ("agenda", "csv", change_an_amount),
        ("agenda", "csv", move_an_evaluation),
        ("agenda", "csv", change_a_commitment),
        ("agenda", "csv", link_a_goal_to_a_card),
        ("voortgangsrapportage", "docx", change_the_baseline),
        ("voortgangsrapportage", "docx", change_the_target),
    ],
)
def test_an_edit_gives_the_next_visitor_a_new_build(public_agenda, figures, actor, kind, fmt, edit):
    document = kinds.KINDS[kind]
    params = {"agenda": public_agenda.slug, "fmt": fmt}
    first, _refusal = services.request_shared_document(kind, params, address="192.0.2.1")
    again, _refusal = services.request_shared_document(kind, params, address="198.51.100.7")
    assert again.pk == first.pk  # nothing changed: the recent build is shared
    before = services.shared_key(document, params)
    edit(public_agenda, figures, actor)
    assert services.shared_key(document, params) != before
    second, _refusal = services.request_shared_document(kind, params, address="192.0.2.1")
    assert second.pk != first.pk


def test_the_key_is_one_query_however_large_the_agenda(public_agenda, figures, actor):
    document = kinds.KINDS["voortgangsrapportage"]
    params = {"agenda": public_agenda.slug, "fmt": "pdf"}
    with CaptureQueriesContext(connection) as small:
        services.shared_key(document, params)
    for activity in public_agenda.activities.all():
        agenda_services.set_planned_months(
            activity, [datetime.date(2024, month, 1) for month in range(1, 13)], actor=actor
        )
    with CaptureQueriesContext(connection) as large:
        services.shared_key(document, params)
    assert len(small.captured_queries) == len(large.captured_queries) == 1


def test_an_unknown_agenda_has_an_empty_fingerprint():
    assert kinds.KINDS["agenda"].changed({"agenda": "bestaat-niet"}) == ""
