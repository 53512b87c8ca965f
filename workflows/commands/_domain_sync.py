"""The domain tables a save keeps equal to its workflow, one entry per concern (DESIGN 3).

Pages read tables, never workflows: the project row's ``project_*`` columns, the department-wide
row, the first approved targets, the assessment and poverty-fund sheets, the score table. Each
concern is one :class:`DomainSync` here, so a save runs them all the same way:

* ``take(instance, workflow, engine_steps)`` reads what the concern needs from the workflow,
  before the save prunes finished call activities and dumps the state; ``None`` (the usual
  answer) means there is nothing to write;
* ``write(session, instance, value, saving)`` writes it in the save's transaction, after the
  instance row, in the order the save lists the entries (``_persist.DOMAIN_TABLES``).

An entry that names a ``process_id`` is asked only by instances of that process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..policy import Actor


@dataclass(frozen=True)
class Saving:
    """What a write may need besides its own value: who saves, when, the steps the engine ran,
    and the other entries' values (the score table reads the project's grade columns)."""

    actor: Actor
    now: datetime
    engine_steps: list
    taken: dict[str, Any]


@dataclass(frozen=True)
class DomainSync:
    name: str
    take: Callable[[Any, Any, list], Any]
    write: Callable[[Session, Any, Any, Saving], None]
    process_id: str | None = None


def take_all(entries: tuple[DomainSync, ...], instance, workflow, engine_steps: list) -> dict[str, Any]:
    """Every entry's value for this save (entries with nothing to write are left out)."""
    taken = {}
    for entry in entries:
        if entry.process_id is not None and entry.process_id != instance.process_id:
            continue
        value = entry.take(instance, workflow, engine_steps)
        if value is not None:
            taken[entry.name] = value
    return taken


def write_all(entries: tuple[DomainSync, ...], session: Session, instance, saving: Saving) -> None:
    for entry in entries:
        if entry.name in saving.taken:
            entry.write(session, instance, saving.taken[entry.name], saving)
