"""Regressions found by the smoke over the demo (tests/test_demo_smoke.py): the progress
report of an agenda with an external source, and the download links of the monitor pages."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from kansrijk.agenda.models import Agenda, Goal
from kansrijk.indicators.models import Indicator, PeriodType, SourceKind, Unit
from kansrijk.indicators.report import build_report
from kansrijk.testing.documents import fetch_document

from ._io_helpers import add, make_indicators

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(municipality_organisation):
    reach, _count = make_indicators(municipality_organisation)
    agenda = Agenda.objects.create(
        slug="test-agenda",
        title="Testagenda Kansrijk",
        kind="lea",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        status="adopted",
        is_public=True,
    )
    goal = Goal.objects.create(
        agenda=agenda, external_id="d1", number="1", text="Meer kinderen naar de VVE"
    )
    reach.goals.add(goal)
    add(reach, municipality_organisation.municipality, 2019, numerator=72, denominator=100)
    return agenda


def test_an_indicator_without_a_figure_or_an_owner_reads_geen_data(agenda, tmp_path):
    """An external source linked to a goal (as in the Maassluis demo agenda) has no
    figure of its own and no owner's gemeente: the report says "geen gegevens" and opens,
    where it raised "give exactly one of region and organisation"."""
    external = Indicator.objects.create(
        code="extern-vsv",
        name="Voortijdig schoolverlaters (extern)",
        unit=Unit.PERCENTAGE,
        period_type=PeriodType.SCHOOL_YEAR,
        source_kind=SourceKind.EXTERNAL,
        source_url="https://www.onderwijsincijfers.nl/",
        is_public=True,
    )
    external.goals.add(agenda.goals.get())

    section = next(
        item for item in build_report(agenda).goals[0].indicators if item.code == "extern-vsv"
    )
    assert section.status_code == "no_data"
    assert section.scope == "" and section.table == []
    for fmt in ("pdf", "docx"):
        target = tmp_path / f"r.{fmt}"
        call_command("progress_report", "test-agenda", "--format", fmt, "-o", str(target))
        assert target.stat().st_size > 0
    document = Document(io.BytesIO((tmp_path / "r.docx").read_bytes()))
    words = "\n".join(p.text for p in document.paragraphs)
    assert "Voortijdig schoolverlaters (extern)" in words and "geen gegevens" in words


def test_the_indicator_page_links_its_downloads(client, agenda):
    html = client.get(reverse("indicators:detail", args=["vve-bereik"])).content.decode()
    for fmt in ("csv", "xlsx", "sdmx"):
        # No download attribute: the link leads to the document's status page.
        assert f'href="{reverse("indicators_io:export", args=["vve-bereik", fmt])}"' in html


def test_the_monitor_of_an_agenda_links_its_progress_report(client, agenda):
    html = client.get(reverse("indicators:agenda", args=["test-agenda"])).content.decode()
    for fmt in ("pdf", "docx"):
        url = reverse("indicators_io:report", args=["test-agenda", fmt])
        # No download attribute: the link leads to the document's status page, for a
        # visitor who is not logged in too (decisions 0047, 0051).
        assert f'href="{url}"' in html
        assert fetch_document(client, url)["Content-Type"].startswith(
            "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats"
        )
