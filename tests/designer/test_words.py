"""The designer pages in words (issue 13, tester's notes): a DMN-only change marks the
business-rule tasks that read it, rule changes read 规则 2：条件「评审得分」 >= 80 → >= 85,
processes and instances are named, not numbered, and a migration preview says when the
instance will decide by a changed table."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tests.scenarios.conftest import BPMN, FORMS, Paths
from workflows.commands import designer as drafts
from workflows.engine import specs, versions
from workflows.policy import Actor

DESIGNER = Actor("designer", frozenset({"designer"}))


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture
def lifecycle(app):
    """The real bpmn/ bundle deployed into the app's database."""
    paths = Paths(app.extensions["jixiao_db"], Path(app.config["JIXIAO_ATTACHMENTS_DIR"]))
    paths.deploy(specs.load_bundle(BPMN, FORMS))
    return paths


def _threshold_85(db):
    drafts.open_draft(db, actor=DESIGNER)
    from workflows.queries import designer as views

    with db.reading() as s:
        text = views.draft_of(s, DESIGNER).files["ex_ante_decision.dmn"]
    drafts.save_file(db, "ex_ante_decision.dmn", text.replace("&gt;= 80", "&gt;= 85"), actor=DESIGNER)


def test_a_dmn_only_change_marks_the_rule_task_that_reads_it():
    files = specs.load_bundle(BPMN, FORMS)
    changed = dict(
        files, **{"ex_ante_decision.dmn": files["ex_ante_decision.dmn"].replace("&gt;= 80", "&gt;= 85")}
    )
    diffs = {d.file: d for d in versions.diff_bundles(files, changed) if d.status != "same"}
    assert set(diffs) == {"ex_ante_decision.dmn", "ex_ante_assessment.bpmn"}
    task = diffs["ex_ante_assessment.bpmn"].changed
    assert [(c.id, c.kind) for c in task] == [("ea_decide", "businessRuleTask")]
    assert task[0].details == ["决策表 ex_ante_decision 已修改，影响此任务"]
    rule = diffs["ex_ante_decision.dmn"].changed
    assert [(c.name, c.details) for c in rule] == [("规则 2", ["条件「评审得分」 >= 80 → >= 85"])]


def test_compare_page_colours_the_rule_task_and_words_the_rule_change(web, lifecycle):
    db = lifecycle.db
    _threshold_85(db)
    drafts.deploy_draft(db, "事前评估通过线提高到85分", actor=DESIGNER)
    page = web("designer").get("/designer/processes/ex_ante_assessment/compare").text
    changed = json.loads(html.unescape(re.search(r'data-changed="([^"]*)"', page).group(1)))
    assert "ea_decide" in changed
    text = _text(page)
    assert "规则 2：条件「评审得分」 >= 80 → >= 85" in text
    assert "决策表 ex_ante_decision 已修改，影响此任务" in text
    assert "业务规则任务" in text and "决策规则" not in text.split("规则 2")[0][-20:]
    assert "businessRuleTask" not in text and "Rule_ex_ante_decision_2 rule" not in text
    assert '<code translate="no">Rule_ex_ante_decision_2</code>' in page  # the id stays at hand
    labels = json.loads(html.unescape(re.search(r'data-labels="([^"]*)"', page).group(1)))
    assert labels["roles"]["unit_submitter"] == "单位填报人"  # lanes read by role name
    assert page.count('class="diagram-tools no-print"') == 2


def test_deploy_flash_names_the_processes(web, lifecycle):
    _threshold_85(lifecycle.db)
    designer = web("designer")
    designer.get("/designer/workbench")
    response = designer.post("/designer/draft/deploy", {"note": "事前评估通过线提高到85分"})
    assert response.status_code == 302
    flash = _text(designer.get("/designer/").text)
    line = next(x for x in flash.splitlines() if "已发布新版本" in x)
    assert "事前绩效评估 v2" in line and "ex_ante_assessment" not in line


def test_migration_preview_says_the_instance_will_decide_by_the_changed_table(web, lifecycle):
    running = lifecycle.start()
    _threshold_85(lifecycle.db)
    drafts.deploy_draft(lifecycle.db, "事前评估通过线提高到85分", actor=DESIGNER)
    designer = web("designer")
    page = designer.get("/designer/processes/project_lifecycle/instances").text
    assert "项目" in page and "WZ-" in page
    preview = _text(designer.get(f"/designer/instances/{running}/preview").text)
    assert "新版本的决策表「事前评估结论」已修改，迁移后按新规则判断。" in preview
    assert "ex_ante_decision" in preview


def _review_v2(db):
    drafts.open_draft(db, actor=DESIGNER)
    from workflows.queries import designer as views

    with db.reading() as s:
        text = views.draft_of(s, DESIGNER).files["review.bpmn"]
    drafts.save_file(db, "review.bpmn", text.replace('name="财政审核"', 'name="财政复核"'), actor=DESIGNER)
    drafts.deploy_draft(db, "财政审核改名", actor=DESIGNER)


def test_instances_list_project_names_and_the_migration_names_what_moved(web, db_of, app):
    db = app.extensions["jixiao_db"]
    _review_v2(db)
    designer = web("designer")
    page = designer.get("/designer/processes/review/instances").text
    assert "城市污水处理厂提标改造" in page and "WZ2026-001" in page
    assert 'data-confirm="' in page  # a batch asks before it moves anything
    ids = [int(i) for i in re.findall(r'<tr data-instance="(\d+)"', page)]
    moved = designer.post("/designer/processes/review/migrate", {"instance_ids": ids[:2], "version": 2}).text
    line = _text(re.search(r'<p id="moved">.*?</p>', moved, re.S).group(0))
    assert "已迁移 2 个实例：WZ2026-001 城市污水处理厂提标改造、WZ2026-002 农村人居环境整治" in line
