"""The agenda's service functions: progress that rolls up, versions and their difference,
adoption, recurring commitments and the education prize. Set-up goes through the
services too, as everything else does."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kansrijk.agenda import services
from kansrijk.agenda.models import (
    Activity,
    ActivityKind,
    AgendaKind,
    AgendaStatus,
    Commitment,
    EducationPrize,
    EvaluationMoment,
    Goal,
    Nomination,
    NominationStatus,
    Spearhead,
    WorkStatus,
)
from kansrijk.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_member, municipality_organisation):
    return make_member(municipality_organisation)


@pytest.fixture
def agenda(editor, municipality_organisation):
    return services.create_agenda(
        actor=editor,
        owners=[municipality_organisation],
        regions=[municipality_organisation.municipality],
        slug="midden-kennemerland",
        title="Uitvoeringsagenda Onderwijs-Jeugd Midden-Kennemerland",
        kind=AgendaKind.EXECUTION_AGENDA,
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        vision="Ieder kind heeft recht op optimale kansen om zich te ontwikkelen.",
    )


def add_activity(agenda, external_id, *, actor=None, **fields):
    return services.save_item(
        Activity(agenda=agenda, external_id=external_id), actor=actor, **fields
    )


@pytest.fixture
def main_activity(agenda):
    return add_activity(
        agenda,
        "hoofd-1",
        kind=ActivityKind.MAIN,
        title="Vanuit een netwerkstructuur werken onderwijs en jeugdprofessionals samen.",
    )


def add_children(parent, *specs):
    return [
        add_activity(
            parent.agenda,
            f"{parent.external_id}-sub-{number}",
            parent=parent,
            kind=ActivityKind.SUB,
            title=title,
            status=status,
            progress=progress,
        )
        for number, (title, status, progress) in enumerate(specs, start=1)
    ]


# ------------------------------------------------------------------ progress


def test_rolled_up_progress_is_the_mean_without_cancelled_children(main_activity):
    add_children(
        main_activity,
        ("Thematische netwerkbijeenkomsten", WorkStatus.DONE, None),
        ("Kennisdeling en deskundigheidsbevordering", WorkStatus.RUNNING, 40),
        ("Kijkje in elkaars keuken", WorkStatus.CANCELLED, 0),
        ("Samenwerkingsafspraken", WorkStatus.PLANNED, None),
    )
    # done counts as 100; planned without a number has no value and the cancelled one
    # does not count (decision 0039): (100 + 40) / 2
    assert services.rolled_up_progress(main_activity) == 70


def test_rolled_up_progress_of_a_leaf_is_its_own(main_activity):
    assert services.rolled_up_progress(main_activity) is None  # planned, nothing entered
    services.update_progress(main_activity, actor=None, status=WorkStatus.RUNNING, progress=30)
    assert services.rolled_up_progress(main_activity) == 30


def test_only_cancelled_children_fall_back_to_the_parent(main_activity):
    add_children(main_activity, ("Vervallen", WorkStatus.CANCELLED, 0))
    services.update_progress(main_activity, actor=None, progress=20)
    assert services.rolled_up_progress(main_activity) == 20


def test_rolled_up_progress_accepts_fetched_children(main_activity, django_assert_num_queries):
    children = add_children(
        main_activity, ("A", WorkStatus.DONE, None), ("B", WorkStatus.RUNNING, 50)
    )
    with django_assert_num_queries(0):
        assert services.rolled_up_progress(main_activity, children) == 75


def test_update_progress_keeps_a_note_and_the_history(main_activity, editor):
    services.update_progress(
        main_activity,
        actor=editor,
        status=WorkStatus.RUNNING,
        progress=25,
        note="Eerste netwerkbijeenkomst gehouden.",
        is_milestone=True,
        date=datetime.date(2022, 6, 14),
    )
    main_activity.refresh_from_db()
    assert (main_activity.status, main_activity.progress) == (WorkStatus.RUNNING, 25)
    note = main_activity.progress_notes.get()
    assert (note.is_milestone, note.author, note.date) == (True, editor, datetime.date(2022, 6, 14))
    latest = main_activity.history.order_by("-history_id").first()
    assert latest.history_user == editor
    assert AuditEvent.objects.filter(action="agenda.progress_note.create").exists()


# ------------------------------------------------------------------ versions


def test_diff_snapshots_names_added_removed_and_changed():
    old = {
        "agenda": {"kind": "agenda", "title": "Agenda", "status": "concept"},
        "goal:doel-07": {
            "kind": "doel",
            "title": "We stimuleren schoolaanwezigheid.",
            "indicator_text": "De RMC-regio monitort schoolaanwezigheid.",
        },
        "activity:oud": {"kind": "hoofdactiviteit", "title": "Oud", "months": ["2022-01"]},
    }
    new = {
        "agenda": {"kind": "agenda", "title": "Agenda", "status": "adopted"},
        "goal:doel-07": {
            "kind": "doel",
            "title": "We stimuleren schoolaanwezigheid.",
            "indicator_text": "Het verzuim daalt.",
        },
        "activity:nieuw": {"kind": "hoofdactiviteit", "title": "Nieuw", "months": []},
    }
    diff = services.diff_snapshots(old, new)
    assert [item["key"] for item in diff["added"]] == ["activity:nieuw"]
    assert [item["key"] for item in diff["removed"]] == ["activity:oud"]
    for item in diff["changed"]:
        item["fields"] = [(f.field, f.before, f.after) for f in item["fields"]]
    assert diff["changed"] == [
        {
            "key": "agenda",
            "kind": "agenda",
            "title": "Agenda",
            "fields": [("status", "concept", "adopted")],
        },
        {
            "key": "goal:doel-07",
            "kind": "doel",
            "title": "We stimuleren schoolaanwezigheid.",
            "fields": [
                (
                    "indicator_text",
                    "De RMC-regio monitort schoolaanwezigheid.",
                    "Het verzuim daalt.",
                )
            ],
        },
    ]
    assert services.diff_snapshots(new, new) == {"added": [], "removed": [], "changed": []}


def test_snapshots_of_the_tree_differ_where_the_tree_changed(agenda, editor, main_activity):
    spearhead = services.save_item(
        Spearhead(agenda=agenda, external_id="sp1"),
        actor=editor,
        number="1",
        title="Integrale aanpak",
    )
    goal = services.save_item(
        Goal(agenda=agenda, external_id="doel-02"),
        actor=editor,
        spearhead=spearhead,
        number="2",
        text="Planmatig en vroegtijdig samenwerken.",
    )
    before = services.agenda_snapshot(agenda)
    services.save_item(goal, actor=editor, indicator_text="Kwalitatieve evaluatie.")
    services.set_planned_months(main_activity, [datetime.date(2022, 3, 1)], actor=editor)
    diff = services.diff_snapshots(before, services.agenda_snapshot(agenda))
    changed = {
        item["key"]: [(f.field, f.before, f.after) for f in item["fields"]]
        for item in diff["changed"]
    }
    assert changed["goal:doel-02"] == [("indicator_text", "", "Kwalitatieve evaluatie.")]
    assert changed["activity:hoofd-1"] == [("months", [], ["2022-03"])]


def _changes(diff) -> dict[str, dict[str, tuple[str, str, str]]]:
    """key -> field -> (Dutch label, before, after) as the page shows them."""
    return {
        item["key"]: {f.field: (f.label, f.before_text, f.after_text) for f in item["fields"]}
        for item in diff["changed"]
    }


def test_the_diff_speaks_dutch_for_status_progress_months_and_roles(
    agenda, editor, main_activity, municipality_organisation, other_municipality_organisation
):
    goal = services.save_item(
        Goal(agenda=agenda, external_id="doel-03"), actor=editor, number="3", text="Thuiszitters"
    )
    version = services.adopt_agenda(
        agenda, actor=editor, adopted_on=datetime.date(2022, 1, 10), adopted_by="OOGO"
    )
    services.update_progress(main_activity, actor=editor, status=WorkStatus.RUNNING, progress=40)
    services.save_item(main_activity, actor=editor, goal=goal)
    services.set_planned_months(
        main_activity, [datetime.date(2022, 3, 1), datetime.date(2022, 6, 1)], actor=editor
    )
    services.set_roles(
        main_activity,
        voortrekker=municipality_organisation,
        partners=[other_municipality_organisation, "samenwerkingsverbanden"],
        financiers=[],
        actor=editor,
    )
    diff = services.diff_snapshots(version.snapshot, services.agenda_snapshot(agenda))
    fields = _changes(diff)["activity:hoofd-1"]
    assert fields["status"] == ("status", "gepland", "lopend")
    assert fields["progress"] == ("voortgang", "–", "40 %")
    assert fields["months"] == ("geplande maanden", "–", "maart en juni 2022")
    assert fields["goal"] == ("doel", "–", "3. Thuiszitters")
    assert fields["voortrekker"] == ("voortrekker", "–", municipality_organisation.name)
    assert fields["partners"] == (
        "partners",
        "–",
        ", ".join(sorted([other_municipality_organisation.name, "samenwerkingsverbanden"])),
    )
    assert "financiers" not in fields  # none before, none after


def test_the_diff_page_shows_labels_not_codes(client, agenda, editor, main_activity):
    services.adopt_agenda(
        agenda, actor=editor, adopted_on=datetime.date(2022, 1, 10), adopted_by="OOGO"
    )
    services.update_progress(main_activity, actor=editor, status=WorkStatus.RUNNING, progress=40)
    client.force_login(editor)
    response = client.get(f"/agenda/{agenda.slug}/versies/1/0/")
    text = response.content.decode()
    assert "gepland" in text and "lopend" in text and "40 %" in text
    assert "Voortgang" in text
    assert "running" not in text and "planned" not in text


def test_a_version_frozen_before_roles_were_kept_shows_no_false_changes(
    agenda, editor, main_activity, municipality_organisation
):
    services.set_roles(
        main_activity,
        voortrekker=municipality_organisation,
        partners=[],
        financiers=[],
        actor=editor,
    )
    services.save_item(
        EvaluationMoment(agenda=agenda, external_id="tussentijds"),
        actor=editor,
        month=datetime.date(2023, 2, 1),
        description="Tussentijdse evaluatie",
    )
    current = services.agenda_snapshot(agenda)
    # What a version of the first format kept: no roles, progress, evaluation moments.
    old = {
        key: {f: v for f, v in item.items() if f in ("kind", "title", "status", "months")}
        for key, item in current.items()
        if not key.startswith("evaluation:")
    }
    assert services.diff_snapshots(old, current) == {"added": [], "removed": [], "changed": []}


def test_evaluation_moments_are_in_the_diff(agenda, editor, main_activity):
    services.save_item(
        EvaluationMoment(agenda=agenda, external_id="eind"),
        actor=editor,
        month=datetime.date(2024, 11, 1),
        description="Eindevaluatie",
    )
    before = services.agenda_snapshot(agenda)
    moment = EvaluationMoment.objects.get(external_id="eind")
    services.save_item(moment, actor=editor, done_on=datetime.date(2024, 12, 5))
    fields = _changes(services.diff_snapshots(before, services.agenda_snapshot(agenda)))
    assert fields["evaluation:eind"]["done_on"] == ("uitgevoerd op", "–", "5 december 2024")


def test_save_version_numbers_on(agenda, editor):
    first = services.save_version(agenda, actor=editor, label="Concept voor het OOGO")
    second = services.save_version(agenda, actor=editor, label="Na de inspraak")
    assert (first.number, second.number) == (1, 2)
    assert second.created_by == editor
    assert second.snapshot["agenda"]["title"] == agenda.title


def test_adopt_agenda_sets_the_status_and_freezes_a_version(agenda, editor):
    version = services.adopt_agenda(
        agenda,
        actor=editor,
        adopted_on=datetime.date(2021, 10, 1),
        adopted_by="OOGO Midden-Kennemerland",
    )
    agenda.refresh_from_db()
    assert agenda.status == AgendaStatus.ADOPTED
    assert (agenda.adopted_on, agenda.adopted_by) == (
        datetime.date(2021, 10, 1),
        "OOGO Midden-Kennemerland",
    )
    assert version.number == 1
    assert version.label == "Vastgesteld 01-10-2021 door OOGO Midden-Kennemerland"
    assert version.snapshot["agenda"]["status"] == AgendaStatus.ADOPTED
    assert AuditEvent.objects.filter(action="agenda.version.create", actor=editor).exists()


def test_only_an_adopted_agenda_can_be_public(agenda, editor):
    with pytest.raises(ValidationError, match=r"Alleen een vastgestelde|agenda_public"):
        services.set_publication(agenda, actor=editor, is_public=True)
    services.adopt_agenda(
        agenda, actor=editor, adopted_on=datetime.date(2021, 10, 1), adopted_by="gemeenteraad"
    )
    services.set_publication(agenda, actor=editor, is_public=True)
    agenda.refresh_from_db()
    assert agenda.is_public


# ------------------------------------------------------------------ commitments


def test_record_commitment_occurrence(agenda, editor, municipality_organisation):
    commitment = services.save_item(
        Commitment(agenda=agenda, external_id="bestuurlijk-overleg"),
        actor=editor,
        text="Voert twee keer per jaar bestuurlijk (wethouder) overleg met de Gelijke Kansen Alliantie",
        owner=municipality_organisation,
        times_per_year=2,
    )
    occurrence = services.record_commitment_occurrence(
        commitment, actor=editor, date=datetime.date(2022, 5, 12), note="Overleg met de GKA"
    )
    assert occurrence.recorded_by == editor
    assert list(commitment.occurrences.values_list("date", flat=True)) == [
        datetime.date(2022, 5, 12)
    ]
    event = AuditEvent.objects.get(action="agenda.commitment.occurrence")
    assert event.after == {"date": "2022-05-12", "note": "Overleg met de GKA"}
    assert event.organisation == municipality_organisation


# ------------------------------------------------------------------ the education prize


@pytest.fixture
def prize(agenda, municipality_organisation):
    today = timezone.localdate()  # an edition whose nominations are open today
    return EducationPrize.objects.create(
        agenda=agenda,
        organiser=municipality_organisation,
        name="Onderwijsprijs",
        year=today.year + 1,
        nominations_from=today - datetime.timedelta(days=30),
        nominations_until=today + datetime.timedelta(days=30),
    )


def nominate(prize, nominee, category="staff"):
    return services.submit_nomination(
        prize,
        actor=None,
        category=category,
        nominee=nominee,
        motivation="Zet zich elke dag in voor de kinderen.",
        submitted_by="Een ouder",
    )


def test_set_nomination_status_keeps_one_winner_per_category(prize, editor):
    anouk, jeroen = nominate(prize, "Juf Anouk"), nominate(prize, "Meester Jeroen")
    daan = nominate(prize, "Daan", category="pupil_po")
    services.set_nomination_status(anouk, actor=editor, status=NominationStatus.WINNER)
    services.set_nomination_status(daan, actor=editor, status=NominationStatus.WINNER)
    services.set_nomination_status(jeroen, actor=editor, status=NominationStatus.WINNER)
    statuses = dict(Nomination.objects.values_list("nominee", "status"))
    assert statuses == {
        "Juf Anouk": NominationStatus.SHORTLISTED,
        "Meester Jeroen": NominationStatus.WINNER,
        "Daan": NominationStatus.WINNER,  # another category keeps its own winner
    }
    # The database refuses a second winner that skips the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=anouk.pk).update(status=NominationStatus.WINNER)


def test_no_nominations_once_closed(prize):
    prize.nominations_open = False
    prize.save()
    with pytest.raises(ValueError, match="gesloten"):
        nominate(prize, "Te laat")
    assert not prize.nominations.exists()


def test_reserved_slugs_are_refused():
    from django.core.exceptions import ValidationError

    from kansrijk.agenda.models import RESERVED_SLUGS, Agenda

    for slug in RESERVED_SLUGS:
        agenda = Agenda(
            slug=slug, title="x", kind="lea", period_start="2022-01-01", period_end="2022-12-31"
        )
        with pytest.raises(ValidationError):
            agenda.clean()


@pytest.mark.parametrize(
    ("key", "field", "value", "expected"),
    [
        ("agenda", "status", "adopted", "vastgesteld"),
        ("activity:a", "status", "postponed", "uitgesteld"),
        ("agenda", "period", "2022-01-01–2024-12-31", "2022–2024"),
        ("activity:a", "months", ["2022-12", "2023-01"], "december 2022, januari 2023"),
        ("activity:a", "months", [], "–"),
        ("evaluation:e", "month", "2023-02", "februari 2023"),
        ("funding:f", "planned_amount", "150000.00", "€ 150.000"),
        ("funding:f", "is_estimate", True, "ja"),
        ("activity:a", "partners", ["SKCN", "Enver"], "SKCN, Enver"),
        ("activity:a", "progress", 0, "0 %"),
        ("activity:a", "goal", "onbekend", "onbekend"),
    ],
)
def test_values_in_the_diff_are_written_for_people(key, field, value, expected):
    from kansrijk.agenda.diff_text import value_text

    assert value_text(key, field, value, {}) == expected
