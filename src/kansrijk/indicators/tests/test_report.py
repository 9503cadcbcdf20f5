import datetime
import io

import pypdfium2
import pytest
from django.core.management import call_command
from docx import Document

from kansrijk.agenda.models import Agenda, Goal

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
    )
    goal = Goal.objects.create(
        agenda=agenda, external_id="d1", number="1", text="Meer kinderen naar de VVE"
    )
    reach.goals.add(goal)
    region = municipality_organisation.municipality
    add(reach, region, 2019, numerator=72, denominator=100, story="Het verhaal van 2019")
    return agenda


def test_pdf_and_docx(agenda, tmp_path):
    pdf = tmp_path / "r.pdf"
    call_command("progress_report", "test-agenda", "--format", "pdf", "-o", str(pdf))
    document = pypdfium2.PdfDocument(str(pdf))
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Meer kinderen naar de VVE" in text and "Bereik VVE" in text
    docx = tmp_path / "r.docx"
    call_command("progress_report", "test-agenda", "--format", "docx", "-o", str(docx))
    words = "\n".join(p.text for p in Document(io.BytesIO(docx.read_bytes())).paragraphs)
    assert "Meer kinderen naar de VVE" in words and "Bereik VVE" in words
    assert "Het verhaal van 2019" in words
