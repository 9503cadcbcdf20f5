"""Login, two-factor for the roles that see personal data, throttling, password reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import TWO_FACTOR_ROLES, Role

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def login(client, user, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def current_token(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class TestTwoFactor:
    @pytest.mark.parametrize("role", sorted(TWO_FACTOR_ROLES))
    def test_roles_with_personal_data_must_set_up_two_factor(
        self, role, make_member, client, municipality_organisation
    ):
        user = make_member(municipality_organisation, role)
        login(client, user)
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor_setup"))

    @pytest.mark.parametrize("role", [Role.POLICY_OFFICER, Role.PARTNER, Role.READER])
    def test_aggregate_roles_do_not_need_two_factor(
        self, role, make_member, client, municipality_organisation
    ):
        login(client, make_member(municipality_organisation, role))
        assert client.get(reverse("home")).status_code == 200

    def test_setup_confirms_a_device_and_lets_the_user_in(
        self, make_member, client, municipality_organisation
    ):
        user = make_member(municipality_organisation, Role.ATTENDANCE_OFFICER)
        login(client, user)
        response = client.get(reverse("accounts:two_factor_setup"))
        assert "<svg" in response.content.decode()
        device = TOTPDevice.objects.get(user=user, confirmed=False)

        response = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
        assert response.status_code == 200 and response.context["form"].errors
        device.refresh_from_db()
        device.throttle_reset()  # django-otp slows down guessing after a wrong code

        response = client.post(
            reverse("accounts:two_factor_setup"), {"token": current_token(device), "next": "/"}
        )
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(reverse("home")).status_code == 200
        assert AuditEvent.objects.filter(action="two_factor.enable", actor=user).exists()

    def test_verify_with_an_existing_device(self, make_member, client, municipality_organisation):
        user = make_member(municipality_organisation, Role.SWV_COORDINATOR)
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        login(client, user)
        response = client.get(reverse("home"))
        assert response["Location"].startswith(reverse("accounts:two_factor_verify"))

        response = client.post(reverse("accounts:two_factor_verify"), {"token": "12345x"})
        assert response.context["form"].errors
        device.refresh_from_db()
        device.throttle_reset()  # django-otp slows down guessing after a wrong code
        response = client.post(
            reverse("accounts:two_factor_verify"), {"token": current_token(device)}
        )
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200

    def test_next_url_cannot_leave_the_site(self, make_member, client, municipality_organisation):
        user = make_member(municipality_organisation, Role.SWV_COORDINATOR)
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        login(client, user)
        response = client.post(
            reverse("accounts:two_factor_verify"),
            {"token": current_token(device), "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("home")


class TestLogin:
    def test_login_and_logout_are_audited(self, make_member, client, municipality_organisation):
        user = make_member(municipality_organisation)
        assert login(client, user).status_code == 302
        assert client.post(reverse("accounts:logout")).status_code == 302
        actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
        assert sorted(actions) == ["auth.login", "auth.logout"]

    def test_failed_login_is_audited_without_the_password(
        self, make_member, client, municipality_organisation
    ):
        user = make_member(municipality_organisation)
        response = login(client, user, password="wrong password 123")
        assert response.status_code == 200
        event = AuditEvent.objects.get(action="auth.login_failed")
        assert "wrong password" not in str(event.after)

    def test_five_failures_lock_the_account_for_that_address(
        self, make_member, client, municipality_organisation
    ):
        user = make_member(municipality_organisation)
        for _ in range(5):
            login(client, user, password="wrong password 123")
        response = login(client, user)  # the right password no longer helps
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_logout_requires_post(self, make_member, client, municipality_organisation):
        client.force_login(make_member(municipality_organisation))
        assert client.get(reverse("accounts:logout")).status_code == 405


class TestPasswordReset:
    def test_reset_mail_and_new_password(self, make_member, client, municipality_organisation):
        user = make_member(municipality_organisation)
        response = client.post(reverse("accounts:password_reset"), {"email": user.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https?://[^\s]+/wachtwoord-herstellen/[^\s]+/", mail.outbox[0].body)
        assert link, mail.outbox[0].body
        response = client.get(link.group(0), follow=True)
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url,
            {
                "new_password1": "een nieuw lang wachtwoord",
                "new_password2": "een nieuw lang wachtwoord",
            },
        )
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.check_password("een nieuw lang wachtwoord")

    def test_unknown_address_gives_the_same_answer(self, client):
        response = client.post(reverse("accounts:password_reset"), {"email": "niemand@example.org"})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert mail.outbox == []


def test_a_password_alone_cannot_enrol_a_second_device(
    make_member, client, municipality_organisation
):
    user = make_member(municipality_organisation, Role.ATTENDANCE_OFFICER)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    login(client, user)
    response = client.get(reverse("accounts:two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
