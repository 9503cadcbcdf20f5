"""A shared public build that fails reaches whoever answers for the document (decision
0054): the beheerders of the agenda's owners (or the indicator's owner) and the
superusers see it on /beheer/taken/ and in the home page's count, and may queue it
again, audited; a retry while another build of the document is under way says so."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.documents import failures, kinds, services
from kansrijk.documents.models import DocumentJob, DocumentStatus
from kansrijk.indicators.tests._io_helpers import make_indicators
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

FAILED_TASKS = reverse("failed_tasks")


class Breakable:
    """The agenda's real builder, or a failure while ``broken``."""

    def __init__(self, build):
        self.real = build
        self.broken = True

    def __call__(self, user, params, progress):
        if self.broken:
            raise RuntimeError("WeasyPrint gave up")
        return self.real(user, params, progress)


@pytest.fixture
def breakable(monkeypatch):
    document = kinds.KINDS["agenda"]
    builder = Breakable(document.build)
    monkeypatch.setitem(kinds.KINDS, "agenda", dataclasses.replace(document, build=builder))
    return builder


@pytest.fixture
def superuser(db):
    return factories.UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def stranger(make_member, other_municipality_organisation):
    """A beheerder of an organisation that does not own the agenda."""
    return make_member(other_municipality_organisation, Role.ADMIN)


def failed_shared_build(agenda, fmt="csv") -> DocumentJob:
    params = {"agenda": agenda.slug, "fmt": fmt}
    job, _refusal = services.request_shared_document("agenda", params, address="192.0.2.1")
    job.refresh_from_db()
    assert job.is_shared and job.status == DocumentStatus.FAILED
    return job


def test_a_failed_shared_build_reaches_the_owners_beheerder_and_a_superuser(
    public_agenda, breakable, beheerder, stranger, superuser
):
    job = failed_shared_build(public_agenda)
    for answering in (beheerder, superuser):
        [failure] = failures.failed_for(answering)
        assert failure.pk == job.pk and failure.retryable
        assert failure.who == "openbaar document, voor bezoekers"
        assert failure.what == "Agenda ‘Openbare agenda’ (CSV)"
        assert failures.failed_count(answering) == 1
    assert failures.failed_for(stranger) == [] and failures.failed_count(stranger) == 0
    assert not services.may_retry(job, stranger)


def test_the_page_and_the_home_page_show_it(public_agenda, breakable, beheerder, verified_client):
    failed_shared_build(public_agenda)
    client = verified_client(beheerder)
    html = client.get(FAILED_TASKS).content.decode()
    assert "openbaar document, voor bezoekers" in html
    assert "Agenda ‘Openbare agenda’ (CSV)" in html and html.count("Opnieuw proberen") == 1
    home = client.get(reverse("home")).content.decode()
    assert FAILED_TASKS in home


def test_the_beheerder_queues_it_again_and_it_is_audited(
    public_agenda, breakable, beheerder, verified_client
):
    job = failed_shared_build(public_agenda)
    breakable.broken = False
    client = verified_client(beheerder)
    answer = client.post(FAILED_TASKS, {"soort": "document", "id": job.pk}, follow=True)
    assert "Het document wordt opnieuw gemaakt." in answer.content.decode()
    job.refresh_from_db()
    assert job.status == DocumentStatus.DONE and job.attempts == 2
    event = AuditEvent.objects.get(action="documents.retry")
    assert event.actor == beheerder and event.target_id == str(job.pk)
    assert event.after["shared"] is True and event.after["requested_by"] is None
    # The next visitor gets the retried build, not a new one.
    again, _refusal = services.request_shared_document("agenda", job.params, address="198.51.100.7")
    assert again.pk == job.pk


def test_a_stranger_cannot_retry_it(public_agenda, breakable, stranger):
    job = failed_shared_build(public_agenda)
    outcome = failures.retry(failures.DOCUMENT, str(job.pk), actor=stranger)
    assert not outcome.ok
    job.refresh_from_db()
    assert job.status == DocumentStatus.FAILED


@pytest.mark.parametrize("raced", [False, True])
def test_a_retry_while_a_visitors_build_is_under_way_says_so(
    public_agenda, breakable, beheerder, monkeypatch, raced
):
    job = failed_shared_build(public_agenda)
    monkeypatch.setattr(services, "_enqueue", lambda job: None)  # no worker yet
    waiting, _refusal = services.request_shared_document(
        "agenda", job.params, address="198.51.100.7"
    )
    assert waiting.pk != job.pk and waiting.status == DocumentStatus.QUEUED
    if raced:
        # The visitor's build is written between the look and the update: the
        # constraint refuses the second waiting build, and the retry does not crash.
        monkeypatch.setattr(services, "_shared_build_underway", lambda job: False)
    outcome = failures.retry(failures.DOCUMENT, str(job.pk), actor=beheerder)
    assert not outcome.ok and "al een nieuwe versie" in outcome.message
    job.refresh_from_db()
    assert job.status == DocumentStatus.FAILED
    assert not AuditEvent.objects.filter(action="documents.retry").exists()
    # Once the waiting build is gone, the retry goes through.
    DocumentJob.objects.filter(pk=waiting.pk).update(status=DocumentStatus.DONE)
    assert failures.retry(failures.DOCUMENT, str(job.pk), actor=beheerder).ok


def test_who_answers_for_each_public_document(
    public_agenda, municipality_organisation, network, other_municipality_organisation
):
    owners = {municipality_organisation.pk, network["swv"].pk}
    for kind in ("agenda", "voortgangsrapportage", "indicatorpagina"):
        answerable = kinds.KINDS[kind].answerable({"agenda": public_agenda.slug})
        assert set(answerable.values_list("pk", flat=True)) == owners
    reach, _count = make_indicators(other_municipality_organisation)
    measurements = kinds.KINDS["metingen"].answerable({"indicator": reach.code})
    assert list(measurements) == [other_municipality_organisation]
    # The whole sociale kaart has no owner: the superusers answer for it.
    assert not kinds.KINDS["sociale-kaart"].answerable({"fmt": "csv"}).exists()


def test_a_failed_measurements_build_reaches_the_indicators_owner(
    make_member, municipality_organisation, stranger, monkeypatch
):
    reach, _count = make_indicators(municipality_organisation)
    document = kinds.KINDS["metingen"]
    monkeypatch.setitem(
        kinds.KINDS, "metingen", dataclasses.replace(document, build=Breakable(document.build))
    )
    params = {"indicator": reach.code, "fmt": "csv"}
    job, _refusal = services.request_shared_document("metingen", params, address="192.0.2.1")
    job.refresh_from_db()
    assert job.status == DocumentStatus.FAILED
    owner = make_member(municipality_organisation, Role.ADMIN)
    assert [failure.pk for failure in failures.failed_for(owner)] == [job.pk]
    assert failures.failed_for(stranger) == []


def test_only_public_kinds_are_shared_and_none_holds_personal_data():
    for name, document in kinds.KINDS.items():
        assert not (document.public and document.personal_data), name
        if document.answered_by is not None:
            assert document.public, name
