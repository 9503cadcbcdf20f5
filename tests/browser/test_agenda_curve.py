"""The council's page of an indicator (turn the curve) in a real browser: axe-core at 0 WCAG
2.1 A/AA violations on the list, the page and the story form, at 1280 and at 390 pixels
wide; the story written with the keyboard alone; a screenshot of each in
var/screenshots/agenda_curve_*.png.

The data is goal 3 of seed 003 as Maassluis wrote it: the VVE reach from 72 % (2019) to a
target of 90 % (2021), beside the national reach, with its activities, their months and
voortrekker."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kansrijk.agenda import services
from kansrijk.agenda.models import (
    Activity,
    ActivityKind,
    Agenda,
    AgendaStatus,
    Goal,
    Intervention,
    InvolvementRole,
    WorkStatus,
)
from kansrijk.documents.models import DocumentJob, DocumentStatus
from kansrijk.indicators.models import Baseline, Indicator, Target
from kansrijk.indicators.tests.test_views import approved, make_indicator
from kansrijk.organisations.models import RegionKind, Role
from kansrijk.testing import factories

from .login import PASSWORD, log_in

pytestmark = pytest.mark.browser

SLUG = "maassluis-onderwijskansen-2019-2022"
CODE = "maassluis-vve-bereik"
WIDTHS = (1280, 390)


@pytest.fixture
def goal_3(db):
    region = factories.MunicipalityFactory(code="GM0556", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Maassluis"
    )
    cjg = factories.OrganisationFactory(name="Centrum voor Jeugd en Gezin Maassluis")
    agenda = services.create_agenda(
        actor=None,
        owners=[gemeente],
        regions=[region],
        region=region,
        slug=SLUG,
        title="Uitvoeringsnota Onderwijskansenbeleid",
        kind="educational_opportunities",
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2022, 12, 31),
    )
    goal = services.save_item(
        Goal(agenda=agenda, external_id="doel-3"),
        actor=None,
        number="3",
        text="Voorkomen dat de achterstand die doelgroepkinderen hebben groter wordt.",
    )
    country = factories.RegionFactory(code="NL", kind=RegionKind.COUNTRY, name="Nederland")
    national = make_indicator(None, code="ve-bereik-landelijk", name="VE-bereik (landelijk)")
    for year, numerator in [(2019, 80), (2020, 81), (2021, 80)]:
        approved(national, country, year, numerator, 100)
    reach = make_indicator(
        gemeente,
        code=CODE,
        name="Bereik VVE: kinderen met een VVE-indicatie op peuteropvang met voorschools aanbod",
        comparison=national,
    )
    reach.goals.add(goal)
    Baseline.objects.create(
        indicator=reach,
        region=region,
        period_label="2019",
        date=datetime.date(2019, 12, 31),
        value=Decimal(72),
    )
    Target.objects.create(
        indicator=reach,
        region=region,
        period_label="2021",
        date=datetime.date(2021, 12, 31),
        value=Decimal(90),
    )
    for year, numerator in [(2019, 72), (2020, 78), (2021, 85)]:
        approved(reach, region, year, numerator, 100)
    for position, (external_id, title, months) in enumerate(
        [
            ("act-3-1", "Indicatiestelling, toeleiding door peuterconsulenten", range(1, 13)),
            ("act-3-2", "Onderzoek kwaliteit VVE en het aanbod van gastouders", range(3, 6)),
        ]
    ):
        activity = services.save_item(
            Activity(agenda=agenda, goal=goal, external_id=external_id, position=position),
            actor=None,
            kind=ActivityKind.MAIN,
            title=title,
            status=WorkStatus.RUNNING,
        )
        services.set_planned_months(
            activity, [datetime.date(2020, month, 1) for month in months], actor=None
        )
        activity.involvements.create(organisation=gemeente, role=InvolvementRole.LEAD)
        activity.involvements.create(organisation=cjg, role=InvolvementRole.PARTNER)
    intervention = services.save_item(
        Intervention(agenda=agenda, external_id="vve-thuis"),
        actor=None,
        name="VVE Thuis",
        goal_text="Ouders stimuleren de taalontwikkeling van hun peuter thuis.",
    )
    intervention.goals.add(goal)
    editor = factories.UserFactory(username="maassluis", first_name="Mira", last_name="Maas")
    editor.set_password(PASSWORD)
    editor.save()
    factories.MembershipFactory(user=editor, organisation=gemeente, role=Role.POLICY_OFFICER)
    return {"agenda": agenda, "editor": editor, "indicator": Indicator.objects.get(code=CODE)}


def test_the_council_page_of_goal_3(page, goal_3, assert_accessible, screenshot):
    log_in(page, goal_3["editor"])
    # From the agenda page, under goal 3, to the list and the page of its indicator.
    page.goto(reverse("agenda:detail", args=[SLUG]))
    page.get_by_role("link", name="Indicatoren voor de raad").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Indicatoren voor de raad"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        screenshot(page, f"agenda_curve_list_{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=goal_3["indicator"].name, exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == goal_3["indicator"].name
    assert page.get_by_text("72% (2019)").is_visible()
    assert page.get_by_text("90% (2021)").is_visible()
    chart = page.get_by_role("img", name=f"{goal_3['indicator'].name} in Maassluis")
    assert chart.is_visible()
    table = page.get_by_role("table", name="Gegevens bij de grafiek", exact=False)
    assert table.get_by_role("columnheader", name="Landelijk").is_visible()
    assert "Gemeente Maassluis (voortrekker)" in page.locator("#curve-partners + ul").inner_text()
    assert page.get_by_role("link", name="VVE Thuis").is_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        screenshot(page, f"agenda_curve_page_{width}")

    # The story behind the curve, written with the keyboard alone.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Het verhaal schrijven").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        screenshot(page, f"agenda_curve_story_{width}")
    field = page.get_by_label("Het verhaal achter de curve")
    field.focus()
    page.keyboard.type("Er waren 3 kinderen zonder plek.")
    page.get_by_role("button", name="Bewaren").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").is_visible()  # a small number: refused, said why
    assert_accessible(page)
    field = page.get_by_label("Het verhaal achter de curve")
    field.fill("")
    field.focus()
    page.keyboard.type("Het bereik stijgt sinds de peuterconsulenten ouders thuis opzoeken.")
    page.get_by_role("button", name="Bewaren").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "#verhaal" in page.url
    assert page.get_by_text("sinds de peuterconsulenten ouders thuis opzoeken").is_visible()
    assert_accessible(page)


def test_the_pdf_is_offered_for_download(page, goal_3):
    log_in(page, goal_3["editor"])
    page.goto(reverse("agenda:curve", args=[SLUG, CODE]))
    with page.expect_download() as download:
        page.get_by_role("link", name="Deze pagina als PDF (één A4)").click()
    assert download.value.suggested_filename == f"{SLUG}-{CODE}-raad.pdf"


def test_a_visitor_downloads_the_public_pdf_and_follows_its_progress(
    page, goal_3, assert_accessible, screenshot
):
    """A visitor who is not logged in gets the shared build of the public page (decision
    0051): its status page, addressed by a token, starts the download by itself; while a
    document is being made the page names it and shows its steps (screenshots in
    var/screenshots/document_status_*.png)."""
    Agenda.objects.filter(slug=SLUG).update(status=AgendaStatus.ADOPTED, is_public=True)
    page.goto(reverse("agenda:curve", args=[SLUG, CODE]))
    with page.expect_download() as download:
        page.get_by_role("link", name="Deze pagina als PDF (één A4)").click()
    assert download.value.suggested_filename == f"{SLUG}-{CODE}-raad.pdf"
    job = DocumentJob.objects.shared().get()
    assert f"/documenten/openbaar/{job.access_token}" in page.url
    heading = (
        "Indicator op één pagina ‘Bereik VVE: kinderen met een VVE-indicatie op peuteropvang "
        "met voorschools aanbod’ (PDF)"
    )
    # The page as a visitor sees it while a longer document is being made.
    DocumentJob.objects.filter(pk=job.pk).update(
        status=DocumentStatus.RUNNING,
        done=4,
        total=13,
        step="Speerpunt 2: Gelijke kansen wordt opgemaakt.",
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(job.get_absolute_url())
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.get_by_label("Voortgang").get_attribute("value") == "31"
        assert page.get_by_text("stap 4 van 13").is_visible()
        assert_accessible(page)
        screenshot(page, f"document_status_{width}")
