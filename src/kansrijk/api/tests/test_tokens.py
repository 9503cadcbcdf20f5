"""API keys: shown once, stored as a hash, scoped to an organisation, audited, revocable."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kansrijk.api import services
from kansrijk.api.models import ApiToken
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


def test_key_is_shown_once_and_stored_as_a_hash(make_token, lead_organisation):
    token, key = make_token(lead_organisation)

    assert key.startswith("kr_")
    assert len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:10]
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert key not in stored
    event = AuditEvent.objects.get(action="api_token.create")
    assert key not in json.dumps(event.after)
    assert event.organisation == lead_organisation


def test_key_acts_as_a_partner_of_its_organisation(make_token, lead_organisation):
    token, _ = make_token(lead_organisation)
    membership = token.user.memberships.get()
    assert (membership.organisation, membership.role) == (lead_organisation, Role.PARTNER)
    assert not token.user.has_usable_password()
    assert str(token.user) == "API-sleutel planningskoppeling"


def test_one_active_key_per_name_per_organisation(make_token, lead_organisation):
    token, _ = make_token(lead_organisation)
    with pytest.raises(ValidationError):
        make_token(lead_organisation)
    services.revoke_api_token(token, actor=None)
    make_token(lead_organisation)  # the name is free again
    with pytest.raises(ValidationError):
        make_token(lead_organisation, name="  ")


def test_use_is_remembered(api_client, make_token, lead_organisation):
    token, key = make_token(lead_organisation)
    assert token.last_used_at is None
    assert api_client(key).get("/api/v1/agendas").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoking_switches_the_service_user_off(make_token, lead_organisation):
    token, key = make_token(lead_organisation)
    services.revoke_api_token(token, actor=None)
    services.revoke_api_token(token, actor=None)  # a second time changes nothing

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.user.is_active
    assert not token.user.memberships.filter(is_active=True).exists()
    assert services.token_for_key(key) is None
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def command(*args, stdout=None, stderr=None):
    call_command(*args, stdout=stdout or StringIO(), stderr=stderr or StringIO())


def test_command_prints_the_key_once(api_client, lead_organisation):
    out, err = StringIO(), StringIO()
    command("create_api_token", lead_organisation.code, "planning", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("kr_")
    assert "maar één keer" in err.getvalue()
    assert key not in err.getvalue()
    assert api_client(key).get("/api/v1/agendas").status_code == 200

    command("create_api_token", lead_organisation.name, "export")
    assert ApiToken.objects.filter(organisation=lead_organisation).count() == 2
    with pytest.raises(CommandError, match="Geen organisatie"):
        command("create_api_token", "GM0000", "x")
    with pytest.raises(CommandError, match="al een actieve sleutel"):
        command("create_api_token", lead_organisation.code, "planning")

    command("revoke_api_token", key[:10])
    assert api_client(key).get("/api/v1/agendas").status_code == 401


def test_admin_is_read_only_for_platform_beheerders(
    verified_client, make_token, make_member, lead_organisation
):
    token, _ = make_token(lead_organisation)
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client = verified_client(superuser)

    listing = client.get("/beheer/api/apitoken/")
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode()
    assert client.get("/beheer/api/apitoken/add/").status_code == 403
    detail = client.get(f"/beheer/api/apitoken/{token.pk}/change/")
    assert detail.status_code == 200
    assert token.key_hash not in detail.content.decode()

    response = client.post(
        "/beheer/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="api_token.revoke").actor == superuser

    staff = make_member(lead_organisation, Role.ADMIN, is_staff=True)
    assert verified_client(staff).get("/beheer/api/apitoken/").status_code == 403
