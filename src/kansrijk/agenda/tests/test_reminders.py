"""Reminders by e-mail for what falls due (decision 0039), with a fixed clock: the worker
reminds of a due commitment once and not again on its next run; an evaluation moment
too; nothing for what is not due, kept, done, or in a concept agenda. And the page that
shows what was sent."""

from __future__ import annotations

import datetime
import itertools
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from kansrijk.agenda import services
from kansrijk.agenda.commitments import due_in_month, due_months_of_year
from kansrijk.agenda.models import Agenda, AgendaStatus, Commitment, EvaluationMoment, SentReminder
from kansrijk.agenda.reminders import ReminderSchedule, send_due_reminders
from kansrijk.agenda.tests.test_views import load_sample_agenda, main_text, url
from kansrijk.audit.models import AuditEvent
from kansrijk.cases.management.commands import db_worker
from kansrijk.organisations.models import Role

pytestmark = pytest.mark.django_db

# The sample agenda runs 2022–2024. Its commitments belong to the gemeente: "twee keer per
# jaar bestuurlijk overleg" (due in June and December) and "minimaal 1 keer per jaar een
# kennissessie" (December). Its evaluations: "Tussentijdse evaluatie" of the whole agenda
# in January 2023, and the yearly one of the Peuterplus, led by the library, in December 2022.
JUNE_2022 = datetime.datetime(2022, 6, 10, 9, 0)
DECEMBER_2022 = datetime.datetime(2022, 12, 1, 7, 0)
JANUARY_2023 = datetime.datetime(2023, 1, 15, 9, 0)


@pytest.fixture
def agenda(tmp_path, network):
    return load_sample_agenda(tmp_path, network)


@pytest.fixture
def people(make_member, network, municipality_organisation, other_municipality_organisation):
    return {
        "policy": make_member(municipality_organisation, Role.POLICY_OFFICER),
        "reader": make_member(municipality_organisation, Role.READER),
        "attendance": make_member(municipality_organisation, Role.ATTENDANCE_OFFICER),
        "library": make_member(network["library"], Role.PARTNER),
        "library_reader": make_member(network["library"], Role.READER),
        "elsewhere": make_member(other_municipality_organisation, Role.POLICY_OFFICER),
    }


def worker_reminders(clock=None):
    """The reminder run of the worker's sweep thread (``kansrijk db_worker``)."""
    sweeper = db_worker._Sweeper(60)
    if clock is not None:
        sweeper.reminders.clock = clock
    return sweeper.reminders


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# ------------------------------------------------------------------ when a time falls due


def test_the_times_of_a_commitment_fall_at_the_end_of_each_part_of_the_year():
    assert due_months_of_year(1) == [12]
    assert due_months_of_year(2) == [6, 12]
    assert due_months_of_year(4) == [3, 6, 9, 12]
    assert due_months_of_year(5) == [3, 5, 8, 10, 12]


def test_a_commitment_falls_due_only_while_its_agenda_runs(agenda):
    commitment = Commitment.objects.get(agenda=agenda, external_id="bestuurlijk-overleg")
    (due,) = due_in_month([commitment], datetime.date(2022, 6, 1))
    assert (due.number, due.required, due.recorded, due.is_kept) == (1, 2, 0, False)
    assert due_in_month([commitment], datetime.date(2022, 7, 1)) == []
    assert due_in_month([commitment], datetime.date(2025, 6, 1)) == []


# ------------------------------------------------------------------ the worker


