"""Kept files in the database (decision 0050): chunked, encrypted at rest under the
application's key, read as a seekable stream, all or nothing, swept when unclaimed."""

from __future__ import annotations

import datetime
import importlib
import io
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kansrijk import kept_files
from kansrijk.storage.models import KeptChunk, KeptFile

pytestmark = pytest.mark.django_db

MIB = kept_files.CHUNK_BYTES


def content(size: int) -> bytes:
    return bytes(index * 7 % 251 for index in range(size))


def pieces(data: bytes, size: int = 64 * 1024):
    """As an upload hands them over: 64 KiB at a time."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_file_is_kept_in_chunks_of_a_mebibyte_and_read_back_whole():
    data = content(2 * MIB + 12_345)
    reference = kept_files.keep("proef", "Leerlingen 2026.CSV", pieces(data))
    assert reference.startswith("proef/") and reference.endswith(".csv")
    assert "Leerlingen" not in reference
    kept = KeptFile.objects.get(reference=reference)
    assert (kept.size, kept.chunk_count, kept.complete) == (len(data), 3, True)
    assert list(kept.chunks.order_by("index").values_list("index", flat=True)) == [0, 1, 2]
    with kept_files.open(reference) as handle:
        assert handle.read() == data
    assert kept_files.exists(reference)


def test_an_empty_file_is_kept_too():
    reference = kept_files.keep("proef", "leeg.csv", [])
    with kept_files.open(reference) as handle:
        assert handle.read() == b""
    assert kept_files.exists(reference)


def test_the_stream_seeks_and_reads_across_chunks_one_chunk_in_memory():
    data = content(3 * MIB)
    reference = kept_files.keep("proef", "f.bin", [data])  # one large chunk, split
    with kept_files.open(reference) as raw:
        assert raw.seekable() and raw.seek(0, io.SEEK_END) == len(data)
        raw.seek(MIB - 10)
        assert raw.read(20) == data[MIB - 10 : MIB - 10 + 10]  # up to the chunk's end
        buffered = io.BufferedReader(raw)
        buffered.seek(MIB - 10)
        assert buffered.read(20) == data[MIB - 10 : MIB + 10]
        buffered.seek(-5, io.SEEK_END)
        assert buffered.read() == data[-5:]
        with CaptureQueriesContext(connection) as queries:
            buffered.seek(1)
            assert buffered.read(100) == data[1:101]
            buffered.seek(MIB - 9000)
            assert buffered.read(100) == data[MIB - 9000 : MIB - 8900]
        assert len(queries) == 1  # the first chunk, fetched once


def test_the_bytes_are_encrypted_and_bound_to_their_file_and_place():
    data = b"bsn;naam\n123456782;Jan\n" * 1000
    reference = kept_files.keep("proef", "a.csv", [data])
    other = kept_files.keep("proef", "b.csv", [data])
    stored = bytes(KeptChunk.objects.get(file__reference=reference).data)
    assert b"123456782" not in stored and len(stored) == len(data) + 12 + 16
    # A chunk moved to another file does not read there.
    KeptChunk.objects.filter(file__reference=other).update(data=stored)
    with kept_files.open(other) as handle, pytest.raises(kept_files.UnreadableFile):
        handle.read()


def test_a_rotated_key_still_reads_until_it_is_removed(settings):
    reference = kept_files.keep("proef", "a.csv", [b"inhoud"])
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    with kept_files.open(reference) as handle:
        assert handle.read() == b"inhoud"
    fresh = kept_files.keep("proef", "b.csv", [b"nieuw"])
    assert (
        KeptFile.objects.get(reference=fresh).key_id
        != KeptFile.objects.get(reference=reference).key_id
    )
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert not kept_files.exists(reference) and kept_files.exists(fresh)
    with pytest.raises(FileNotFoundError):
        kept_files.open(reference)


def test_keeping_is_all_or_nothing():
    def broken():
        yield content(MIB + 1)
        raise OSError("the upload broke off")

    with pytest.raises(OSError):
        kept_files.keep("proef", "a.csv", broken())
    assert not KeptFile.objects.exists() and not KeptChunk.objects.exists()


def test_a_file_not_yet_complete_is_not_there():
    reference = kept_files.keep("proef", "a.csv", [b"x"])
    KeptFile.objects.filter(reference=reference).update(complete=False)
    assert not kept_files.exists(reference)
    with pytest.raises(FileNotFoundError):
        kept_files.open(reference)


def test_delete_takes_the_chunks_along_and_may_come_twice():
    reference = kept_files.keep("proef", "a.csv", [content(2 * MIB)])
    kept_files.delete(reference)
    kept_files.delete(reference)
    kept_files.delete("")
    assert not KeptFile.objects.exists() and not KeptChunk.objects.exists()
    assert not kept_files.exists(reference) and not kept_files.exists("")


def test_the_sweep_deletes_old_unclaimed_files_of_its_directory_only():
    now = timezone.now()
    claimed, unclaimed, young = (kept_files.keep("proef", "x.csv", [b"x"]) for _ in range(3))
    elsewhere = kept_files.keep("anders", "x.csv", [b"x"])
    KeptFile.objects.exclude(reference=young).update(created_at=now - datetime.timedelta(days=2))
    claims = KeptFile.objects.filter(reference=claimed).values_list("reference", flat=True)
    old_before = now - datetime.timedelta(days=1)
    assert kept_files.delete_unclaimed("proef", claims, old_before) == 1
    assert not kept_files.exists(unclaimed)
    assert all(kept_files.exists(r) for r in (claimed, young, elsewhere))
    assert kept_files.delete_unclaimed("proef", [], old_before) == 1  # a list will do
    assert not kept_files.exists(claimed)


def test_a_spooled_copy_is_private_and_gone_afterwards():
    data = content(MIB + 3)
    reference = kept_files.keep("imports", "upload.csv", [data])
    with kept_files.spooled(reference) as path:
        assert path.read_bytes() == data and path.suffix == ".csv"
        assert path.stat().st_mode & 0o777 == 0o600
    assert not path.exists()
    with pytest.raises(RuntimeError), kept_files.spooled(reference) as path:
        raise RuntimeError
    assert not path.exists()


def test_the_files_an_older_version_kept_on_disk_move_in(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    """The data migration: files under MEDIA_ROOT become kept files under the same
    reference, with their age; the files on disk are deleted once that has committed."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    (tmp_path / "documents").mkdir()
    upload, document = tmp_path / "imports" / "ab12.csv", tmp_path / "documents" / "cd34.pdf"
    upload.write_bytes(content(MIB + 5))
    document.write_bytes(b"%PDF-oud")
    migration = importlib.import_module("kansrijk.storage.migrations.0002_files_from_media_root")
    editor = SimpleNamespace(connection=connection)
    with django_capture_on_commit_callbacks(execute=True):
        migration.move_in(apps, editor)
        assert upload.exists()  # not before the commit
    with kept_files.open("imports/ab12.csv") as handle:
        assert handle.read() == content(MIB + 5)
    with kept_files.open("documents/cd34.pdf") as handle:
        assert handle.read() == b"%PDF-oud"
    assert KeptFile.objects.get(reference="imports/ab12.csv").directory == "imports"
    assert not upload.exists() and not document.exists()
    with django_capture_on_commit_callbacks(execute=True):
        migration.move_in(apps, editor)  # again: nothing twice
    assert KeptFile.objects.count() == 2


def test_a_copy_left_by_a_killed_worker_is_deleted_once_its_file_is_gone(settings, tmp_path):
    settings.KEPT_FILES_SPOOL_DIR = tmp_path
    running, ended = (kept_files.keep("imports", "upload.csv", [b"bsn\n"]) for _ in range(2))
    copies = [kept_files.spooled(reference) for reference in (running, ended)]
    for copy in copies:
        copy.__enter__()  # and never left: the worker was killed
    assert len(list(tmp_path.glob("kansrijk-kept-*"))) == 2
    kept_files.delete(ended)
    assert kept_files.delete_orphan_spools() == 1
    (left,) = tmp_path.glob("kansrijk-kept-*")
    assert kept_files._random_part(running) in left.name
