"""扶贫资金项目月度评价 pages (DOMAIN R-AS-2): start, the review sheet, the ranking and its items,
a unit's rectification, the Excel export re-read with openpyxl."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from workflows import clock
from workflows.engine import specs
from workflows.store import (
    BudgetUnit,
    HumanTask,
    PovertyIssue,
    PovertyMonth,
    PovertyScore,
    ProcessInstance,
    Project,
)
from workflows.timers import fire_due_timers

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2026
ZJ, YJ = "万载县住房和城乡建设局", "万载县应急管理局"


@pytest.fixture
def office(web, db_of):
    """The real bundle; each unit declares a poverty-fund project on the new-project page
    (住建局 a 细散小 one of 8 万元), in the autumn before the year."""
    with db_of.unit_of_work() as uow:
        specs.deploy(uow, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        uow.commit()
    clock.set_now(clock.parse_moment(f"{YEAR - 1}-10-10T09:00:00"))
    for user, code, name, amount in (
        ("zhang.san", "FP-ZJ-01", "脱贫村道路硬化", "8"),
        ("li.na", "FP-YJ-01", "易地搬迁安置点消防设施", "150"),
    ):
        page = web(user)
        assert "扶贫（乡村振兴）资金" in page.get("/projects/new").text
        created = page.post(
            "/projects/new",
            {"code": code, "name": name, "fiscal_year": str(YEAR), "amount": amount,
             "fund_type": "poverty_alleviation", "is_new": "0"},
        )  # fmt: skip
        assert created.status_code == 302, created.text
    clock.set_now(clock.parse_moment(f"{YEAR}-03-02T09:00:00"))
    return web("zhou.perf")


def open_may(db, office) -> str:
    """Start the year on the page, then let June 1 come; returns May's review task."""
    assert office.post("/poverty/start", {"year": str(YEAR)}).status_code == 302
    at = clock.parse_moment(f"{YEAR}-06-01T00:00:00")
    clock.set_now(at)
    with db.reading() as session:
        iid = session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.business_key == f"poverty-ranking-{YEAR}-05")
        )
    assert fire_due_timers(db, iid, now=at) == 1
    with db.reading() as session:
        return session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "pr_review"))


def unit_ids(db) -> dict[str, int]:
    with db.reading() as session:
        return {name: uid for uid, name in session.execute(select(BudgetUnit.id, BudgetUnit.name))}


def published(db, office, web) -> int:
    task_id = open_may(db, office)
    assert office.post(f"/poverty/tasks/{task_id}/review", {}).status_code == 302
    with db.reading() as session:
        approve = session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "pr_approve"))
        month_id = session.scalar(select(PovertyMonth.id))
    assert web("liu.leader").post(f"/tasks/{approve}", {"as_decision": "同意"}).status_code == 302
    return month_id


def test_R_AS_2_office_starts_the_year_and_again_changes_nothing(office, web):
    first = office.post("/poverty/start", {"year": str(YEAR)})
    assert first.status_code == 302
    page = office.get("/poverty").text
    assert "已启动2026年扶贫资金项目月度评价：3月至12月" in page
    assert (
        'id="month-2026-3" data-status="waiting"' in page
        and 'id="month-2026-1" data-status="not_started"' in page
    )
    office.post("/poverty/start", {"year": str(YEAR)})
    assert "此前已启动" in office.get("/poverty").text
    assert office.post("/poverty/start", {"year": "1800"}).status_code == 400
    assert web("zhang.san").post("/poverty/start", {"year": str(YEAR)}).status_code == 403
    assert "扶贫资金评价" in office.get("/inbox").text and "扶贫资金评价" in web("li.si").get("/inbox").text
    assert "扶贫资金评价" not in web("zhang.san").get("/inbox").text  # a unit reaches it through its tasks


