"""The admin changes organisations through the audited services."""

import datetime

import pytest
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Membership, Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user, verified_client):
    """The platform superuser, past the two-factor check."""
    return verified_client(admin_user)


def test_admin_change_of_an_organisation_is_audited_with_before_and_after(admin_client):
    organisation = factories.MunicipalityOrganisationFactory(name="Gemeente Oud")
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    response = admin_client.post(
        url,
        {
            "kind": organisation.kind,
            "name": "Gemeente Nieuw",
            "code": organisation.code,
            "municipality": organisation.municipality.pk,
            "served_regions": [organisation.municipality.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="organisation.update")
    assert ("name", "Gemeente Oud", "Gemeente Nieuw") in event.changed_fields()


def test_admin_cannot_delete_memberships_but_can_end_them(admin_client):
    membership = factories.MembershipFactory(role=Role.READER)
    response = admin_client.post(
        reverse("admin:organisations_membership_changelist"),
        {"action": "end_memberships", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    assert not Membership.objects.get(pk=membership.pk).is_active
    assert AuditEvent.objects.filter(action="membership.end").count() == 1
    delete_url = reverse("admin:organisations_membership_delete", args=[membership.pk])
    assert admin_client.get(delete_url).status_code == 403


def test_admin_reactivating_a_membership_goes_through_the_service(admin_client):
    membership = factories.MembershipFactory(role=Role.READER, is_active=False)
    url = reverse("admin:organisations_membership_change", args=[membership.pk])
    response = admin_client.post(url, {"is_active": "on"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).is_active
    assert AuditEvent.objects.filter(action="membership.add").count() == 1


def test_admin_changes_to_users_and_regions_are_audited(admin_client):
    user = factories.UserFactory(first_name="Oud")
    response = admin_client.post(
        reverse("admin:organisations_user_change", args=[user.pk]),
        {
            "username": user.username,
            "first_name": "Nieuw",
            "last_name": "",
            "email": user.email,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "12:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="user.update")
    assert ("first_name", "Oud", "Nieuw") in event.changed_fields()
    assert "password" not in (event.after or {})

    region = factories.MunicipalityFactory(name="Oudedorp")
    response = admin_client.post(
        reverse("admin:organisations_region_change", args=[region.pk]),
        {
            "kind": region.kind,
            "code": region.code,
            "name": "Nieuwdorp",
            "review_note": "",
            "parent_memberships-TOTAL_FORMS": "0",
            "parent_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="region.update", target_id=str(region.pk)).exists()


def test_the_region_page_shows_its_herindelingen(admin_client):
    from kansrijk.organisations.models import RegionSuccession

    leerdam = factories.MunicipalityFactory(code="GM0545", name="Leerdam")
    vijfheerenlanden = factories.MunicipalityFactory(code="GM1961", name="Vijfheerenlanden")
    RegionSuccession.objects.create(
        predecessor=leerdam, successor=vijfheerenlanden, date=datetime.date(2019, 1, 1)
    )
    response = admin_client.get(reverse("admin:organisations_region_change", args=[leerdam.pk]))
    assert "01-01-2019: Leerdam → Vijfheerenlanden" in response.content.decode()
