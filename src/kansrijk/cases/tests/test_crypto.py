"""The BSN at rest: encrypted with the first key, found by a keyed hash, rotatable."""

from cryptography.fernet import Fernet
from django.test import override_settings

from kansrijk.cases import crypto

BSN = "111222333"


def test_round_trip_and_no_plaintext():
    token = crypto.encrypt(BSN)
    assert BSN not in token
    assert crypto.decrypt(token) == BSN
    # Fernet uses a fresh IV: the same number encrypts differently every time.
    assert crypto.encrypt(BSN) != token


def test_hash_is_keyed_and_stable():
    default_hash = crypto.identifier_hash(BSN)
    assert crypto.identifier_hash(BSN) == default_hash
    assert BSN not in default_hash
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        assert crypto.identifier_hash(BSN) != default_hash


def test_rotation_keeps_old_records_readable_and_findable():
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        token = crypto.encrypt(BSN)
        old_hash = crypto.identifier_hash(BSN)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        assert crypto.decrypt(token) == BSN
        assert old_hash in crypto.identifier_hashes(BSN)
        assert crypto.identifier_hash(BSN) != old_hash
        rotated = crypto.rotate(token)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert crypto.decrypt(rotated) == BSN
        try:
            crypto.decrypt(token)
        except crypto.DecryptionError:
            pass
        else:
            raise AssertionError("a token of a removed key must not decrypt")
