"""Encryption of the BSN and onderwijsnummer, and the keyed hash used to find them.

* The number is stored as a Fernet token (AES-128-CBC with HMAC-SHA256) made with the
  first key of ``FIELD_ENCRYPTION_KEYS``; every key in the list can decrypt, so a key can
  be rotated (docs/operations.md, "The encryption key").
* Finding a young person by BSN (de-duplication, the search form, the import) uses a
  keyed hash: HMAC-SHA256 of the number under a hash key derived from an encryption key.
  Without the key the hash cannot be reversed by trying all 10⁹ numbers. A look-up tries
  the hash under every configured key, so records stored before a rotation are still
  found; ``kansrijk rotate_case_keys`` re-encrypts and re-hashes everything under the
  first key.

Nothing here logs, and no function returns the number except ``decrypt``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

HASH_CONTEXT = b"kansrijk:identifier-hash:v1"


class DecryptionError(Exception):
    """No configured key decrypts this token (a key was removed too early)."""


def _keys() -> tuple[str, ...]:
    return tuple(key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip())


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


@lru_cache(maxsize=4)
def _hash_keys(keys: tuple[str, ...]) -> tuple[bytes, ...]:
    # A separate key for hashing, derived from each encryption key, so the hash never
    # uses the same key material as the cipher.
    return tuple(
        hmac.new(base64.urlsafe_b64decode(key), HASH_CONTEXT, hashlib.sha256).digest()
        for key in keys
    )


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()
        _hash_keys.cache_clear()


def encrypt(number: str) -> str:
    return _fernet(_keys()).encrypt(number.encode("ascii")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError("No key in FIELD_ENCRYPTION_KEYS decrypts this identifier.") from None


def rotate(token: str) -> str:
    """The token re-encrypted under the first key (MultiFernet.rotate)."""
    return _fernet(_keys()).rotate(token.encode("ascii")).decode("ascii")


def _digest(key: bytes, number: str) -> str:
    return hmac.new(key, number.encode("ascii"), hashlib.sha256).hexdigest()


def identifier_hash(number: str) -> str:
    """The hash stored with the record: under the first key."""
    return _digest(_hash_keys(_keys())[0], number)


def identifier_hashes(number: str) -> list[str]:
    """The hash under every configured key, for look-ups across a key rotation."""
    return [_digest(key, number) for key in _hash_keys(_keys())]
