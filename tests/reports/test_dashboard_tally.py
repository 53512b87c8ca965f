"""The dashboard reads ``dashboard_tally`` (0014_dashboard_summary): the projects added up by
triggers as they are written. The tally equals the project rows added up afresh, and the board
built from it equals the board built from the project rows, for every viewer and filter."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

from sqlalchemy import select, text

from tests.reports import tally_check
from tests.reports.tally_check import assert_tally_matches
from workflows.policy import Actor
from workflows.queries import dashboard
from workflows.queries.project_filter import ProjectFilter
from workflows.store import Project

FINANCE = Actor("li.si", frozenset({"finance_reviewer"}))
OFFICE = Actor("zhou.perf", frozenset({"performance_office"}))


def test_the_tally_equals_the_demos_projects_added_up_afresh(demo_db):
    assert_tally_matches(demo_db)


def _viewers(session):
    unit_id = session.scalars(select(Project.unit_id).order_by(Project.id).limit(1)).one()
    units = frozenset(session.scalars(select(Project.unit_id).distinct()).all())
    return [
        OFFICE,
        FINANCE,
        Actor("finance.office", frozenset({"finance_reviewer"}), office_units=units),
        Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=unit_id),
    ]


def test_the_board_from_the_tally_equals_the_board_from_the_project_rows(demo_db):
    with demo_db.reading() as session:
        units = sorted(set(session.scalars(select(Project.unit_id)).all()))
        for actor in _viewers(session):
            for year in [*dashboard.years(session, OFFICE), None]:
                for scope in (
                    ProjectFilter(year=year),
                    ProjectFilter(year=year, unit=units[0]),
                    ProjectFilter(year=year, fund_type="general_public"),
                    ProjectFilter(year=year, fund_type="state_capital"),
                ):
                    for sort in ("code", "cuts"):
                        kwargs = {"units_sort": sort, "units_per_page": 2}
                        tallied = dashboard.build(session, actor, scope, **kwargs)
                        counted = dashboard.build(session, actor, scope, from_rows=True, **kwargs)
                        assert dataclasses.asdict(tallied) == dataclasses.asdict(counted), (actor, scope)


def test_a_rolled_back_write_leaves_the_tally_as_it_was(demo_db):
    """The triggers write in the project row's transaction: undone with it."""
    closed = text(
        "SELECT coalesce(sum(n), 0) FROM dashboard_tally WHERE dimension = 'stage' AND value = 'closed'"
    )
    with demo_db.unit_of_work() as session:
        before = session.execute(closed).scalar()
        project = session.scalars(select(Project).where(Project.stage != "closed").limit(1)).one()
        project.stage = "closed"
        session.flush()
        assert session.execute(closed).scalar() == before + 1
        session.rollback()
    assert_tally_matches(demo_db)


def _migration():
    path = (
        Path(__file__).resolve().parents[2] / "workflows/store/migrations/versions/0014_dashboard_summary.py"
    )
    spec = importlib.util.spec_from_file_location("migration_0014", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_adds_up_the_projects_a_database_already_holds(demo_db):
    """0014 fills the tally from the project rows (rolled back: the demo's tally stays)."""
    m = _migration()
    with demo_db.unit_of_work() as session:
        sqlite = session.bind.dialect.name == "sqlite"
        session.execute(text("DELETE FROM dashboard_tally"))
        assert tally_check.stored(session) == {}
        session.execute(text(m._upsert(m._select(m._rows("project", 1, sqlite, "FROM project")))))
        assert tally_check.stored(session) == tally_check.fresh(session) != {}
        session.rollback()
