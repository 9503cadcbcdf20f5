"""An archived item is kept for the history and the diff, and left out of everything that
shows or hands on the agenda as it stands: its documents and spreadsheet, the financing
page's sums and the API (decision 0037)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kansrijk.agenda import authoring
from kansrijk.agenda.exporting import build_document, funding_totals, spreadsheet_rows
from kansrijk.agenda.models import FundingLine, Intervention

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(concept, editor):
    """The sample agenda with its one intervention card, Peuterplus, archived."""
    card = Intervention.objects.get(agenda=concept, external_id="peuterplus")
    assert FundingLine.objects.filter(intervention=card).exists()
    authoring.archive(card, actor=editor, on=datetime.date(2026, 12, 7))
    return card


def test_documents_and_spreadsheet_leave_out_an_archived_card_and_its_money(concept, archived):
    assert archived.name not in [card.name for card in build_document(concept).interventions]
    counted = sum(cell.amount for cell in funding_totals(concept).year_totals)
    assert counted == sum(
        line.planned_amount for line in FundingLine.objects.filter(activity__agenda=concept)
    )
    rows = spreadsheet_rows(concept)
    assert not [row for row in rows if archived.external_id in row.values()]


def test_the_financing_page_counts_no_archived_money(client, concept, archived, editor):
    client.force_login(editor)
    html = client.get(reverse("agenda:financing", args=[concept.slug])).content.decode()
    assert archived.name not in html


def test_the_api_offers_no_archived_item(client, concept, archived, editor):
    client.force_login(editor)
    found = client.get("/api/v1/interventions", {"agenda": concept.slug}).json()
    assert archived.external_id not in str(found)
    lines = client.get("/api/v1/funding-lines", {"agenda": concept.slug}).json()
    assert archived.external_id not in str(lines)
