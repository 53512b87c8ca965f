"""Dashboard figures equal the rows of the list each one links to (issue 12, item 1)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from workflows import clock
from workflows.policy import Actor
from workflows.queries import dashboard, projects
from workflows.queries.project_filter import ProjectFilter
from workflows.store import Project

FINANCE = Actor("li.si", frozenset({"finance_reviewer"}))
LATER = timedelta(days=400)  # every open task of the demo is past due by then


def _figures(board: dashboard.Dashboard):
    yield board.total
    yield board.overdue
    yield board.cuts
    yield board.lagging
    yield from board.by_stage
    yield from board.by_grade
    for unit in board.units:
        yield from (unit.projects, unit.overdue, unit.cuts, *unit.grades)


def _listed(session, actor, figure, now) -> tuple[int, Decimal]:
    rows = session.scalars(projects.listing(actor, filters=figure.filter, now=now)).all()
    return len(rows), sum((Decimal(str(r.amount)) for r in rows), Decimal(0)).quantize(Decimal("0.01"))


def test_every_figure_counts_the_rows_of_the_list_it_links_to(demo_db):
    now = clock.now() + LATER
    with demo_db.reading() as session:
        years = dashboard.years(session, FINANCE)
        assert len(years) >= 2
        seen = set()
        for year in years:
            board = dashboard.build(session, FINANCE, ProjectFilter(year=year), now=now)
            for figure in _figures(board):
                if figure.key == "cuts":  # amount is the cut, not the projects' amount
                    assert projects.count(session, FINANCE, figure.filter, now=now) == figure.count
                    continue
                assert _listed(session, FINANCE, figure, now) == (figure.count, figure.amount), figure
                seen.add(figure.key)
            assert sum(s.count for s in board.by_stage) == board.total.count
            assert sum(g.count for g in board.by_grade) == board.total.count
            assert sum(u.projects.count for u in board.units) == board.total.count
    # the demo reaches graded and cut projects, and overdue work once time has passed
    assert {"中", "overdue", "results_applied", "rectification"} <= seen


def test_cuts_are_amount_times_the_cut_ratio_of_the_projects_behind_them(demo_db):
    with demo_db.reading() as session:
        for year in dashboard.years(session, FINANCE):
            board = dashboard.build(session, FINANCE, ProjectFilter(year=year))
            rows = session.scalars(projects.listing(FINANCE, filters=board.cuts.filter)).all()
            expected = sum((r.amount * r.budget_cut_ratio for r in rows), Decimal(0))
            assert board.cuts.amount == Decimal(expected).quantize(Decimal("0.01"))
            assert all(r.budget_cut_ratio > 0 for r in rows)


def test_a_units_submitter_sees_only_their_units_figures(demo_db):
    with demo_db.reading() as session:
        unit_id, username = session.execute(
            select(Project.unit_id, Project.code).order_by(Project.id).limit(1)
        ).one()
        submitter = Actor("zhang.san", frozenset({"unit_submitter"}), unit_id=unit_id)
        for year in dashboard.years(session, FINANCE):
            board = dashboard.build(session, submitter, ProjectFilter(year=year))
            assert [u.unit_id for u in board.units] in ([unit_id], [])
            own = session.scalars(
                select(Project.id).where(Project.fiscal_year == year, Project.unit_id == unit_id)
            ).all()
            assert board.total.count == len(own)


def test_filters_by_unit_and_fund_type_narrow_every_figure(demo_db):
    with demo_db.reading() as session:
        year = dashboard.years(session, FINANCE)[-1]
        everyone = dashboard.build(session, FINANCE, ProjectFilter(year=year))
        first = everyone.units[0]
        one_unit = dashboard.build(session, FINANCE, ProjectFilter(year=year, unit=first.unit_id))
        assert one_unit.total.count == first.projects.count
        assert [u.unit_id for u in one_unit.units] == [first.unit_id]
        nothing = dashboard.build(session, FINANCE, ProjectFilter(year=year, fund_type="state_capital"))
        assert nothing.total.count == 0 and nothing.units == []


_FIGURE = re.compile(r'<a href="([^"]+)" class="figure" data-count="(\d+)"')
_TOTAL = re.compile(r'id="project-total" data-total="(\d+)"')


def test_each_figure_on_the_page_opens_a_list_with_that_many_projects(signed_in):
    finance = signed_in("li.si")
    clock.set_now(clock.now() + LATER)
    for year_page in ("/dashboard", "/dashboard?year=2025"):
        page = finance.get(year_page)
        assert page.status_code == 200
        figures = _FIGURE.findall(page.text)
        assert len(figures) > 10
        for href, count in set(figures):
            listing = finance.get(href.replace("&amp;", "&"))
            assert listing.status_code == 200
            assert _TOTAL.search(listing.text).group(1) == count, href


def test_the_dashboard_is_for_overseers_only(signed_in):
    assert signed_in("zhang.san").get("/dashboard").status_code == 403
    assert 'href="/dashboard"' not in signed_in("zhang.san").get("/projects").text
    for overseer in ("li.si", "zhou.perf", "liu.leader", "admin"):
        browser = signed_in(overseer)
        assert browser.get("/dashboard").status_code == 200
        assert 'href="/dashboard"' in browser.get("/projects").text


def test_the_dashboard_reads_in_chinese_with_the_charts_data(signed_in):
    page = signed_in("zhou.perf").get("/dashboard?year=2025").text
    assert "各阶段项目" in page and "评价等级分布" in page and "结果已应用" in page
    assert "/vendor/echarts/echarts.min.js" in page
    assert "results_applied" not in re.sub(
        r'(data-stage|href|id)="[^"]*"|<script.*?</script>', "", page, flags=re.S
    )


def test_the_units_table_is_paged_and_sorted_and_the_totals_stay_whole(demo_db):
    """Issue 12 item 7: a long list is paged and sortable; the page's figures are the units'
    own, the totals the whole scope's, whichever page is shown."""
    with demo_db.reading() as session:
        year = dashboard.default_year(session, FINANCE)
        whole = dashboard.build(session, FINANCE, ProjectFilter(year=year))
        assert whole.units_count == len(whole.units) >= 2 and whole.units_pages == 1

        def page(n, **kw):
            return dashboard.build(
                session, FINANCE, ProjectFilter(year=year), units_page=n, units_per_page=1, **kw
            )

        first, second = page(1), page(2)
        assert (first.units_pages, first.units_page, second.units_page) == (whole.units_count, 1, 2)
        assert [u.unit_id for u in first.units + second.units] == [u.unit_id for u in whole.units][:2]
        for one in (first, second):
            assert (one.total.count, one.cuts.count, one.cuts.amount, one.overdue.count) == (
                whole.total.count,
                whole.cuts.count,
                whole.cuts.amount,
                whole.overdue.count,
            )
        assert page(99).units_page == whole.units_count  # past the end: the last page
        by_amount = dashboard.build(session, FINANCE, ProjectFilter(year=year), units_sort="amount")
        amounts = [u.projects.amount for u in by_amount.units]
        assert amounts == sorted(amounts, reverse=True)
        odd = dashboard.build(session, FINANCE, ProjectFilter(year=year), units_sort="drop table")
        assert odd.units_sort == "code" and [u.unit_id for u in odd.units] == [u.unit_id for u in whole.units]


