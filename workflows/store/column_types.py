"""Column types of our own: datetimes kept as UTC on every backend, and ``human_task.status``
whose words are written into the SQL."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import DateTime, String, TypeDecorator, literal_column


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TASK_STATUSES = ("open", "completed", "cancelled")


class TaskStatus(TypeDecorator):
    """``human_task.status``. Compared with one of its words, the word is written into the SQL
    (``status = 'open'``), not bound as a parameter. ``ix_human_task_open_project_due`` holds the
    open tasks only (``WHERE status = 'open'``): given ``status = ?`` SQLite matches that index by
    looking at the bound value, and a statement planned on a bound value is prepared again on every
    run (about 50 µs for the completion's first statement, each inbox count, each dashboard query);
    PostgreSQL's generic plans cannot use the index with a parameter at all. Any other value (a
    user's input) stays a parameter."""

    impl = String(20)
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):
        __hash__ = TypeDecorator.Comparator.__hash__  # as SQLAlchemy's own operators keep it

        def __eq__(self, other):
            return super().__eq__(_status_word(other))

        def __ne__(self, other):
            return super().__ne__(_status_word(other))


def _status_word(value):
    if isinstance(value, str) and value in TASK_STATUSES:
        return literal_column(f"'{value}'", String(20))
    return value
