"""One page per indicator for the council (turn the curve): the page and its one-page PDF
for every indicator of the Maassluis agenda (seed 003), with goal 3's VVE reach from 72 %
(2019) to 90 % (2021) beside the national line; small numbers stay hidden, also in the
story; the partners with a role and what works; the story written by the agenda's editors
with its audit; 404 for whoever may not see the agenda."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pypdfium2
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from kansrijk.agenda import curve, services
from kansrijk.agenda.models import (
    Agenda,
    AgendaStatus,
    CurveStory,
    Goal,
    Intervention,
    Involvement,
    InvolvementRole,
)
from kansrijk.audit.models import AuditEvent
from kansrijk.indicators import services as indicator_services
from kansrijk.indicators.models import Indicator
from kansrijk.indicators.tests.test_seed_indicators import _seed
from kansrijk.organisations.models import Organisation, Region, Role
from kansrijk.testing import factories
from kansrijk.testing.database import rolled_back
from kansrijk.testing.documents import fetch_document

pytestmark = pytest.mark.django_db

SLUG = "maassluis-onderwijskansen-2019-2022"
VVE_REACH = "maassluis-vve-bereik"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The Maassluis and Midden-Kennemerland agendas with the monitor's seed figures and
    the demo users, loaded once for the module and rolled back at its end."""
    with rolled_back(django_db_blocker), override_settings(DEBUG=True):
        _seed()
        yield


def user(name: str):
    return get_user_model().objects.get(username=name)


def agenda() -> Agenda:
    return Agenda.objects.get(slug=SLUG)


def page_url(code: str, name: str = "agenda:curve") -> str:
    return reverse(name, args=[SLUG, code])


def pdf_text(content: bytes) -> tuple[int, str]:
    document = pypdfium2.PdfDocument(content)
    return len(document), "".join(page.get_textpage().get_text_range() for page in document)


def test_every_indicator_of_the_agenda_has_a_page_and_a_one_page_pdf(seeded, client):
    officer = user("maassluis")
    client.force_login(officer)
    indicators = list(curve.council_indicators(agenda(), officer))
    assert len(indicators) >= 10
    listing = client.get(reverse("agenda:curve_list", args=[SLUG])).content.decode()
    for indicator in indicators:
        assert page_url(indicator.code) in listing
        response = client.get(page_url(indicator.code))
        assert response.status_code == 200, indicator.code
        assert indicator.name in response.content.decode()
        download = fetch_document(client, page_url(indicator.code, "agenda:curve_pdf"))
        assert download["Content-Type"] == "application/pdf"
        pages, text = pdf_text(download.content)
        assert pages == 1, indicator.code
        assert "<svg" not in text, indicator.code
        assert "Plan van aanpak" in text and "Het verhaal achter de curve" in text


def test_goal_3_reach_from_72_in_2019_to_90_in_2021_beside_the_national_line(seeded, client):
    client.force_login(user("maassluis"))
    html = client.get(page_url(VVE_REACH)).content.decode()
    assert "72% (2019)" in html and "90% (2021)" in html
    assert "Doel 3" in html or "3. Voorkomen" in html
    # The curve: the gemeente's line, the national line, nulmeting and target.
    assert 'class="kansrijk-chart__series"' in html
    assert 'class="kansrijk-chart__national"' in html
    assert "Streefwaarde 2021" in html and "Nulmeting 2019" in html
    # The plan of action: the activities of goal 3 with their months and status.
    assert "Indicatiestelling, toeleiding peuterconsulenten" in html
    assert "jan–dec 2020" in html
    pages, text = pdf_text(fetch_document(client, page_url(VVE_REACH, "agenda:curve_pdf")).content)
    assert pages == 1
    assert "72% (2019)" in text and "90% (2021)" in text
    # The chart itself is drawn in the PDF (its axis reads 40 %, which no figure does), and
    # not printed as markup.
    assert "40%" in text and "Landelijk" in text
    assert "<svg" not in text and "kansrijk-chart" not in text


