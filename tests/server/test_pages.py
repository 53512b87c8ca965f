"""Browser pages through the test client: login, inbox, task page, project page, security."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from itertools import groupby

from sqlalchemy import select

from tests import factories
from workflows import clock, policy
from workflows.store import Attachment, AuditEvent, FinanceOffice, HumanTask, Project, User

from .conftest import csrf_of, open_task, project_id

VALID_SUBMIT = {
    "amount": "362",
    "start_date": "2026-05-31",
    "category": "service",
    "channel": "local",
    "summary": "农村人居环境整治",
    "confirmed": "1",
    "indicators-0-name": "村庄覆盖率",
    "indicators-0-target": "≥90%",
    "indicators-0-weight": "50",
}


def test_login_page_renders_in_chinese_by_default(client):
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.text and 'lang="zh-CN"' in page.text


def test_wrong_password_is_refused(client):
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": "zhang.san", "password": "x", "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 401 and "用户名或密码错误" in response.text


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"username": "zhang.san", "password": "Jixiao@2026"})
    assert response.status_code == 400 and "安全令牌" in response.text


def test_session_cookie_is_httponly_and_samesite(client):
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": "zhang.san", "password": "Jixiao@2026", "csrf_token": csrf_of(page.text)}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_need_login(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_open_redirect_after_login_is_ignored(client):
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": "zhang.san", "password": "Jixiao@2026", "csrf_token": token},
    )
    assert response.headers["Location"] == "/inbox"


def test_inbox_tabs_show_counts(web):
    page = web("zhang.san").get("/inbox?scope=claimable").text
    assert 'data-scope="claimable"' in page
    assert '待认领 <span class="count">3</span>' in page
    assert "1,261.22 万元" in page  # amounts in 万元 with two decimals
    assert "红色文化展陈" in page and "智慧消防建设" not in page  # the other unit's project stays hidden


def test_inbox_filters_and_search(web):
    me = web("zhang.san")
    page = me.get("/inbox?scope=claimable&q=污水").text
    assert "城市污水处理厂提标改造" in page and "红色文化展陈" not in page
    assert "暂无任务" in me.get("/inbox?scope=claimable&year=1999").text


def test_inbox_dates_are_chinese(web, db_of):
    page = web("zhang.san").get("/inbox?scope=claimable").text
    assert "年" in page and "月" in page and "日" in page


def test_saved_filter_with_count(web):
    me = web("zhang.san")
    response = me.post("/inbox/filters", {"name": "污水项目", "scope": "claimable", "q": "污水"})
    assert response.status_code == 302
    page = me.get("/inbox").text
    assert "污水项目" in page and '<span class="count">1</span>' in page


def test_english_can_be_selected(web):
    me = web("zhang.san")
    me.get("/lang/en")
    page = me.get("/inbox").text
    assert "Claimable" in page and 'lang="en"' in page


def test_task_page_renders_form_widgets_and_context(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    page = web("zhang.san").get(f"/tasks/{task.id}").text
    assert 'type="date"' in page  # date
    assert "<select" in page and "公共服务" in page  # select with labels
    assert 'type="radio"' in page and "转移支付" in page  # radio
    assert "<textarea" in page  # textarea
    assert 'type="checkbox"' in page  # checkbox
    assert 'data-table="indicators"' in page  # table of rows
    assert 'type="file"' in page and 'name="evidence"' in page  # attachments (upload, then pick)
    assert "农村人居环境整治" in page and "362.00 万元" in page  # project facts
    assert "bpmn-navigated-viewer.production.min.js" in page


def test_invalid_submit_shows_chinese_field_errors_and_saves_nothing(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    response = me.post(f"/tasks/{task.id}", {**VALID_SUBMIT, "amount": "-3", "action": "submit"})
    assert response.status_code == 400
    assert 'data-field="amount" role="alert">不能小于 0' in response.text
    assert 'value="-3"' in response.text  # the user's input is kept
    with db_of.reading() as session:
        assert session.get(HumanTask, task.id).status == "open"


def test_non_number_shows_type_error(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    response = web("zhang.san").post(
        f"/tasks/{task.id}", {**VALID_SUBMIT, "amount": "很多", "action": "submit"}
    )
    assert response.status_code == 400 and "类型不正确，应为数字" in response.text


def test_table_row_errors_point_at_the_cell(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    response = web("zhang.san").post(
        f"/tasks/{task.id}", {**VALID_SUBMIT, "indicators-0-weight": "500", "action": "submit"}
    )
    assert response.status_code == 400 and 'data-field="indicators/0/weight"' in response.text


def test_valid_submit_moves_to_unit_head(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    response = web("zhang.san").post(f"/tasks/{task.id}", {**VALID_SUBMIT, "action": "submit"})
    assert response.status_code == 302
    head = web("wang.head").get("/inbox?scope=claimable").text
    assert "单位负责人审核" in head
    assert "单位负责人审核" not in web("chen.head").get("/inbox?scope=claimable").text


def test_draft_is_saved_without_completing(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    response = me.post(f"/tasks/{task.id}", {"amount": "12.5", "action": "draft"})
    assert response.status_code == 302
    assert 'value="12.5"' in me.get(f"/tasks/{task.id}").text
    with db_of.reading() as session:
        assert session.get(HumanTask, task.id).status == "open"


def test_a_refused_submit_keeps_what_was_typed_as_the_draft(web, db_of):
    """Issue 10 (nothing typed is lost): a submit refused with field errors saves the typed values
    as the task's draft, so the clerk who leaves and comes back finds them; the task stays open."""
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    typed = {**VALID_SUBMIT, "amount": "362", "indicators-0-weight": "500", "action": "submit"}
    refused = me.post(f"/tasks/{task.id}", typed)
    assert refused.status_code == 400 and "已填写的内容已保存为草稿" in refused.text
    again = me.get(f"/tasks/{task.id}").text  # left and came back
    assert 'value="362"' in again and 'value="500"' in again
    with db_of.reading() as session:
        row = session.get(HumanTask, task.id)
        assert row.status == "open" and row.draft["amount"] == 362
        assert row.draft["indicators"][0]["weight"] == 500