def test_R_AS_2_the_review_sheet_refuses_an_adjustment_without_a_reason(office, db_of):
    task_id = open_may(db_of, office)
    redirected = office.get(f"/tasks/{task_id}")
    assert redirected.status_code == 302 and redirected.location.endswith(f"/poverty/tasks/{task_id}/review")
    sheet = office.get(f"/poverty/tasks/{task_id}/review").text
    assert ZJ in sheet and YJ in sheet and "不超过 ±10 分" in sheet
    ids = unit_ids(db_of)
    bad = office.post(f"/poverty/tasks/{task_id}/review", {f"adjustment_{ids[ZJ]}": "2"})
    assert bad.status_code == 400 and "调整得分须说明理由" in bad.text
    too_much = office.post(
        f"/poverty/tasks/{task_id}/review", {f"adjustment_{ids[ZJ]}": "12", f"reason_{ids[ZJ]}": "x"}
    )
    assert too_much.status_code == 400 and "调整分应在 -10 至 10 分之间" in too_much.text
    with db_of.reading() as session:
        assert session.get(HumanTask, task_id).status == "open"
    done = office.post(
        f"/poverty/tasks/{task_id}/review",
        {f"adjustment_{ids[ZJ]}": "1", f"reason_{ids[ZJ]}": "已提交项目整合方案"},
    )
    assert done.status_code == 302
    # opened again from 已办: the month's ranking it made, not 「本月没有扶贫资金项目」 and a live button
    with db_of.reading() as session:
        month_id = session.scalar(select(PovertyMonth.id).where(PovertyMonth.month == 5))
    again = office.get(f"/poverty/tasks/{task_id}/review")
    assert again.status_code == 302 and again.location.endswith(f"/poverty/months/{month_id}")
    assert "本月没有扶贫资金项目" not in office.get(again.location).text


def test_R_AS_2_the_ranking_is_published_and_each_unit_reads_its_own_items(office, db_of, web):
    task_id = open_may(db_of, office)
    office.post(f"/poverty/tasks/{task_id}/review", {})
    with db_of.reading() as session:
        month_id = session.scalar(select(PovertyMonth.id))
        approve = session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "pr_approve"))
    zhang = web("zhang.san")
    assert zhang.get(f"/poverty/months/{month_id}").status_code == 404  # not published yet
    before = office.get(f"/poverty/months/{month_id}").text
    assert "待领导审定" in before and 'class="num rank">1<' in before and "细散小" in before
    assert web("liu.leader").post(f"/tasks/{approve}", {"as_decision": "同意"}).status_code == 302
    notice = zhang.get(f"/poverty/months/{month_id}").text
    assert "通报" in notice and "已通报" in notice and "本单位问题反馈清单" in notice
    assert "脱贫村道路硬化" in notice and 'data-supervise="yes"' in notice  # 98 of 2: the bottom one
    assert (
        "易地搬迁安置点消防设施" not in notice.split('id="issues"')[1]
    )  # 应急局 had nothing; the other unit's items never
    assert "问题反馈清单" in web("li.si").get(f"/poverty/months/{month_id}").text
    assert "查看通报" in zhang.get("/poverty").text


def test_R_AS_2_the_unit_rectifies_on_its_page(office, db_of, web):
    published(db_of, office, web)
    with db_of.reading() as session:
        (task,) = session.scalars(select(HumanTask).where(HumanTask.task_spec == "pr_rectify")).all()
        (issue,) = session.scalars(select(PovertyIssue)).all()
    assert web("li.na").get(f"/poverty/tasks/{task.id}/rectify").status_code == 404  # another unit's task
    zhang = web("zhang.san")
    redirected = zhang.get(f"/tasks/{task.id}")
    assert redirected.location.endswith(f"/poverty/tasks/{task.id}/rectify")
    page = zhang.get(f"/poverty/tasks/{task.id}/rectify").text
    assert "项目金额 8.00 万元低于 20 万元（细散小）" in page
    # named as the inbox names it (整改扶贫资金项目问题), not in other words
    assert "<title>整改扶贫资金项目问题" in page and "<h1>整改扶贫资金项目问题 <small" in page
    empty = zhang.post(f"/poverty/tasks/{task.id}/rectify", {f"measure_{issue.id}": " "})
    assert empty.status_code == 400 and "请填写整改措施" in empty.text
    done = zhang.post(
        f"/poverty/tasks/{task.id}/rectify", {f"measure_{issue.id}": "并入全乡道路硬化项目统一实施"}
    )
    assert done.status_code == 302
    with db_of.reading() as session:
        assert session.get(PovertyIssue, issue.id).measure == "并入全乡道路硬化项目统一实施"
        assert session.get(HumanTask, task.id).status == "completed"


