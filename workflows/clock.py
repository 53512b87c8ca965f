"""One ``now()`` for the whole code base, settable by tests and the CLI.

SpiffWorkflow's timer module calls ``datetime.now(timezone.utc)`` directly
(ENGINE-NOTES 2); :func:`install` points that module at a ``datetime`` subclass whose
``now()`` reads this clock, so timer evaluation follows the same time as we do.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")

_lock = threading.Lock()
_fixed: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    fixed = _fixed
    if fixed is not None:
        return fixed
    return datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at ``moment`` (aware), or release it with ``None``."""
    global _fixed
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware datetime")
    with _lock:
        _fixed = moment.astimezone(UTC) if moment is not None else None


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (freezing it at the real time first if needed)."""
    set_now(now() + delta)
    return now()


@contextmanager
def frozen(moment: datetime):
    previous = _fixed
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)


def parse_moment(text: str) -> datetime:
    """Parse an ISO 8601 moment; a value without offset is read in China time (+08:00)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA)
    return value


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: D401 - signature of datetime.now
        current = now()
        return current.astimezone(tz) if tz is not None else current.astimezone().replace(tzinfo=None)


def install() -> None:
    """Make SpiffWorkflow's timer events read this clock (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime


install()