def test_a_draft_kept_with_an_upload_a_comment_or_a_refused_submit_is_no_step_in_the_history(web, db_of):
    """Nothing typed is lost (issue 10): an upload, a comment and a refused submit each keep the typed
    form as the draft. The clerk pressed 上传, 发表意见 and 提交, never 保存草稿, so the project's
    history shows no 保存草稿 line for them, while the audit log says what each draft was kept for.
    A draft the clerk saves is still a line."""
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    typed = {**VALID_SUBMIT, "amount": "362", "indicators-0-weight": "500"}
    assert me.post(f"/tasks/{task.id}", {**typed, "action": "submit"}).status_code == 400
    assert (
        me.post(f"/tasks/{task.id}/comments", {**typed, "body": "请核对", "action": "comment"}).status_code
        == 302
    )
    upload = me.post(
        f"/tasks/{task.id}/attachments",
        {**typed, "action": "upload", "file": (io.BytesIO(b"%PDF-1.4 demo"), "测算依据.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    history = me.get(f"/projects/{project_id(db_of, 'WZ2026-002')}").text
    assert 'data-action="task.draft_saved"' not in history
    assert 'data-action="comment.added"' in history and 'data-action="attachment.uploaded"' in history
    with db_of.reading() as session:
        kept = session.scalars(
            select(AuditEvent.data)
            .where(AuditEvent.task_id == task.id, AuditEvent.action == "task.draft_saved")
            .order_by(AuditEvent.id)
        ).all()
        # in order; the upload keeps the draft again with the new file chosen in the form
        assert [kind for kind, _ in groupby(d["kept_for"] for d in kept)] == ["submit", "comment", "upload"]
        assert session.get(HumanTask, task.id).draft["amount"] == 362
    log = web("admin").get("/audit?project=WZ2026-002").text  # the audit log says what each was kept with
    for words in ("提交未通过时自动保存", "发表意见时自动保存", "上传附件时自动保存"):
        assert f'<small class="kept-for">{words}</small>' in log
    assert me.post(f"/tasks/{task.id}", {**typed, "action": "draft"}).status_code == 302
    history = me.get(f"/projects/{project_id(db_of, 'WZ2026-002')}").text
    assert history.count('data-action="task.draft_saved"') == 1


def test_a_completed_task_takes_no_more_files_and_reads_as_done(web, api, db_of):
    """A submitted step keeps the files it was decided on: its page offers no upload and marks no
    field required (nothing is left to fill); an upload sent anyway, from the page or the API, is
    refused with a reason and stores nothing. Comments stay open: the discussion goes on."""
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    open_page = me.get(f"/tasks/{task.id}").text
    assert 'id="upload-box"' in open_page and 'class="req"' in open_page
    assert me.post(f"/tasks/{task.id}", {**VALID_SUBMIT, "action": "submit"}).status_code == 302
    done = me.get(f"/tasks/{task.id}").text
    assert 'id="upload-box"' not in done and 'class="req"' not in done
    assert 'id="attachments"' in done and 'id="add-comment"' in done
    pdf = (io.BytesIO(b"%PDF-1.4 demo"), "评估报告.pdf")
    refused = me.post(
        f"/tasks/{task.id}/attachments", {"action": "upload", "file": pdf}, content_type="multipart/form-data"
    )
    assert refused.status_code == 409 and "该任务已办结，不能再上传附件" in refused.text
    through_api = api("zhang.san").post(
        f"/api/v1/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 demo"), "评估报告.pdf")},
        content_type="multipart/form-data",
    )
    assert through_api.status_code == 409
    with db_of.reading() as session:
        assert session.scalars(select(Attachment).where(Attachment.task_id == task.id)).all() == []
    assert me.post(f"/tasks/{task.id}/comments", {"body": "已报送", "action": "comment"}).status_code == 302


