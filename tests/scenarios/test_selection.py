"""年度评价对象选取: the year's selection with its quotas, the reproducible draw, key monitoring.

DOMAIN R-EV-2 (20% of each unit's project funds, never-evaluated key and one-off projects first),
R-EV-3 (expert review for 2% of projects), R-EV-4 (≥ 10 key third-party evaluations, funds not
below last year's), R-MN-7 (finance's key monitoring), R-EV-7 (the spot-check sample). Driven
through the commands the workbench page calls, on the real ``bpmn/`` bundle (DMN
``selection_quotas``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests import factories
from workflows import commands, policy
from workflows import quotas as rules
from workflows.errors import BusinessRuleRefused, Conflict, FormInvalid
from workflows.queries import selection as read
from workflows.queries.project_filter import ProjectFilter
from workflows.store import AuditEvent, HumanTask, Project, SpotCheck

YEAR = 2026
OFFICE = policy.Actor("jixiao.office", frozenset({"performance_office"}))


class Year:
    """A fiscal year of two units' projects, created as the units' submitters create them."""

    def __init__(self, db, paths):
        self.db = db  # ``paths`` deployed the bundle
        self.ids: dict[str, int] = {}
        with db.unit_of_work() as uow:
            self.unit_a = factories.unit(uow, "U-A", "县交通运输局")
            self.unit_b = factories.unit(uow, "U-B", "县农业农村局")
            # unit A: 1000 万元 in all, so 199 is 19.9% and 200 is 20%
            self.project(uow, "A-1", self.unit_a, "199.00", name="农村公路养护")
            self.project(uow, "A-2", self.unit_a, "200.00", name="公路安全生命防护工程")
            self.project(uow, "A-3", self.unit_a, "601.00", name="客运站改造", is_major=True, is_new=False)
            # unit B: twelve projects of 10 万元, the last two one-off (new and within the year)
            for n in range(1, 13):
                one_off = n > 10
                self.project(
                    uow,
                    f"B-{n}",
                    self.unit_b,
                    "10.00",
                    name=f"农业项目{n}",
                    is_new=one_off,
                    period_start=str(YEAR) if one_off else str(YEAR - 1),
                )
            uow.commit()

    def project(self, uow, code, unit_id, amount, *, name, year=YEAR, is_major=False, is_new=True, **header):
        actor = policy.Actor(f"sub.{unit_id}", frozenset({"unit_submitter"}), unit_id=unit_id)
        created = factories.project(
            uow,
            f"{code}-{year}",
            actor=actor,
            name=name,
            fiscal_year=year,
            amount=amount,
            is_major=is_major,
            is_new=is_new,
            **header,
        )
        self.ids[code if year == YEAR else f"{code}-{year}"] = created.project_id
        return created.project_id

    def pick(self, **categories) -> dict[str, list[int]]:
        return {c: [self.ids[code] for code in codes] for c, codes in categories.items()}

    def bench(self, year=YEAR):
        with self.db.reading() as session:
            return read.workbench(session, year)


@pytest.fixture
def year(db, paths):
    y = Year(db, paths)
    commands.start_selection(db, YEAR, actor=OFFICE)
    return y


ALL_B = [f"B-{n}" for n in range(1, 13)]
PASSING = dict(
    dept_eval=["A-2", "B-1", "B-2", "B-3"],
    expert_review=["A-3"],
    third_party=["A-1", "A-2", "A-3", *[f"B-{n}" for n in range(1, 8)]],
    key_monitoring=["A-3", "B-11"],
)


def failing(bench, category):
    return [c for c in bench.failures if c.category == category]


def test_R_EV_2_unit_at_19_9_percent_of_its_funds_is_refused_and_20_percent_accepted(db, year):
    commands.save_selection(
        db, YEAR, year.pick(**{**PASSING, "dept_eval": ["A-1", "B-1", "B-2", "B-3"]}), actor=OFFICE
    )
    refused = failing(year.bench(), rules.DEPT_EVAL)
    assert [c.figures["unit"] for c in refused] == ["县交通运输局"]
    assert "19.90%" in refused[0].message and "低于要求的 20.00%" in refused[0].message
    commands.draw_sample(db, YEAR, actor=OFFICE)
    with pytest.raises(FormInvalid) as refusal:
        commands.confirm_selection(db, YEAR, actor=OFFICE)
    assert any("19.90%" in m for ms in refusal.value.fields.values() for m in ms)

    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    assert failing(year.bench(), rules.DEPT_EVAL) == []
    commands.confirm_selection(db, YEAR, actor=OFFICE)
    assert year.bench().confirmed


def test_R_EV_2_never_evaluated_key_projects_and_one_off_projects_come_first(db, year):
    rows = [r for r in year.bench().rows if r.unit_id == year.unit_b]
    assert [r.code for r in rows[:2]] == [f"B-11-{YEAR}", f"B-12-{YEAR}"]  # one-off first
    assert all(r.one_off and r.priority for r in rows[:2])
    rows_a = [r for r in year.bench().rows if r.unit_id == year.unit_a]
    assert rows_a[0].code == f"A-3-{YEAR}" and rows_a[0].is_key and not rows_a[0].evaluated_before


def test_R_EV_2_a_project_evaluated_last_year_loses_its_priority(db, paths, year):
    # last year: the same unit's 客运站改造 got a department evaluation
    with db.unit_of_work() as uow:
        year.project(
            uow, "A-3", year.unit_a, "500.00", name="客运站改造", year=YEAR - 1, is_major=True, is_new=False
        )
        uow.commit()
    commands.start_selection(db, YEAR - 1, actor=OFFICE)
    commands.save_selection(db, YEAR - 1, {"dept_eval": [year.ids[f"A-3-{YEAR - 1}"]]}, actor=OFFICE)
    row = next(r for r in year.bench().rows if r.code == f"A-3-{YEAR}")
    assert row.evaluated_before and not row.priority


def test_R_EV_3_expert_review_needs_2_percent_of_the_projects(db, year):
    commands.save_selection(db, YEAR, year.pick(**{**PASSING, "expert_review": []}), actor=OFFICE)
    refused = failing(year.bench(), rules.EXPERT_REVIEW)
    assert refused and refused[0].figures["required"] == 1  # 2% of 15 projects, rounded up
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    assert failing(year.bench(), rules.EXPERT_REVIEW) == []


def test_R_EV_3_two_percent_rounds_up_at_the_boundary():
    quotas = rules.Quotas(Decimal("0.2"), Decimal("0.02"), 10, True, Decimal("0.1"), 3)
    projects = [rules.Candidate(i, 1, Decimal(1)) for i in range(1, 101)]  # 100 projects → 2
    one = rules.check(projects, {rules.EXPERT_REVIEW: [1]}, quotas)
    two = rules.check(projects, {rules.EXPERT_REVIEW: [1, 2]}, quotas)
    assert not next(c for c in one if c.category == rules.EXPERT_REVIEW).passed
    assert next(c for c in two if c.category == rules.EXPERT_REVIEW).passed


def test_R_EV_4_nine_key_third_party_evaluations_are_refused_ten_accepted(db, year):
    nine = PASSING["third_party"][:9]
    commands.save_selection(db, YEAR, year.pick(**{**PASSING, "third_party": nine}), actor=OFFICE)
    refused = failing(year.bench(), rules.THIRD_PARTY)
    assert [c.scope for c in refused] == ["count"]
    assert refused[0].message == "第三方重点评价 9 个项目，未达到不少于 10 个的要求"
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    assert failing(year.bench(), rules.THIRD_PARTY) == []


def test_R_EV_4_funds_below_last_years_are_refused(db, year):
    # last year's confirmed key evaluations: ten projects worth 1,200 万元
    with db.unit_of_work() as uow:
        last = [
            year.project(uow, f"L-{n}", year.unit_b, "120.00", name=f"上年项目{n}", year=YEAR - 1)
            for n in range(10)
        ]
        uow.commit()
    commands.start_selection(db, YEAR - 1, actor=OFFICE)
    commands.save_selection(
        db,
        YEAR - 1,
        {"third_party": last, "expert_review": last[:1], "dept_eval": last[:2]},
        actor=OFFICE,
    )
    commands.draw_sample(db, YEAR - 1, actor=OFFICE)
    commands.confirm_selection(db, YEAR - 1, actor=OFFICE)

    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)  # 1,070 万元
    refused = failing(year.bench(), rules.THIRD_PARTY)
    assert [c.scope for c in refused] == ["funds"]
    assert "1070.00 万元，低于上年度的 1200.00 万元" in refused[0].message
    more = {**PASSING, "third_party": [*PASSING["third_party"], "B-8", "B-9", "B-10", "B-11", "B-12"]}
    commands.save_selection(db, YEAR, year.pick(**more), actor=OFFICE)  # 1,120: still below
    assert failing(year.bench(), rules.THIRD_PARTY)


def test_R_EV_7_the_sample_is_reproducible_from_its_seed_and_differs_with_another():
    population = list(range(1, 501))
    assert rules.draw(population, 50, "a1b2c3") == rules.draw(reversed(population), 50, "a1b2c3")
    assert rules.draw(population, 50, "a1b2c3") != rules.draw(population, 50, "ffff00")
    assert len(set(rules.draw(population, 50, "a1b2c3"))) == 50


def test_R_EV_7_the_draw_records_its_seed_and_a_redraw_needs_a_reason_audited(db, year):
    sample = commands.draw_sample(db, YEAR, actor=OFFICE)
    bench = year.bench()
    assert len(sample) == 3  # 10% of 15, at least 3 (DMN)
    assert sorted(bench.chosen[rules.SPOT_CHECK]) == sample
    seed = bench.selection.spot_seed
    population = [r.project_id for r in bench.rows]
    assert rules.draw(population, 3, seed) == sample  # replayed from the recorded seed
    with db.reading() as session:
        assert read.spot_check_sample(session, YEAR) == sample

    with pytest.raises(FormInvalid) as refused:
        commands.draw_sample(db, YEAR, actor=OFFICE)
    assert refused.value.fields["reason"] == ["已抽取过样本，重新抽取须填写理由"]
    commands.draw_sample(db, YEAR, actor=OFFICE, reason="抽中项目已于上年核查，经科务会研究重新抽取")
    with db.reading() as session:
        events = [
            e.data
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action.like("selection.%draw%")))
        ]
    assert [e["draw"] for e in events] == [1, 2]
    assert events[0]["seed"] == seed and events[0]["sample"] == sample
    assert events[1]["reason"].startswith("抽中项目已于上年核查") and events[1]["previous_size"] == len(
        sample
    )


def test_R_MN_7_key_monitoring_marks_the_projects_and_the_list_filters_them(db, year):
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    commands.draw_sample(db, YEAR, actor=OFFICE)
    commands.confirm_selection(db, YEAR, actor=OFFICE)
    with db.reading() as session:
        assert {rules.EXPERT_REVIEW, rules.THIRD_PARTY, rules.KEY_MONITORING} <= set(
            read.marks_of(session, year.ids["A-3"])
        )
        assert rules.KEY_MONITORING in read.marks_of(session, year.ids["B-11"])
        watched = session.scalars(
            select(Project.code)
            .where(*ProjectFilter(key_monitoring=True).conditions(None))
            .order_by(Project.code)
        ).all()
    assert watched == [f"A-3-{YEAR}", f"B-11-{YEAR}"]


def test_R_EV_4_confirmed_selection_pre_sets_the_evaluation_review(db, year):
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    commands.draw_sample(db, YEAR, actor=OFFICE)
    commands.confirm_selection(db, YEAR, actor=OFFICE)
    with db.reading() as session:
        assert read.presets_for(session, year.ids["A-3"]) == {
            "ev_select_third_party": True,
            "ev_needs_experts": True,
        }
        assert read.presets_for(session, year.ids["B-12"]) == {}


def test_confirming_completes_the_years_task_and_a_confirmed_selection_is_closed(db, year):
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    commands.draw_sample(db, YEAR, actor=OFFICE)
    commands.confirm_selection(db, YEAR, actor=OFFICE, note="经局务会研究确定")
    with db.reading() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.task_spec == "sel_choose"))
        assert task.status == "completed" and task.completed_by == OFFICE.username
    with pytest.raises(Conflict):
        commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)


def test_R_EV_7_a_sampled_project_not_yet_self_evaluated_waits_in_the_sample(db, year):
    """A spot check verifies the 自评表: confirming starts none for sampled projects without one."""
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    commands.draw_sample(db, YEAR, actor=OFFICE)
    commands.confirm_selection(db, YEAR, actor=OFFICE)
    with db.reading() as session:
        assert read.workbench(session, YEAR).chosen["spot_check"]  # the sample is kept
        assert session.scalars(select(SpotCheck)).all() == []


def test_R_EV_7_confirming_starts_the_spot_check_of_a_sampled_self_evaluated_project(db, paths):
    """The drawn sample goes to authenticity spot checks (真实性核查) when the selection is
    confirmed: a self-evaluated project gets its check, the unit's evidence due June 30 next year."""
    from demo import form_data as forms
    from tests.scenarios.conftest import BPMN, FORMS
    from tests.scenarios.conftest import YEAR as PATHS_YEAR
    from workflows.engine import specs

    files = specs.load_bundle(BPMN, FORMS)
    files["selection_quotas.dmn"] = files["selection_quotas.dmn"].replace("<text>10</text>", "<text>1</text>")
    paths.deploy(files)
    iid = paths.start()
    paths.to_evaluation(iid)
    paths.do(iid, "ev_self", forms.self_evaluation(362.0, 350.0))
    project_id = paths.project_row(iid).id
    commands.start_selection(db, PATHS_YEAR, actor=OFFICE)
    picked = {"dept_eval": [project_id], "expert_review": [project_id], "third_party": [project_id]}
    commands.save_selection(db, PATHS_YEAR, picked, actor=OFFICE)
    commands.draw_sample(db, PATHS_YEAR, actor=OFFICE)
    commands.confirm_selection(db, PATHS_YEAR, actor=OFFICE)
    with db.reading() as session:
        checks = session.execute(select(SpotCheck.project_id, SpotCheck.fiscal_year)).all()
        [evidence] = session.scalars(select(HumanTask).where(HumanTask.task_spec == "sc_evidence")).all()
    assert checks == [(project_id, PATHS_YEAR)]
    assert evidence.project_id == project_id and evidence.due_at.year == PATHS_YEAR + 1


