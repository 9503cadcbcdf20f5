"""The steering on the pages (decision 0039): evaluation moments on the timeline and where
they stand, truthfully, years later; and the "deze maand" page with the commitments and
evaluations that fall due for my organisations, and only theirs."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from kansrijk.agenda import services
from kansrijk.agenda.evaluations import evaluation_state
from kansrijk.agenda.models import Commitment, EvaluationMoment
from kansrijk.agenda.tests.test_views import (
    SLUG,
    load_sample_agenda,
    main_text,
    url,
)
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

DECEMBER_2026 = datetime.datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def agenda(tmp_path, network):
    return load_sample_agenda(tmp_path, network)


@pytest.fixture
def member(make_member, municipality_organisation):
    return make_member(municipality_organisation, Role.POLICY_OFFICER)


@pytest.fixture
def other_public_agenda(tmp_path, other_municipality_organisation):
    """A public agenda of another gemeente: readable by everyone, nobody else's business."""
    swv = factories.PartnershipFactory(name="Samenwerkingsverband Elders")
    library = factories.OrganisationFactory(
        kind=OrganisationKind.LIBRARY, name="Bibliotheek Elders"
    )
    network = {"gemeente": other_municipality_organisation, "swv": swv, "library": library}
    return load_sample_agenda(
        tmp_path,
        network,
        slug="elders-2022-2024",
        title="Agenda van elders",
        public=True,
    )


# ------------------------------------------------------------------ where an evaluation stands


@pytest.mark.parametrize(
    ("today", "done_on", "label"),
    [
        (datetime.date(2022, 12, 31), None, "gepland"),
        (datetime.date(2023, 1, 1), None, "deze maand"),
        (datetime.date(2023, 2, 1), None, "niet uitgevoerd"),
        (datetime.date(2026, 12, 7), datetime.date(2023, 1, 20), "uitgevoerd"),
    ],
)
def test_where_an_evaluation_stands(agenda, today, done_on, label):
    moment = EvaluationMoment.objects.get(agenda=agenda, external_id="tussentijds")
    moment.done_on = done_on
    assert evaluation_state(moment, today).label == label


@time_machine.travel(DECEMBER_2026, tick=False)
def test_the_agenda_page_says_which_evaluations_were_not_carried_out(client, member, agenda):
    moment = EvaluationMoment.objects.get(agenda=agenda, external_id="peuterplus-2022")
    services.save_item(moment, actor=member, done_on=datetime.date(2022, 12, 14))
    client.force_login(member)
    text = main_text(client.get(url("detail", SLUG)))
    assert "de hele agenda nog niet" not in text
    assert "Tussentijdse evaluatie de hele agenda Niet uitgevoerd" in text
    assert "Jaarlijkse evaluatie Peuterplus Peuterplus Uitgevoerd op 14 december 2022" in text


@time_machine.travel(DECEMBER_2026, tick=False)
def test_the_intervention_card_says_where_its_evaluation_stands(client, member, agenda):
    client.force_login(member)
    text = main_text(client.get(url("intervention", SLUG, "peuterplus")))
    assert "december 2022: Jaarlijkse evaluatie Peuterplus Niet uitgevoerd" in text


@time_machine.travel(DECEMBER_2026, tick=False)
def test_the_planning_puts_evaluations_on_the_timeline(client, member, agenda):
    client.force_login(member)
    response = client.get(url("planning", SLUG))
    html = response.content.decode()
    rows = {row["item"].external_id: row for row in response.context["evaluation_rows"]}
    assert set(rows) == {"tussentijds", "peuterplus-2022"}
    months = response.context["months"]
    assert rows["tussentijds"]["cells"][months.index(datetime.date(2023, 1, 1))]
    assert sum(rows["tussentijds"]["cells"]) == 1
    assert rows["tussentijds"]["written"] == "Begin 2023"
    assert html.count('<span class="kansrijk-visually-hidden">evaluatie</span>') == 2
    text = main_text(response)
    assert "Evaluatiemomenten" in text and "2 evaluatiemomenten per maand" in text
    assert "Tussentijdse evaluatie Begin 2023 Niet uitgevoerd" in text