def test_the_done_tab_lists_the_latest_done_first_and_offers_no_sort_it_would_ignore(web, db_of):
    """已办 is in the order the work was done, newest first, and shows when (办结时间); its headers
    and the 排序 choice no longer pretend to sort it by 截止日期 or 优先级 (walk of session 13)."""
    me = web("zhang.san")
    for code in ("WZ2026-002", "WZ2026-001"):
        task = open_task(db_of, project_code=code, task_spec="submit")
        assert me.post(f"/tasks/{task.id}", {**VALID_SUBMIT, "action": "submit"}).status_code == 302
    page = me.get("/inbox?scope=completed&sort=priority").text
    assert "办结时间" in page and 'name="sort"' not in page and "sort=due" not in page
    rows = re.findall(r'data-label="项目"><a [^>]*>([^<]+)</a>', page)
    assert rows[:2] == ["城市污水处理厂提标改造", "农村人居环境整治"]  # the one done last first
    assert "办结时间" not in me.get("/inbox?scope=mine").text


def test_a_finished_steps_page_lists_the_steps_before_it_not_itself_or_later(web, db_of):
    """前序环节 on a finished step's page (opened from 已办) are the steps before it: the head's
    later approval and the step itself are not among them (walk of session 13)."""
    review = _to_finance_review(web, db_of)  # 填报, then 单位负责人审核
    submitted = _done_task(db_of, "WZ2026-002", "submit")
    page = web("zhang.san").get(f"/tasks/{submitted}").text
    earlier = page[page.index('id="earlier-steps"') : page.index('class="card no-print diagram-card"')]
    assert "单位负责人审核" not in earlier and "暂无" in earlier
    head = _done_task(db_of, "WZ2026-002", "head_approve")
    later = web("wang.head").get(f"/tasks/{head}").text
    earlier = later[later.index('id="earlier-steps"') : later.index('class="card no-print diagram-card"')]
    assert "单位负责人审核" not in earlier and "暂无" not in earlier  # 填报 only
    assert review.status == "open"


def _done_task(db, code: str, spec: str) -> str:
    with db.reading() as session:
        return session.scalar(
            select(HumanTask.id)
            .join(Project, Project.id == HumanTask.project_id)
            .where(Project.code == code, HumanTask.task_spec == spec, HumanTask.status == "completed")
        )


def test_a_completed_tasks_due_date_is_not_marked_late(web, db_of):
    """截止 in red says the work is late; a finished task is not, whatever the date."""
    review = _to_finance_review(web, db_of)  # 财政审核, due in ten days
    assert review.due_at is not None
    reviewer = web("li.si")
    reviewer.post(f"/tasks/{review.id}/claim")
    clock.set_now(review.due_at + timedelta(days=30))
    assert 'class="due-overdue"' in reviewer.get(f"/tasks/{review.id}").text  # late while open
    decided = {"decision": "return", "review_comment": "退回整改", "action": "submit"}
    assert reviewer.post(f"/tasks/{review.id}", decided).status_code == 302
    done = reviewer.get(f"/tasks/{review.id}").text
    assert "截止：" in done and 'class="due-overdue"' not in done


