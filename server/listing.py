"""Paged, sorted lists in the browser (issue 12, item 7): the query-string form of a list's page
and order, and the template helpers the shared macros in ``_list.html`` call.

A list page reads ``list_args(request.args, sorts)`` (``page``, ``per_page``, ``sort``,
``dir``), hands the :class:`paging.Order` to its query, and renders the headers with
``sort_th`` and the pager with ``pager`` from ``_list.html``. Every link keeps the page's
other arguments (its filters), so a sorted, filtered list survives paging and reloading.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for

from workflows.queries.paging import MAX_PER_PAGE, Order, Sorts


@dataclass(frozen=True)
class ListArgs:
    page: int
    per_page: int
    order: Order


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def list_args(
    args, sorts: Sorts | None = None, *, per_page: int = 50, prefix: str = "", keys=None
) -> ListArgs:
    """Page, page size and order from a query string (``page``, ``per_page``, ``sort``, ``dir``,
    each after ``prefix`` when a page holds two lists); an unknown sort key is the default."""
    key = args.get(f"{prefix}sort")
    known = keys if keys is not None else (sorts.columns if sorts else ())
    default = sorts.default if sorts else Order("")
    order = Order(key, args.get(f"{prefix}dir") == "desc") if key in known else default
    return ListArgs(
        page=_int(args.get(f"{prefix}page"), 1, 1, 10**6),
        per_page=_int(args.get(f"{prefix}per_page"), per_page, 1, MAX_PER_PAGE),
        order=order,
    )


def here(**changes) -> str:
    """This page's address with some query arguments changed (``None`` removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def sort_url(
    order: Order, key: str, anchor: str = "", prefix: str = "", first_descending: bool = False
) -> str:
    """The header's link: this column (ascending, or most first for a figure), or the current
    column flipped; back to the first page."""
    descending = (not order.descending) if order.key == key else first_descending
    changes = {f"{prefix}sort": key, f"{prefix}dir": "desc" if descending else "asc", f"{prefix}page": None}
    return here(**changes) + (f"#{anchor}" if anchor else "")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(here=here, sort_url=sort_url)
