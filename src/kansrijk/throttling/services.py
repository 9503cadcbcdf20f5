"""Counting attempts per key in the database, so that every web process sees the same
counts (decision 0024).

A limit is a number of attempts in a window of minutes, named in
``settings.KANSRIJK["THROTTLE"]``. A key's window starts at its first attempt and ends a
window later; the next attempt after that starts a new window. This tells the visitor
honestly when trying again will work, which a sliding window cannot.
"""

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from .models import ThrottleCounter

logger = logging.getLogger(__name__)

LOGIN_PER_ADDRESS = "login_per_address"
LOGIN_PER_ACCOUNT = "login_per_account"
RESET_MAIL_PER_ADDRESS = "password_reset_per_address"
RESET_MAIL_PER_EMAIL = "password_reset_per_email"
PUBLIC_FORM_PER_ADDRESS = "public_form_per_address"
PUBLIC_DOCUMENT_PER_ADDRESS = "public_document_per_address"
API_PER_TOKEN = "api_per_token"  # noqa: S105 (a limit's name)
API_PER_ADDRESS = "api_per_address"


def _messages(minutes: int) -> dict[str, str]:
    return {
        LOGIN_PER_ADDRESS: ngettext(
            "Te veel mislukte pogingen om in te loggen vanaf dit adres. "
            "Probeer het over %(minutes)d minuut opnieuw.",
            "Te veel mislukte pogingen om in te loggen vanaf dit adres. "
            "Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
        LOGIN_PER_ACCOUNT: ngettext(
            "Te veel mislukte pogingen om in te loggen met deze gebruikersnaam. "
            "Probeer het over %(minutes)d minuut opnieuw.",
            "Te veel mislukte pogingen om in te loggen met deze gebruikersnaam. "
            "Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
        RESET_MAIL_PER_ADDRESS: ngettext(
            "Te veel aanvragen vanaf dit adres. Probeer het over %(minutes)d minuut opnieuw.",
            "Te veel aanvragen vanaf dit adres. Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
        RESET_MAIL_PER_EMAIL: ngettext(
            "Te veel aanvragen voor dit e-mailadres. Probeer het over %(minutes)d minuut opnieuw.",
            "Te veel aanvragen voor dit e-mailadres. Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
        PUBLIC_FORM_PER_ADDRESS: ngettext(
            "Te veel inzendingen vanaf dit adres. Probeer het over %(minutes)d minuut opnieuw.",
            "Te veel inzendingen vanaf dit adres. Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
        PUBLIC_DOCUMENT_PER_ADDRESS: ngettext(
            "Vanaf dit adres zijn te veel documenten aangevraagd. "
            "Probeer het over %(minutes)d minuut opnieuw.",
            "Vanaf dit adres zijn te veel documenten aangevraagd. "
            "Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
        API_PER_TOKEN: ngettext(
            "Te veel aanvragen met deze API-sleutel. Probeer het over %(minutes)d minuut opnieuw.",
            "Te veel aanvragen met deze API-sleutel. Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
        API_PER_ADDRESS: ngettext(
            "Te veel aanvragen vanaf dit adres. Probeer het over %(minutes)d minuut opnieuw.",
            "Te veel aanvragen vanaf dit adres. Probeer het over %(minutes)d minuten opnieuw.",
            minutes,
        ),
    }


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: timedelta

    @classmethod
    def named(cls, name: str) -> "Limit":
        attempts, minutes = settings.KANSRIJK["THROTTLE"][name]
        return cls(name=name, attempts=attempts, window=timedelta(minutes=minutes))


@dataclass(frozen=True)
class Refusal:
    """A limit was reached: what to tell the visitor, and when to try again."""

    limit: Limit
    retry_after: timedelta

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds() / 60))

    @property
    def message(self) -> str:
        return _messages(self.minutes)[self.limit.name] % {"minutes": self.minutes}


@dataclass(frozen=True)
class Usage:
    """Where a key stands in its window after a request: for the RateLimit-* headers."""

    limit: Limit
    count: int
    expires_at: datetime
    refusal: Refusal | None

    @property
    def remaining(self) -> int:
        return max(0, self.limit.attempts - self.count)

    @property
    def reset_seconds(self) -> int:
        return max(0, math.ceil((self.expires_at - timezone.now()).total_seconds()))


def client_ip(request) -> str | None:
    """The visitor's IP address, for these limits and for django-axes alike
    (``AXES_CLIENT_IP_CALLABLE``).

    Behind ``PROXY_COUNT`` reverse proxies, each of which appends the address it was
    reached from to X-Forwarded-For, the visitor is that many entries from the right;
    whatever the visitor wrote further left is ignored. Without proxies, or when the
    header does not hold a valid address there, it is REMOTE_ADDR.
    """
    proxies = settings.KANSRIJK["PROXY_COUNT"]
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip(remote) else None


def client_address(request) -> str:
    return client_ip(request) or "onbekend"


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def normalised(value: str) -> str:
    """User names and e-mail addresses are counted regardless of case and spaces, so that
    ``Jan@x.nl`` and ``jan@x.nl `` share one counter."""
    return (value or "").strip().casefold()


def _key_hash(name: str, value: str) -> str:
    return salted_hmac("kansrijk.throttling", f"{name}\x00{value}", algorithm="sha256").hexdigest()


def check(name: str, value: str) -> Refusal | None:
    """Whether the limit is reached, without counting this attempt."""
    limit = Limit.named(name)
    now = timezone.now()
    counter = ThrottleCounter.objects.filter(
        limit_name=name, key_hash=_key_hash(name, value), expires_at__gt=now
    ).first()
    if counter is not None and counter.count >= limit.attempts:
        return Refusal(limit=limit, retry_after=counter.expires_at - now)
    return None


def hit(name: str, value: str) -> None:
    """Counts one attempt (a failed login, for example) even past the limit."""
    _count(Limit.named(name), value, refuse_at_limit=False)


def attempt(name: str, value: str) -> Refusal | None:
    """Counts this attempt if the limit allows it; otherwise refuses it uncounted."""
    return consume(name, value).refusal


def consume(name: str, value: str) -> Usage:
    """As ``attempt``, and tells how much of the window is left (the API's headers)."""
    return _count(Limit.named(name), value, refuse_at_limit=True)


def reset(name: str, value: str) -> None:
    ThrottleCounter.objects.filter(limit_name=name, key_hash=_key_hash(name, value)).delete()


def _count(limit: Limit, value: str, *, refuse_at_limit: bool) -> Usage:
    now = timezone.now()
    key_hash = _key_hash(limit.name, value)
    with transaction.atomic():
        counter = _locked_counter(limit.name, key_hash, now)
        if counter.expires_at <= now:
            counter.window_start, counter.expires_at, counter.count = now, now + limit.window, 0
        if refuse_at_limit and counter.count >= limit.attempts:
            refusal = Refusal(limit=limit, retry_after=counter.expires_at - now)
            return Usage(limit, counter.count, counter.expires_at, refusal)
        counter.count += 1
        counter.save()
    if counter.count == 1:
        # A new window for this key: a good moment to drop the windows that have ended,
        # so the table holds only keys seen within the longest window.
        delete_expired()
    return Usage(limit, counter.count, counter.expires_at, None)


def _locked_counter(name: str, key_hash: str, now) -> ThrottleCounter:
    lookup = ThrottleCounter.objects.select_for_update().filter(limit_name=name, key_hash=key_hash)
    counter = lookup.first()
    if counter is not None:
        return counter
    try:
        # Two processes may create the first counter for a key at once: the unique
        # constraint lets one win, and the other counts on the winner's row.
        with transaction.atomic():
            return ThrottleCounter.objects.create(
                limit_name=name, key_hash=key_hash, window_start=now, expires_at=now, count=0
            )
    except IntegrityError:
        return lookup.get()


def delete_expired() -> int:
    """Deletes the counters whose window has ended; they would start afresh anyway."""
    try:
        with transaction.atomic():
            deleted, _ = ThrottleCounter.objects.filter(expires_at__lte=timezone.now()).delete()
    except DatabaseError:
        # Two processes cleaning at once may collide; the next new window cleans again.
        logger.warning("Could not delete expired throttle counters", exc_info=True)
        return 0
    return deleted
