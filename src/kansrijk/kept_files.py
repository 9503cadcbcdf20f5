"""Files the application keeps for a while: an import job's upload until the worker has
read it (decision 0029), a case import's upload (decision 0028), a generated document
until it expires (decision 0047).

They are rows in the database (``storage.KeptFile``, its bytes in ``KeptChunk`` rows of
about a mebibyte), so that a worker on another machine reads what a web machine stored
and the machines share nothing but the database and the key (decision 0050). Every
chunk is encrypted with AES-GCM under a key derived from the first of
``FIELD_ENCRYPTION_KEYS`` (a case upload holds BSNs); the file's reference and the
chunk's place are its associated data, so a chunk cannot be moved to another file or
place unnoticed. Every configured key can read, so a rotation leaves kept files
readable for as long as the old key stays in the list; they live at most a day.

A sweep deletes what no row claims any more (``delete_unclaimed``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import hmac
import io
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver

CHUNK_BYTES = 1024 * 1024
NONCE_BYTES = 12
KEY_CONTEXT = b"kansrijk:kept-file-key:v1"
KEY_ID_CONTEXT = b"kansrijk:kept-file-key-id:v1"


class UnreadableFile(FileNotFoundError):
    """The file is there but no configured key reads it (its key was removed), or a
    chunk fails its check: for its reader it is as good as gone."""


# ------------------------------------------------------------------ the keys


@lru_cache(maxsize=4)
def _ciphers(keys: tuple[str, ...]) -> dict[str, AESGCM]:
    """Per configured key: its id and the cipher under a key derived from it (never the
    key itself, which the register uses for Fernet). The first is the writing key."""
    ciphers = {}
    for key in keys:
        material = base64.urlsafe_b64decode(key)
        derived = hmac.new(material, KEY_CONTEXT, hashlib.sha256).digest()
        key_id = hmac.new(material, KEY_ID_CONTEXT, hashlib.sha256).hexdigest()[:16]
        ciphers[key_id] = AESGCM(derived)
    return ciphers


def _configured() -> dict[str, AESGCM]:
    return _ciphers(tuple(key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()))


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _ciphers.cache_clear()


def _associated(reference: str, index: int) -> bytes:
    return f"{reference}\x00{index}".encode()


# ------------------------------------------------------------------ writing


def _pieces(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The bytes of ``chunks`` again, in pieces of ``CHUNK_BYTES`` (the last shorter):
    never more than one piece and one incoming chunk in memory."""
    buffer = bytearray()
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            taken = view[: CHUNK_BYTES - len(buffer)]
            buffer += taken
            view = view[len(taken) :]
            if len(buffer) == CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def writing_key_id() -> str:
    """The id of the key new files are encrypted under: the first configured."""
    return next(iter(_configured()))


def sealed(reference: str, chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes, int]]:
    """Per piece of ``chunks``: its index, what its ``KeptChunk`` row holds (the nonce and
    the ciphertext under the writing key) and how many bytes of the file it carries."""
    cipher = _configured()[writing_key_id()]
    for index, piece in enumerate(_pieces(chunks)):
        nonce = os.urandom(NONCE_BYTES)
        yield index, nonce + cipher.encrypt(nonce, piece, _associated(reference, index)), len(piece)


def keep(name: str, original_name: str, chunks: Iterable[bytes]) -> str:
    """Keep ``chunks`` as a new file in the directory ``name``; returns its reference, as
    the rows store it ("<name>/<random><suffix of original_name>"). All or nothing."""
    from kansrijk.storage.models import KeptChunk, KeptFile

    reference = f"{name}/{secrets.token_hex(16)}{Path(original_name).suffix.lower()[:20]}"
    with transaction.atomic():
        kept = KeptFile.objects.create(reference=reference, directory=name, key_id=writing_key_id())
        size = count = 0
        for index, data, length in sealed(reference, chunks):
            KeptChunk.objects.create(file=kept, index=index, data=data)
            size, count = size + length, index + 1
        KeptFile.objects.filter(pk=kept.pk).update(size=size, chunk_count=count, complete=True)
    return reference


# ------------------------------------------------------------------ reading


