"""The self-evaluation page shows the approved weights and 年度总体目标 as text (issue 10): the unit
scores the approved indicators, it neither reweights them nor rewrites the approved goal; a
changed value posted anyway is refused beside its field, on the page and through the API."""

# ruff: noqa: F811 - the fixtures below are imported from the bound-row tests and named as arguments

from __future__ import annotations

import pytest

from demo import form_data as forms

from .test_bound_rows_pages import (  # noqa: F401 - fixtures shared with the bound-row tests
    YEAR,
    complete,
    deployed,
    fire,
    open_task,
    posted,
    report_task,
)


@pytest.fixture
def se_task(deployed, report_task):
    """The project after both monitoring nodes and the year end: its self-evaluation open."""
    db = deployed
    complete(db, "mn_report", forms.monitoring_report(362.0), "zhang.san")
    complete(db, "mn_review", forms.monitoring_review(True), "li.si")
    fire(db, report_task.instance_id, f"{YEAR}-09-01T09:00:00")
    complete(db, "mn_report", forms.monitoring_report(362.0), "zhang.san")
    complete(db, "mn_review", forms.monitoring_review(True), "li.si")
    fire(db, report_task.instance_id, f"{YEAR + 1}-01-02T09:00:00")
    return open_task(db, "ev_self")


def test_weights_and_the_approved_goal_are_text_and_a_changed_one_is_refused(web, api, se_task):
    me = web("zhang.san")
    html = me.get(f"/tasks/{se_task.id}").text
    assert 'id="ev_goal_planned-shown"' in html and '<textarea name="ev_goal_planned"' not in html
    assert 'type="hidden" name="ev_output_indicators-0-weight"' in html
    assert 'type="text" inputmode="decimal" name="ev_output_indicators-0-weight"' not in html
    assert "按批复内容带出，不能修改" in html

    body = {k: v for k, v in posted(html).items() if k != "csrf_token"}
    body.update(
        {"ev_goal_planned": "改为完成一半", "ev_output_indicators-0-weight": "49", "action": "submit"}
    )
    refused = me.post(f"/tasks/{se_task.id}", body)
    assert refused.status_code == 400
    assert "年度总体目标（批复）应为批复的内容，不能修改" in refused.text
    assert 'data-field="ev_output_indicators/0/weight"' in refused.text

    detail = api("zhang.san").get(f"/api/v1/tasks/{se_task.id}").json
    assert detail["bound_fields"] == ["ev_goal_planned"]
    assert "weight" in detail["bound_tables"]["ev_output_indicators"]
    data = {**forms.self_evaluation(362.0, 350.0), "ev_goal_planned": "改为完成一半"}
    answer = api("zhang.san").post(f"/api/v1/tasks/{se_task.id}/complete", json={"data": data})
    assert answer.status_code == 400
    assert answer.json["fields"] == {"ev_goal_planned": ["年度总体目标（批复）应为批复的内容，不能修改"]}
