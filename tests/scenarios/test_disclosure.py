"""公开 the disclosure register and the public page (DOMAIN R-TG-3, R-RA-4, R-EV-4, R-AS-1)."""

from __future__ import annotations

import re
from io import BytesIO

import openpyxl
import pytest
from sqlalchemy import select

from demo import form_data as forms
from server import create_app
from tests import factories
from tests.scenarios.conftest import YEAR, in_role
from tests.server.conftest import csrf_of
from workflows import commands
from workflows.errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid
from workflows.queries import disclosure
from workflows.store import AuditEvent, Project

OFFICE = in_role("performance_office", None)
WITHHELD_BECAUSE = "展陈涉及未公开的馆藏文物资料。"


@pytest.fixture
def year_items(paths):
    """Two projects of the year through results application: 污水 evaluated by a third party
    and published-able, 红色文化 marked 涉密或敏感 by finance (R-RA-4)."""
    commands.start_assessment_year(paths.db, YEAR, actor=OFFICE)
    open_iid = paths.start(project_name="城市污水处理厂提标改造")
    paths.to_evaluation(open_iid)
    paths.do(open_iid, "ev_self", forms.self_evaluation(362.0, 350.0))
    paths.do(open_iid, "ev_finance_review", forms.evaluation_review(90, select_third_party=True))
    paths.do(open_iid, "ev_third_party", forms.third_party_evaluation(88.5))
    paths.do(open_iid, "ra_feedback", forms.results_feedback())
    hidden_iid = paths.start(project_name="红色文化展陈")
    paths.to_evaluation(hidden_iid)
    paths.evaluate(hidden_iid, 79)
    withheld = {**forms.results_feedback(sensitive=True), "ra_comment": WITHHELD_BECAUSE}
    paths.do(hidden_iid, "ra_feedback", withheld)
    return paths.project_row(open_iid).id, paths.project_row(hidden_iid).id


def register(paths):
    with paths.db.reading() as session:
        return disclosure.register(session, YEAR)


def test_R_RA_4_register_lists_what_is_due_and_marks_sensitive_items_withheld(paths, year_items):
    shown, hidden = year_items
    found = register(paths)
    listed = {(r.kind, r.subject_id) for r in found.rows if not r.kind.startswith("ranking_")}
    assert listed == {("targets", shown), ("results", shown), ("key_report", shown)} | {
        ("targets", hidden),
        ("results", hidden),
    }
    assert found.sensitive_count == 2  # 红色文化's targets and results
    withheld = [r for r in found.rows if r.sensitive]
    assert {r.subject_id for r in withheld} == {hidden} and not any(r.publishable for r in withheld)
    assert all(r.withheld == f"不予公开（涉密或敏感）：{WITHHELD_BECAUSE}" for r in withheld)
    open_rows = [r for r in found.rows if not r.sensitive]
    assert all(r.withheld is None for r in open_rows)
    due = {r.kind: r.due_on.isoformat() for r in open_rows}
    assert due["targets"] == f"{YEAR}-03-31" and due["results"] == f"{YEAR + 1}-08-31"
    assert due["key_report"] == f"{YEAR + 1}-09-30"
    assert all(
        r.published_at is None and r.publishable for r in open_rows if r.kind in ("targets", "results")
    )


def _office_staff_and_project_names(paths) -> dict[int, str]:
    """A performance-office account ``perf.staff`` to read the register with; the projects' names."""
    with paths.db.unit_of_work() as uow:
        factories.user(uow, "perf.staff", "performance_office")
        uow.commit()
    with paths.db.reading() as session:
        return dict(session.execute(select(Project.id, Project.name)).all())


def test_R_RA_4_the_api_register_lists_a_withheld_item_with_its_reason_as_the_excel_does(
    paths, year_items, anonymous
):
    """Walkthrough finding: the API's register only counted the items withheld as 涉密或敏感; it
    lists them, as the Excel register does, marked 不予公开 with the reason; the public page still
    never shows them."""
    shown, hidden = year_items
    names = _office_staff_and_project_names(paths)
    token = anonymous.post(
        "/api/v1/auth/token", json={"username": "perf.staff", "password": factories.PASSWORD}
    ).json["token"]
    answer = anonymous.get(f"/api/v1/disclosure?year={YEAR}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json
    withheld = [r for r in body["rows"] if r["subject_id"] == hidden and not r["kind"].startswith("ranking_")]
    assert sorted(r["kind"] for r in withheld) == ["results", "targets"]
    for row in withheld:
        assert row["sensitive"] is True and row["publishable"] is False and row["published_at"] is None
        assert row["withheld"] == f"不予公开（涉密或敏感）：{WITHHELD_BECAUSE}"
        assert row["withheld_reason"] == WITHHELD_BECAUSE and names[hidden] in row["title"]
    assert body["sensitive_count"] == 2
    others = [r for r in body["rows"] if r not in withheld]
    assert others and all(r["sensitive"] is False and r["withheld"] is None for r in others)
    export = anonymous.get(f"/disclosure.xlsx?year={YEAR}")  # not signed in on the pages: no workbook
    assert export.status_code in (302, 401, 403)
    assert names[hidden] not in anonymous.get(f"/public/{YEAR}").text  # the public page never shows it


def test_R_RA_4_a_sensitive_item_is_refused_publication(paths, year_items):
    _shown, hidden = year_items
    with pytest.raises(BusinessRuleRefused):
        commands.publish_item(paths.db, "results", hidden, actor=OFFICE)


def test_R_TG_3_publishing_is_the_offices_decision_recorded_once_and_audited(paths, year_items):
    shown, _hidden = year_items
    with pytest.raises(Forbidden):
        commands.publish_item(paths.db, "targets", shown, actor=in_role("unit_submitter", paths.unit_id))
    commands.publish_item(paths.db, "targets", shown, actor=OFFICE)
    with pytest.raises(Conflict):
        commands.publish_item(paths.db, "targets", shown, actor=OFFICE)
    row = next(r for r in register(paths).rows if r.kind == "targets")
    assert row.published_at is not None and not row.publishable
    with paths.db.reading() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "disclosure.published"))
        assert event.actor == OFFICE.username and event.data["project"] == shown