def test_the_planning_filters_evaluations_with_their_interventions(client, member, agenda):
    client.force_login(member)
    response = client.get(url("planning", SLUG), {"speerpunt": "sp1"})
    # The Peuterplus serves goal 7 (speerpunt 2): its evaluation goes with it; the
    # evaluation of the whole agenda stays.
    assert [r["item"].external_id for r in response.context["evaluation_rows"]] == ["tussentijds"]
    one_year = client.get(url("planning", SLUG), {"jaar": "2024"})
    assert one_year.context["evaluation_rows"] == []
    assert "Geen evaluatiemomenten in deze maanden." in main_text(one_year)


# ------------------------------------------------------------------ deze maand


def due_section(response) -> str:
    """The page's text from the commitments that fall due up to those that are late."""
    text = main_text(response)
    return text[
        text.index("Afspraken die deze maand vallen") : text.index("Afspraken die achterlopen")
    ]


def test_this_month_lists_the_commitments_that_fall_due(client, member, agenda):
    client.force_login(member)
    text = due_section(client.get(url("this_month"), {"maand": "2022-06"}))
    assert "Afspraken die deze maand vallen" in text
    assert (
        "Voert twee keer per jaar bestuurlijk (wethouder) overleg met de Gelijke Kansen "
        "Alliantie (Uitvoeringsagenda Onderwijs-Jeugd Voorbeeldstad): de 1e keer van 2 in "
        "2022; vastgelegd: 0 nog te doen" in text
    )
    assert "kennissessie" not in text  # once a year: December
    commitment = Commitment.objects.get(agenda=agenda, external_id="bestuurlijk-overleg")
    services.record_commitment_occurrence(commitment, actor=member, date=datetime.date(2022, 4, 7))
    text = due_section(client.get(url("this_month"), {"maand": "2022-06"}))
    assert "de 1e keer van 2 in 2022; vastgelegd: 1 nagekomen" in text
    text = due_section(client.get(url("this_month"), {"maand": "2022-12"}))
    assert "de 2e keer van 2 in 2022; vastgelegd: 1 nog te doen" in text
    assert "Organiseert minimaal 1 keer per jaar een kennissessie" in text
    text = due_section(client.get(url("this_month"), {"maand": "2025-06"}))
    assert "Deze maand valt er geen afspraak." in text  # the agenda ran until 2024


@time_machine.travel(datetime.datetime(2023, 1, 20, 9, 0), tick=False)
def test_this_month_shows_only_what_my_organisations_answer_for(
    client, member, agenda, other_public_agenda
):
    client.force_login(member)
    text = main_text(client.get(url("this_month")))
    assert "Uitvoeringsagenda Onderwijs-Jeugd Voorbeeldstad: Tussentijdse evaluatie Deze maand" in (
        text
    )
    # The other gemeente's agenda is public, and its evaluation and late commitments are
    # its own business, not mine.
    assert "Agenda van elders" not in text
    assert "2022: 0 van 2, te laat" in text  # my own gemeente's overleg


def test_this_month_shows_the_evaluation_of_an_intervention_to_its_partner(
    client, make_member, network, agenda
):
    partner = make_member(network["library"], Role.PARTNER)
    client.force_login(partner)
    text = main_text(client.get(url("this_month"), {"maand": "2022-12"}))
    assert "Jaarlijkse evaluatie Peuterplus (Peuterplus)" in text
    # The library does not own the agenda: the evaluation of the whole agenda and the
    # gemeente's commitments are not on its list.
    text = main_text(client.get(url("this_month"), {"maand": "2023-01"}))
    assert "Tussentijdse evaluatie" not in text
    assert "Deze maand valt er geen afspraak." in text


def test_this_month_shows_the_owner_what_nobody_leads(client, member, agenda):
    """ "Overleggen op school" has no voortrekker: the gemeente owns the agenda and sees it;
    a partner that takes no part in it does not."""
    client.force_login(member)
    text = main_text(client.get(url("this_month"), {"maand": "2022-03"}))
    assert "Overleggen op school" in text and "eigenaar van de agenda" in text
    assert "Vanuit een netwerkstructuur" in text
