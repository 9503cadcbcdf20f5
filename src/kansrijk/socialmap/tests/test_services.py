"""The life of an entry through the service functions: concept, ter goedkeuring,
gepubliceerd; every change audited in its own transaction; locations from the reference
data; participation and needs that change nothing when entered again."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from kansrijk.audit.models import AuditEvent
from kansrijk.socialmap import rules, services
from kansrijk.socialmap.models import Location, Schedule, Service, ServiceStatus
from kansrijk.socialmap.tests.factories import ServiceFactory, audience, theme
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


def new_entry(provider, actor, gemeente, **fields):
    defaults = {
        "name": "Huiswerkbegeleiding",
        "description": "Hulp bij huiswerk voor kinderen in groep 7.",
        "minimum_group": 7,
        "maximum_group": 7,
        "requires_referral": True,
        "is_free": True,
        "without_location": True,
    }
    defaults.update(fields)
    return services.create_service(
        actor=actor,
        provider=provider,
        links=services.Links(
            themes=[theme("huiswerk")], audiences=[audience("kinderen")], areas=[gemeente]
        ),
        **defaults,
    )


def test_a_provider_writes_a_concept_a_beleidsmedewerker_publishes_it(
    provider, partner_trio, officer_trio, gemeente
):
    partner, officer = partner_trio["member"], officer_trio["member"]
    entry = new_entry(provider, partner, gemeente)
    assert entry.status == ServiceStatus.CONCEPT
    assert "huiswerk" in entry.search_text and gemeente.name.lower() in entry.search_text
    assert not Service.objects.published().exists()

    services.submit_service(entry, actor=partner)
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.SUBMITTED and entry.submitted_at

    assert rules.can_approve_service(officer, entry)
    assert not rules.can_approve_service(partner, entry)
    assert not rules.can_approve_service(officer_trio["other_organisation"], entry)
    services.approve_service(entry, actor=officer)
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.PUBLISHED
    assert entry.approved_by == officer and entry.assured_date == datetime.date.today()
    actions = list(
        AuditEvent.objects.filter(target_id=str(entry.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "socialmap.service.create",
        "socialmap.service.submit",
        "socialmap.service.approve",
    ]
    assert AuditEvent.objects.filter(action="socialmap.service.approve").get().actor == officer


def test_rejection_needs_a_reason_and_returns_a_concept(
    provider, partner_trio, officer_trio, gemeente
):
    entry = new_entry(provider, partner_trio["member"], gemeente)
    services.submit_service(entry, actor=partner_trio["member"])
    with pytest.raises(ValidationError):
        services.reject_service(entry, actor=officer_trio["member"], reason="  ")
    services.reject_service(entry, actor=officer_trio["member"], reason="Schrijf het in B1.")
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.CONCEPT and entry.review_note == "Schrijf het in B1."
    event = AuditEvent.objects.get(action="socialmap.service.reject")
    assert event.reason == "Schrijf het in B1."


def test_an_entry_without_area_cannot_be_submitted(provider, partner_trio):
    entry = services.create_service(
        actor=partner_trio["member"], provider=provider, name="Zonder gebied", description="x"
    )
    with pytest.raises(ValidationError, match="gemeente of wijk"):
        services.submit_service(entry, actor=partner_trio["member"])


def test_an_entry_is_submitted_with_a_location_or_explicitly_without_one(
    provider, partner_trio, gemeente
):
    partner = partner_trio["member"]
    entry = new_entry(provider, partner, gemeente, without_location=False)
    with pytest.raises(ValidationError, match="Voeg eerst een locatie toe"):
        services.submit_service(entry, actor=partner)
    services.add_location(
        entry,
        Location(name="Buurthuis De Brug", municipality=gemeente),
        actor=partner,
    )
    services.submit_service(entry, actor=partner)
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.SUBMITTED


def test_a_partner_changing_a_published_entry_sends_it_back_for_approval(
    provider, partner_trio, officer_trio, gemeente
):
    entry = ServiceFactory(provider=provider)
    assert services.update_service(
        entry, actor=partner_trio["member"], alert="Er is een wachtlijst."
    )
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.SUBMITTED

    entry = ServiceFactory(provider=provider)
    assert services.update_service(entry, actor=officer_trio["member"], alert="Wachtlijst.")
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.PUBLISHED


def test_an_equal_save_changes_nothing_and_writes_no_audit(provider, partner_trio):
    entry = ServiceFactory(provider=provider, minimum_age=Decimal("2.5"), maximum_age=Decimal(4))
    count = AuditEvent.objects.count()
    assert not services.update_service(
        entry,
        actor=partner_trio["member"],
        name=entry.name,
        minimum_age=Decimal("2.5"),
        maximum_age=4,
        links=services.Links(areas=[a.region for a in entry.areas.all()]),
    )
    assert AuditEvent.objects.count() == count
    entry.refresh_from_db()
    assert entry.status == ServiceStatus.PUBLISHED


def test_ages_and_groups_must_be_in_order(provider, partner_trio):
    with pytest.raises(ValidationError) as error:
        services.create_service(
            actor=partner_trio["member"],
            provider=provider,
            name="Verkeerd",
            description="x",
            minimum_age=12,
            maximum_age=4,
            minimum_group=8,
            maximum_group=6,
        )
    assert set(error.value.message_dict) == {"maximum_age", "maximum_group"}


def test_the_audit_record_is_written_in_the_same_transaction(provider, partner_trio, gemeente):
    with pytest.raises(RuntimeError), transaction.atomic():
        new_entry(provider, partner_trio["member"], gemeente)
        raise RuntimeError("rolled back")
    assert not Service.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="socialmap.").exists()


def test_a_location_at_a_school_takes_its_address_and_adds_its_gemeente(
    provider, partner_trio, school
):
    entry = services.create_service(
        actor=partner_trio["member"], provider=provider, name="Schoolsport", description="x"
    )
    at_location = services.add_location(
        entry,
        Location(school=school),
        actor=partner_trio["member"],
        schedules=[Schedule(byday="WE", opens_at=datetime.time(14), closes_at=datetime.time(16))],
    )
    location = at_location.location
    assert (location.name, location.address_1, location.postal_code) == (
        "IKC De Regenboog",
        "Zwaluwstraat 15",
        "3145 NG",
    )
    assert location.municipality == school.municipality
    assert list(entry.areas.values_list("region", flat=True)) == [school.municipality_id]
    assert at_location.schedules.get().byday == "WE"
    services.remove_location(at_location, actor=partner_trio["member"])
    assert not Location.objects.exists()


def test_a_wrong_postcode_is_refused(provider, partner_trio, gemeente):
    entry = ServiceFactory(provider=provider)
    with pytest.raises(ValidationError) as error:
        services.add_location(
            entry,
            Location(
                name="Buurthuis", address_1="Straat 1", postal_code="3145 SS", municipality=gemeente
            ),
            actor=partner_trio["member"],
        )
    assert "postal_code" in error.value.message_dict


def test_participation_is_a_count_per_period_and_scope(provider, partner_trio, school, gemeente):
    entry = ServiceFactory(provider=provider)
    period = {
        "period_start": datetime.date(2023, 8, 1),
        "period_end": datetime.date(2024, 7, 31),
        "period_label": "2023/2024",
    }
    row, changed = services.save_participation(
        actor=partner_trio["member"], service=entry, school=school, participants=9, **period
    )
    assert changed and row.municipality == gemeente
    count = AuditEvent.objects.count()
    _row, changed = services.save_participation(
        actor=partner_trio["member"], service=entry, school=school, participants=9, **period
    )
    assert not changed and AuditEvent.objects.count() == count
    row, changed = services.save_participation(
        actor=partner_trio["member"], service=entry, school=school, participants=11, **period
    )
    assert changed and row.participants == 11
    assert entry.participations.count() == 1
    with pytest.raises(ValidationError):
        services.save_participation(
            actor=None, service=entry, school=school, region=gemeente, participants=1, **period
        )


def test_a_need_in_a_wijk_gets_its_gemeente(officer_trio, wijk, gemeente):
    need, changed = services.save_need(
        actor=officer_trio["member"],
        district=wijk,
        theme=theme("huiswerk"),
        minimum_group=6,
        maximum_group=6,
        description="Huiswerkbegeleiding voor groep 6.",
    )
    assert changed and need.municipality == gemeente
    _need, changed = services.save_need(
        need, actor=officer_trio["member"], description=need.description
    )
    assert not changed
    with pytest.raises(ValidationError):
        services.save_need(actor=None, municipality=gemeente, theme=theme("sport"), description="x")
    other = factories.MunicipalityFactory()
    with pytest.raises(ValidationError):
        services.save_need(
            actor=None,
            municipality=other,
            district=wijk,
            theme=theme("sport"),
            minimum_age=4,
            maximum_age=12,
            description="x",
        )
