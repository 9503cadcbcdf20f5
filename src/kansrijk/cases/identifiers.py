"""Numbers that pass the elfproef, for synthetic data and tests.

``bsn_near(n)`` is the first valid BSN at or after ``n`` (a valid one occurs every 11
numbers or so); ``onderwijsnummer_near(n)`` the same for onderwijsnummers (start with 10,
weighted sum ≡ 5 mod 11). Synthetic records say they are synthetic (``is_synthetic``):
these numbers may belong to real people, so they never leave a demo or benchmark database.
"""

from __future__ import annotations

from kansrijk.organisations.validators import is_valid_bsn, is_valid_onderwijsnummer


def bsn_near(n: int) -> str:
    n = max(n, 100_000_000) % 1_000_000_000
    while True:
        candidate = f"{n:09d}"
        if is_valid_bsn(candidate):
            return candidate
        n = n + 1 if n < 999_999_999 else 100_000_000


def onderwijsnummer_near(n: int) -> str:
    n = 100_000_000 + (n % 10_000_000)
    while True:
        candidate = f"{n:09d}"
        if is_valid_onderwijsnummer(candidate):
            return candidate
        n = n + 1 if n < 109_999_999 else 100_000_000
