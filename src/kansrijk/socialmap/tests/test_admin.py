"""The sociale kaart in the Django admin: read-only, and its actions go through the audited
services."""

import pytest

from kansrijk.audit.models import AuditEvent
from kansrijk.socialmap.models import ServiceStatus
from kansrijk.socialmap.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user, verified_client):
    """The platform superuser, past the two-factor check."""
    return verified_client(admin_user)


def test_the_admin_reads_and_approves_through_the_service(admin_client, provider):
    service = ServiceFactory(provider=provider, status=ServiceStatus.SUBMITTED)
    assert admin_client.get("/beheer/socialmap/service/").status_code == 200
    assert admin_client.get(f"/beheer/socialmap/service/{service.pk}/change/").status_code == 200
    admin_client.post(
        "/beheer/socialmap/service/",
        {"action": "approve", "_selected_action": [service.pk]},
    )
    service.refresh_from_db()
    assert service.status == ServiceStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="socialmap.service.approve").exists()
    assert admin_client.post(f"/beheer/socialmap/service/{service.pk}/delete/").status_code == 403