def test_partners_with_a_role_and_what_works(seeded, client):
    goal = Goal.objects.get(agenda__slug=SLUG, external_id="doel-3")
    officer = user("maassluis")
    intervention = services.save_item(
        Intervention(agenda=goal.agenda, external_id="t-vve-thuis", position=1),
        actor=officer,
        name="VVE Thuis",
        goal_text="Ouders stimuleren de taalontwikkeling van hun peuter thuis.",
    )
    services.set_item_links(intervention, "goals", [goal], actor=officer)
    library = Organisation.objects.get(name="Bibliotheek Maassluis")
    Involvement.objects.create(
        intervention=intervention, organisation=library, role=InvolvementRole.FUNDER
    )
    client.force_login(officer)
    html = client.get(page_url(VVE_REACH)).content.decode()
    partners = html[html.index('id="curve-partners"') : html.index('id="curve-works"')]
    assert "Gemeente Maassluis" in partners and "voortrekker" in partners
    assert "Centrum voor Jeugd en Gezin Maassluis" in partners
    assert "Bibliotheek Maassluis" in partners and "financier" in partners
    works = html[html.index('id="curve-works"') : html.index('id="curve-plan"')]
    assert "VVE Thuis" in works
    assert reverse("agenda:intervention", args=[SLUG, "t-vve-thuis"]) in works
    _pages, text = pdf_text(fetch_document(client, page_url(VVE_REACH, "agenda:curve_pdf")).content)
    assert "VVE Thuis" in text and "Bibliotheek Maassluis" in text


def test_small_numbers_stay_hidden_on_the_page_the_pdf_and_in_the_story(seeded, client):
    indicator = Indicator.objects.get(code=VVE_REACH)
    maassluis = Region.objects.get(code="GM0556")
    indicator_services.submit_measurement(
        actor=None,
        approve=True,
        indicator=indicator,
        region=maassluis,
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2022, 12, 31),
        period_label="2022",
        numerator=Decimal(3),
        denominator=Decimal(4),
    )
    officer = user("maassluis")
    services.save_curve_story(
        agenda(), indicator, actor=officer, text="In 2022 gingen 21 peuters minder naar de VVE."
    )
    # The owner's policy officer is entitled to the detail in the monitor, but this page
    # is for the council: published figures only.
    client.force_login(officer)
    html = client.get(page_url(VVE_REACH)).content.decode()
    assert "&lt;5" in html
    assert "75%" not in html and "75,0%" not in html
    assert "21 peuters" not in html
    assert "Het verhaal tonen we niet" in html
    _pages, text = pdf_text(fetch_document(client, page_url(VVE_REACH, "agenda:curve_pdf")).content)
    assert "<5" in text and "75%" not in text and "21 peuters" not in text


def test_the_story_is_written_by_the_agendas_editors_with_history_and_audit(seeded, client):
    officer = user("maassluis")
    indicator = Indicator.objects.get(code=VVE_REACH)
    form_url = page_url(VVE_REACH, "agenda:curve_story")
    client.force_login(officer)
    assert client.get(form_url).status_code == 200
    # A small number would make a child recognisable on a public page.
    refused = client.post(form_url, {"text": "Er waren 3 kinderen zonder plek."})
    assert refused.status_code == 400
    assert "aantal onder de 5" in refused.content.decode()
    story = (
        "Het bereik stijgt sinds de peuterconsulenten ouders thuis opzoeken; de wachtlijsten "
        "bij de peuteropvang remmen nog."
    )
    response = client.post(form_url, {"text": story})
    assert response.status_code == 302
    saved = CurveStory.objects.get(agenda=agenda(), indicator=indicator)
    assert saved.text == story
    assert saved.history.count() == 1
    event = AuditEvent.objects.filter(action="agenda.curvestory.create").latest("pk")
    assert event.actor == officer
    assert story in client.get(page_url(VVE_REACH)).content.decode()
    # Saving the same text again writes nothing.
    client.post(form_url, {"text": story})
    assert saved.history.count() == 1
    # A reader of the owning gemeente reads the page and may not write the story.
    reader = factories.UserFactory()
    factories.MembershipFactory(
        user=reader,
        organisation=Organisation.objects.get(name="Gemeente Maassluis"),
        role=Role.READER,
    )
    client.force_login(reader)
    assert client.get(page_url(VVE_REACH)).status_code == 200
    assert client.get(form_url).status_code == 403
    assert client.post(form_url, {"text": "Anders"}).status_code == 403
    assert CurveStory.objects.get(pk=saved.pk).text == story


