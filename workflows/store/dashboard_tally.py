"""The year's projects added up for the dashboard (issue 12, benchmark; migration
0014_dashboard_summary): a few rows per unit instead of every project of the year.

Written only by the triggers on ``project`` that the migration creates, in the transaction that
writes the project row; read by :mod:`workflows.queries.dashboard_sql`. One row per (year,
dimension, unit, fund type, value), ``dimension`` one of:

* ``grade``: value = the grade ('' when not graded), every sum below;
* ``stage``: value = the stage;
* ``progress``: value = 序时进度 as 'NNN.NN' (text order is number order), ``n`` = the projects
  monitored at it.

Money is in integers of 10⁻⁶ 万元 (:data:`MICRO`): exact on SQLite, which has no decimals.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, HumanTask, Project

MICRO = Decimal("0.000001")  # 万元 per unit of the money columns
NOT_GRADED = ""  # the grade value of projects without one


class DashboardTally(Base):
    __tablename__ = "dashboard_tally"
    __table_args__ = {"sqlite_with_rowid": False}

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    fund_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)  # projects
    amount: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ amount
    cut_n: Mapped[int] = mapped_column(BigInteger, default=0)  # budget_cut_ratio > 0 (R-RA-1)
    cut_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ amount × budget_cut_ratio
    executed: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ executed_amount (R-MN-2)
    monitored: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ amount with executed_amount
    lagging_n: Mapped[int] = mapped_column(BigInteger, default=0)  # execution_rate < schedule_progress
    lagging_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ amount of those


# The overdue figures are counted from the open tasks on every page (they depend on the time):
# covering indexes for that count, declared here beside the tally (0014_dashboard_summary).
Index("ix_human_task_project_due", HumanTask.project_id, HumanTask.status, HumanTask.due_at)
# the open tasks alone, by project (0015_dashboard_open_tasks): the late ones of each project
Index(
    "ix_human_task_open_project_due",
    HumanTask.project_id,
    HumanTask.due_at,
    postgresql_where=HumanTask.status == "open",
    sqlite_where=HumanTask.status == "open",
)
Index(
    "ix_project_overdue_cover",
    Project.id,
    Project.fiscal_year,
    Project.unit_id,
    Project.fund_type,
    Project.amount,
)
