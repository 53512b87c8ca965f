"""What a finished process leaves in domain tables: handlers by process id, run by the save.

The BPMN decides (a rating approved, a change request approved) and leaves its result in the
workflow data; a handler registered here copies that result into the tables screens read, in
the same unit of work as the save (like the ``project_*`` columns, DESIGN 3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, Any, dict, Any], None]  # (session, instance, workflow data, actor)
_HANDLERS: dict[str, Handler] = {}


def on_completed(process_id: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[process_id] = handler
        return handler

    return register


def run(session: Session, instance, workflow, actor) -> None:
    handler = _HANDLERS.get(instance.process_id)
    if handler is not None:
        handler(session, instance, dict(workflow.data), actor)
