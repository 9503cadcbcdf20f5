"""An agenda read from a document, reviewed and confirmed (decision 0053): nothing is in
the agenda tables before the officer confirms; confirming writes exactly the accepted
items, as a concept agenda, once; the draft is seen only by its uploader and the owner's
beleid; every hostile upload ends with a Dutch message and no agenda rows."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from kansrijk.agenda.models import Activity, Agenda, Goal, Spearhead
from kansrijk.agenda_intake import samples, services, tree
from kansrijk.agenda_intake.models import AgendaDraft, DraftStatus, ItemDecision
from kansrijk.agenda_intake.proposal import Passage, Proposal
from kansrijk.audit.models import AuditEvent
from kansrijk.indicators.models import Indicator

from .building import item, ready_draft, refreshed

pytestmark = pytest.mark.django_db


def proposal() -> Proposal:
    return Proposal(
        agenda={
            "title": "Uitvoeringsnota Onderwijskansenbeleid",
            "kind": "educational_opportunities",
            "period_start": "2019-01-01",
            "period_end": "2022-12-31",
            "owners": ["GM0556"],
        },
        items=[
            item("spearhead-1", "spearhead", title="Gelijke kansen", number="1"),
            item(
                "goal-3",
                "goal",
                "spearhead-1",
                number="3",
                text="Voorkomen dat de achterstand groeit.",
            ),
            item(
                "indicator-3-1",
                "indicator",
                "goal-3",
                0.7,
                name="Bereik VVE",
                unit="percentage",
                baseline_value=72,
                baseline_year=2019,
                target_value=None,
                target_year=None,
            ),
            item(
                "indicator-3-2",
                "indicator",
                "goal-3",
                0.5,
                name="streeft naar een bereik van 90% in 2021",
                unit="percentage",
                baseline_value=None,
                baseline_year=None,
                target_value=90,
                target_year=2021,
            ),
            item(
                "activity-3-1",
                "activity",
                "goal-3",
                title="Uitbreiding van 12 naar 16 uur",
                months=["2020-08"],
                planned_text="aug 2020",
                involvements=[{"organisation": "Nergens Bekend", "role": "lead"}],
            ),
            item("activity-3-2", "activity", "goal-3", title="Scholing pedagogisch medewerkers"),
            item("goal-4", "goal", None, number="4", text="Ouders betrokken."),
        ],
        unrecognised=[Passage("Een inleiding die nergens bij hoort.", "pagina 1")],
        document={"filename": "nota.docx", "format": "docx", "pages": 3},
    )


@pytest.fixture
def draft(maassluis):
    return ready_draft(maassluis, proposal())


def agenda_rows() -> tuple[int, int, int, int]:
    return (
        Agenda.objects.count(),
        Goal.objects.count(),
        Activity.objects.count(),
        Indicator.objects.count(),
    )


# ------------------------------------------------------------------ services


def test_review_is_kept_in_the_draft_and_nothing_reaches_the_agenda(draft, maassluis):
    officer = maassluis["officer"]
    services.decide(draft, "goal-3", ItemDecision.ACCEPTED, actor=officer)
    services.edit_item(
        draft, "activity-3-1", {"title": "Van 12 naar 16 uur peuteropvang"}, actor=officer
    )
    services.move_item(draft, "activity-3-2", "goal-4", actor=officer)
    services.merge_item(draft, "indicator-3-2", "indicator-3-1", actor=officer)
    services.decide(draft, "goal-4", ItemDecision.DROPPED, actor=officer)
    draft = refreshed(draft)
    items = tree.by_key(draft.proposal)
    assert items["activity-3-1"]["fields"]["title"] == "Van 12 naar 16 uur peuteropvang"
    assert items["activity-3-2"]["parent"] == "goal-4"
    merged = items["indicator-3-1"]
    assert (merged["fields"]["baseline_value"], merged["fields"]["target_value"]) == (72, 90)
    assert merged["fields"]["target_year"] == 2021
    assert "indicator-3-2" in merged["source"]["text"]  # the passage is not lost
    assert draft.review == {
        "goal-3": "accepted",
        "activity-3-1": "accepted",
        "indicator-3-2": "merged",
        "goal-4": "dropped",
        "activity-3-2": "dropped",  # dropped with the goal it hangs under
    }
    assert agenda_rows() == (0, 0, 0, 0)


def test_confirm_writes_exactly_the_accepted_items_once(draft, maassluis):
    officer = maassluis["officer"]
    services.merge_item(draft, "indicator-3-2", "indicator-3-1", actor=officer)
    services.decide(draft, "goal-4", ItemDecision.DROPPED, actor=officer)
    services.decide(draft, "activity-3-2", ItemDecision.DROPPED, actor=officer)
    services.accept_open_items(draft, actor=officer)
    agenda = services.confirm(draft, actor=officer)

    assert agenda.status == "concept"
    assert list(agenda.owners.all()) == [maassluis["gemeente"]]
    assert "nota.docx" in agenda.source
    assert list(Spearhead.objects.filter(agenda=agenda).values_list("title", flat=True)) == [
        "Gelijke kansen"
    ]
    goal = Goal.objects.get(agenda=agenda)
    assert goal.number == "3" and goal.spearhead.title == "Gelijke kansen"
    activity = Activity.objects.get(agenda=agenda)
    assert activity.title == "Uitbreiding van 12 naar 16 uur" and activity.goal == goal
    assert [m.month.isoformat() for m in activity.planned_months.all()] == ["2020-08-01"]
    # The organisation the register does not know is kept as a party.
    assert activity.involvements.get().party_name == "Nergens Bekend"
    indicator = Indicator.objects.get(goals=goal)
    assert indicator.baselines.get().value == 72 and indicator.baselines.get().date.year == 2019
    assert indicator.targets.get().value == 90 and indicator.targets.get().date.year == 2021
    draft = refreshed(draft)
    assert draft.status == DraftStatus.CONFIRMED and draft.agenda == agenda
    assert AuditEvent.objects.filter(
        action="agenda.agenda.create", target_id=str(agenda.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="agenda_intake.confirm").count() == 1

    before = agenda_rows()
    with pytest.raises(services.NotReady):
        services.confirm(draft, actor=officer)
    assert agenda_rows() == before


def test_an_item_under_an_item_not_taken_over_stops_the_confirmation(draft, maassluis):
    officer = maassluis["officer"]
    services.decide(draft, "activity-3-2", ItemDecision.ACCEPTED, actor=officer)
    with pytest.raises(tree.NotConfirmable) as refused:
        services.confirm(draft, actor=officer)
    assert "Scholing pedagogisch medewerkers" in refused.value.problems[0]
    assert agenda_rows() == (0, 0, 0, 0)
    assert refreshed(draft).status == DraftStatus.READY


def test_a_passage_becomes_an_item(draft, maassluis):
    key = services.passage_to_item(draft, 0, "activity", "goal-4", actor=maassluis["officer"])
    draft = refreshed(draft)
    assert draft.proposal["unrecognised"] == []
    item = tree.by_key(draft.proposal)[key]
    assert item["fields"]["title"] == "Een inleiding die nergens bij hoort."
    assert item["parent"] == "goal-4" and draft.review[key] == "accepted"


def test_a_move_to_a_parent_of_the_wrong_kind_is_refused(draft, maassluis):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.move_item(draft, "indicator-3-1", "spearhead-1", actor=maassluis["officer"])
    with pytest.raises(ValidationError):
        services.move_item(draft, "indicator-3-1", None, actor=maassluis["officer"])


def test_the_draft_is_visible_to_its_uploader_and_the_owners_beleid(draft, maassluis):
    visible = AgendaDraft.objects.visible_to
    assert visible(maassluis["officer"]).filter(pk=draft.pk).exists()
    assert visible(maassluis["colleague"]).filter(pk=draft.pk).exists()
    assert not visible(maassluis["stranger"]).filter(pk=draft.pk).exists()
    assert not visible(maassluis["reader"]).filter(pk=draft.pk).exists()


# ------------------------------------------------------------------ views


def test_another_organisations_officer_gets_404_everywhere(client, draft, maassluis):
    client.force_login(maassluis["stranger"])
    for name, method in [
        ("draft", "get"),
        ("progress", "get"),
        ("document", "get"),
        ("confirm", "post"),
        ("discard", "post"),
        ("accept_open", "post"),
    ]:
        response = getattr(client, method)(reverse(f"agenda_intake:{name}", args=[draft.pk]))
        assert response.status_code == 404, name
    response = client.post(
        reverse("agenda_intake:item", args=[draft.pk, "goal-3"]), {"action": "accepted"}
    )
    assert response.status_code == 404
    assert refreshed(draft).review == {}


def test_the_review_page_shows_the_tree_the_passages_and_the_confidence(client, draft, maassluis):
    client.force_login(maassluis["officer"])
    response = client.get(reverse("agenda_intake:draft", args=[draft.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Voorkomen dat de achterstand groeit." in page
    assert "Een inleiding die nergens bij hoort." in page
    assert "alinea 6" in page  # the passage's location
    assert "Zekerheid: onzeker (50 %)" in page
    assert '<meter class="kansrijk-intake-meter"' in page


def test_the_forms_of_the_review_change_the_draft_and_confirm_goes_to_the_editor(
    client, draft, maassluis
):
    client.force_login(maassluis["officer"])
    item_url = lambda key: reverse("agenda_intake:item", args=[draft.pk, key])  # noqa: E731
    client.post(item_url("indicator-3-2"), {"action": "merge", "into": "indicator-3-1"})
    client.post(item_url("goal-4"), {"action": "dropped"})
    client.post(item_url("activity-3-2"), {"action": "move", "parent": "goal-3"})
    response = client.post(
        reverse("agenda_intake:item_edit", args=[draft.pk, "activity-3-1"]),
        {"title": "Uitbreiding naar 16 uur", "months": "2020-08, 2020-09", "planned_text": ""},
    )
    assert response.status_code == 302
    wrong = client.post(
        reverse("agenda_intake:item_edit", args=[draft.pk, "activity-3-2"]),
        {"title": "Scholing", "months": "augustus"},
    )
    assert wrong.status_code == 400
    assert "jjjj-mm" in wrong.content.decode()
    client.post(reverse("agenda_intake:accept_open", args=[draft.pk]))
    assert agenda_rows() == (0, 0, 0, 0)

    response = client.post(reverse("agenda_intake:confirm", args=[draft.pk]))
    agenda = Agenda.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:editor", args=[agenda.slug])
    assert sorted(Activity.objects.values_list("title", flat=True)) == [
        "Scholing pedagogisch medewerkers",
        "Uitbreiding naar 16 uur",
    ]
    rows = agenda_rows()
    again = client.post(reverse("agenda_intake:confirm", args=[draft.pk]))
    assert again.status_code == 302 and agenda_rows() == rows

    # The document stays with the agenda: linked from its page for its editors.
    page = client.get(reverse("agenda:detail", args=[agenda.slug])).content.decode()
    download = reverse("agenda_intake:document", args=[draft.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200 and response.content == b"PK\x03\x04"
    assert "nota.docx" in response["Content-Disposition"]


def test_a_reader_of_the_owner_cannot_upload(client, maassluis):
    client.force_login(maassluis["reader"])
    assert client.get(reverse("agenda_intake:upload")).status_code == 403


def _upload(client, owner, *, file=None, text="", capture):
    data = {"owner": owner.pk, "text": text}
    if file is not None:
        data["file"] = file
    with capture(execute=True):
        return client.post(reverse("agenda_intake:upload"), data)


def test_a_pasted_text_is_read_in_the_background_and_proposed(
    client, maassluis, django_capture_on_commit_callbacks
):
    client.force_login(maassluis["officer"])
    response = _upload(
        client,
        maassluis["gemeente"],
        text="Doel 3: Voorkomen dat de achterstand groter wordt.\n\nEen alinea.",
        capture=django_capture_on_commit_callbacks,
    )
    found = AgendaDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == found.get_absolute_url()
    assert found.status == DraftStatus.READY
    assert found.proposal["items"] or found.proposal["unrecognised"]
    assert agenda_rows() == (0, 0, 0, 0)
    page = client.get(found.get_absolute_url())
    assert page.status_code == 200


def _hostile(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "scan.pdf": SimpleUploadedFile("scan.pdf", samples.scanned_pdf()),
        "geheim.pdf": SimpleUploadedFile("geheim.pdf", samples.encrypted_pdf()),
        "kapot.docx": SimpleUploadedFile("kapot.docx", b"PK\x03\x04 dit is geen zip"),
        "foto.pdf": SimpleUploadedFile("foto.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    }


# The reader's reasons (reading.UnreadableDocument), shown on the page as they are.
EXPECTED = {
    "scan.pdf": "De PDF bevat geen tekst",
    "geheim.pdf": "De PDF is beveiligd met een wachtwoord",
    "kapot.docx": "Het bestand is een beschadigd ZIP- of Word-bestand",
    "foto.pdf": "Dit bestand is geen document maar een afbeelding",
}


@pytest.mark.parametrize("name", ["scan.pdf", "geheim.pdf", "kapot.docx", "foto.pdf"])
def test_a_hostile_document_ends_with_a_dutch_message_and_no_agenda(
    client, maassluis, tmp_path, name, django_capture_on_commit_callbacks
):
    client.force_login(maassluis["officer"])
    _upload(
        client,
        maassluis["gemeente"],
        file=_hostile(tmp_path)[name],
        capture=django_capture_on_commit_callbacks,
    )
    found = AgendaDraft.objects.get()
    assert found.status == DraftStatus.FAILED
    assert found.error.startswith(EXPECTED[name])
    page = client.get(found.get_absolute_url()).content.decode()
    assert "Het document kon niet worden gelezen" in page
    assert EXPECTED[name] in page
    assert agenda_rows() == (0, 0, 0, 0)


def test_an_empty_file_is_refused_at_the_upload(
    client, maassluis, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(maassluis["officer"])
    response = _upload(
        client,
        maassluis["gemeente"],
        file=SimpleUploadedFile("leeg.docx", b""),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert "Dit bestand is leeg" in response.content.decode()
    assert not AgendaDraft.objects.exists() and agenda_rows() == (0, 0, 0, 0)


def test_a_file_of_another_kind_is_refused_at_the_upload(
    client, maassluis, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(maassluis["officer"])
    response = _upload(
        client,
        maassluis["gemeente"],
        file=SimpleUploadedFile("begroting.xlsx", b"PK\x03\x04"),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert "Kies een .docx-, .pdf- of .txt-bestand." in response.content.decode()
    assert not AgendaDraft.objects.exists()


class _MultipartStream:
    """A multipart body around a (sparse) file, produced as it is read: the test never
    holds the 200 MB in memory, and counts how much of it the server read."""

    def __init__(self, head: bytes, path, tail: bytes):
        self.parts = [head, path, tail]
        self.handle = None
        self.read_bytes = 0

    def read(self, size=-1):
        while self.parts:
            part = self.parts[0]
            if isinstance(part, bytes):
                chunk = part if size < 0 else part[:size]
                self.parts[0] = part[len(chunk) :]
                if not self.parts[0]:
                    self.parts.pop(0)
            else:
                if self.handle is None:
                    self.handle = open(part, "rb")  # noqa: SIM115
                chunk = self.handle.read(size if size >= 0 else 1 << 20)
                if not chunk:
                    self.handle.close()
                    self.parts.pop(0)
                    continue
            self.read_bytes += len(chunk)
            return chunk
        return b""

    def readline(self, size=-1):
        return self.read(size)


def test_a_200_mb_file_is_refused_without_being_read(client, maassluis, tmp_path):
    size = 200 * 1024 * 1024
    path = tmp_path / "groot.pdf"
    with open(path, "wb") as sparse:
        sparse.truncate(size)  # a sparse file: no 200 MB on disk or in memory
    boundary = "grens"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="owner"\r\n\r\n'
        f"{maassluis['gemeente'].pk}\r\n--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="groot.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    stream = _MultipartStream(head, path, tail)
    client.force_login(maassluis["officer"])
    response = client.generic(
        "POST",
        reverse("agenda_intake:upload"),
        b"",
        content_type=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(len(head) + size + len(tail)),
        **{"wsgi.input": stream},
    )
    assert response.status_code == 413
    assert "Het bestand is groter dan 50 MB" in response.content.decode()
    assert stream.read_bytes < 1024 * 1024
    assert not AgendaDraft.objects.exists() and agenda_rows() == (0, 0, 0, 0)


def test_a_stalled_reading_is_failed_by_the_sweep(maassluis):
    import datetime

    from django.utils import timezone

    stalled = AgendaDraft.objects.create(
        owner=maassluis["gemeente"],
        uploaded_by=maassluis["officer"],
        original_name="nota.pdf",
        content_type="application/pdf",
        document=b"%PDF",
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert services.sweep() == 1
    stalled.refresh_from_db()
    assert stalled.status == DraftStatus.FAILED and "onderbroken" in stalled.error


def test_the_workers_sweep_reaches_the_drafts(maassluis):
    import datetime

    from django.utils import timezone

    from kansrijk.cases.management.commands import db_worker

    stalled = AgendaDraft.objects.create(
        owner=maassluis["gemeente"],
        uploaded_by=maassluis["officer"],
        original_name="nota.pdf",
        content_type="application/pdf",
        document=b"%PDF",
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )
    db_worker.sweep_imports()
    stalled.refresh_from_db()
    assert stalled.status == DraftStatus.FAILED


def test_while_reading_the_page_shows_a_progress_bar_and_reloads_when_done(client, maassluis):
    reading = AgendaDraft.objects.create(
        owner=maassluis["gemeente"],
        uploaded_by=maassluis["officer"],
        original_name="nota.pdf",
        content_type="application/pdf",
        document=b"%PDF",
        done=3,
        total=12,
        step="Pagina 3 van 12 gelezen.",
    )
    client.force_login(maassluis["colleague"])
    page = client.get(reading.get_absolute_url()).content.decode()
    assert '<progress id="draft-progress-bar" max="100" value="25">' in page
    assert 'http-equiv="refresh"' in page  # without JavaScript
    fragment = client.get(reverse("agenda_intake:progress", args=[reading.pk]))
    assert fragment.status_code == 200 and "Pagina 3 van 12 gelezen." in fragment.content.decode()
    AgendaDraft.objects.filter(pk=reading.pk).update(status=DraftStatus.READY)
    done = client.get(reverse("agenda_intake:progress", args=[reading.pk]))
    assert done.status_code == 204 and done["HX-Redirect"] == reading.get_absolute_url()


def test_the_agenda_facts_are_validated_and_kept(client, draft, maassluis):
    client.force_login(maassluis["officer"])
    url = reverse("agenda_intake:facts", args=[draft.pk])
    wrong = client.post(
        url,
        {"title": "Nota", "kind": "lea", "period_start": "2022-01-01", "period_end": "2021-01-01"},
    )
    assert wrong.status_code == 400
    assert "Het einde van de looptijd ligt voor het begin." in wrong.content.decode()
    client.post(
        url,
        {"title": "Nota", "kind": "lea", "period_start": "2021-01-01", "period_end": "2024-12-31"},
    )
    assert refreshed(draft).proposal["agenda"]["period_end"] == "2024-12-31"
    assert agenda_rows() == (0, 0, 0, 0)


def test_a_discarded_draft_leaves_nothing_and_cannot_be_confirmed(client, draft, maassluis):
    client.force_login(maassluis["officer"])
    client.post(reverse("agenda_intake:accept_open", args=[draft.pk]))
    response = client.post(reverse("agenda_intake:discard", args=[draft.pk]))
    assert response.status_code == 302
    assert refreshed(draft).status == DraftStatus.DISCARDED
    client.post(reverse("agenda_intake:confirm", args=[draft.pk]))
    assert agenda_rows() == (0, 0, 0, 0)
    assert "weggegooid" in client.get(draft.get_absolute_url()).content.decode()


def test_the_document_of_a_failed_draft_is_forgotten_after_a_day(client, maassluis):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    failed = AgendaDraft.objects.create(
        owner=maassluis["gemeente"],
        uploaded_by=maassluis["officer"],
        status=DraftStatus.FAILED,
        original_name="scan.pdf",
        content_type="application/pdf",
        size=4,
        document=b"%PDF",
    )
    AgendaDraft.objects.filter(pk=failed.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    call_command("sweep_imports", stdout=io.StringIO())
    failed.refresh_from_db()
    assert failed.size == 0 and bytes(failed.document) == b""
    client.force_login(maassluis["officer"])
    assert client.get(reverse("agenda_intake:document", args=[failed.pk])).status_code == 404


def test_a_file_over_the_limit_within_the_requests_slack_is_stopped_while_streamed(
    client, maassluis, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.AGENDA_INTAKE_MAX_BYTES = 1024 * 1024
    client.force_login(maassluis["officer"])
    response = _upload(
        client,
        maassluis["gemeente"],
        file=SimpleUploadedFile("nota.txt", b"Doel 1. " * (200 * 1024)),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 413
    assert "Het bestand is groter dan 1 MB" in response.content.decode()
    assert not AgendaDraft.objects.exists()


def test_a_proposal_left_unreviewed_expires_with_its_document(client, maassluis, settings):
    """A ready draft nobody touched for AGENDA_INTAKE_DRAFT_MAX_AGE_DAYS is discarded and
    its document forgotten; one changed within that time stays."""
    import datetime

    from django.utils import timezone

    settings.AGENDA_INTAKE_DRAFT_MAX_AGE_DAYS = 30
    now = timezone.now()

    def ready(name, **dates):
        draft = AgendaDraft.objects.create(
            owner=maassluis["gemeente"],
            uploaded_by=maassluis["officer"],
            status=DraftStatus.READY,
            original_name=name,
            content_type="text/plain",
            size=5,
            document=b"agenda",
        )
        AgendaDraft.objects.filter(pk=draft.pk).update(**dates)
        return draft

    left = ready("oud.txt", read_at=now - datetime.timedelta(days=31))
    edited = ready(
        "bewerkt.txt",
        read_at=now - datetime.timedelta(days=40),
        changed_at=now - datetime.timedelta(days=2),
    )
    fresh = ready("nieuw.txt", read_at=now - datetime.timedelta(days=29))
    services.sweep()
    services.sweep()  # a second run changes nothing more
    left.refresh_from_db()
    assert left.status == DraftStatus.DISCARDED
    assert left.size == 0 and bytes(left.document) == b""
    assert "30 dagen" in left.error
    for draft in (edited, fresh):
        draft.refresh_from_db()
        assert draft.status == DraftStatus.READY and bytes(draft.document) == b"agenda"
    client.force_login(maassluis["officer"])
    page = client.get(reverse("agenda_intake:draft", args=[left.pk]))
    assert "niet bekeken" in page.content.decode()


def test_the_review_shows_months_as_a_planning_table_writes_them():
    item = {
        "kind": "activity",
        "fields": {
            "title": "Ouderavonden",
            "planned_text": "najaar 2021 en januari",
            "months": ["2021-09", "2021-10", "2021-11", "2022-01"],
        },
    }
    assert ("Maanden", "sep–nov 2021, jan 2022") in tree.details(item)


def test_the_upload_page_lists_the_open_proposals_not_the_failed_readings(client, draft, maassluis):
    AgendaDraft.objects.create(
        owner=maassluis["gemeente"],
        uploaded_by=maassluis["officer"],
        status=DraftStatus.FAILED,
        original_name="kapot.docx",
        content_type=services.CONTENT_TYPES["docx"],
        size=4,
        document=b"PK\x03\x04",
        error="Het Word-bestand is beschadigd en kan niet geopend worden.",
    )
    client.force_login(maassluis["officer"])
    html = client.get(reverse("agenda_intake:upload")).content.decode()
    assert "Voorstellen die nog openstaan" in html
    assert "nota.docx" in html and "kapot.docx" not in html
