"""State changes of the login flow: enrolling and confirming a TOTP device."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.audit import services as audit


@transaction.atomic
def start_totp_enrolment(user, *, actor) -> TOTPDevice:
    """An unconfirmed device to scan; an earlier unconfirmed one is replaced."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)


@transaction.atomic
def confirm_totp_device(device: TOTPDevice, *, actor) -> TOTPDevice:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record("two_factor.enable", actor=actor, target=actor, after={"device": device.name})
    return device
