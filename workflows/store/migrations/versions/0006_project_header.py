"""Project header: the national 项目支出绩效目标申报表's header fields and the named owner (R-EV-8).

Revision ID: 0006_project_header
Revises: 0005_merge

Rows that exist already get what can be derived: their unit as 主管部门 and 实施单位, the fiscal
year as 项目期, the whole amount as 财政拨款. Their owner stays empty until someone names one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_project_header"
down_revision = "0005_merge"
branch_labels = None
depends_on = None

COLUMNS = (
    ("owner_name", sa.String(length=80)),
    ("owner_phone", sa.String(length=40)),
    ("competent_department", sa.String(length=200)),
    ("implementing_unit", sa.String(length=200)),
    ("period_start", sa.String(length=7)),
    ("period_end", sa.String(length=7)),
    ("fiscal_funds", sa.Numeric(precision=18, scale=2)),
    ("other_funds", sa.Numeric(precision=18, scale=2)),
)


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    # plain SQL both SQLite and PostgreSQL run
    op.execute(
        "UPDATE project SET"
        " competent_department = (SELECT name FROM budget_unit WHERE budget_unit.id = project.unit_id),"
        " implementing_unit = (SELECT name FROM budget_unit WHERE budget_unit.id = project.unit_id),"
        " period_start = CAST(fiscal_year AS VARCHAR(7)),"
        " period_end = CAST(fiscal_year AS VARCHAR(7)),"
        " fiscal_funds = amount,"
        " other_funds = 0"
    )


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
