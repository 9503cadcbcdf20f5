"""Limits per address and per account on login, password reset and the public forms."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kansrijk.agenda.models import EducationPrize
from kansrijk.throttling import services
from kansrijk.throttling.models import ThrottleCounter

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
SPRAYER, NEIGHBOUR = "198.51.100.7", "203.0.113.20"


def from_address(address):
    return Client(REMOTE_ADDR=address)


def log_in(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.fixture
def small_limits(settings):
    settings.KANSRIJK = settings.KANSRIJK | {
        "THROTTLE": settings.KANSRIJK["THROTTLE"]
        | {"login_per_address": (6, 15), "login_per_account": (4, 15)}
    }


class TestLogin:
    def test_a_password_spray_over_many_user_names_is_stopped(
        self, make_member, municipality_organisation
    ):
        victim = make_member(municipality_organisation)
        sprayer = from_address(SPRAYER)
        # One guess per user name: django-axes (per user name and address) never fires.
        for number in range(20):
            assert log_in(sprayer, f"medewerker{number}", "Welkom2026!").status_code == 200
        response = log_in(sprayer, victim.username)  # even the right password
        assert response.status_code == 429
        assert "Te veel mislukte pogingen om in te loggen vanaf dit adres" in response.text
        assert "15 minuten" in response.text
        assert "_auth_user_id" not in sprayer.session

    def test_a_user_on_another_address_is_not_hit(
        self, small_limits, make_member, municipality_organisation
    ):
        colleague = make_member(municipality_organisation)
        sprayer = from_address(SPRAYER)
        for number in range(6):
            log_in(sprayer, f"medewerker{number}", "Welkom2026!")
        assert log_in(sprayer, colleague.username).status_code == 429
        neighbour = from_address(NEIGHBOUR)
        assert log_in(neighbour, colleague.username).status_code == 302

    def test_one_account_guessed_from_many_addresses_is_locked(
        self, small_limits, make_member, municipality_organisation
    ):
        user = make_member(municipality_organisation)
        for number in range(4):
            log_in(from_address(f"192.0.2.{number}"), user.username, "wrong password 123")
        response = log_in(from_address("192.0.2.99"), user.username.upper())
        assert response.status_code == 429
        assert "met deze gebruikersnaam" in response.text

    def test_the_limits_lift_after_their_window(
        self, small_limits, make_member, municipality_organisation
    ):
        user = make_member(municipality_organisation)
        sprayer = from_address(SPRAYER)
        for number in range(6):
            log_in(sprayer, f"medewerker{number}", "Welkom2026!")
        assert log_in(sprayer, user.username).status_code == 429
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            assert log_in(sprayer, user.username).status_code == 302

    def test_the_admin_login_is_throttled_too(self, small_limits):
        sprayer = from_address(SPRAYER)
        for number in range(6):
            log_in(sprayer, f"medewerker{number}", "Welkom2026!")
        response = sprayer.post(
            reverse("admin:login"), {"username": "beheerder", "password": "Welkom2026!"}
        )
        assert response.status_code == 429

    def test_a_good_password_forgives_the_account_not_the_address(
        self, small_limits, make_member, municipality_organisation
    ):
        user = make_member(municipality_organisation)
        client = from_address(SPRAYER)
        for _ in range(3):
            log_in(client, user.username, "wrong password 123")
        assert log_in(client, user.username).status_code == 302
        counted = {row.limit_name: row.count for row in ThrottleCounter.objects.all()}
        assert counted == {"login_per_address": 3}

    def test_counters_hold_no_address_or_user_name(self, make_member, municipality_organisation):
        user = make_member(municipality_organisation)
        log_in(from_address(SPRAYER), user.username, "wrong password 123")
        stored = str(list(ThrottleCounter.objects.values_list("key_hash", flat=True)))
        assert SPRAYER not in stored and user.username not in stored


class TestPasswordReset:
    def ask(self, client, email):
        return client.post(reverse("accounts:password_reset"), {"email": email})

    def test_the_eleventh_mail_from_one_address_is_not_sent(
        self, make_member, municipality_organisation
    ):
        users = [make_member(municipality_organisation) for _ in range(11)]
        client = from_address(SPRAYER)
        for user in users[:10]:
            assert self.ask(client, user.email).status_code == 302
        assert len(mail.outbox) == 10
        response = self.ask(client, users[10].email)
        assert response.status_code == 429
        assert "Te veel aanvragen vanaf dit adres" in response.text
        assert len(mail.outbox) == 10
        assert self.ask(from_address(NEIGHBOUR), users[10].email).status_code == 302
        assert len(mail.outbox) == 11

    def test_one_mailbox_gets_three_mails_an_hour(self, make_member, municipality_organisation):
        user = make_member(municipality_organisation)
        for number in range(3):
            assert self.ask(from_address(f"192.0.2.{number}"), user.email).status_code == 302
        response = self.ask(from_address(NEIGHBOUR), user.email.upper())
        assert response.status_code == 429 and len(mail.outbox) == 3
        with time_machine.travel(timezone.now() + timedelta(minutes=61)):
            assert self.ask(from_address(NEIGHBOUR), user.email).status_code == 302
        assert len(mail.outbox) == 4

    def test_the_answer_does_not_tell_whether_an_account_exists(
        self, make_member, municipality_organisation
    ):
        user = make_member(municipality_organisation)
        answers = []
        for email in [user.email, "niemand@example.org"]:
            client = from_address(NEIGHBOUR if email == user.email else SPRAYER)
            statuses = [self.ask(client, email).status_code for _ in range(4)]
            refusal = self.ask(client, email)
            answers.append((statuses, refusal.status_code, refusal.text.split("<main")[-1]))
        assert answers[0] == answers[1]


class TestPublicForms:
    @pytest.fixture
    def prize(self, municipality_organisation):
        # An edition that takes nominations today (its window, decision 0041).
        today = timezone.localdate()
        return EducationPrize.objects.create(
            organiser=municipality_organisation,
            name="Onderwijsprijs",
            year=today.year,
            nominations_from=today - timedelta(days=30),
            nominations_until=today + timedelta(days=30),
        )

    def nominate(self, client, prize, number):
        data = {
            "category": "staff",
            "nominee": f"Juf {number}",
            "motivation": "Zij maakt elke ochtend tijd voor de kinderen die te laat komen.",
            "submitted_by": "Een ouder",
        }
        return client.post(reverse("agenda:nominate", args=[prize.pk]), data)

    def test_a_burst_of_nominations_is_refused(self, prize):
        bot = from_address(SPRAYER)
        statuses = [self.nominate(bot, prize, number).status_code for number in range(25)]
        assert statuses == [302] * 10 + [429] * 15
        assert prize.nominations.count() == 10
        response = self.nominate(bot, prize, 99)
        assert "Te veel inzendingen vanaf dit adres" in response.text
        assert response["Retry-After"]
        assert self.nominate(from_address(NEIGHBOUR), prize, 100).status_code == 302
        with time_machine.travel(timezone.now() + timedelta(minutes=61)):
            assert self.nominate(bot, prize, 101).status_code == 302


class TestCounters:
    def test_ended_windows_are_cleaned_up(self):
        services.hit(services.LOGIN_PER_ADDRESS, SPRAYER)
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            services.hit(services.LOGIN_PER_ADDRESS, NEIGHBOUR)
            assert ThrottleCounter.objects.count() == 1

    def test_a_limit_must_read_attempts_per_minutes(self, monkeypatch):
        from django.core.exceptions import ImproperlyConfigured

        from kansrijk import settings as project_settings

        monkeypatch.setenv("KANSRIJK_THROTTLE_TEST", "twintig")
        with pytest.raises(ImproperlyConfigured, match="attempts/minutes"):
            project_settings._rate("KANSRIJK_THROTTLE_TEST", "20/15")
        monkeypatch.setenv("KANSRIJK_THROTTLE_TEST", "5/60")
        assert project_settings._rate("KANSRIJK_THROTTLE_TEST", "20/15") == (5, 60)


def test_the_throttle_is_never_the_backend_of_a_session(
    client, make_member, municipality_organisation
):
    client.force_login(make_member(municipality_organisation))
    assert client.get(reverse("home")).context["user"].is_authenticated


class TestBehindAProxy:
    def test_the_address_the_proxy_saw_counts_not_what_the_visitor_wrote(self, settings, rf):
        settings.KANSRIJK = settings.KANSRIJK | {"PROXY_COUNT": 1}
        request = rf.get("/", HTTP_X_FORWARDED_FOR=f"10.0.0.1, {SPRAYER}", REMOTE_ADDR="127.0.0.1")
        assert services.client_address(request) == SPRAYER
        request = rf.get("/", REMOTE_ADDR="127.0.0.1")  # a request that bypassed the proxy
        assert services.client_address(request) == "127.0.0.1"
        request = rf.get("/", HTTP_X_FORWARDED_FOR="<script>", REMOTE_ADDR="127.0.0.1")
        assert services.client_address(request) == "127.0.0.1"

    def test_axes_counts_the_same_address(self, settings, make_member, municipality_organisation):
        from axes.models import AccessAttempt

        settings.KANSRIJK = settings.KANSRIJK | {"PROXY_COUNT": 1}
        user = make_member(municipality_organisation)
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.1, {SPRAYER}")
        log_in(client, user.username, "wrong password 123")
        assert AccessAttempt.objects.get().ip_address == SPRAYER