@time_machine.travel(JUNE_2022, tick=False)
def test_the_worker_reminds_of_a_due_commitment_once(agenda, people, settings):
    settings.AGENDA_REMINDERS = {"INTERVAL_SECONDS": 3600, "BASE_URL": "https://kansrijk.test"}
    ticks = itertools.count(0, 60)  # the sweep thread ticks every minute
    schedule = worker_reminders(clock=lambda: next(ticks))
    report = schedule.run_if_due()
    assert report.sent == 1
    # The gemeente owns the commitment: its beleidsmedewerker is reminded, not the lezer,
    # nor the leerplichtambtenaar, nor anyone of another organisation.
    assert recipients() == [people["policy"].email]
    (message,) = mail.outbox
    assert message.subject == (
        "Herinnering afspraak: Voert twee keer per jaar bestuurlijk (wethouder) overleg me…"
        " · Uitvoeringsagenda Onderwijs-Jeugd Voorbeeldstad"
    )
    assert "Voert twee keer per jaar bestuurlijk (wethouder) overleg" in message.body
    assert (
        "Deze maand valt de 1e keer van 2022; tot nu toe is het 0 keer vastgelegd." in message.body
    )
    commitment = Commitment.objects.get(agenda=agenda, external_id="bestuurlijk-overleg")
    assert (
        f"https://kansrijk.test/agenda/{agenda.slug}/afspraken/#afspraak-{commitment.pk}"
        in message.body
    )
    reminder = SentReminder.objects.get()
    assert (reminder.key, reminder.recipient, reminder.due_month) == (
        f"commitment:{commitment.pk}:2022-06",
        people["policy"],
        datetime.date(2022, 6, 1),
    )
    assert AuditEvent.objects.filter(action="agenda.reminder.send").count() == 1

    # A minute later the thread ticks again: within the hour the run is not repeated.
    assert schedule.run_if_due() is None
    # An hour on, the run comes again and finds the reminder already sent.
    for _ in range(60):
        next(ticks)
    report = schedule.run_if_due()
    assert (report.sent, report.already_sent) == (0, 1)
    # A second worker (a restart, another process) sends nothing either.
    assert worker_reminders().run_if_due().sent == 0
    assert len(mail.outbox) == 1 and SentReminder.objects.count() == 1


@time_machine.travel(JUNE_2022, tick=False)
def test_the_sweep_thread_loop_runs_the_reminders(agenda, people, monkeypatch):
    """The thread's own loop, two ticks in the main thread: the first sends, the second
    (a minute later) does not run again; the import sweep runs at every tick."""
    sweeper = db_worker._Sweeper(60)
    ticks = iter([False, False, True])  # wait() answers "stopped?" after each interval
    monkeypatch.setattr(sweeper.stopped, "wait", lambda interval: next(ticks))
    sweeps = []
    monkeypatch.setattr(db_worker, "_sweep_once", lambda: sweeps.append(1))
    sweeper.run()
    assert len(sweeps) == 2
    assert recipients() == [people["policy"].email]
    assert SentReminder.objects.count() == 1


@time_machine.travel(JUNE_2022, tick=False)
def test_a_kept_commitment_is_not_reminded(agenda, people):
    commitment = Commitment.objects.get(agenda=agenda, external_id="bestuurlijk-overleg")
    services.record_commitment_occurrence(
        commitment, actor=people["policy"], date=datetime.date(2022, 5, 12)
    )
    assert worker_reminders().run_if_due().sent == 0
    assert mail.outbox == []


@time_machine.travel(datetime.datetime(2022, 7, 4, 9, 0), tick=False)
def test_nothing_is_reminded_in_a_month_without_anything_due(agenda, people):
    assert worker_reminders().run_if_due().sent == 0
    assert mail.outbox == [] and not SentReminder.objects.exists()


@time_machine.travel(DECEMBER_2022, tick=False)
def test_the_voortrekker_is_reminded_of_the_evaluation_of_its_intervention(agenda, people):
    assert worker_reminders().run_if_due().sent == 3
    by_recipient = {}
    for message in mail.outbox:
        by_recipient.setdefault(message.to[0], []).append(message)
    # The library leads the Peuterplus: its partner (not its lezer) hears of the evaluation.
    (library_mail,) = by_recipient[people["library"].email]
    assert library_mail.subject.startswith("Herinnering evaluatie: Jaarlijkse evaluatie Peuterplus")
    assert "Jaarlijkse evaluatie Peuterplus (Peuterplus)" in library_mail.body
    assert "omdat je partner bent bij Bibliotheek Voorbeeldstad" in library_mail.body
    # The gemeente: the second overleg of the year and the kennissessie.
    assert len(by_recipient[people["policy"].email]) == 2
    assert set(by_recipient) == {people["library"].email, people["policy"].email}


@time_machine.travel(JANUARY_2023, tick=False)
def test_an_evaluation_of_the_whole_agenda_goes_to_its_owners_until_it_is_done(
    agenda, people, network, make_member
):
    # The SWV owns the agenda with the gemeente.
    swv_policy = make_member(network["swv"], Role.POLICY_OFFICER)
    call_command("send_reminders", stdout=StringIO())
    assert recipients() == sorted([people["policy"].email, swv_policy.email])
    assert all("Tussentijdse evaluatie" in m.body for m in mail.outbox)

    mail.outbox.clear()
    SentReminder.objects.all().delete()
    moment = EvaluationMoment.objects.get(agenda=agenda, external_id="tussentijds")
    services.save_item(moment, actor=people["policy"], done_on=datetime.date(2023, 1, 10))
    call_command("send_reminders", stdout=StringIO())
    assert mail.outbox == []