def test_the_years_task_completes_only_through_the_workbench_never_around_the_quotas(db, year):
    """The generic completion (page form, ``POST /api/v1/tasks/<id>/complete``) cannot claim the
    quotas are met: the task is the workbench's, whose confirmation checks them."""
    with db.reading() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.task_spec == "sel_choose"))
    with pytest.raises(BusinessRuleRefused, match="工作台"):
        commands.complete_task(db, task.id, {"sel_quotas_met": True}, actor=OFFICE)
    with db.reading() as session:
        assert session.get(HumanTask, task.id).status == "open"


def test_a_stale_save_is_a_conflict_and_a_stray_project_a_field_error(db, year):
    version = year.bench().selection.lock_version
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE, lock_version=version)
    with pytest.raises(Conflict):
        commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE, lock_version=version)
    with pytest.raises(FormInvalid) as refused:
        commands.save_selection(db, YEAR, {"third_party": [999999]}, actor=OFFICE)
    assert "third_party" in refused.value.fields


def test_R_EV_4_a_bureau_lowers_the_quota_in_the_dmn_and_the_choice_reaches_the_evaluation(db, paths):
    """The quotas are the designer's (DMN ``selection_quotas``): a bureau with one key evaluation
    a year deploys 1 instead of 10. The confirmed choice pre-ticks 列入第三方重点评价 on the
    finance review, and submitted as pre-filled the project goes to the third party."""
    from demo import form_data as forms
    from tests.scenarios.conftest import BPMN, FORMS
    from tests.scenarios.conftest import YEAR as PATHS_YEAR
    from workflows.engine import specs
    from workflows.queries import tasks as task_queries

    files = specs.load_bundle(BPMN, FORMS)
    files["selection_quotas.dmn"] = files["selection_quotas.dmn"].replace("<text>10</text>", "<text>1</text>")
    paths.deploy(files)
    iid = paths.start()
    paths.to_evaluation(iid)
    project_id = paths.project_row(iid).id

    commands.start_selection(db, PATHS_YEAR, actor=OFFICE)
    picked = {"dept_eval": [project_id], "expert_review": [], "third_party": [project_id]}
    commands.save_selection(db, PATHS_YEAR, {**picked, "expert_review": [project_id]}, actor=OFFICE)
    commands.draw_sample(db, PATHS_YEAR, actor=OFFICE)
    commands.confirm_selection(db, PATHS_YEAR, actor=OFFICE)

    paths.do(iid, "ev_self", forms.self_evaluation(362.0, 350.0))
    [review] = paths.tasks(iid, "ev_finance_review")
    with db.reading() as session:
        schema = task_queries.form_schema(session, review)
        shown = task_queries.prefill(session, review, schema)
    assert shown["ev_select_third_party"] is True and shown["ev_needs_experts"] is True
    submitted = {**forms.evaluation_review(92), "ev_select_third_party": shown["ev_select_third_party"]}
    paths.do(iid, "ev_finance_review", submitted)
    assert [t.task_spec for t in paths.tasks(iid)] == ["ev_third_party"]


def test_a_save_for_one_unit_keeps_the_other_units_ticks(db, year):
    """The workbench lists one unit at a time for a province: saving it leaves the others alone."""
    commands.save_selection(db, YEAR, year.pick(**PASSING), actor=OFFICE)
    commands.save_selection(db, YEAR, year.pick(dept_eval=["A-1"]), actor=OFFICE, unit_id=year.unit_a)
    saved = year.bench().chosen
    assert saved[rules.DEPT_EVAL] == {year.ids[c] for c in ("A-1", "B-1", "B-2", "B-3")}
    assert saved[rules.THIRD_PARTY] == {year.ids[c] for c in PASSING["third_party"] if c.startswith("B")}
    with pytest.raises(FormInvalid):
        commands.save_selection(db, YEAR, year.pick(dept_eval=["B-1"]), actor=OFFICE, unit_id=year.unit_a)
