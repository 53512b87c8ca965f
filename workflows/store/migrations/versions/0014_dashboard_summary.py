"""The dashboard at 50,000 projects a year (issue 12, benchmark): ``dashboard_tally``, the year's
projects already added up by unit, fund type and grade / stage / 序时进度, kept by triggers on
``project`` in the transaction that writes the project row, so the dashboard reads a few rows
per unit instead of aggregating every project of the year.

One row per (year, dimension, unit, fund type, value):

* ``grade`` rows (value = the grade, '' for not graded): projects, amount, the cuts (count and
  Σ amount × budget_cut_ratio), 双监控 (Σ executed, Σ amount monitored, lagging count and amount);
* ``stage`` rows (value = the stage): the same sums, read for projects and amount;
* ``progress`` rows (value = 序时进度 as 'NNN.NN', so text order is number order): the projects
  monitored at that 序时进度 (the dashboard shows the latest).

Money is held as integers of 10⁻⁶ 万元 (amount has two decimals, the cut ratio four: every
product is exact), so sums never drift on SQLite, which has no decimal type. Triggers, not
Python: every writer of ``project`` (a save's BPMN columns, the score table's veto, an import,
a hand correction) keeps the tally, in its own transaction. On PostgreSQL one
``INSERT … ON CONFLICT DO UPDATE`` per change, its rows in key order, adds deltas to the rows
under their row locks: concurrent saves queue on the row, no count is lost and two saves that
move projects past each other do not deadlock.

Existing projects are added up here.

The overdue figures depend on the time, so they are counted from the open tasks on every page:
two covering indexes let that count read index entries only — the tasks of each project with
their status and due time, and the project's year, unit, fund type and amount by its id.

Revision ID: 0014_dashboard_summary
Revises: 0013_dashboard_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_dashboard_summary"
down_revision = "0013_dashboard_index"
branch_labels = None
depends_on = None

KEY = ("fiscal_year", "dimension", "unit_id", "fund_type", "value")
# the primary key's order: a year's rows of one dimension by unit, then value, so the units
# table's unit × grade groups are read in index order (no sort); a fund type narrows within
PRIMARY_KEY = ("fiscal_year", "dimension", "unit_id", "value", "fund_type")
SUMS = ("n", "amount", "cut_n", "cut_amount", "executed", "monitored", "lagging_n", "lagging_amount")
# the columns whose change moves a project between rows or changes its sums
WATCHED = (
    "fiscal_year",
    "unit_id",
    "fund_type",
    "stage",
    "grade",
    "amount",
    "budget_cut_ratio",
    "executed_amount",
    "execution_rate",
    "schedule_progress",
)


def _micro(expression: str, sqlite: bool) -> str:
    """An amount in 万元 as an integer of 10⁻⁶ 万元."""
    if sqlite:
        return f"CAST(round(({expression}) * 1000000) AS INTEGER)"
    return f"CAST(round(({expression}) * 1000000) AS BIGINT)"


def _rows(row: str, sign: int, sqlite: bool, source: str = "") -> str:
    """The tally rows one project row adds (``sign`` 1) or takes away (-1), as a SELECT;
    ``source`` is ``FROM project`` to add up the table, empty in a trigger (OLD / NEW)."""
    p = row
    cut = f"{p}.budget_cut_ratio > 0"
    monitored = f"{p}.executed_amount IS NOT NULL"
    lagging = f"{p}.execution_rate < {p}.schedule_progress"
    s = "" if sign > 0 else "-"
    sums = (
        f"{s}1",
        f"{s}{_micro(f'{p}.amount', sqlite)}",
        f"{s}(CASE WHEN {cut} THEN 1 ELSE 0 END)",
        f"{s}(CASE WHEN {cut} THEN {_micro(f'{p}.amount * {p}.budget_cut_ratio', sqlite)} ELSE 0 END)",
        f"{s}(CASE WHEN {monitored} THEN {_micro(f'{p}.executed_amount', sqlite)} ELSE 0 END)",
        f"{s}(CASE WHEN {monitored} THEN {_micro(f'{p}.amount', sqlite)} ELSE 0 END)",
        f"{s}(CASE WHEN {lagging} THEN 1 ELSE 0 END)",
        f"{s}(CASE WHEN {lagging} THEN {_micro(f'{p}.amount', sqlite)} ELSE 0 END)",
    )
    progress = (
        f"printf('%06.2f', {p}.schedule_progress)"
        if sqlite
        else f"to_char({p}.schedule_progress, 'FM000.00')"
    )

    def select(dimension: str, value: str, where: str = "") -> str:
        values = (f"{p}.fiscal_year", f"'{dimension}'", f"{p}.unit_id", f"{p}.fund_type", value, *sums)
        columns = ", ".join(f"{v} AS {n}" for v, n in zip(values, (*KEY, *SUMS), strict=True))
        return f"SELECT {columns} {source} {where}".strip()

    return " UNION ALL ".join(
        (
            select("grade", f"coalesce({p}.grade, '')"),
            select("stage", f"{p}.stage"),
            select("progress", progress, f"WHERE {monitored} AND {p}.schedule_progress IS NOT NULL"),
        )
    )


def _select(parts: str) -> str:
    """The rows of ``parts`` added up per key, in key order; rows that change nothing left out."""
    key = ", ".join(KEY)
    sums = ", ".join(f"sum({c})" for c in SUMS)
    changes = " OR ".join(f"sum({c}) <> 0" for c in SUMS)
    # WHERE true: SQLite's upsert after a SELECT needs a WHERE (its parser's rule)
    return (
        f"SELECT {key}, {sums} FROM ({parts}) AS d WHERE true GROUP BY {key} HAVING {changes} ORDER BY {key}"
    )


def _upsert(select: str) -> str:
    updates = ", ".join(f"{c} = dashboard_tally.{c} + excluded.{c}" for c in SUMS)
    return (
        f"INSERT INTO dashboard_tally ({', '.join((*KEY, *SUMS))}) {select} "
        f"ON CONFLICT ({', '.join(PRIMARY_KEY)}) DO UPDATE SET {updates}"
    )


def _statement(changes: list[tuple[str, int]], sqlite: bool) -> str:
    parts = " UNION ALL ".join(_rows(row, sign, sqlite) for row, sign in changes)
    return _upsert(_select(parts))


def _changed(sqlite: bool) -> str:
    if sqlite:
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    old = ", ".join(f"OLD.{c}" for c in WATCHED)
    new = ", ".join(f"NEW.{c}" for c in WATCHED)
    return f"({old}) IS DISTINCT FROM ({new})"


def _create_triggers(sqlite: bool) -> None:
    insert = _statement([("NEW", 1)], sqlite)
    delete = _statement([("OLD", -1)], sqlite)
    update = _statement([("OLD", -1), ("NEW", 1)], sqlite)
    if sqlite:
        op.execute(f"CREATE TRIGGER dashboard_tally_insert AFTER INSERT ON project BEGIN {insert}; END")
        op.execute(f"CREATE TRIGGER dashboard_tally_delete AFTER DELETE ON project BEGIN {delete}; END")
        op.execute(
            f"CREATE TRIGGER dashboard_tally_update AFTER UPDATE OF {', '.join(WATCHED)} ON project "
            f"WHEN {_changed(sqlite)} BEGIN {update}; END"
        )
        return
    op.execute(
        "CREATE FUNCTION dashboard_tally_project() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {insert}; "
        f"ELSIF TG_OP = 'DELETE' THEN {delete}; "
        f"ELSE {update}; END IF; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER dashboard_tally_write AFTER INSERT OR DELETE ON project "
        "FOR EACH ROW EXECUTE FUNCTION dashboard_tally_project()"
    )
    op.execute(
        f"CREATE TRIGGER dashboard_tally_update AFTER UPDATE OF {', '.join(WATCHED)} ON project "
        f"FOR EACH ROW WHEN ({_changed(sqlite)}) EXECUTE FUNCTION dashboard_tally_project()"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "dashboard_tally",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("fund_type", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        *(sa.Column(c, sa.BigInteger(), nullable=False, server_default="0") for c in SUMS),
        sa.PrimaryKeyConstraint(*PRIMARY_KEY, name="pk_dashboard_tally"),
        sqlite_with_rowid=False,  # SQLite keeps the rows in key order, not behind a rowid
    )
    if not sqlite:  # room on each page for a row's next version: updates stay HOT, pruned in place
        op.execute("ALTER TABLE dashboard_tally SET (fillfactor = 50)")
    op.execute(_upsert(_select(_rows("project", 1, sqlite, "FROM project"))))
    _create_triggers(sqlite)
    op.create_index("ix_human_task_project_due", "human_task", ["project_id", "status", "due_at"])
    op.create_index(
        "ix_project_overdue_cover", "project", ["id", "fiscal_year", "unit_id", "fund_type", "amount"]
    )


def downgrade() -> None:
    op.drop_index("ix_project_overdue_cover", table_name="project")
    op.drop_index("ix_human_task_project_due", table_name="human_task")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS dashboard_tally_{name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS dashboard_tally_write ON project")
        op.execute("DROP TRIGGER IF EXISTS dashboard_tally_update ON project")
        op.execute("DROP FUNCTION IF EXISTS dashboard_tally_project()")
    op.drop_table("dashboard_tally")
