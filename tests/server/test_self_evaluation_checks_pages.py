"""The self-evaluation's checks as a unit meets them (walk 11, findings 3 and 4): an empty form
shows no error and no red total until something is typed; executed over budget is flagged live
on its cell (not a silent 100% / 10 points); a submit reports every error in one round, the
missing cells and the declared checks together."""

# ruff: noqa: F811 - the fixtures below are imported from the bound-row tests and named as arguments

from __future__ import annotations

from .test_bound_rows_pages import (  # noqa: F401 - fixtures shared with the bound-row tests
    complete,
    deployed,
    fire,
    open_task,
    posted,
    report_task,
)
from .test_self_evaluation_fixed_pages import se_task  # noqa: F401


def _blank(me, task_id) -> dict:
    html = me.get(f"/tasks/{task_id}").text
    return {k: v for k, v in posted(html).items() if k != "csrf_token"}


def test_an_empty_self_evaluation_shows_no_errors_and_no_red_totals(web, se_task):
    me = web("zhang.san")
    html = me.get(f"/tasks/{se_task.id}").text
    assert "必须大于 0" not in html and 'class="computed invalid"' not in html
    shown = me.post(f"/tasks/{se_task.id}/computed", _blank(me, se_task.id)).json
    assert shown["errors"] == {} and shown["invalid"] == []
    assert shown["values"]["ev_budget_amount"] == "—"  # not yet, rather than 0
    assert shown["values"]["ev_self_total"] == "—"


def test_executed_over_budget_is_flagged_while_typing_not_capped_at_100(web, se_task):
    me = web("zhang.san")
    typed = {**_blank(me, se_task.id), "ev_budget_fiscal": "1380", "ev_executed_fiscal": "9999"}
    shown = me.post(f"/tasks/{se_task.id}/computed", typed).json
    assert shown["errors"] == {"ev_executed_amount": ["全年执行数不能超过全年预算数"]}
    assert {"ev_execution_rate", "ev_execution_points", "ev_self_total"} <= set(shown["invalid"])
    assert shown["values"]["ev_budget_amount"] == 1380


def test_a_submit_reports_missing_cells_and_broken_checks_in_one_round(web, se_task):
    me = web("zhang.san")
    body = _blank(me, se_task.id)
    rows = sorted(k for k in body if k.startswith("ev_output_indicators-") and k.endswith("-score"))
    assert len(rows) >= 2
    body.update(
        {"ev_budget_fiscal": "1380", "ev_executed_fiscal": "9999", rows[0]: "999", "action": "submit"}
    )
    refused = me.post(f"/tasks/{se_task.id}", body)
    assert refused.status_code == 400
    text = refused.text
    assert "全年执行数不能超过全年预算数" in text  # the declared check …
    assert "超过该指标分值" in text  # … the per-row check …
    assert (
        'data-field="ev_output_indicators/1/score"' in text and "此项为必填项" in text
    )  # … and the missing cell