def test_execution_rate_is_executed_over_amount_of_the_monitored_projects(demo_db):
    """双监控 on the dashboard: Σ executed / Σ amount of the projects with a monitoring report, the
    latest node's 序时进度, and the lagging figure the rows whose rate is below their 序时进度."""
    with demo_db.reading() as session:
        checked = 0
        for year in dashboard.years(session, FINANCE):
            board = dashboard.build(session, FINANCE, ProjectFilter(year=year))
            rows = session.scalars(
                projects.listing(FINANCE, filters=ProjectFilter(year=year)).where(
                    Project.executed_amount.is_not(None)
                )
            ).all()
            if not rows:
                assert board.execution_rate is None
                continue
            checked += 1
            executed = sum(r.executed_amount for r in rows)
            assert board.execution_rate == (executed * 100 / sum(r.amount for r in rows)).quantize(
                Decimal("0.01")
            )
            assert board.schedule_progress == max(r.schedule_progress for r in rows)
            assert board.lagging.count == sum(1 for r in rows if r.execution_rate < r.schedule_progress)
    assert checked  # the demo has monitored projects


def test_a_figures_query_string_is_its_filters_args_encoded():
    """The page writes each link's query string itself (hundreds per page): the same text as
    ``urlencode(as_args())``, Chinese and reserved characters quoted."""
    from urllib.parse import urlencode

    for filters in (
        ProjectFilter(),
        ProjectFilter(year=2026, unit=3, grade="良", overdue=True),
        ProjectFilter(year=2026, fund_type="general_public", stage="results_applied", cut=True),
        ProjectFilter(q="污水 & 100%", lagging=True, key_monitoring=True, grade="none"),
    ):
        assert filters.query_string() == urlencode(filters.as_args())


OFFICE = Actor("zhou.perf", frozenset({"performance_office"}))


def test_office_filter_narrows_every_figure_to_the_units_the_office_reviews(demo_db):
    """业务科室 filter (R-RL-1: each unit has its 对口业务科室): every figure of an office's
    board counts the rows of its list, and the offices' boards add up to the whole year."""
    from workflows.store import BudgetUnit

    now = clock.now() + LATER
    with demo_db.reading() as session:
        year = dashboard.years(session, OFFICE)[-1]
        whole = dashboard.build(session, OFFICE, ProjectFilter(year=year), now=now)
        offices = dashboard.office_choices(session)
        assert len(offices) >= 2
        total = 0
        for office_id, _name in offices:
            board = dashboard.build(session, OFFICE, ProjectFilter(year=year, office=office_id), now=now)
            reviewed = set(session.scalars(select(BudgetUnit.id).where(BudgetUnit.office_id == office_id)))
            assert {u.unit_id for u in board.units} <= reviewed
            for figure in _figures(board):
                if figure.key != "cuts":
                    assert _listed(session, OFFICE, figure, now) == (figure.count, figure.amount), figure
            total += board.total.count
        assert total == whole.total.count


