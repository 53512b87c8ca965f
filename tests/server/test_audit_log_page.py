"""审计日志 page (issue 12, item 7): the audit log paged, sorted and filtered in SQL, each action by
its Chinese name; the administrator reads every event, the performance office the events of
process instances, nobody else; exported as listed; the chain check with its first break."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select, update

from workflows import clock
from workflows.store import AuditEvent, User, audit

EVENT_ROW = re.compile(r'<tr data-event="(\d+)" data-action="([a-z_.]+)">')


def rows(html: str) -> list[tuple[int, str]]:
    return [(int(i), a) for i, a in EVENT_ROW.findall(html)]


def test_the_administrator_pages_the_whole_log_newest_first_with_chinese_action_names(web, db_of):
    admin = web("admin")
    with db_of.reading() as session:
        total = session.scalar(select(func.count(AuditEvent.id)))
        newest = session.scalars(select(AuditEvent.id).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
        newest = list(newest)[:20]
    page = admin.get("/audit?per_page=20")
    assert page.status_code == 200
    assert f'data-total="{total}"' in page.text and 'id="pager"' in page.text
    assert [i for i, _a in rows(page.text)] == newest
    assert "创建项目" in page.text and "登录" in page.text  # project.created, user.logged_in
    table = page.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "project.created" not in re.sub(r'data-action="[^"]*"', "", table)
    second = admin.get("/audit?per_page=20&page=2")
    assert not {i for i, _a in rows(second.text)} & set(newest)
    by_actor = rows(admin.get("/audit?sort=actor&dir=asc&per_page=200").text)
    with db_of.reading() as session:
        actors = dict(session.execute(select(AuditEvent.id, AuditEvent.actor)).all())
    names = [actors[i] for i, _a in by_actor]
    assert names == sorted(names)


def test_the_log_filters_by_actor_action_project_code_and_china_dates(web, db_of):
    clock.set_now(clock.parse_moment("2030-01-06T00:30:00"))  # in Beijing; still January 5 in UTC
    zhou = web("zhou.perf")  # user.logged_in at that moment
    admin = web("admin")
    clock.set_now(None)
    on_the_day = rows(admin.get("/audit?date_from=2030-01-06&date_to=2030-01-06").text)
    assert [a for _i, a in on_the_day] == ["user.logged_in", "user.logged_in"]  # zhou and admin
    assert rows(admin.get("/audit?date_from=2030-01-05&date_to=2030-01-05").text) == []
    assert rows(admin.get("/audit?date_from=2030-01-07").text) == []
    logins = rows(admin.get("/audit?actor=zhou&action=user.logged_in").text)
    assert len(logins) == 1
    project = admin.get("/audit?project=WZ2026-002&per_page=200").text
    assert rows(project) and "农村人居环境整治" in project and "WZ2026-001" not in project
    with db_of.reading() as session:
        expected = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "project.created")
        )
    created = rows(admin.get("/audit?action=project.created").text)
    assert len(created) == expected == 5
    assert zhou.get("/audit?actor=admin").status_code == 200


def test_the_actor_filter_takes_a_display_name_as_well_as_a_login(web, db_of):
    """The page shows 张三（住建局填报）; the clerk types 张三 (or part of the name) and gets
    zhang.san's events, as typing the login ``zhang`` does."""
    admin = web("admin")
    web("zhang.san")  # a user.logged_in of zhang.san's
    web("li.si")
    with db_of.reading() as session:
        own = set(session.scalars(select(AuditEvent.id).where(AuditEvent.actor == "zhang.san")))
    assert own
    by_login = rows(admin.get("/audit?actor=zhang&per_page=200").text)
    by_name = rows(admin.get("/audit?actor=张三&per_page=200").text)
    by_part = rows(admin.get("/audit?actor=住建局填报&per_page=200").text)
    assert {i for i, _a in by_name} == {i for i, _a in by_login} == {i for i, _a in by_part} == own
    assert rows(admin.get("/audit?actor=无此人&per_page=200").text) == []
    li_si = {i for i, _a in rows(admin.get("/audit?actor=李四&per_page=200").text)}
    assert li_si and not li_si & own


def test_bad_filters_are_named_field_by_field_and_list_nothing(web):
    admin = web("admin")
    bad = admin.get("/audit?date_from=2026-13-01&action=drop.table&date_to=2026-01-01")
    assert bad.status_code == 400
    assert 'id="audit-log"' not in bad.text and "请检查标红的筛选条件" in bad.text
    assert "请从列表中选择操作类型" in bad.text
    backwards = admin.get("/audit?date_from=2026-02-01&date_to=2026-01-01")
    assert backwards.status_code == 400 and "截止日期不能早于起始日期" in backwards.text
    assert admin.get("/audit?sort=hash;drop&dir=sideways").status_code == 200  # unknown: the default
    assert admin.get("/audit.xlsx?date_from=x").status_code == 400


