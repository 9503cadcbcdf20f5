"""Logging in as a test user in a browser tab, shared by the browser tests: the password,
then the TOTP code when the user's role asks for a second factor."""

from __future__ import annotations

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"


def expect(locator):
    """Playwright's waiting assertions, imported when a browser test runs (the conftest
    skips these tests where Playwright is missing)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def log_in(tab, user, password: str = PASSWORD) -> None:
    tab.goto(reverse("accounts:login"))
    tab.fill("#id_username", user.username)
    tab.fill("#id_password", password)
    tab.click("main form button[type=submit]")
    tab.wait_for_load_state()
    if reverse("accounts:two_factor_verify") in tab.url:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        # A second tab may log in within the same 30 seconds: let the device accept the
        # code again (django-otp refuses a token it has seen).
        device.last_t = -1
        device.save(update_fields=["last_t"])
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        tab.fill("#id_token", f"{code:0{device.digits}d}")
        tab.click("main form button[type=submit]")
        tab.wait_for_load_state()