@pytest.fixture
def anonymous(paths, database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "JIXIAO_DATABASE_URL": database_url,
            "JIXIAO_TRANSLATIONS_DIR": str(tmp_path / "translations"),
        }
    )
    yield app.test_client()
    app.extensions["jixiao_db"].dispose()


def test_R_RA_4_public_page_needs_no_login_and_shows_only_published_items(paths, year_items, anonymous):
    shown, hidden = year_items
    with paths.db.reading() as session:
        code = session.scalar(select(Project.code).where(Project.id == shown))
        hidden_name = session.scalar(select(Project.name).where(Project.id == hidden))
    page = anonymous.get(f"/public/{YEAR}")
    assert page.status_code == 200 and code not in page.text  # nothing published yet
    commands.publish_item(paths.db, "targets", shown, actor=OFFICE)
    commands.publish_item(paths.db, "key_report", shown, actor=OFFICE)
    page = anonymous.get(f"/public/{YEAR}").text
    targets, rest = page.split('id="public-results"')
    results, reports = rest.split('id="public-key-reports"')
    assert code in targets and "按期完成" in targets  # the approved targets as set (R-TG-3)
    assert code not in results  # results not published yet
    assert "独立评价" in reports  # the key-evaluation report (R-EV-4)
    commands.publish_item(paths.db, "results", shown, actor=OFFICE)
    results = anonymous.get(f"/public/{YEAR}").text.split('id="public-results"')[1]
    assert code in results.split('id="public-key-reports"')[0]
    assert hidden_name not in anonymous.get(f"/public/{YEAR}").text  # sensitive: never shown
    assert f"/public/{YEAR}" in anonymous.get("/public").text
    assert 'href="/public"' in anonymous.get("/login").text  # reachable from the login page


def test_R_AS_1_the_demo_year_has_a_published_july_ranking_and_published_items(db):
    """``make run``'s demo: the July cycle scored by 周敏, approved by the leader, published."""
    from pathlib import Path

    import demo
    from workflows.engine import specs
    from workflows.store import AssessmentCycle, AssessmentScore, Disclosure

    root = Path(__file__).resolve().parents[2]
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(root / "bpmn", root / "forms"), actor="designer")
        session.commit()
    demo.load(db)
    with db.reading() as session:
        july = session.scalar(select(AssessmentCycle).where(AssessmentCycle.cycle == "july"))
        assert july.published and july.approved_by == "liu.leader"
        scores = session.execute(
            select(AssessmentScore.rank, AssessmentScore.facts).where(AssessmentScore.cycle_id == july.id)
        ).all()
        kinds = set(session.scalars(select(Disclosure.kind)))
    ranks = sorted(rank for rank, _facts in scores)
    assert ranks[0] == 1 and len(ranks) == len(demo.data.UNITS)  # every unit ranked, 未抽查 too
    assert any(not facts.get("spot_checked") for _rank, facts in scores)  # the demo has such units
    assert {"targets", "results"} <= kinds
    demo.load(db)  # again: nothing twice
    with db.reading() as session:
        assert session.scalar(select(AssessmentCycle.id).where(AssessmentCycle.cycle == "july")) == july.id


