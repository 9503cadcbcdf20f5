"""Two-factor authentication for the roles that will see personal data."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Paths a half-logged-in user may still reach: the account pages themselves, static
# files, the language switch and the accessibility statement.
OPEN_PREFIXES = (
    "/account/",
    "/i18n/",
    "/toegankelijkheid/",
    "/" + settings.STATIC_URL.lstrip("/"),
    # The probes and the scrape of decision 0043, for machines.
    "/gezond/",
    "/metrics",
)


class RequireTwoFactorMiddleware:
    """After a password login, users whose roles require 2FA must pass a TOTP check
    (or first set up a device) before they can open anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
            and user.requires_two_factor()
        ):
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