def test_an_agenda_one_may_not_see_answers_404(seeded, client):
    urls = [
        reverse("agenda:curve_list", args=[SLUG]),
        page_url(VVE_REACH),
        page_url(VVE_REACH, "agenda:curve_pdf"),
        page_url(VVE_REACH, "agenda:curve_story"),
    ]
    for url in urls[:3]:
        assert client.get(url).status_code == 404, url
    client.force_login(user("beleid"))  # Beverwijk: not an owner, not in the region
    for url in urls:
        assert client.get(url).status_code == 404, url
    # An indicator of another agenda is no page of this one.
    client.force_login(user("maassluis"))
    assert client.get(page_url("mk-thuiszitters")).status_code == 404


def test_a_public_agenda_opens_to_anonymous_visitors(seeded, client):
    maassluis = agenda()
    officer = user("maassluis")
    services.adopt_agenda(
        maassluis, actor=officer, adopted_on=datetime.date(2020, 6, 1), adopted_by="gemeenteraad"
    )
    services.set_publication(maassluis, actor=officer, is_public=True)
    Indicator.objects.filter(code=VVE_REACH).update(is_public=True)
    Indicator.objects.filter(code="maassluis-vve-deelnemers").update(is_public=False)
    assert maassluis.status == AgendaStatus.ADOPTED
    listing = client.get(reverse("agenda:curve_list", args=[SLUG])).content.decode()
    assert page_url(VVE_REACH) in listing
    assert page_url("maassluis-vve-deelnemers") not in listing  # not a public indicator
    assert client.get(page_url(VVE_REACH)).status_code == 200
    assert fetch_document(client, page_url(VVE_REACH, "agenda:curve_pdf")).status_code == 200
    assert client.get(page_url("maassluis-vve-deelnemers")).status_code == 404
    # Writing the story still needs an editor.
    story = client.get(page_url(VVE_REACH, "agenda:curve_story"))
    assert story.status_code == 302 and "/account/" in story["Location"]


def test_the_agenda_page_links_each_goals_indicators_to_their_page(seeded, client):
    client.force_login(user("maassluis"))
    html = client.get(reverse("agenda:detail", args=[SLUG])).content.decode()
    assert reverse("agenda:curve_list", args=[SLUG]) in html
    assert page_url(VVE_REACH) in html
    assert "Indicatoren voor de raad" in html


def test_the_list_and_the_page_take_a_fixed_number_of_queries(
    seeded, client, django_assert_max_num_queries
):
    """The list reads its indicators and their goals in a few queries, not one per
    indicator (the agenda has more than ten); the page reads each part once."""
    client.force_login(user("maassluis"))
    with django_assert_max_num_queries(25):
        client.get(reverse("agenda:curve_list", args=[SLUG]))
    with django_assert_max_num_queries(45):
        client.get(page_url(VVE_REACH))


def test_an_indicator_without_an_area_or_figures_still_has_its_page(seeded, client):
    officer = user("maassluis")
    gemeente = Organisation.objects.get(name="Gemeente Maassluis")
    bare = services.create_agenda(
        actor=officer,
        owners=[gemeente],
        slug="zonder-gebied",
        title="Agenda zonder gebied",
        kind="lea",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    goal = services.save_item(Goal(agenda=bare, external_id="d1"), actor=officer, text="Een doel")
    indicator = Indicator.objects.create(
        code="zonder-cijfers", name="Nog zonder cijfers", unit="count", period_type="calendar_year"
    )
    indicator.goals.add(goal)
    client.force_login(officer)
    html = client.get(reverse("agenda:curve", args=["zonder-gebied", indicator.code])).content
    assert "nog niet vastgelegd" in html.decode()
    download = fetch_document(
        client, reverse("agenda:curve_pdf", args=["zonder-gebied", indicator.code])
    )
    assert pdf_text(download.content)[0] == 1
