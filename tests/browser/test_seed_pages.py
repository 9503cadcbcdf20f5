"""The pages the seeds changed, in a real browser at a desktop and a phone width, with
axe-core (0 violations): the agenda list with the handreikingen under their own heading
(seed 001 loaded from its file), and the nomination page of a prize edition whose window
has closed, pointing to the edition of the cycle that is open."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kansrijk.agenda import services
from kansrijk.agenda.demo import AGENDA_DIR, load_agenda_file
from kansrijk.agenda.tests.test_views import build_network, load_sample_agenda
from kansrijk.testing import factories

pytestmark = pytest.mark.browser

WIDTHS = [(1280, 900), (390, 844)]


@pytest.fixture
def agenda(db, tmp_path):
    region = factories.MunicipalityFactory(code="GM9902", name="Voorbeeldstad")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Voorbeeldstad"
    )
    agenda = load_sample_agenda(tmp_path, build_network(gemeente), public=True)
    load_agenda_file(AGENDA_DIR / "thuiszitters-handreiking.toml")
    return agenda


def test_the_agenda_list_with_the_handreikingen(page, agenda, assert_accessible, screenshot):
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(reverse("agenda:list"))
        section = page.get_by_role("region", name="Handreikingen")
        assert section.get_by_role("link", name="Nieuwe wethouders: gefeliciteerd!").is_visible()
        assert page.get_by_role("link", name=agenda.title).is_visible()
        assert_accessible(page)
        screenshot(page, f"agenda_lijst_handreikingen_{width}")
    page.get_by_role("link", name="Nieuwe wethouders: gefeliciteerd!").click()
    assert page.get_by_text("Gepubliceerd", exact=False).first.is_visible()
    assert_accessible(page)


def test_a_closed_edition_points_to_the_open_one(page, agenda, assert_accessible, screenshot):
    closed = agenda.prizes.get()  # 2023: its window ended in February 2023
    current = services.follow_prize_cycle(closed, actor=None, today=timezone.localdate())
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(reverse("agenda:nominate", args=[closed.pk]))
        assert page.get_by_role("status").get_by_text("zijn gesloten op").is_visible()
        assert_accessible(page)
        screenshot(page, f"agenda_nomineren_gesloten_{width}")
    page.get_by_role("link", name=f"Nomineer iemand voor de Onderwijsprijs {current.year}").click()
    assert page.get_by_role("button", name="Nominatie versturen").is_visible()
    assert_accessible(page)