def test_claim_unclaim_from_pages(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    assert me.post(f"/tasks/{task.id}/claim").status_code == 302
    assert "农村人居环境整治" in me.get("/inbox?scope=mine").text
    assert me.post(f"/tasks/{task.id}/unclaim").status_code == 302
    assert "暂无任务" in me.get("/inbox?scope=mine").text


def _to_finance_review(web, db_of, code="WZ2026-002"):
    task = open_task(db_of, project_code=code, task_spec="submit")
    web("zhang.san").post(f"/tasks/{task.id}", {**VALID_SUBMIT, "action": "submit"})
    head = open_task(db_of, project_code=code, task_spec="head_approve")
    web("wang.head").post(f"/tasks/{head.id}", {"head_approved": "1", "action": "submit"})
    return open_task(db_of, project_code=code, task_spec="finance_review")


def test_reviewer_returns_with_comment_and_submitter_sees_it(web, db_of):
    review = _to_finance_review(web, db_of)
    reviewer = web("li.si")
    reviewer.post(f"/tasks/{review.id}/claim")
    reviewer.post(f"/tasks/{review.id}/comments", {"body": "指标不够量化，请修改"})
    response = reviewer.post(
        f"/tasks/{review.id}", {"decision": "return", "review_comment": "退回整改", "action": "submit"}
    )
    assert response.status_code == 302
    again = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    page = web("zhang.san").get(f"/tasks/{again.id}").text
    assert "指标不够量化，请修改" in page and "退回整改" in page
    assert 'value="362"' in page  # pre-filled from the earlier submission


def test_assign_delegate_and_hand_back(web, db_of, app):
    with db_of.reading() as session:  # a second finance reviewer of li.si's office (R-RL-1)
        office = session.scalar(
            select(FinanceOffice.name)
            .join(User, User.office_id == FinanceOffice.id)
            .where(User.username == "li.si")
        )
    factories.user(db_of, "qian.fin", "finance_reviewer", display_name="钱", office=office)
    review = _to_finance_review(web, db_of)
    reviewer = web("li.si")
    reviewer.post(f"/tasks/{review.id}/claim")
    assert "钱" in reviewer.get(f"/tasks/{review.id}").text  # colleague offered
    assert (
        reviewer.post(f"/tasks/{review.id}/assign", {"username": "qian.fin", "mode": "delegate"}).status_code
        == 302
    )
    with db_of.reading() as session:
        assert session.get(HumanTask, review.id).assignee == "qian.fin"
    assert reviewer.post(f"/tasks/{review.id}/hand-back").status_code == 302
    with db_of.reading() as session:
        assert session.get(HumanTask, review.id).assignee == "li.si"
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == review.id)).all()
    assert {"task.claimed", "task.assigned", "task.delegated", "task.handed_back"} <= set(actions)
    assert reviewer.post(f"/tasks/{review.id}/assign", {"username": "zhang.san"}).status_code == 403


def test_expert_sees_only_assigned_scoring_tasks(web, db_of):
    review = _to_finance_review(web, db_of)
    web("li.si").post(f"/tasks/{review.id}", {"decision": "approve", "action": "submit"})
    assert "专家评分" in web("wang.expert").get("/inbox?scope=mine").text
    assert "专家评分" not in web("sun.expert").get("/inbox?scope=mine").text
    assert "专家评分" not in web("sun.expert").get("/inbox?scope=claimable").text
    with db_of.reading() as session:
        scoring = session.scalars(
            select(HumanTask).where(
                HumanTask.task_spec == "expert_score", HumanTask.assignee == "wang.expert"
            )
        ).one()
    assert web("sun.expert").get(f"/tasks/{scoring.id}").status_code == 404
    response = web("wang.expert").post(f"/tasks/{scoring.id}", {"score": "88", "action": "submit"})
    assert response.status_code == 302