def test_the_performance_office_reads_instance_events_only_and_others_none(web, db_of):
    zhou = web("zhou.perf")
    listed = rows(zhou.get("/audit?per_page=200").text)
    with db_of.reading() as session:
        with_instance = set(
            session.scalars(select(AuditEvent.id).where(AuditEvent.instance_id.is_not(None))).all()
        )
    assert listed and {i for i, _a in listed} <= with_instance
    assert "user.logged_in" not in {a for _i, a in listed}
    assert len(listed) == min(200, len(with_instance))
    assert "审计日志" in zhou.get("/inbox").text
    for username in ("zhang.san", "li.si", "liu.leader", "wang.expert", "designer"):
        user = web(username)
        assert user.get("/audit").status_code == 403, username
        assert user.get("/audit/verify").status_code == 403, username
        assert user.get("/audit.xlsx").status_code == 403, username
        assert ">审计日志<" not in user.get("/inbox").text, username


def test_the_log_exports_as_listed_cell_for_cell(web, db_of):
    admin = web("admin")
    listed = rows(admin.get("/audit?sort=action&dir=asc&per_page=200").text)
    response = admin.get("/audit.xlsx?sort=action&dir=asc")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data))["审计日志"]
    assert sheet["A1"].value == "审计日志"
    assert [c.value for c in sheet[2]] == [
        "序号",
        "时间",
        "操作人",
        "登录名",
        "操作",
        "流程",
        "项目编码",
        "项目名称",
        "流程实例",
    ]
    body = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in body] == [i for i, _a in listed]
    assert "创建项目" in {r[4] for r in body} and "project.created" not in {r[4] for r in body}
    # people by their Chinese names, the login beside; times as date cells with a format
    with db_of.reading() as session:
        users = dict(session.execute(select(User.username, User.display_name)).all())
    assert all(r[2] == users[r[3]] for r in body if r[3] in users)
    assert any(r[3] in users for r in body) and not {r[2] for r in body} & set(users) - set(users.values())
    assert all(isinstance(r[1], datetime) for r in body)
    assert sheet.cell(3, 2).number_format == "yyyy-mm-dd hh:mm:ss"


def test_the_long_log_exports_in_the_background(app, web):
    app.config["JIXIAO_EXPORT_DIRECT_ROWS"] = 5
    admin = web("admin")
    page = admin.get("/audit").text
    assert 'action="/exports/audit_log"' in page
    assert web("zhang.san").post("/exports/audit_log", {"args": ""}).status_code == 404


def _tamper(db, event_id: int) -> None:
    """Someone edits a row behind the application's back."""
    with db.unit_of_work() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(actor="mallory"))
        session.commit()


def test_the_chain_check_says_intact_then_names_the_first_broken_row(web, db_of):
    """An edit before the last verification's checkpoint is the full verification's to find
    (the administrator's 全面核验, as ``jixiao audit verify``); once found, the broken chain is
    checked from its start again on every request until it is dealt with."""
    admin = web("admin")
    assert 'href="/audit/verify"' in admin.get("/audit").text
    intact = admin.get("/audit/verify").text
    assert 'data-intact="yes"' in intact and "审计链完整" in intact and 'id="verify-all"' in intact
    with db_of.reading() as session:
        victim = session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "project.created").order_by(AuditEvent.id)
        )
    _tamper(db_of, victim)
    since = admin.get("/audit/verify").text  # only what was appended since: the edit is older
    assert 'data-intact="yes"' in since and 'data-full="no"' in since
    with db_of.reading() as session:
        assert audit.verify(session)  # jixiao audit verify still checks everything
    broken = admin.post("/audit/verify").text
    assert 'data-intact="no"' in broken and 'data-full="yes"' in broken
    assert "记录被修改" in broken and "创建项目" in broken
    assert f'href="/audit?event={victim}"' in broken
    assert rows(admin.get(f"/audit?event={victim}").text) == [(victim, "project.created")]
    assert "审计链异常" in web("zhou.perf").get("/audit/verify").text
    assert "审计链异常" in admin.get("/audit/verify").text


def test_a_check_recomputes_only_what_was_appended_since_the_last_one(web, db_of):
    admin = web("admin")
    with db_of.reading() as session:
        total = session.scalar(select(func.count(AuditEvent.id)))
    first = admin.get("/audit/verify").text
    assert 'data-events="' in first and f'data-events="{total}"' in first  # nothing checked yet: all
    zhou = web("zhou.perf")  # appends user.logged_in
    with db_of.reading() as session:
        added = session.scalar(select(func.count(AuditEvent.id))) - total
        newest = session.scalar(select(func.max(AuditEvent.id)))
    second = zhou.get("/audit/verify").text
    assert 'data-intact="yes"' in second and f'data-events="{added}"' in second
    assert 'id="verify-all"' not in second  # the full verification is the administrator's
    assert zhou.post("/audit/verify").status_code == 403
    web("li.si")
    with db_of.reading() as session:
        appended = session.scalar(select(func.max(AuditEvent.id)))
    assert appended > newest
    _tamper(db_of, appended)  # after the checkpoint: the next check finds it
    broken = admin.get("/audit/verify").text
    assert 'data-intact="no"' in broken and 'data-full="no"' in broken and "记录被修改" in broken
    with db_of.reading() as session:
        everything = session.scalar(select(func.count(AuditEvent.id)))
    full = admin.post("/audit/verify").text
    assert 'data-intact="no"' in full and f'data-events="{everything}"' in full
    with db_of.reading() as session:
        recorded = session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.verified")).all()
    assert [(e.actor, e.data["breaks"]) for e in recorded] == [("admin", 1)]