@pytest.mark.parametrize("key", disclosure.REGISTER_SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_R_RA_4_the_register_pages_and_sorts_in_sql_as_the_whole_list_sorts(
    paths, year_items, key, descending
):
    """Paged by the database (issue 12, item 7): each page of each order is that slice of the whole
    register sorted the same way; the sensitive items listed as 涉密不公开, never publishable."""
    from workflows.queries.paging import Order, sort_list

    shown, hidden = year_items
    commands.publish_item(paths.db, "targets", shown, actor=OFFICE)
    keys = {
        "kind": lambda r: (list(disclosure.KIND_NAMES).index(r.kind), r.title),
        "title": lambda r: r.title,
        "unit": lambda r: r.unit_name or "",
        "due": lambda r: r.due_on,
        "published": lambda r: r.published_at,
    }
    order = Order(key, descending)
    with paths.db.reading() as session:
        whole = disclosure.register(session, YEAR).rows
        paged = [
            r
            for number in (1, 2, 3, 4, 5)
            for r in disclosure.register_page(session, YEAR, order, page=number, per_page=1).items
        ]
    expected, _order = sort_list(whole, keys, order, disclosure.REGISTER_DEFAULT)
    assert len(whole) == 5  # 污水's three items (no cycle opened yet) and 红色文化's two, sensitive
    withheld = [r for r in paged if r.sensitive]
    assert len(paged) == 5 and {(r.subject_id, r.publishable) for r in withheld} == {(hidden, False)}
    assert [keys[key](r) for r in paged] == [keys[key](r) for r in expected]
    assert {r.subject_id for r in paged if not r.kind.startswith("ranking_") and not r.sensitive} == {shown}


def test_R_RA_4_the_register_page_marks_a_withheld_item_and_asks_before_publishing(
    paths, year_items, anonymous
):
    """The staff see why an item is missing from the public page (涉密不公开, no 公开 button),
    and 公开 asks first (a Chinese dialog, static/confirm.js)."""
    shown, hidden = year_items
    with paths.db.unit_of_work() as uow:
        factories.user(uow, "perf.staff", "performance_office")
        uow.commit()
    token = csrf_of(anonymous.get("/login").text)
    login = anonymous.post(
        "/login", data={"username": "perf.staff", "password": factories.PASSWORD, "csrf_token": token}
    )
    assert login.status_code == 302
    page = anonymous.get(f"/disclosure?year={YEAR}").text
    rows = re.findall(
        r'<tr data-kind="(\w+)" data-subject="(\d+)"[^>]*?(data-sensitive="yes")?>(.*?)</tr>', page, re.S
    )
    withheld = [(kind, int(subject)) for kind, subject, mark, _cells in rows if mark]
    assert sorted(withheld) == sorted([("targets", hidden), ("results", hidden)])
    assert all("涉密不公开" in cells and "<button" not in cells for _k, _s, mark, cells in rows if mark)
    assert any("<button" in cells for _k, subject, mark, cells in rows if int(subject) == shown and not mark)
    assert 'data-confirm="公开「' in page and "不能撤回" in page and "confirm.js" in page


def test_R_RA_4_the_register_export_lists_a_withheld_item_as_not_published_with_its_reason(
    paths, year_items, anonymous
):
    """The Excel register is the whole register: an item withheld as 涉密或敏感 is a row marked
    不予公开 with the reason given at the results feedback, never left out (issue 10/12, item 5)."""
    shown, hidden = year_items
    names = _office_staff_and_project_names(paths)
    token = csrf_of(anonymous.get("/login").text)
    anonymous.post(
        "/login", data={"username": "perf.staff", "password": factories.PASSWORD, "csrf_token": token}
    )
    export = anonymous.get(f"/disclosure.xlsx?year={YEAR}")
    assert export.status_code == 200
    rows = [
        [str(v or "") for v in row]
        for row in openpyxl.load_workbook(BytesIO(export.data)).active.iter_rows(values_only=True)
    ]
    withheld = [r for r in rows if names[hidden] in r[1]]
    assert [r[0] for r in withheld] == ["绩效目标（随预算公开）", "绩效评价结果（随决算公开）"]
    assert all(r[4] == f"不予公开（涉密或敏感）：{WITHHELD_BECAUSE}" for r in withheld)
    assert len([r for r in rows if names[shown] in r[1]]) == 3  # its three items, still 未公开
    assert all(r[4].startswith("未公开") for r in rows if names[shown] in r[1])
    assert names[hidden] not in anonymous.get(f"/public/{YEAR}").text  # the public page never shows it


def test_R_RA_4_results_feedback_refuses_disclose_and_sensitive_together(paths):
    """R-RA-4: the feedback form refuses 随决算公开 ticked with 涉密或敏感 (a field error), nothing saved."""
    iid = paths.start(project_name="红色文化展陈")
    paths.to_evaluation(iid)
    paths.evaluate(iid, 79)
    both = {**forms.results_feedback(sensitive=True), "ra_disclose": True}
    with pytest.raises(FormInvalid) as refused:
        paths.do(iid, "ra_feedback", both)
    assert "ra_disclose" in refused.value.fields and "涉密" in refused.value.fields["ra_disclose"][0]
    assert paths.open(iid) == ["ra_feedback"]


def test_a_public_year_with_nothing_published_and_unknown_is_not_found_in_words(paths, year_items, anonymous):
    """Walkthrough 12, finding 10: /public/1999 answered an empty page; a year the county keeps
    (it has projects) still opens, empty, until something is published."""
    page = anonymous.get("/public/1999")
    assert page.status_code == 404
    assert "未找到1999年度的公开信息" in page.text and 'href="/public"' in page.text
    assert anonymous.get(f"/public/{YEAR}").status_code == 200
