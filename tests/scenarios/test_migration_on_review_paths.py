"""Migration on every review path (issue 13 item 6): a project's lifecycle waiting in each called
review process moves to a version where the waiting step was changed, keeps its task (id, inbox
row) or its timers, shows the new version's name, and goes on along the new version."""

from __future__ import annotations

import re

import pytest

from demo import form_data as forms
from workflows.commands import migration
from workflows.engine import specs
from workflows.policy import Actor

from .conftest import BPMN, FORMS, YEAR

DESIGNER = Actor("designer", frozenset({"designer"}))


def _renamed(element: str) -> tuple[dict[str, str], str]:
    """The real bundle with ``element`` renamed (a designer's edit of the called process)."""
    files = specs.load_bundle(BPMN, FORMS)
    for name, text in files.items():
        found = re.search(rf'id="{element}" name="([^"]+)"', text)
        if found:
            title = f"{found.group(1)}（修订）"
            files[name] = text.replace(found.group(0), f'id="{element}" name="{title}"')
            return files, title
    raise LookupError(element)


def _waiting_at_ex_ante(paths, iid):
    return "ea_write", lambda: paths.do(iid, "ea_write", forms.ex_ante_report("农村人居环境整治项目", 362.0))


def _waiting_at_targets(paths, iid):
    paths.through_ex_ante(iid)
    return "tg_set", lambda: paths.do(iid, "tg_set", forms.performance_targets("农村人居环境整治项目"))


def _waiting_for_a_monitoring_node(paths, iid):
    """No task yet: the lifecycle waits on the node's timer, which must survive the migration."""
    paths.through_ex_ante(iid)
    paths.through_targets(iid)

    def go_on():
        paths.fire(iid, f"{YEAR}-06-01T09:00:00")
        paths.do(iid, "mn_report", forms.monitoring_report(362.0))

    return "mn_report", go_on


def _waiting_at_rectification(paths, iid):
    paths.through_ex_ante(iid)
    paths.through_targets(iid)
    paths.fire(iid, f"{YEAR}-06-01T09:00:00")
    paths.do(iid, "mn_report", forms.monitoring_report(362.0))
    paths.do(iid, "mn_review", forms.monitoring_review(False))
    return "rc_submit", lambda: paths.do(iid, "rc_submit", forms.rectification_submit())


def _waiting_at_evaluation(paths, iid):
    paths.to_evaluation(iid)
    return "ev_self", lambda: paths.do(iid, "ev_self", forms.self_evaluation(362.0, 350.0))


@pytest.mark.parametrize(
    "reach",
    [
        _waiting_at_ex_ante,
        _waiting_at_targets,
        _waiting_for_a_monitoring_node,
        _waiting_at_rectification,
        _waiting_at_evaluation,
    ],
    ids=["ex_ante", "targets", "monitoring_timer", "rectification", "evaluation"],
)
def test_a_lifecycle_waiting_in_each_review_path_migrates_and_goes_on(paths, reach):
    iid = paths.start()
    element, go_on = reach(paths, iid)
    open_before = {t.id: t.task_spec for t in paths.tasks(iid)}
    timers_before = sorted((t.task_spec, t.due_at) for t in paths.timers(iid))
    version_before = paths.instance(iid).definition_id

    files, title = _renamed(element)
    deployed = paths.deploy(files)
    assert "project_lifecycle" in deployed.created  # the called process is part of the lifecycle's spec

    plan = migration.migrate_instance(paths.db, iid, actor=DESIGNER)
    assert plan.possible
    assert paths.instance(iid).definition_id != version_before
    assert {t.id: t.task_spec for t in paths.tasks(iid)} == open_before  # inbox rows kept, ids and all
    assert sorted((t.task_spec, t.due_at) for t in paths.timers(iid)) == timers_before  # timers follow

    waiting = paths.tasks(iid, element)
    if not waiting:  # the node's timer first
        paths.fire(iid, f"{YEAR}-06-01T09:00:00")
        waiting = paths.tasks(iid, element)
    assert waiting[0].title == title  # the new version's step
    go_on()
    assert element not in paths.open(iid) and paths.status(iid) == "running"
