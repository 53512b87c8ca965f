"""The audit log: append-only events, each chained to the previous by SHA-256.

Every instance has its own chain (``instance:<id>``); events without an instance
(deployments, user administration) go to the ``system`` chain. The head of each chain
is kept in ``audit_chain``, so editing, deleting or truncating rows is detected by
:func:`verify`. Appending locks the chain head row, so two writers never fork a chain.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256 as _sha256
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from .. import clock
from ..errors import Conflict
from .models import AuditChain, AuditEvent
from .prepared import Prepared

GENESIS = "0" * 64


_HASHED = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_SCALARS = (str, int, bool, type(None))


def _json_copy(data: Any) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))


def _canonical(data: Any) -> Any:
    """``data`` as it reads back from JSON (keys sorted, tuples as lists, other values as text):
    plain dicts, lists and scalars are copied directly; anything else takes the JSON round trip."""
    kind = type(data)
    if kind in _SCALARS or (kind is float and math.isfinite(data)):
        return data
    if kind is dict and all(type(key) is str for key in data):
        return {key: _canonical(data[key]) for key in sorted(data)}
    if kind is list or kind is tuple:
        return [_canonical(item) for item in data]
    return _json_copy(data)


def event_hash(
    *, chain: str, seq: int, instance_id, task_id, actor: str, action: str, data, at: datetime, prev_hash: str
) -> str:
    return _digest(chain, seq, instance_id, task_id, actor, action, data, at, prev_hash)


def _digest(chain, seq, instance_id, task_id, actor, action, data, at, prev_hash) -> str:
    at_utc = at if at.tzinfo is UTC else at.astimezone(UTC)
    body = _HASHED.encode(
        [chain, seq, instance_id, task_id, actor, action, data, at_utc.isoformat(), prev_hash]
    )
    return _sha256(body.encode("utf-8")).hexdigest()


def chain_name(instance_id: int | None) -> str:
    return f"instance:{instance_id}" if instance_id is not None else "system"


def _head(session: Session, chain: str) -> dict:
    """The chain's head for this transaction: locked (``FOR UPDATE``) and read once, then kept
    in ``session.info`` and written back with the events when the transaction commits."""
    heads = session.info.setdefault("audit_heads", {})
    head = heads.get(chain)
    if head is None:
        row = session.connection().execute(_HEAD_FOR_UPDATE, {"chain": chain}).first()
        head = (
            _new_head(chain) if row is None else {"chain": chain, "seq": row.seq, "last_hash": row.last_hash}
        )
        head["stored_seq"] = None if row is None else row.seq
        heads[chain] = head
    return head


def _new_head(chain: str) -> dict:
    return {"chain": chain, "seq": 0, "last_hash": GENESIS}


def prime(session: Session, instance_id: int | None, seq: int | None, last_hash: str | None) -> None:
    """Hand over a chain head read together with other rows (the write path reads an instance's
    head with the instance); ``seq`` None: the chain has no head yet. Only where the unit of
    work already holds the write lock (SQLite's ``BEGIN IMMEDIATE``): PostgreSQL locks the head
    row itself at the first :func:`append`. The head is written back only if ``seq`` is still
    the stored one (``UPDATE ... WHERE seq = :seq``), so a chain never forks."""
    chain = chain_name(instance_id)
    heads = session.info.setdefault("audit_heads", {})
    if chain in heads:
        return
    if seq is None:
        heads[chain] = {**_new_head(chain), "stored_seq": None}
    else:
        heads[chain] = {"chain": chain, "seq": seq, "last_hash": last_hash, "stored_seq": seq}


def append(
    session: Session,
    *,
    action: str,
    actor: str,
    instance_id: int | None = None,
    task_id: str | None = None,
    data: dict | None = None,
) -> dict:
    """Append one event in the caller's transaction (hash-chained to the previous one)."""
    chain = chain_name(instance_id)
    head = _head(session, chain)
    at = clock.now()
    payload = _canonical(data) if data else {}
    seq, prev_hash = head["seq"] + 1, head["last_hash"]
    digest = _digest(chain, seq, instance_id, task_id, actor, action, payload, at, prev_hash)
    event = {
        "chain": chain,
        "seq": seq,
        "instance_id": instance_id,
        "task_id": task_id,
        "actor": actor,
        "action": action,
        "data": payload,
        "at": at,
        "prev_hash": prev_hash,
        "hash": digest,
    }
    # written in one batch when the transaction commits (write_pending); rolled back with it otherwise
    session.info.setdefault("audit_pending", []).append(event)
    head["seq"], head["last_hash"] = seq, digest
    return event


_ac, _ae = AuditChain.__table__, AuditEvent.__table__
_HEAD_FOR_UPDATE = (
    select(_ac.c.seq, _ac.c.last_hash).where(_ac.c.chain == bindparam("chain")).with_for_update()
)
_INSERT_EVENTS = Prepared(insert(_ae))
_INSERT_HEADS = Prepared(insert(_ac))
_MOVE_HEAD = Prepared(
    update(_ac)
    .where(_ac.c.chain == bindparam("b_chain"), _ac.c.seq == bindparam("b_stored_seq"))
    .values(seq=bindparam("b_seq"), last_hash=bindparam("b_last_hash"))
)


def write_pending(session: Session) -> None:
    """Insert the events appended in this transaction and move their chain heads, with Core
    statements (a ``before_commit`` hook of command sessions). A head another writer moved
    meanwhile refuses the commit (:class:`~workflows.errors.Conflict`)."""
    rows = session.info.pop("audit_pending", None)
    heads = session.info.pop("audit_heads", None) or {}
    if not rows:
        return
    _INSERT_EVENTS.execute_many(session, rows)
    new = [h for h in heads.values() if h["stored_seq"] is None and h["seq"] > 0]
    moved = [h for h in heads.values() if h["stored_seq"] is not None and h["seq"] != h["stored_seq"]]
    if new:
        _INSERT_HEADS.execute_many(session, [{k: h[k] for k in ("chain", "seq", "last_hash")} for h in new])
    if moved:
        touched = _MOVE_HEAD.execute_many(
            session,
            [
                {
                    "b_chain": head["chain"],
                    "b_stored_seq": head["stored_seq"],
                    "b_seq": head["seq"],
                    "b_last_hash": head["last_hash"],
                }
                for head in moved
            ],
        )
        if touched != len(moved):
            chains = ", ".join(head["chain"] for head in moved)
            raise Conflict(f"audit chain {chains} was moved by someone else; try again")


def mark(session: Session) -> tuple:
    """What this transaction has appended so far, to go back to with :func:`rewind` when a
    savepoint is rolled back (the events of the work before it stay)."""
    pending = session.info.get("audit_pending") or []
    heads = session.info.get("audit_heads") or {}
    return len(pending), {chain: dict(head) for chain, head in heads.items()}


def rewind(session: Session, marked: tuple) -> None:
    count, heads = marked
    pending = session.info.get("audit_pending")
    if pending is not None:
        del pending[count:]
    session.info["audit_heads"] = {chain: dict(head) for chain, head in heads.items()}


@dataclass(frozen=True)
class Break:
    """One break in a chain: ``kind`` is ``headless`` (events without a chain head), ``missing``
    (a sequence number skipped), ``unlinked`` (not linked to the previous event), ``altered`` (its
    hash does not match its content) or ``truncated`` (events after ``seq`` deleted)."""

    chain: str
    kind: str
    seq: int | None = None  # the sequence number expected (missing, truncated) or the event's
    event_id: int | None = None
    action: str | None = None
    found_seq: int | None = None  # missing: the number found instead; truncated: the head's

    def __str__(self) -> str:
        if self.kind == "headless":
            return f"{self.chain}: events without a chain head"
        if self.kind == "missing":
            return f"{self.chain}: event #{self.seq} is missing (found #{self.found_seq}, id {self.event_id})"
        if self.kind == "unlinked":
            return f"{self.chain}: event id {self.event_id} does not link to the previous event"
        if self.kind == "altered":
            return f"{self.chain}: event id {self.event_id} ({self.action}) was altered"
        return f"{self.chain}: events after #{self.seq} were deleted (head is #{self.found_seq})"


def chain_breaks(chain: str, head, events: list, *, seq: int = 0, last_hash: str = GENESIS) -> list[Break]:
    """The breaks of one chain whose ``events`` follow event ``seq`` (hash ``last_hash``; 0 and
    the genesis hash: the whole chain) in sequence order, ending at ``head`` (its ``seq`` and
    ``last_hash``; None: no head)."""
    if head is None:
        if not events:
            return []
        first = events[0]
        return [Break(chain, "headless", first.seq, first.id, first.action)]
    found = []
    prev, expected_seq = last_hash, seq + 1
    for event in events:
        if event.seq != expected_seq:
            found.append(Break(chain, "missing", expected_seq, event.id, event.action, event.seq))
        if event.prev_hash != prev:
            found.append(Break(chain, "unlinked", event.seq, event.id, event.action))
        recomputed = event_hash(
            chain=chain,
            seq=event.seq,
            instance_id=event.instance_id,
            task_id=event.task_id,
            actor=event.actor,
            action=event.action,
            data=event.data,
            at=event.at,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            found.append(Break(chain, "altered", event.seq, event.id, event.action))
        prev, expected_seq = event.hash, event.seq + 1
    if head.seq != expected_seq - 1 or head.last_hash != prev:
        found.append(Break(chain, "truncated", expected_seq - 1, found_seq=head.seq))
    return found


def breaks(session: Session) -> list[Break]:
    """Every break in every chain, chain by chain in sequence order; empty: the log is intact."""
    found: list[Break] = []
    heads = {h.chain: h for h in session.scalars(select(AuditChain))}
    events_by_chain: dict[str, list[AuditEvent]] = {}
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.seq)):
        events_by_chain.setdefault(event.chain, []).append(event)
    for chain in sorted(set(heads) | set(events_by_chain)):
        found += chain_breaks(chain, heads.get(chain), events_by_chain.get(chain, []))
    return found


def verify(session: Session) -> list[str]:
    """Every break in every chain, as ``jixiao audit verify`` prints it; empty: the log is intact."""
    return [str(b) for b in breaks(session)]


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        )
    )
