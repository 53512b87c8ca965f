"""``jixiao users import FILE.csv``: units, finance offices (R-RL-1), users and pool experts
(R-EX-1) from one file into an empty database; a bad row refuses the whole file."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from workflows.cli import main
from workflows.policy import Actor
from workflows.store import AuditEvent, BudgetUnit, Expert, User

HEADER = "username,display_name,roles,unit_code,unit_name,office,office_units,email,password,expert_fields,expert_organisation\n"
GOOD = HEADER + (
    "zhang.san,张三,unit_submitter,U001,万载县住房和城乡建设局,,,,Start@2026,,\n"
    "wang.head,王局长,unit_head,U001,,,,,,,\n"
    "li.na,李娜,unit_submitter,U002,万载县应急管理局,,,,,,\n"
    "li.si,李四,finance_reviewer,,,经济建设科,U001,li@example.cn,,,\n"
    "he.fin,何芳,finance_reviewer,,,行政政法科,U002,,,,\n"
    "wang.expert,王教授,expert,,,,,,,给排水；环境工程,南昌大学\n"
    "zhao.expert,赵高工,expert,U002,,,,,,安全工程,应急管理局\n"
    "admin2,管理员,admin;performance_office,,,,,,,,\n"
)


def _import(database_url, tmp_path, text):
    path = tmp_path / "users.csv"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["--database-url", database_url, "users", "import", str(path)])


def test_users_import_builds_units_offices_users_and_experts_from_an_empty_database(
    db, database_url, tmp_path
):
    result = _import(database_url, tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    assert "imported 8 user(s), 2 new unit(s), 2 office(s), 2 expert(s)" in result.output
    assert "zhang.san\tStart@2026" in result.output
    with db.reading() as session:
        li = session.scalar(select(User).where(User.username == "li.si"))
        u001 = session.scalar(select(BudgetUnit.id).where(BudgetUnit.code == "U001"))
        assert Actor.of(li).office_units == {u001}  # R-RL-1
        assert li.must_change_password and li.email == "li@example.cn"
        zhao = session.scalar(select(Expert).join(User).where(User.username == "zhao.expert"))
        assert zhao.fields == ["安全工程"] and zhao.unit.code == "U002"
        assert session.scalar(select(User).where(User.username == "admin2")).roles == {
            "admin",
            "performance_office",
        }


def test_users_import_refuses_the_whole_file_naming_every_bad_row(db, database_url, tmp_path):
    bad = GOOD + (
        "zhang.san,重复,unit_submitter,U001,,,,,,,\n"
        "x y,坏名字,wizard,U404,,,,,,,\n"
        "wu.expert,吴,expert,,,,,,,,\n"
    )
    result = _import(database_url, tmp_path, bad)
    assert result.exit_code == 1
    assert "第10行" in result.output and "第11行" in result.output and "第12行" in result.output
    assert "\n第2行" not in result.output and "与第2行重复" in result.output
    assert "未知角色 wizard" in result.output and "U404" in result.output
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(BudgetUnit)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_users_import_refuses_unknown_columns(db, database_url, tmp_path):
    result = _import(database_url, tmp_path, "username,display_name,roles,colour\nx.y,x,admin,red\n")
    assert result.exit_code == 1 and "colour" in result.output
