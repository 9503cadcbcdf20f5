"""Failed logins count towards the limits per address and per account."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import services
from .services import LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS


@receiver(user_login_failed)
def count_login_failure(sender, credentials, request=None, **kwargs):
    # A login refused by the throttle itself is not counted again: under a spray that
    # would only add writes, and the window ends at the same time either way.
    if request is None or getattr(request, "throttle_refusal", None) is not None:
        return
    services.hit(LOGIN_PER_ADDRESS, services.client_address(request))
    username = credentials.get("username")
    if username:
        services.hit(LOGIN_PER_ACCOUNT, services.normalised(username))


@receiver(user_logged_in)
def forget_account_failures(sender, request, user, **kwargs):
    # The account's own failures are forgiven by a good password, the address's are not:
    # otherwise a sprayer with one valid account could reset its budget at will.
    services.reset(LOGIN_PER_ACCOUNT, services.normalised(user.get_username()))
