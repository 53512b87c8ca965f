"""Verifying the audit log without recomputing all of it every time (issue 12, ``/audit/verify``).

``audit_checkpoint`` remembers, per chain, the last event a verification found intact (its
``seq`` and ``hash``). :func:`since_checkpoints` recomputes only the events after it, in the
chains whose head has moved, and checks each chain still ends at its head; a chain's
checkpoint advances only when its new events are intact, so a break is reported again until
it is dealt with. An edit before a checkpoint is what the full verification is for
(:func:`workflows.store.audit.breaks`, ``jixiao audit verify``, the administrator's
全面核验): it recomputes every chain, and a chain it finds broken loses its checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from .audit import GENESIS, Break, breaks, chain_breaks
from .models import AuditChain, AuditEvent, Base


class AuditCheckpoint(Base):
    """Per chain, the last event a verification found intact (0013_dashboard_index)."""

    __tablename__ = "audit_checkpoint"
    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime]


@dataclass(frozen=True)
class Verification:
    """What one verification read: ``events`` recomputed in ``chains`` chains; ``full``: every
    chain from its first event; ``breaks`` first first."""

    full: bool
    events: int
    chains: int
    breaks: list[Break]


def since_checkpoints(session: Session) -> tuple[Verification, dict[str, tuple[int, str]]]:
    """The events after each chain's checkpoint, recomputed; and the chains now intact up to
    their head → (seq, hash), for :func:`advance`."""
    mark = aliased(AuditCheckpoint)
    moved = (
        select(
            AuditChain.chain,
            AuditChain.seq,
            AuditChain.last_hash,
            func.coalesce(mark.seq, 0).label("from_seq"),
            func.coalesce(mark.hash, GENESIS).label("from_hash"),
        )
        .outerjoin(mark, mark.chain == AuditChain.chain)
        .where(
            or_(
                mark.chain.is_(None),
                AuditChain.seq != mark.seq,
                AuditChain.last_hash != mark.hash,
            )
        )
        .subquery()
    )
    heads = {row.chain: row for row in session.execute(select(moved))}
    events: dict[str, list[AuditEvent]] = {chain: [] for chain in heads}
    query = (
        select(AuditEvent)
        .join(moved, moved.c.chain == AuditEvent.chain)
        .where(AuditEvent.seq > moved.c.from_seq)
        .order_by(AuditEvent.chain, AuditEvent.seq)
    )
    for event in session.scalars(query):
        events[event.chain].append(event)
    found: list[Break] = []
    intact: dict[str, tuple[int, str]] = {}
    for chain in sorted(heads):
        head = heads[chain]
        broken = chain_breaks(chain, head, events[chain], seq=head.from_seq, last_hash=head.from_hash)
        found += broken
        if not broken:
            intact[chain] = (head.seq, head.last_hash)
    read = sum(len(rows) for rows in events.values())
    return Verification(False, read, len(heads), found), intact


def everything(session: Session) -> tuple[Verification, dict[str, tuple[int, str]], set[str]]:
    """Every chain from its first event (as ``jixiao audit verify``); the intact chains' heads,
    and the broken chains."""
    found = breaks(session)
    broken = {b.chain for b in found}
    heads = {h.chain: (h.seq, h.last_hash) for h in session.scalars(select(AuditChain))}
    events, chains = session.execute(
        select(func.count(AuditEvent.id), func.count(AuditEvent.chain.distinct()))
    ).one()
    intact = {chain: head for chain, head in heads.items() if chain not in broken}
    return Verification(True, events or 0, chains or 0, found), intact, broken


def advance(session: Session, intact: dict[str, tuple[int, str]], now: datetime) -> None:
    """Move the checkpoints of the intact chains to their heads (never back: a verification
    that read an older head leaves a newer checkpoint as it is)."""
    if not intact:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [{"chain": c, "seq": seq, "hash": h, "verified_at": now} for c, (seq, h) in intact.items()]
    table = AuditCheckpoint.__table__
    for start in range(0, len(rows), 500):
        statement = dialect.insert(table).values(rows[start : start + 500])
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.chain],
            set_={"seq": statement.excluded.seq, "hash": statement.excluded.hash, "verified_at": now},
            where=table.c.seq <= statement.excluded.seq,
        )
        session.execute(statement)


def forget(session: Session, chains: set[str]) -> None:
    """The broken chains are verified from their first event again, until they are intact."""
    if chains:
        session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.chain.in_(sorted(chains))))
