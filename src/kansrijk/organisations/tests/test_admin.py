"""The admin changes organisations through the audited services."""

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
