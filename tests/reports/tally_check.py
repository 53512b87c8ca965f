"""``dashboard_tally`` against the project rows added up afresh, in Python (independent of the
triggers' SQL that keeps it, migration 0014_dashboard_summary)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from workflows.store import DashboardTally, Project

SUMS = ("n", "amount", "cut_n", "cut_amount", "executed", "monitored", "lagging_n", "lagging_amount")


def _micro(value) -> int:
    return int(Decimal(str(value)) * 1_000_000)


def fresh(session) -> dict[tuple, tuple[int, ...]]:
    """(year, dimension, unit, fund type, value) → the sums, from every project row."""
    tally: dict[tuple, list[int]] = {}
    for p in session.scalars(select(Project)):
        cut = p.budget_cut_ratio is not None and p.budget_cut_ratio > 0
        monitored = p.executed_amount is not None
        lagging = (
            p.execution_rate is not None
            and p.schedule_progress is not None
            and p.execution_rate < p.schedule_progress
        )
        sums = (
            1,
            _micro(p.amount),
            int(cut),
            _micro(p.amount * p.budget_cut_ratio) if cut else 0,
            _micro(p.executed_amount) if monitored else 0,
            _micro(p.amount) if monitored else 0,
            int(lagging),
            _micro(p.amount) if lagging else 0,
        )
        values = [("grade", p.grade or ""), ("stage", p.stage)]
        if monitored and p.schedule_progress is not None:
            values.append(("progress", f"{Decimal(str(p.schedule_progress)):06.2f}"))
        for dimension, value in values:
            row = tally.setdefault((p.fiscal_year, dimension, p.unit_id, p.fund_type, value), [0] * len(SUMS))
            for i, amount in enumerate(sums):
                row[i] += amount
    return {key: tuple(sums) for key, sums in tally.items()}


def stored(session) -> dict[tuple, tuple[int, ...]]:
    """The tally's rows, those that hold anything (a row emptied by a move stays, all zeros)."""
    T = DashboardTally
    rows = session.execute(
        select(T.fiscal_year, T.dimension, T.unit_id, T.fund_type, T.value, *(getattr(T, c) for c in SUMS))
    )
    return {tuple(row[:5]): tuple(int(v) for v in row[5:]) for row in rows if any(row[5:])}


def assert_tally_matches(db) -> None:
    with db.reading() as session:
        expected, held = fresh(session), stored(session)
    assert held == expected, {
        k: (held.get(k), expected.get(k)) for k in {*held, *expected} if held.get(k) != expected.get(k)
    }