@time_machine.travel(JUNE_2022, tick=False)
def test_a_concept_agenda_promises_nothing_yet(agenda, people):
    Agenda.objects.filter(pk=agenda.pk).update(status=AgendaStatus.CONCEPT, is_public=False)
    assert send_due_reminders().sent == 0


def test_the_command_takes_a_day_and_sends_once(agenda, people):
    out = StringIO()
    call_command("send_reminders", "--today", "2022-06-30", stdout=out)
    assert "1 herinnering(en) verstuurd, 0 al eerder verstuurd, 0 mislukt." in out.getvalue()
    out = StringIO()
    call_command("send_reminders", "--today", "2022-06-30", stdout=out)
    assert "0 herinnering(en) verstuurd, 1 al eerder verstuurd, 0 mislukt." in out.getvalue()
    assert len(mail.outbox) == 1


def test_a_refused_mail_is_tried_again_on_the_next_run(agenda, people, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("kansrijk.agenda.reminders.send_mail", refuse)
    report = send_due_reminders(today=datetime.date(2022, 6, 30))
    assert (report.sent, report.failed) == (0, 1)
    assert not SentReminder.objects.exists()
    monkeypatch.undo()
    assert send_due_reminders(today=datetime.date(2022, 6, 30)).sent == 1


def test_the_schedule_runs_at_its_first_tick_and_then_once_per_interval():
    now = [0.0]
    schedule = ReminderSchedule(3600, clock=lambda: now[0])
    assert schedule.run_if_due() is not None
    now[0] = 3599
    assert schedule.run_if_due() is None
    now[0] = 3600
    assert schedule.run_if_due() is not None


# ------------------------------------------------------------------ the page of what was sent


def test_the_page_shows_what_was_sent_for_my_organisation(client, agenda, people):
    send_due_reminders(today=datetime.date(2022, 12, 5))
    page = url("sent_reminders")
    assert client.get(page).status_code == 302  # log in first

    client.force_login(people["policy"])
    response = client.get(page)
    text = main_text(response)
    assert response.status_code == 200
    assert people["policy"].email in text
    assert "Afspraak van december 2022, namens Gemeente" in text
    assert "naar de afspraken van Uitvoeringsagenda Onderwijs-Jeugd Voorbeeldstad" in text
    assert "Herinnering afspraak: Organiseert minimaal 1 keer per jaar een kennissessie" in text
    assert "december 2022" in text
    # What was sent on behalf of the library is the library's business.
    assert people["library"].email not in text
    this_month = main_text(client.get(url("this_month")))
    assert "Welke herinneringen per e-mail zijn verstuurd" in this_month

    # A lezer, or a partner without the role that keeps the agenda, does not read it.
    for who in ("reader", "library"):
        client.force_login(people[who])
        assert client.get(page).status_code == 403, who
    # A beleidsmedewerker elsewhere sees none of it.
    client.force_login(people["elsewhere"])
    text = main_text(client.get(page))
    assert "nog geen herinneringen verstuurd" in text
    assert people["policy"].email not in text


def test_the_page_of_what_was_sent_pages_by_keyset(client, people, monkeypatch):
    """Reminders sent in one run share their minute: twelve at one moment, five a page,
    forward and back without a reminder skipped or shown twice (decision 0044)."""
    monkeypatch.setattr("kansrijk.agenda.steering_views.REMINDERS_PER_PAGE", 5)
    moment = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
    organisation = people["policy"].memberships.first().organisation
    SentReminder.objects.bulk_create(
        SentReminder(
            key=f"commitment:{number}:2026-06",
            kind="commitment",
            organisation=organisation,
            due_month=datetime.date(2026, 6, 1),
            email=f"persoon{number}@example.nl",
            subject=f"Herinnering {number}",
            sent_at=moment,
        )
        for number in range(12)
    )
    expected = list(SentReminder.objects.order_by("-sent_at", "-pk").values_list("pk", flat=True))
    client.force_login(people["policy"])
    pages, address = [], url("sent_reminders")
    while True:
        response = client.get(address)
        page = response.context["page"]
        pages.append([reminder.pk for reminder in page])
        if not page.has_next:
            break
        address = url("sent_reminders") + f"?positie={page.next_cursor}"
    assert [pk for page in pages for pk in page] == expected and len(pages) == 3
    response = client.get(url("sent_reminders") + f"?positie={page.previous_cursor}")
    assert [reminder.pk for reminder in response.context["page"]] == pages[1]
    assert "12 herinneringen, nieuwste eerst" in main_text(response)
