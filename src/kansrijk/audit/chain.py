"""The hash chain over the audit trail (decision 0025).

Every audit row gets a ``sequence`` number (1, 2, 3, … without gaps), the ``prev_hash``
of the row before it (64 zeros for the first) and its own ``hash``, in two steps:

    content = SHA-256( canonical(row) )                       64 lower-case hex digits
    hash    = SHA-256( "{sequence}:{prev_hash}:{created_at}:{content}" )   ASCII

The content is what a writer knows before the row joins the chain; the link adds what
only joining gives it: its place and its time. So a writer that prepares many rows
(the case import stages them while it checks its file) computes their contents
beforehand, and joining the chain costs one short hash per row under the lock.

``canonical(row)`` is the UTF-8 encoding of a JSON object with exactly the keys of
``CONTENT_FIELDS``, sorted, without spaces (``separators=(",", ":")``), non-ASCII kept as
it is, and with these values:

- ``actor_id``, ``organisation_id``: the integer or ``null``;
- the texts (``actor_display``, ``action``, ``target_type``, ``target_id``,
  ``target_display``, ``reason``) as stored;
- ``before`` and ``after``: the JSON value as stored, or ``null``; a float without a
  fraction is written as the integer it reads as (``1.0`` as ``1``, ``1e+16`` as
  ``10000000000000000``), because PostgreSQL's ``jsonb`` gives such numbers back as
  integers and the hash must not depend on the database.

In the link, ``sequence`` is the decimal integer, ``prev_hash`` the 64 hex digits and
``created_at`` UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six decimals).

The primary key is not hashed: the sequence is the row's place. A writer takes a lock on
the one row of ``AuditChainHead`` (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
``IMMEDIATE`` transactions already hold the database's write lock), numbers and hashes
its rows, and moves the head, all in its own transaction: two writers can never both
follow the same row, and a rolled-back writer leaves no gap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

GENESIS = "0" * 64
HEAD_ID = 1
# What a writer knows before its row joins the chain.
CONTENT_FIELDS = (
    "actor_id",
    "actor_display",
    "organisation_id",
    "action",
    "target_type",
    "target_id",
    "target_display",
    "before",
    "after",
    "reason",
)
# Set when the row joins the chain, under the head's lock.
LINK_FIELDS = ("sequence", "prev_hash", "created_at")
HASHED_FIELDS = (*LINK_FIELDS, *CONTENT_FIELDS)


def _plain(value: Any) -> Any:
    """A JSON value as both databases give it back: floats without a fraction as ints."""
    if isinstance(value, float) and value.is_integer():
        # As PostgreSQL reads 1e+16 or 1.0: the decimal the float is written as.
        return int(Decimal(repr(value)))
    if isinstance(value, dict):
        return {str(key): _plain(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(inner) for inner in value]
    return value


def _timestamp(moment: datetime | str) -> str:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value: Any) -> Any:
    """A JSON field's value as the database gives it back (tuples become lists)."""
    return None if value is None else _plain(json.loads(json.dumps(value)))


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes of one row's content, from its field values by name."""
    document = {name: values.get(name) for name in CONTENT_FIELDS}
    document["before"] = _json(values.get("before"))
    document["after"] = _json(values.get("after"))
    for name in ("actor_id", "organisation_id"):
        if document[name] is not None:
            document[name] = int(document[name])
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


def stored_content_digest(values: dict[str, Any]) -> str:
    """The content digest of a row a raw writer stores itself, with ``before`` and
    ``after`` as the JSON text it stores (or None)."""
    parsed = {
        name: json.loads(values[name]) if isinstance(values.get(name), str | bytes) else None
        for name in ("before", "after")
    }
    return content_digest(values | parsed)


def link_hash(sequence: int, prev_hash: str, created_at: datetime | str, content: str) -> str:
    """The row's hash: its place, its time and its content's digest."""
    text = f"{int(sequence)}:{prev_hash}:{_timestamp(created_at)}:{content}"
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def digest(values: dict[str, Any]) -> str:
    """The hash of a row, from all of its hashed fields by name."""
    return link_hash(
        values["sequence"], values["prev_hash"], values["created_at"], content_digest(values)
    )


def locked_head():
    """The chain's head row, locked until the end of the caller's transaction. Created
    from the last chained row when it is missing (a new or emptied database)."""
    from .models import AuditChainHead, AuditEvent

    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    last = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    ) or (0, GENESIS)
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=HEAD_ID, sequence=last[0], hash=last[1])
    except IntegrityError:
        pass  # another writer created it first; its lock is taken below
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)


def follow(head, created_at: datetime, contents: Iterable[str]) -> Iterator[tuple[int, str, str]]:
    """(sequence, prev_hash, hash) for rows with these content digests, in order, after
    ``head`` (from ``locked_head``). The caller moves the head with ``move_head``."""
    sequence, previous = head.sequence, head.hash
    moment = _timestamp(created_at)
    for content in contents:
        sequence += 1
        current = link_hash(sequence, previous, moment, content)
        yield sequence, previous, current
        previous = current


def move_head(head, sequence: int, hash_: str) -> None:
    head.sequence, head.hash = sequence, hash_
    head.save(update_fields=["sequence", "hash", "updated_at"])


def _advance(rows: list[dict[str, Any]], created_at: datetime) -> list[tuple[int, str, str]]:
    """(sequence, prev_hash, hash) for each row, in order, and the head moved past them.
    The caller holds the head's lock, i.e. runs inside a transaction."""
    if not rows:
        return []
    head = locked_head()
    links = list(follow(head, created_at, (content_digest(row) for row in rows)))
    move_head(head, links[-1][0], links[-1][2])
    return links


def link(events: list) -> None:
    """Give unsaved ``AuditEvent`` objects their place in the chain. Their time is the
    moment they join it, so the trail's times never go back along the chain."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("chain.link() must be called inside transaction.atomic()")
    now = timezone.now()
    for event in events:
        event.created_at = now
    rows = [{name: getattr(event, name) for name in CONTENT_FIELDS} for event in events]
    for event, (sequence, previous, current) in zip(events, _advance(rows, now), strict=True):
        event.sequence, event.prev_hash, event.hash = sequence, previous, current
