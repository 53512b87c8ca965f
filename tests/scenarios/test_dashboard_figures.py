"""The dashboard's figures stay equal to the lists behind them as projects move (issue 12,
item 1): each figure is summed from grouped queries on indexed columns, and the list it links
to is counted by the same condition, after every command that changes a project."""

from __future__ import annotations

from decimal import Decimal

from tests.scenarios.conftest import OFFICE, YEAR
from workflows.queries import dashboard, projects
from workflows.queries.project_filter import ProjectFilter


def _figures(board: dashboard.Dashboard):
    yield board.total
    yield board.overdue
    yield board.lagging
    yield from board.by_stage
    yield from board.by_grade
    for unit in board.units:
        yield from (unit.projects, unit.overdue, unit.cuts, *unit.grades)


def _check(paths) -> dashboard.Dashboard:
    """Every figure of the year's dashboard against the rows of its list; the board."""
    with paths.db.reading() as session:
        board = dashboard.build(session, OFFICE, ProjectFilter(year=YEAR))
        for figure in _figures(board):
            rows = session.scalars(projects.listing(OFFICE, filters=figure.filter)).all()
            if figure.key == "cuts":  # the amount is the cut, not the projects' amount
                assert len(rows) == figure.count, figure
                continue
            amount = sum((Decimal(str(r.amount)) for r in rows), Decimal(0)).quantize(Decimal("0.01"))
            assert (len(rows), amount) == (figure.count, figure.amount), figure
    return board


def _stages(board) -> dict[str, int]:
    return {f.key: f.count for f in board.by_stage}


def test_figures_equal_their_lists_after_a_project_changes_stage(paths):
    first = paths.start()
    second = paths.start(project_name="乡村公路养护", amount_wan=120.5)
    before = _check(paths)
    assert before.total.count == 2 and _stages(before) == {"ex_ante": 2}

    paths.through_ex_ante(first)  # the first project leaves 事前评估 for 绩效目标
    after = _check(paths)
    assert after.total.count == 2
    assert _stages(after) == {"ex_ante": 1, "targets": 1}
    assert {f.key: f.count for f in after.by_stage if f.key == "ex_ante"} == {"ex_ante": 1}

    paths.through_targets(first)
    paths.through_ex_ante(second, amount=120.5)  # asks no more than its 120.5 万元
    moved = _check(paths)
    assert sum(_stages(moved).values()) == 2 and "ex_ante" not in _stages(moved)
