"""Reading a batch of instances ahead, for the timer scheduler (issue 14: fewer round trips).

A scheduler pass fires up to a hundred claimed instances in one unit of work. Loading them one
by one costs three round trips each before any work is done (the instance row, its audit chain
head, its open task rows); :func:`preload` reads all three for the whole batch in three
statements, and :func:`~workflows.commands._persist.load_instance` then takes an instance's rows
from the session instead of asking again.

What makes this safe is what makes the one-by-one reads safe: the claim holds the instances
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite), the chain heads are locked
here the way :func:`~workflows.store.audit.append` would lock them (a head another writer holds is
skipped, and locked at the append as before), and every save is still checked against the
``lock_version`` it read: an instance something else in the batch wrote after it was read
ahead is refused (:class:`~workflows.errors.Conflict`) and fired on the next pass.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..store import AuditChain, HumanTask, ProcessInstance, audit
from ._persist import LOAD_ROWS
from ._read_tables import _TASK_COLUMNS, PRELOADED

_pi, _ht, _ac = ProcessInstance.__table__, HumanTask.__table__, AuditChain.__table__
_ROWS = LOAD_ROWS.where(_pi.c.id.in_(bindparam("ids", expanding=True)))
_OPEN = select(*_TASK_COLUMNS).where(
    _ht.c.instance_id.in_(bindparam("ids", expanding=True)), _ht.c.status == "open"
)
_HEADS = select(_ac.c.chain, _ac.c.seq, _ac.c.last_hash).where(
    _ac.c.chain.in_(bindparam("chains", expanding=True))
)


def preload(session: Session, instance_ids: Iterable[int]) -> None:
    """Read the instances, their open task rows and their audit chain heads (locked) at once."""
    ids = sorted(set(instance_ids))
    if not ids:
        return
    connection = session.connection()
    open_rows: dict[int, list] = {i: [] for i in ids}
    for row in connection.execute(_OPEN, {"ids": ids}):
        open_rows[row.instance_id].append(row)
    rows = {row.id: (row, open_rows[row.id]) for row in connection.execute(_ROWS, {"ids": ids})}
    session.info.setdefault(PRELOADED, {}).update(rows)
    heads = _HEADS
    if connection.dialect.name == "postgresql":
        heads = heads.with_for_update(skip_locked=True)
    by_chain = {audit.chain_name(i): i for i in rows}
    for head in connection.execute(heads, {"chains": sorted(by_chain)}):
        audit.prime(session, by_chain[head.chain], head.seq, head.last_hash)
