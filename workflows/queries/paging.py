"""One mechanism for every long list (issue 12, item 7): a page of a query, in an order the user
chose by clicking a column header, from a whitelist each list declares.

A list module declares its sorts as ``{key: column or (columns…)}`` and a tie-break (the
primary key): ``ordered`` turns the user's key and direction into ``ORDER BY`` (an unknown key
falls back to the list's default, so a crafted URL never reaches SQL), ``page_of`` runs the
count and the page. The same ``ordered`` query feeds the Excel export, so the file lists the
rows in the order the page shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Order:
    """The order asked for: a whitelisted key and a direction."""

    key: str
    descending: bool = False

    def flipped(self) -> Order:
        return Order(self.key, not self.descending)


@dataclass(frozen=True)
class Sorts:
    """A list's sortable columns: key → one column or several (ties broken in that order), the
    default order, and the tie-break that makes every order total (stable pages)."""

    columns: Mapping[str, Any]
    default: Order
    tiebreak: Sequence[Any]

    def resolve(self, key: str | None, descending: bool | None = None) -> Order:
        if key not in self.columns:
            return self.default
        return Order(key, bool(descending))

    def order_by(self, order: Order) -> list:
        order = self.resolve(order.key, order.descending)
        columns = self.columns[order.key]
        columns = columns if isinstance(columns, list | tuple) else (columns,)
        return [*(_term(c, order.descending) for c in columns), *(t.asc() for t in self.tiebreak)]


def _term(column, descending: bool):
    """NULLs sort as the smallest value on both backends (SQLite's way; PostgreSQL is told so,
    only for a column that may hold NULL: a NOT NULL column keeps an index-ordered scan)."""
    nullable = getattr(getattr(column, "expression", column), "nullable", True)
    if descending:
        return column.desc().nulls_last() if nullable else column.desc()
    return column.asc().nulls_first() if nullable else column.asc()


def ordered(query: Select, sorts: Sorts, order: Order) -> Select:
    """``query`` in ``order`` (any ORDER BY it had replaced)."""
    return query.order_by(None).order_by(*sorts.order_by(order))


@dataclass
class Page:
    """One page of a list: its rows, where it is, and the order it is in."""

    items: list
    total: int
    page: int
    per_page: int
    order: Order

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        """The row number (from 1) of the page's first row."""
        return (self.page - 1) * self.per_page + 1


def count(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def page_of(
    session: Session,
    query: Select,
    sorts: Sorts,
    order: Order,
    *,
    page: int = 1,
    per_page: int = 50,
    scalars: bool = True,
) -> Page:
    """Page ``page`` (a page past the end is the last page) of ``query`` in ``order``; rows as
    ORM objects (``scalars``) or as tuples."""
    per_page = max(1, min(MAX_PER_PAGE, per_page))
    total = count(session, query)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    order = sorts.resolve(order.key, order.descending)
    statement = ordered(query, sorts, order).limit(per_page).offset((page - 1) * per_page)
    result = session.execute(statement)
    items = list(result.scalars().unique() if scalars else result.all())
    return Page(items, total, page, per_page, order)


def sort_list(rows: list, keys: Mapping[str, Any], order: Order, default: Order) -> tuple[list, Order]:
    """A list built in Python (a register merged from several tables) in ``order``: ``keys``
    maps a sort key to a function of a row; ``None`` sorts first, ties keep the list's order."""
    if order.key not in keys:
        order = default
    key = keys[order.key]

    def rank(row):
        value = key(row)
        return (value is not None, value if value is not None else 0)

    return sorted(rows, key=rank, reverse=order.descending), order


def page_list(
    rows: list,
    keys: Mapping[str, Any],
    order: Order,
    default: Order,
    *,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """One page of :func:`sort_list`."""
    ranked, order = sort_list(rows, keys, order, default)
    per_page = max(1, min(MAX_PER_PAGE, per_page))
    pages = max(1, -(-len(ranked) // per_page))
    page = min(max(1, page), pages)
    return Page(ranked[(page - 1) * per_page : page * per_page], len(ranked), page, per_page, order)