def test_R_AS_2_the_ranking_exports_cell_for_cell(office, db_of, web):
    """扶贫资金项目绩效管理评价排名 (issue 12 item 2): the ranking and the item list, as on the page."""
    month_id = published(db_of, office, web)
    with db_of.reading() as session:
        scores = session.execute(
            select(PovertyScore.rank, BudgetUnit.name, PovertyScore.total, PovertyScore.supervise)
            .join(BudgetUnit, BudgetUnit.id == PovertyScore.unit_id)
            .where(PovertyScore.month_id == month_id)
            .order_by(PovertyScore.rank, BudgetUnit.name)
        ).all()
        items = session.execute(
            select(BudgetUnit.name, Project.code, PovertyIssue.detail)
            .join(BudgetUnit, BudgetUnit.id == PovertyIssue.unit_id)
            .join(Project, Project.id == PovertyIssue.project_id)
        ).all()
    response = office.get(f"/poverty/months/{month_id}.xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    ranking, problems = book["月度排名"], book["问题清单"]
    assert ranking["A1"].value == f"{YEAR}年5月扶贫资金项目绩效管理评价排名"
    assert [c.value for c in ranking[2]] == [
        "名次", "预算单位", "项目数", "项目金额（万元）", "红灯预警（项）", "金额填报错误（项）",
        "绩效指标填报不规范（项）", "细散小项目（项）", "扣分", "调整分", "调整理由", "总分", "督导",
    ]  # fmt: skip
    body = [(r[0], r[1], r[11], r[12]) for r in ranking.iter_rows(min_row=3, values_only=True)]
    assert body == [(rank, name, float(total), "督导" if sup else None) for rank, name, total, sup in scores]
    assert [r[3] for r in ranking.iter_rows(min_row=3, values_only=True)] == [150.0, 8.0]
    assert ranking.cell(3, 4).number_format == "#,##0.00" and ranking.cell(3, 12).number_format == "0.00"
    rows = [(r[0], r[1], r[4]) for r in problems.iter_rows(min_row=3, values_only=True)]
    assert rows == [tuple(i) for i in items] and problems[2][3].value == "问题类型"
    assert web("zhang.san").get(f"/poverty/months/{month_id}.xlsx").status_code == 200  # published: readable


def test_R_AS_2_poverty_tasks_in_the_inbox_show_their_month_and_unit(office, db_of, web):
    """A poverty-fund task has no project: the inbox row names the month it evaluates in the
    project column (and the year), the unit for a unit's rectification, 各预算单位 for the sheet."""

    def row(html: str, title: str) -> str:
        start = html.index(title)
        return html[start : html.index("</tr>", start)]

    task_id = open_may(db_of, office)
    review = row(office.get("/inbox?scope=claimable").text, "审核扶贫资金月度评价表")
    assert "2026年5月扶贫资金项目" in review and "月度绩效评价排名" in review and "各预算单位" in review
    assert "—" not in review.split("截止")[0].split("</td>")[1]  # the project cell is not empty
    assert office.post(f"/poverty/tasks/{task_id}/review", {}).status_code == 302
    with db_of.reading() as session:
        approve = session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "pr_approve"))
    assert web("liu.leader").post(f"/tasks/{approve}", {"as_decision": "同意"}).status_code == 302
    rectify = row(web("zhang.san").get("/inbox?scope=claimable").text, "整改扶贫资金项目问题")
    assert "2026年5月扶贫资金项目" in rectify and ZJ in rectify
    assert '<td class="half" data-label="年度">2026</td>' in rectify


def test_R_AS_2_an_english_page_names_the_month_in_english(office, db_of, web):
    """The month a sheet evaluates reads June 2026 on an English page, 2026年6月 on a Chinese one."""
    published(db_of, office, web)
    with db_of.reading() as session:
        task = session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "pr_rectify"))
        month_id = session.scalar(select(PovertyMonth.id))
    zhang = web("zhang.san")
    assert "2026年5月扶贫资金项目" in zhang.get("/inbox?scope=claimable").text
    zhang.get("/lang/en")
    inbox = zhang.get("/inbox?scope=claimable").text
    assert "Poverty-alleviation fund projects, May 2026" in inbox and "2026年5月" not in inbox
    rectify = zhang.get(f"/poverty/tasks/{task}/rectify").text
    assert '<small class="month">May 2026</small>' in rectify and "2026年5月" not in rectify
    ranking = office.get(f"/poverty/months/{month_id}").text
    assert "2026年5月" in ranking  # the office's page is still Chinese
    office.get("/lang/en")
    assert (
        "Notice on the evaluation of poverty-fund projects, May 2026"
        in office.get(f"/poverty/months/{month_id}").text
    )