def test_attachment_upload_and_download_from_task_page(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    response = me.post(
        f"/tasks/{task.id}/attachments",
        {"file": (io.BytesIO(b"\x89PNG data"), "现场.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = me.get(f"/tasks/{task.id}").text
    assert "现场.png" in page
    from workflows.store import Attachment

    with db_of.reading() as session:
        attachment = session.scalars(select(Attachment)).one()
    assert me.get(f"/attachments/{attachment.id}").data == b"\x89PNG data"
    assert (
        '<option value="现场.png"  translate="no">现场.png</option>' in me.get(f"/tasks/{task.id}").text
    )  # offered to the form by name
    assert web("li.na").get(f"/attachments/{attachment.id}").status_code == 404


def test_diagram_json_has_xml_and_current_step(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    data = web("zhang.san").get(f"/instances/{task.instance_id}/diagram.json").json
    assert 'id="review"' in data["xml"] and data["open"] == ["submit"] and data["completed"] == []
    assert web("li.na").get(f"/instances/{task.instance_id}/diagram.json").status_code == 404


def test_vendor_serves_bpmn_js_only(client):
    response = client.get("/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    assert response.status_code in (200, 404)  # 404 only when npm ci has not run
    assert client.get("/vendor/other/x.js").status_code == 404
    assert client.get("/vendor/bpmn-js/../../package.json").status_code == 404


def test_project_pages(web, db_of):
    me = web("zhang.san")
    listing = me.get("/projects").text
    assert "城市污水处理厂提标改造" in listing and "智慧消防建设" not in listing
    pid = project_id(db_of, "WZ2026-002")
    page = me.get(f"/projects/{pid}").text
    assert "填报绩效目标" in page and "instance.started" in page and "362.00 万元" in page
    assert web("li.na").get(f"/projects/{pid}").status_code == 404


def test_create_project_from_page(web):
    me = web("zhang.san")
    assert me.get("/projects/new").status_code == 200
    response = me.post(
        "/projects/new",
        {"code": "N-1", "name": "新建测试", "fiscal_year": "2026", "amount": "10", "is_new": "1"},
    )
    assert response.status_code == 302
    bad = me.post("/projects/new", {"code": "", "name": "", "fiscal_year": "x", "amount": "1"})
    assert bad.status_code == 400 and "此项为必填项" in bad.text


def test_logout(web):
    me = web("zhang.san")
    assert me.post("/logout").status_code == 302
    assert me.get("/inbox").status_code == 302


def test_unknown_page_is_404_page_not_500(web):
    response = web("zhang.san").get("/tasks/not-a-task")
    assert response.status_code == 404 and "页面不存在" in response.text


def test_an_error_page_says_what_happened_in_words_with_the_code_below(web):
    page = web("zhang.san").get("/tasks/not-a-task").text
    assert re.search(r"<h1>\s*页面不存在\s*</h1>", page)  # not a bare "404" for a heading
    assert "<title>页面不存在 · Jixiao</title>" in page
    assert "错误代码 404" in page
    assert "要找的页面或任务不存在，或你没有查看它的权限。" in page  # not 未找到 again under the heading
    me = web("zhang.san")
    me.get("/lang/en")
    english = me.get("/tasks/not-a-task").text
    assert re.search(r"<h1>\s*Page not found\s*</h1>", english) and "Error code 404" in english


def test_a_page_not_found_leads_back_to_the_page_of_its_link(web):
    """A stale link (a task since withdrawn, a mistyped address) followed from a page of the site: the
    404 page offers 返回上一页 to it beside 返回待办; from elsewhere, or no link at all, only 返回待办."""
    me = web("zhang.san")
    from_projects = me.get("/tasks/not-a-task", headers={"Referer": "http://localhost/projects?page=2"})
    assert from_projects.status_code == 404
    assert 'href="/projects?page=2"' in from_projects.text and "返回上一页" in from_projects.text
    unknown_page = me.get("/no-such-page", headers={"Referer": "http://localhost/inbox"})
    assert unknown_page.status_code == 404 and 'href="/inbox"' in unknown_page.text
    for referer in ("https://elsewhere.example/tasks", None):
        page = me.get("/tasks/not-a-task", headers={"Referer": referer} if referer else {}).text
        assert "返回上一页" not in page and "返回待办" in page


def test_a_conflict_page_leads_back_to_the_page_it_was_sent_from(web, db_of):
    """A second 认领 of one's own task (a double click): 操作冲突, the reason, and 返回上一页 to the inbox
    it was clicked in (walk of session 12: a conflict page offered only 返回待办)."""
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    inbox = "http://localhost/inbox?scope=claimable"
    assert me.post(f"/tasks/{task.id}/claim", headers={"Referer": inbox}).status_code == 302
    again = me.post(f"/tasks/{task.id}/claim", headers={"Referer": inbox})
    assert again.status_code == 409
    assert re.search(r"<h1>\s*操作冲突\s*</h1>", again.text) and "你已认领该任务，无需重复认领" in again.text
    assert 'href="/inbox?scope=claimable"' in again.text and "返回上一页" in again.text


def test_an_english_conflict_page_reads_the_domains_words_in_english(web, db_of):
    """The conflict words come from workflows/ in Chinese; an English page translates them (walk of
    session 12: 「你已认领该任务，无需重复认领」 under "Conflicting change")."""
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    me = web("zhang.san")
    me.get("/lang/en")
    assert me.post(f"/tasks/{task.id}/claim").status_code == 302
    again = me.post(f"/tasks/{task.id}/claim")
    assert again.status_code == 409
    assert "You have already claimed this task" in again.text and "你已认领" not in again.text


def test_every_listed_conflict_word_is_one_the_domain_raises():
    """server/errors.py lists the domain's conflict words for the catalogue: each is raised in workflows/."""
    from pathlib import Path

    from server.errors import CONFLICT_WORDS

    workflows = Path(__file__).resolve().parents[2] / "workflows"
    source = "".join(p.read_text(encoding="utf-8") for p in workflows.rglob("*.py"))
    assert [w for w in CONFLICT_WORDS if f'"{w}"' not in source] == []


def test_the_browsers_icon_is_served_and_named_by_every_page(web, client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
    assert 'rel="icon"' in web("zhang.san").get("/inbox").text


def test_healthz(client):
    assert client.get("/healthz").json["status"] == "ok"


def test_ops_page_for_admin_only(web):
    assert web("admin").get("/ops/").status_code == 200
    assert web("zhou.perf").get("/ops/").status_code == 403
    assert web("zhang.san").get("/ops/").status_code == 403


def test_admin_resolves_an_incident_and_verifies_the_audit_chain(web, db_of):
    from workflows import commands

    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    incident = commands.record_incident(
        db_of, task.instance_id, "timer", "定时器触发失败", actor=policy.Actor.system()
    )
    admin = web("admin")
    assert "定时器触发失败" in admin.get("/ops/").text
    assert admin.post(f"/ops/incidents/{incident}/resolve").status_code == 302
    assert "定时器触发失败" not in admin.get("/ops/").text
    response = admin.post("/ops/audit/verify", follow_redirects=True)
    assert "审计链完整" in response.text


def test_an_expert_does_not_see_other_experts_scores(web, db_of):
    review = _to_finance_review(web, db_of)
    web("li.si").post(f"/tasks/{review.id}", {"decision": "approve", "action": "submit"})
    with db_of.reading() as session:
        sheets = {
            t.assignee: t.id
            for t in session.scalars(select(HumanTask).where(HumanTask.task_spec == "expert_score")).all()
        }
    web("zhao.expert").post(
        f"/tasks/{sheets['zhao.expert']}", {"score": "71.5", "opinion": "测算偏高", "action": "submit"}
    )
    page = web("wang.expert").get(f"/tasks/{sheets['wang.expert']}").text
    assert "测算偏高" not in page and "71.5" not in page
    assert "测算偏高" in web("zhou.perf").get(f"/tasks/{sheets['wang.expert']}").text


def test_inbox_opens_on_claimable_when_nothing_is_assigned(web):
    page = web("zhang.san").get("/inbox").text
    assert 'class="active" data-scope="claimable"' in page and "农村人居环境整治" in page


def test_earlier_indicator_table_is_shown_as_a_table_on_the_next_step(web, db_of):
    task = open_task(db_of, project_code="WZ2026-002", task_spec="submit")
    assert web("zhang.san").post(f"/tasks/{task.id}", {**VALID_SUBMIT, "action": "submit"}).status_code == 302
    head = open_task(db_of, project_code="WZ2026-002", task_spec="head_approve")
    page = web("wang.head").get(f"/tasks/{head.id}").text
    # the submitted indicator rows appear as table cells, not as a Python list
    assert '<table class="rows">' in page
    assert re.search(r"<td[^>]*>村庄覆盖率</td>", page)
    assert "[{" not in page
