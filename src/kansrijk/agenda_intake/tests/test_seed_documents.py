"""Each of the five seed documents, uploaded as a Word document and accepted as the
reader proposes it, becomes a concept agenda: the review asks for what the document does
not say (its period, its kind) before the confirmation writes anything, and the accepted
items of every kind (goals, activities, interventions, funding lines) load through the
agenda's own loader (decision 0053)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansrijk.agenda.models import Agenda
from kansrijk.agenda_intake import samples, services, tree
from kansrijk.agenda_intake.models import AgendaDraft, DraftStatus
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

SEEDS = sorted((Path(__file__).resolve().parents[2] / "demo_data" / "seeds").glob("*.txt"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.stem)
def test_a_seed_document_accepted_as_proposed_becomes_a_concept_agenda(
    seed, django_capture_on_commit_callbacks
):
    region = factories.MunicipalityFactory(code="GM0556", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(municipality=region)
    officer = factories.UserFactory()
    factories.MembershipFactory(user=officer, organisation=gemeente, role=Role.POLICY_OFFICER)
    content = samples.docx_from_text(seed.read_text(encoding="utf-8"))
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.start_reading(
            actor=officer, owner=gemeente, name=f"{seed.stem}.docx", content=content
        )
    draft = AgendaDraft.objects.get(pk=draft.pk)
    assert draft.status == DraftStatus.READY
    services.accept_open_items(draft, actor=officer)

    facts = draft.proposal["agenda"]
    if not (facts.get("period_start") and facts.get("period_end") and facts.get("kind")):
        with pytest.raises(tree.NotConfirmable):
            services.confirm(draft, actor=officer)
        assert not Agenda.objects.exists()
        services.set_agenda_facts(
            draft,
            {
                "title": facts.get("title") or seed.stem,
                "kind": facts.get("kind") or "policy_framework",
                "period_start": facts.get("period_start") or "2022-01-01",
                "period_end": facts.get("period_end") or "2025-12-31",
            },
            actor=officer,
        )
    agenda = services.confirm(draft, actor=officer)
    accepted = tree.accepted(draft.proposal, AgendaDraft.objects.get(pk=draft.pk).review)
    expected = {
        kind: sum(1 for item in accepted if item["kind"] == kind) for kind in tree.KIND_LABELS
    }
    assert agenda.status == "concept"
    assert agenda.goals.count() == expected["goal"]
    assert agenda.activities.count() == expected["activity"]
    assert agenda.interventions.count() == expected["intervention"]
    assert agenda.spearheads.count() == expected["spearhead"]
