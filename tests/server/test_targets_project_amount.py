"""The 绩效目标申报表's 年度资金总额 stays within the project's amount: the unit sees 项目金额 as
text (held to the start data's ``amount_wan``), and 1,500 万元 on a 1,380 万元 project is refused
beside 年度资金总额 through the API and on the page, with nothing recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import form_data as forms
from tests import factories
from workflows import clock
from workflows.engine import specs

from .test_targets_form_pages import actor, open_task, posted

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2027
CODE = "WZ2027-AMT"
TOO_MUCH = "年度资金总额不能超过项目金额 1,380.00 万元"


@pytest.fixture
def targets_task(db_of):
    """张三's continuing project of 1,380 万元 (财政拨款 1,080 + 其他资金 300), its 申报表 open."""
    clock.set_now(clock.parse_moment(f"{YEAR - 1}-09-10T09:00:00"))
    with db_of.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()
    with db_of.unit_of_work() as uow:
        factories.project(
            uow,
            CODE,
            actor=actor(db_of, "zhang.san"),
            name="城区排水管网改造",
            fiscal_year=YEAR,
            is_new=False,
            amount="1380.00",
            period_start=str(YEAR),
            period_end=str(YEAR + 1),
            fiscal_funds="1080",
            other_funds="300",
        )
        uow.commit()
    return open_task(db_of, "tg_set")


def _targets(annual: float, fiscal: float) -> dict:
    return forms.performance_targets(
        "城区排水管网改造", annual, year=YEAR, years=2, other_wan=annual - fiscal
    )


def _recorded_steps(api) -> list[str]:
    project = api("zhou.perf").get(f"/api/v1/projects?q={CODE}").json["items"][0]
    decisions = api("zhou.perf").get(f"/api/v1/projects/{project['id']}").json["decisions"]
    return [d["step"] for d in decisions if d["kind"] == "task"]


def test_the_api_refuses_annual_funds_above_the_projects_and_records_nothing(api, db_of, targets_task):
    answer = api("zhang.san").post(
        f"/api/v1/tasks/{targets_task.id}/complete", json={"data": _targets(1500, 1200)}
    )
    assert answer.status_code == 400, answer.json
    assert answer.json["fields"] == {"tg_annual_funds": [TOO_MUCH]}
    assert open_task(db_of, "tg_set").id == targets_task.id  # still open
    assert "tg_set" not in _recorded_steps(api)


def test_the_api_accepts_the_projects_amount_and_records_it_beside_the_funds(api, targets_task):
    answer = api("zhang.san").post(
        f"/api/v1/tasks/{targets_task.id}/complete", json={"data": _targets(1380, 1080)}
    )
    assert answer.status_code == 200, answer.json
    project = api("zhou.perf").get(f"/api/v1/projects?q={CODE}").json["items"][0]
    decisions = api("zhou.perf").get(f"/api/v1/projects/{project['id']}").json["decisions"]
    [targets] = [d for d in decisions if d["step"] == "tg_set"]
    assert targets["values"]["tg_annual_funds"] == 1380
    assert targets["values"]["tg_project_amount_wan"] == 1380  # held from the project, not typed


def test_the_page_shows_the_project_amount_as_text_and_refuses_too_much_beside_the_funds(
    web, api, targets_task
):
    me = web("zhang.san")
    html = me.get(f"/tasks/{targets_task.id}").text
    assert '<span class="bound-value fixed-value" id="tg_project_amount_wan-shown">1,380.00</span>' in html
    assert 'type="text" inputmode="decimal" name="tg_project_amount_wan"' not in html
    data = _targets(1500, 1200)
    body = posted(html)
    body.update({k: str(v) for k, v in data.items() if k != "indicators"})
    for i, row in enumerate(data["indicators"]):
        body.update({f"indicators-{i}-{k}": str(v) for k, v in row.items()})
    body["action"] = "submit"
    refused = me.post(f"/tasks/{targets_task.id}", body)
    assert refused.status_code == 400
    assert (
        f'<span class="field-error" data-field="tg_annual_funds" role="alert">{TOO_MUCH}</span>'
        in refused.text
    )
    assert 'value="1500"' in refused.text  # what was typed stays
    assert "tg_set" not in _recorded_steps(api)
