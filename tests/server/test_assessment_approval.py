"""审定考核结果 (DOMAIN 6 R-AS-1): the leader sees what is approved and chooses afresh."""

from __future__ import annotations

import re

from sqlalchemy import select

from workflows import clock
from workflows.store import HumanTask, ProcessInstance
from workflows.timers import fire_due_timers

from .test_assessment_pages import YEAR, july, office  # noqa: F401 (the fixture)


def _approval(db, spec: str) -> str:
    with db.reading() as session:
        return session.scalar(
            select(HumanTask.id).where(HumanTask.task_spec == spec, HumanTask.status == "open")
        )


def _december(db, office) -> str:  # noqa: F811
    at = clock.parse_moment(f"{YEAR}-12-01T00:00:00")
    clock.set_now(at)
    with db.reading() as session:
        iid = session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.process_id == "unit_assessment")
        )
    fire_due_timers(db, iid, now=at)
    with db.reading() as session:
        return session.scalar(select(HumanTask.id).where(HumanTask.task_spec == "as_score_december"))


def _checked(page: str, value: str) -> bool:
    return bool(re.search(rf'name="as_decision" value="{value}"\s+checked', page))


def test_R_AS_1_the_approval_task_shows_the_ranking_with_points_total_rank_and_unit_codes(
    office,  # noqa: F811
    db_of,
    web,
):
    score = july(db_of, office)
    office.post(f"/assessment/tasks/{score}/score", {})
    page = web("liu.leader").get(f"/tasks/{_approval(db_of, 'as_approve_july')}").text
    assert 'id="approval-ranking"' in page and "考核排名（待审定）" in page
    table = page.split('id="approval-ranking"', 1)[1].split("</section>", 1)[0]
    assert 'class="num rank">1<' in table and "总分" in table and 'data-points="timeliness"' in table
    assert re.search(r"万载县住房和城乡建设局<br><small class=\"code\" translate=\"no\">U001<", table)
    assert "单位编号" not in page and '<td data-label="单位代码">U001</td>' in page  # the earlier step
    assert 'id="submit-confirm"' in page and 'data-value="同意"' in page and "立即通报" in page


def test_R_AS_1_the_december_approval_starts_unchosen_not_with_julys_opinion(office, db_of, web):  # noqa: F811
    leader = web("liu.leader")
    office.post(f"/assessment/tasks/{july(db_of, office)}/score", {})
    approve = _approval(db_of, "as_approve_july")
    first = leader.get(f"/tasks/{approve}").text
    assert not _checked(first, "同意") and not _checked(first, "退回")
    done = leader.post(f"/tasks/{approve}", {"as_decision": "同意", "as_comment": "同意通报。"})
    assert done.status_code == 302
    office = web("zhou.perf")  # noqa: F811 (signed in again after the clock moves)
    office.post(f"/assessment/tasks/{_december(db_of, office)}/score", {})
    page = web("liu.leader").get(f"/tasks/{_approval(db_of, 'as_approve_december')}").text
    assert not _checked(page, "同意") and not _checked(page, "退回")
    assert "同意通报。" not in page.split('id="task-form"', 1)[1].split("</form>", 1)[0]
    assert 'id="approval-ranking"' in page and "12月考核排名（待审定）" in page
    assert "前序环节" in page and "单位代码" in page
