"""Logins, logouts and failed logins are part of the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from kansrijk.audit import services as audit


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    with transaction.atomic():
        audit.record("auth.login", actor=user, target=user)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        with transaction.atomic():
            audit.record("auth.logout", actor=user, target=user)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    # Only the user name: the password never reaches the trail (and would be masked).
    with transaction.atomic():
        audit.record(
            "auth.login_failed", actor=None, after={"username": credentials.get("username", "")}
        )