class KeptFileReader(io.RawIOBase):
    """A kept file as a seekable binary stream: one chunk in memory at a time, fetched
    when a read reaches it. Seekable, so that ``FileResponse`` sets Content-Length and the
    spreadsheet readers can jump about in a workbook."""

    def __init__(self, kept, cipher: AESGCM):
        super().__init__()
        self._file_id = kept.pk
        self._reference = kept.reference
        self._chunk_count = kept.chunk_count
        self.size = kept.size
        self._cipher = cipher
        self._position = 0
        self._index = -1
        self._chunk = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = self.size + offset
        else:
            raise ValueError(f"whence {whence}")
        if position < 0:
            raise OSError("seek before the start")
        self._position = position
        return position

    def _load(self, index: int) -> None:
        from kansrijk.storage.models import KeptChunk

        data = (
            KeptChunk.objects.filter(file_id=self._file_id, index=index)
            .values_list("data", flat=True)
            .first()
        )
        if data is None:
            raise UnreadableFile(f"Chunk {index} of a kept file is missing.")
        data = bytes(data)
        try:
            self._chunk = self._cipher.decrypt(
                data[:NONCE_BYTES], data[NONCE_BYTES:], _associated(self._reference, index)
            )
        except InvalidTag:
            raise UnreadableFile(f"Chunk {index} of a kept file fails its check.") from None
        self._index = index

    def readinto(self, buffer) -> int:
        if self.closed:
            raise ValueError("read of a closed file")
        if self._position >= self.size:
            return 0
        index, offset = divmod(self._position, CHUNK_BYTES)
        if index != self._index:
            self._load(index)
        piece = self._chunk[offset : offset + len(buffer)]
        buffer[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)

    def readall(self) -> bytes:
        parts = []
        while part := self.read(CHUNK_BYTES):
            parts.append(part)
        return b"".join(parts)

    def close(self) -> None:
        self._chunk = b""
        super().close()


def _found(reference: str):
    from kansrijk.storage.models import KeptFile

    if not reference:
        return None
    return KeptFile.objects.filter(reference=reference, complete=True).first()


def open(reference: str) -> KeptFileReader:
    """The kept file as a seekable, streaming binary file; ``FileNotFoundError`` when
    there is none (or ``UnreadableFile`` when its key is no longer configured)."""
    kept = _found(reference)
    if kept is None:
        raise FileNotFoundError("No kept file under this reference.")
    cipher = _configured().get(kept.key_id)
    if cipher is None:
        raise UnreadableFile("No key in FIELD_ENCRYPTION_KEYS reads this kept file.")
    return KeptFileReader(kept, cipher)


SPOOL_PREFIX = "kansrijk-kept-"


def _random_part(reference: str) -> str:
    return Path(reference).stem


def spool_directory() -> Path:
    """Where the temporary copies go: the system's temporary directory (under systemd the
    unit's private /tmp), unless ``KEPT_FILES_SPOOL_DIR`` names another (the tests)."""
    return Path(getattr(settings, "KEPT_FILES_SPOOL_DIR", None) or tempfile.gettempdir())


@contextlib.contextmanager
def spooled(reference: str) -> Iterator[Path]:
    """The kept file copied to a temporary file on this machine's own disk (readable by
    the application only), for a reader that needs a path; deleted afterwards, whatever
    happens. A process killed meanwhile leaves it: ``delete_orphan_spools`` finds it by
    the kept file's random name in its own."""
    with open(reference) as source:
        descriptor, name = tempfile.mkstemp(
            prefix=f"{SPOOL_PREFIX}{_random_part(reference)}-",
            suffix=Path(reference).suffix,
            dir=spool_directory(),
        )
        path = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK_BYTES)
            yield path
        finally:
            path.unlink(missing_ok=True)


def delete_orphan_spools() -> int:
    """Delete the temporary copies on this machine whose kept file is gone: a worker
    killed while it read one (``spooled``) could not delete it, and it may hold BSNs in
    clear. A copy whose file is still kept belongs to an import that runs (or that its
    sweep will take up again or give up, deleting the kept file). Returns how many."""
    from kansrijk.storage.models import KeptFile

    deleted = 0
    for path in spool_directory().glob(f"{SPOOL_PREFIX}*"):
        random_part = path.name.removeprefix(SPOOL_PREFIX).split("-", 1)[0]
        if not random_part or KeptFile.objects.filter(reference__contains=random_part).exists():
            continue
        path.unlink(missing_ok=True)
        deleted += 1
    return deleted


def exists(reference: str) -> bool:
    """Whether the file is kept and a configured key reads it."""
    kept = _found(reference)
    return kept is not None and kept.key_id in _configured()


# ------------------------------------------------------------------ deleting


def delete(reference: str) -> None:
    """Delete the file; nothing when there is none (another process was first)."""
    from kansrijk.storage.models import KeptFile

    if reference:
        KeptFile.objects.filter(reference=reference).delete()


def delete_unclaimed(name: str, claimed: Iterable[str], old_before: datetime.datetime) -> int:
    """Delete the files of directory ``name`` kept before ``old_before`` that no row
    (``claimed``: references, best a queryset, which the database compares) refers to;
    returns how many."""
    from kansrijk.storage.models import KeptFile

    if not isinstance(claimed, QuerySet):
        claimed = list(claimed)
    unclaimed = KeptFile.objects.filter(directory=name, created_at__lt=old_before).exclude(
        reference__in=claimed
    )
    _, per_model = unclaimed.delete()
    return per_model.get(KeptFile._meta.label, 0)
