"""``jixiao demo load`` and how amounts and dates read (万元, 2026年5月31日)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from click.testing import CliRunner
from sqlalchemy import func, select

from server import formatting, labels
from workflows.cli import main
from workflows.store import ProcessInstance, Project, User


def test_demo_load_is_idempotent_and_starts_deployed_review_paths(db, database_url, deploy):
    deploy("approval")
    runner = CliRunner()
    first = runner.invoke(main, ["--database-url", database_url, "demo", "load"])
    assert first.exit_code == 0, first.output
    assert "20 user(s), 5 project(s) added; 5 project(s) started" in first.output
    second = runner.invoke(main, ["--database-url", database_url, "demo", "load"])
    assert "0 user(s), 0 project(s) added; 0 project(s) started" in second.output
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 20
        assert session.scalar(select(func.count()).select_from(Project)) == 5
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 5
        experts = session.scalars(select(User)).all()
        assert sum("expert" in u.roles for u in experts) == 3


def test_demo_load_without_any_process_only_loads_data(db, database_url):
    result = CliRunner().invoke(main, ["--database-url", database_url, "demo", "load"])
    assert result.exit_code == 0 and "0 project(s) started" in result.output


def test_amounts_in_wan_with_two_decimals(app):
    with app.test_request_context():
        assert formatting.wan(Decimal("1261.22")) == "1,261.22 万元"
        assert formatting.wan(189.123) == "189.12 万元"
        assert formatting.wan(None) == "—"


def test_an_attachments_size_reads_in_bytes_kilobytes_or_megabytes():
    """A 50-byte file read 「0.0 KB」 on the task page (walk of session 12)."""
    assert formatting.file_size(50) == "50 B"
    assert formatting.file_size(2048) == "2.0 KB"
    assert formatting.file_size(3 * 1024 * 1024 + 1024 * 512) == "3.5 MB"


def test_budget_cut_ratios_read_as_percentages():
    """R-RA-1's ratio as the project page shows it (0.3000 from the database → 30%)."""
    assert formatting.percent(Decimal("0.3000")) == "30%"
    assert formatting.percent(Decimal("0.125")) == "12.5%"
    assert formatting.percent(0) == "0%"
    assert formatting.percent(None) == "—"


def test_dates_in_chinese_and_english(app):
    moment = datetime(2026, 5, 31, 2, 0, tzinfo=UTC)  # 10:00 in China
    with app.test_request_context():
        assert formatting.cn_date(moment) == "2026年5月31日"
        assert formatting.cn_date(date(2026, 5, 31)) == "2026年5月31日"
        assert formatting.cn_datetime(moment) == "2026年5月31日 10:00"
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert formatting.cn_date(moment) == "31 May 2026"


def test_role_names_are_chinese(app):
    with app.test_request_context():
        assert labels.role_name("finance_reviewer") == "财政业务科室"