def test_overdue_work_by_office_adds_up_to_the_overdue_figure_and_links_its_list(demo_db):
    now = clock.now() + LATER
    with demo_db.reading() as session:
        year = dashboard.years(session, OFFICE)[-1]
        board = dashboard.build(session, OFFICE, ProjectFilter(year=year), now=now)
        assert board.offices, "the demo's units each have an office"
        assert sum(o.overdue.count for o in board.offices) == board.overdue.count > 0
        assert sum(o.overdue_tasks for o in board.offices) == board.overdue_tasks
        assert sum(o.projects.count for o in board.offices) == board.total.count
        for office in board.offices:
            assert office.overdue.filter.office == office.office_id and office.overdue.filter.overdue
            assert _listed(session, OFFICE, office.overdue, now) == (
                office.overdue.count,
                office.overdue.amount,
            )


def test_r_ev_7_recovered_funds_figure_is_the_spot_checks_recoveries_of_the_year(demo_db):
    """收回资金 after a spot check found a self-evaluation false (R-EV-7) is a figure of its own,
    listing the projects it was recovered from."""
    from sqlalchemy import func

    from workflows.store import SpotCheck

    with demo_db.reading() as session:
        seen = Decimal(0)
        for year in dashboard.years(session, OFFICE):
            board = dashboard.build(session, OFFICE, ProjectFilter(year=year))
            count, amount = session.execute(
                select(func.count(func.distinct(SpotCheck.project_id)), func.sum(SpotCheck.recovery_wan))
                .join(Project, Project.id == SpotCheck.project_id)
                .where(Project.fiscal_year == year, SpotCheck.recovery_wan > 0)
            ).one()
            assert board.recovered.count == count
            assert board.recovered.amount == Decimal(str(amount or 0)).quantize(Decimal("0.01"))
            assert projects.count(session, OFFICE, board.recovered.filter) == count
            seen += board.recovered.amount
        assert seen > 0, "the demo recovers funds after a false self-evaluation"


def test_the_dashboard_page_filters_by_office_and_compares_with_last_year(signed_in):
    page = signed_in("zhou.perf").get("/dashboard?year=2026").text
    assert 'name="office"' in page and "全部业务科室" in page and "各业务科室逾期情况" in page
    assert "核查不实收回资金" in page
    assert re.search(r'id="trend-total" data-change="-?\d+"', page)
    office = re.search(r'<tr data-office="(\d+)"><td>([^<]+)</td>', page)
    narrowed = signed_in("zhou.perf").get(f"/dashboard?year=2026&office={office.group(1)}").text
    assert f"<small>{office.group(2)}</small>" in narrowed


def test_R_MN_2_the_dashboards_schedule_progress_says_as_of_which_day_as_the_project_page_does(
    signed_in, demo_db
):
    """Walkthrough finding: the dashboard's 序时进度 had no date while the project page says
    「截至8月31日」; both now name the monitoring node it is as of, in English too."""
    with demo_db.reading() as session:
        year = max(
            y
            for y in dashboard.years(session, FINANCE)
            if dashboard.build(session, FINANCE, ProjectFilter(year=y)).execution_rate is not None
        )
        latest = session.scalars(
            projects.listing(FINANCE, filters=ProjectFilter(year=year))
            .where(
                Project.executed_amount.is_not(None),
                Project.execution_rate.is_not(None),
                Project.schedule_progress.is_not(None),
                Project.execution_node.is_not(None),
            )
            .order_by(None)
            .order_by(Project.schedule_progress.desc(), Project.id)  # PostgreSQL sorts NULL first
        ).first()
        project_id, node = latest.id, latest.execution_node
    day = f"截至{int(node[:2])}月{int(node[3:5])}日"
    finance = signed_in("li.si")
    project_page = finance.get(f"/projects/{project_id}").text
    assert day in re.search(r'id="execution-node">(.*?)</span>', project_page, re.S).group(1)
    page = finance.get(f"/dashboard?year={year}").text
    shown = re.search(r'id="schedule-progress">(.*?)</span></span>', page, re.S).group(1)
    assert f"（{day}）" in shown and "序时进度" in shown
    finance.get("/lang/en")
    english = finance.get(f"/dashboard?year={year}").text
    shown = re.search(r'id="schedule-progress">(.*?)</span></span>', english, re.S).group(1)
    month = date(2000, int(node[:2]), 1).strftime("%b")  # 08-31: as of 31 Aug
    assert f"(as of {int(node[3:5])} {month})" in shown and "截至" not in shown
    assert f"Monitoring as of {int(node[3:5])} {month}" in finance.get(f"/projects/{project_id}").text
