"""Demo organisations and users of the three seed regions (``kansrijk load_demo``).

The data lives in ``kansrijk/demo_data/organisations.toml``, entered by hand from the
seed documents. Loading is idempotent: a second run finds everything in place and
changes nothing. Demo users exist only with DEBUG on, and never in production.
"""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import (
    TWO_FACTOR_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    RegionMembership,
    User,
)

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo_data" / "organisations.toml"
DEMO_PASSWORD = "kansrijk-demo"  # noqa: S105 - demo only, refused when DEBUG is off


class DemoRefused(Exception):
    pass


@dataclass
class DemoReport:
    regions_created: int = 0
    organisations_created: int = 0
    users: list[tuple[str, str, str, bool]] = field(default_factory=list)  # user, role, org, 2fa


def demo_totp_key(username: str) -> str:
    """A stable TOTP key per demo user, so the demo's authenticator entry keeps working."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-totp:{username}".encode(), hashlib.sha1)
    return digest.hexdigest()  # 20 bytes as 40 hex characters, what TOTPDevice expects


def _region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise DemoRefused(
            f"Regio {code} ontbreekt: draai eerst `kansrijk load_reference_data`."
        ) from None


def _organisation(reference: dict) -> Organisation:
    if "school_in" in reference:
        school = (
            Organisation.objects.schools()
            .filter(municipality__code=reference["school_in"], partnership__isnull=False)
            .order_by("code")
            .first()
        )
        if school is None:
            raise DemoRefused(f"Geen school in {reference['school_in']} in de referentiedata.")
        return school
    key = reference["organisation"]
    found = Organisation.objects.filter(code=key).exclude(kind=OrganisationKind.SCHOOL_INSTITUTION)
    found = found or Organisation.objects.filter(name=key)
    if not found:
        raise DemoRefused(f"Organisatie {key!r} niet gevonden.")
    return found.get()


@transaction.atomic
def load_demo_organisations(path: Path = DEMO_DATA, *, actor=None) -> DemoReport:
    if not settings.DEBUG:
        raise DemoRefused("Demogegevens en demogebruikers worden alleen geladen met DEBUG aan.")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    report = DemoReport()

    for entry in data.get("region", []):
        region, created = Region.objects.get_or_create(
            code=entry["code"], defaults={"kind": entry["kind"], "name": entry["name"]}
        )
        report.regions_created += created
        for member_code in entry.get("members", []):
            RegionMembership.objects.get_or_create(
                child=_region(member_code),
                parent=region,
                valid_from=None,
                defaults={"source": entry["source"]},
            )
        if "members_of" in entry:
            RegionMembership.objects.get_or_create(
                child=region,
                parent=_region(entry["members_of"]),
                valid_from=None,
                defaults={"source": entry["source"]},
            )

    for entry in data.get("organisation", []):
        if Organisation.objects.filter(kind=entry["kind"], name=entry["name"]).exists():
            continue
        services.create_organisation(
            actor=actor,
            kind=entry["kind"],
            name=entry["name"],
            source=entry["source"],
            served_regions=[_region(code) for code in entry.get("serves", [])],
        )
        report.organisations_created += 1

    for entry in data.get("user", []):
        organisation = _organisation(entry)
        first_name, _, last_name = entry["name"].partition(" ")
        user = User.objects.filter(username=entry["username"]).first()
        if user is None:
            user = services.create_user(
                actor=actor,
                username=entry["username"],
                password=DEMO_PASSWORD,
                email=f"{entry['username']}@demo.kansrijk.invalid",
                first_name=first_name,
                last_name=last_name,
            )
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            services.add_membership(
                actor=actor, user=user, organisation=organisation, role=entry["role"]
            )
        needs_two_factor = entry["role"] in TWO_FACTOR_ROLES
        if needs_two_factor:
            TOTPDevice.objects.get_or_create(
                user=user,
                name="Demo-authenticator",
                defaults={"key": demo_totp_key(user.username), "confirmed": True},
            )
        report.users.append((user.username, entry["role"], str(organisation), needs_two_factor))
    return report
