"""Making, using and revoking API keys. Every change is audited in its own transaction."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit
from kansrijk.organisations import services as organisation_services
from kansrijk.organisations.models import Organisation, Role

from .models import ApiToken

KEY_PREFIX = "kr_"
# How many characters of the plaintext key are kept to recognise it ("kr_AbCd1234…").
SHOWN_PREFIX_LENGTH = 10
# last_used_at is a hint for the beheerder, not an access log: writing it on every
# request would turn each read into a write, so it is refreshed at most this often.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def hash_key(key: str) -> str:
    """The stored form of a key. A key has 256 random bits, so a plain SHA-256 is enough:
    there is nothing to guess that a slow password hash would protect."""
    return hashlib.sha256(key.encode()).hexdigest()


def _authenticated(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def create_api_token(*, actor, organisation: Organisation, name: str) -> tuple[ApiToken, str]:
    """Make a key for ``organisation``. Returns the token and the plaintext key, which is
    shown to the person who asked for it once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Geef de sleutel een naam.")})
    if ApiToken.objects.active().filter(organisation=organisation, name=name).exists():
        raise ValidationError(
            {"name": _("Deze organisatie heeft al een actieve sleutel met deze naam.")}
        )
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    # The key acts as a partner of its organisation: visible_to() and the rules
    # predicates treat it like any member, and the audit trail names it.
    service_user = organisation_services.create_user(
        actor=actor,
        username=f"api-{secrets.token_hex(6)}",
        first_name="API-sleutel",
        last_name=name[:150],
    )
    organisation_services.add_membership(
        actor=actor, user=service_user, organisation=organisation, role=Role.PARTNER
    )
    token = ApiToken(
        organisation=organisation,
        name=name,
        prefix=plaintext[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_key(plaintext),
        user=service_user,
        created_by=_authenticated(actor),
    )
    token.full_clean()
    token.save()
    audit.record(
        "api_token.create",
        actor=actor,
        target=token,
        organisation=organisation,
        after={"name": name, "prefix": token.prefix, "service_user": service_user.username},
    )
    return token, plaintext


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor) -> ApiToken:
    """Withdraw a key: it stops working at once, and its service user is switched off."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    for membership in token.user.memberships.filter(is_active=True):
        organisation_services.end_membership(membership, actor=actor)
    token.user.is_active = False
    organisation_services.save_user(token.user, actor=actor)
    audit.record(
        "api_token.revoke",
        actor=actor,
        target=token,
        organisation=token.organisation,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at.isoformat()},
    )
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The active token with this key whose service user may still log in, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    return (
        ApiToken.objects.active()
        .select_related("user", "organisation")
        .filter(key_hash=hash_key(key), user__is_active=True)
        .first()
    )


def record_token_use(token: ApiToken) -> None:
    """Remember roughly when a key was last used (not audited: it is no change of data)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
