"""The audit log: append-only events, each chained to the previous by SHA-256.

Every instance has its own chain (``instance:<id>``); events without an instance
(deployments, user administration) go to the ``system`` chain. The head of each chain
is kept in ``audit_chain``, so editing, deleting or truncating rows is detected by
:func:`verify`. Appending locks the chain head row, so two writers never fork a chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .. import clock
from .models import AuditChain, AuditEvent

GENESIS = "0" * 64


def _canonical(data: Any) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))


def event_hash(
    *, chain: str, seq: int, instance_id, task_id, actor: str, action: str, data, at: datetime, prev_hash: str
) -> str:
    body = json.dumps(
        [chain, seq, instance_id, task_id, actor, action, data, at.astimezone(UTC).isoformat(), prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def chain_name(instance_id: int | None) -> str:
    return f"instance:{instance_id}" if instance_id is not None else "system"


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
    heads = session.info.setdefault("audit_heads", {})  # locked once per transaction
    head = heads.get(chain)
    if head is None:
        head = session.scalar(select(AuditChain).where(AuditChain.chain == chain).with_for_update())
        if head is None:
            head = AuditChain(chain=chain, seq=0, last_hash=GENESIS)
            session.add(head)
        heads[chain] = head
    at = clock.now()
    payload = _canonical(data or {})
    seq = head.seq + 1
    digest = event_hash(
        chain=chain,
        seq=seq,
        instance_id=instance_id,
        task_id=task_id,
        actor=actor,
        action=action,
        data=payload,
        at=at,
        prev_hash=head.last_hash,
    )
    event = {
        "chain": chain,
        "seq": seq,
        "instance_id": instance_id,
        "task_id": task_id,
        "actor": actor,
        "action": action,
        "data": payload,
        "at": at,
        "prev_hash": head.last_hash,
        "hash": digest,
    }
    # written in one batch when the transaction commits (write_pending); rolled back with it otherwise
    session.info.setdefault("audit_pending", []).append(event)
    head.seq, head.last_hash = seq, digest
    return event


def write_pending(session: Session) -> None:
    """Insert the events appended in this transaction (a ``before_commit`` hook of command sessions)."""
    rows = session.info.pop("audit_pending", None)
    if rows:
        session.execute(insert(AuditEvent), rows)
    session.info.pop("audit_heads", None)


def verify(session: Session) -> list[str]:
    """Every break in every chain; an empty list means the log is intact."""
    problems: list[str] = []
    heads = {h.chain: h for h in session.scalars(select(AuditChain))}
    events_by_chain: dict[str, list[AuditEvent]] = {}
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.seq)):
        events_by_chain.setdefault(event.chain, []).append(event)
    for chain in sorted(set(heads) | set(events_by_chain)):
        head = heads.get(chain)
        events = events_by_chain.get(chain, [])
        if head is None:
            problems.append(f"{chain}: events without a chain head")
            continue
        prev, expected_seq = GENESIS, 1
        for event in events:
            if event.seq != expected_seq:
                problems.append(
                    f"{chain}: event #{expected_seq} is missing (found #{event.seq}, id {event.id})"
                )
            if event.prev_hash != prev:
                problems.append(f"{chain}: event id {event.id} does not link to the previous event")
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
                problems.append(f"{chain}: event id {event.id} ({event.action}) was altered")
            prev, expected_seq = event.hash, event.seq + 1
        if head.seq != expected_seq - 1 or head.last_hash != prev:
            problems.append(f"{chain}: events after #{expected_seq - 1} were deleted (head is #{head.seq})")
    return problems


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        )
    )
