"""Deployments: accepted bundles become versions; refused ones are located and change nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.engine.bundles import FIXTURES, variant
from workflows import commands
from workflows.cli import main
from workflows.engine import specs
from workflows.errors import DeployRejected
from workflows.store import Deployment, ProcessDefinition, ProcessInstance


def _refusal(tmp_path, **kwargs):
    bundle = specs.load_bundle(variant(tmp_path, **kwargs), forms_dir=tmp_path / "no_forms")
    errors = specs.lint(bundle)
    assert errors, "the bundle should have been refused"
    return errors


def test_deploy_accepts_a_valid_bundle_as_version_one(db, deploy):
    result = deploy("approval")
    assert result.created == {"approval": 1}
    with db.reading() as s:
        definition = specs.latest_definition(s, "approval")
        assert definition.version == 1
        assert len(definition.spec_hash) == 64
        assert "approval_submit.json" in definition.deployment.files


def test_redeploying_the_same_bundle_creates_no_new_version(db, deploy):
    deploy("approval")
    again = deploy("approval")
    assert again.created == {} and again.unchanged == {"approval": 1}
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Deployment)) == 1


def test_deploy_refuses_malformed_xml_with_its_file(tmp_path):
    errors = _refusal(tmp_path, edits={"approval.bpmn": [("</bpmn:process>", "</bpmn:proces>")]})
    assert errors[0].file == "approval.bpmn"
    assert "XML" in errors[0].message


def test_deploy_refuses_a_call_to_a_missing_process(tmp_path):
    errors = _refusal(tmp_path, base="caller")
    assert any(e.file == "caller.bpmn" and "approval" in e.message for e in errors), errors


def test_deploy_refuses_a_missing_form_naming_the_user_task(tmp_path):
    errors = _refusal(tmp_path, drop=("approval_review.json",))
    assert [(e.file, e.element) for e in errors] == [("approval.bpmn", "review")]
    assert "approval_review.json" in errors[0].message


def test_deploy_refuses_an_unquoted_timer_duration(tmp_path):
    errors = _refusal(tmp_path, edits={"approval.bpmn": [('"P10D"', "P10D")]})
    assert [(e.file, e.element) for e in errors] == [("approval.bpmn", "review_deadline")]
    assert "not quoted" in errors[0].message


def test_deploy_refuses_a_timer_expression_that_is_not_iso8601(tmp_path):
    errors = _refusal(tmp_path, edits={"approval.bpmn": [('"P10D"', '"ten days"')]})
    assert errors[0].element == "review_deadline"
    assert "ISO 8601" in errors[0].message


def test_deploy_refuses_an_import_in_a_script(tmp_path):
    errors = _refusal(
        tmp_path, edits={"approval.bpmn": [("project_overdue = True", "import os\nproject_overdue = True")]}
    )
    assert [(e.file, e.element) for e in errors] == [("approval.bpmn", "mark_overdue")]
    assert "import" in errors[0].message


def test_deploy_refuses_dunder_access_in_a_condition(tmp_path):
    errors = _refusal(
        tmp_path, edits={"approval.bpmn": [('decision == "approve"', "decision.__class__ is str")]}
    )
    assert errors[0].element == "Gateway_decision"
    assert "__class__" in errors[0].message


def test_deploy_refuses_a_condition_with_a_syntax_error(tmp_path):
    errors = _refusal(
        tmp_path, edits={"approval.bpmn": [('decision == "approve"', 'decision == = "approve"')]}
    )
    assert errors[0].element == "Gateway_decision"


def test_deploy_refuses_a_form_that_is_not_a_json_schema(tmp_path):
    errors = _refusal(tmp_path, edits={"approval_submit.json": [('"type": "object"', '"type": "objekt"')]})
    assert errors[0].file == "approval_submit.json"


def test_deploy_refuses_a_declared_check_naming_a_field_the_form_lacks(tmp_path):
    """A form's x-checks are the designer's code: a broken rule is refused at lint, not met by a user."""
    broken = '"x-checks": [{"id": "broken", "rule": "no_such_field > 0", "field": "amount", "message": "x"}], "type": "object"'
    errors = _refusal(tmp_path, edits={"approval_submit.json": [('"type": "object"', broken)]})
    assert [(e.file, e.element) for e in errors] == [("approval_submit.json", "x-checks")]
    assert "no_such_field" in errors[0].message


def test_a_refused_bundle_leaves_the_previous_version_serving(db, deploy, tmp_path, submitter):
    deploy("approval")
    broken = variant(tmp_path, edits={"approval.bpmn": [('"P10D"', "P10D")]})
    with db.unit_of_work() as s, pytest.raises(DeployRejected):
        specs.deploy(s, specs.load_bundle(broken))
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ProcessDefinition)) == 1
    started = commands.start(db, "approval", actor=submitter)
    assert started.status == "running"


def test_instance_stays_pinned_to_its_version_after_a_redeploy(db, deploy, tmp_path, submitter):
    deploy("approval")
    old = commands.start(db, "approval", actor=submitter)
    changed = variant(tmp_path, edits={"approval.bpmn": [('"P10D"', '"P20D"')]})
    assert deploy(changed).created == {"approval": 2}
    new = commands.start(db, "approval", actor=submitter)
    with db.reading() as s:
        versions = {i.id: i.definition.version for i in s.scalars(select(ProcessInstance))}
    assert versions == {old.instance_id: 1, new.instance_id: 2}
    # the old instance still runs on version 1: its review deadline is 10 days, not 20
    commands.complete_task(db, old.next_tasks[0].id, {"project_name": "旧", "amount": 1}, actor=submitter)
    done = commands.complete_task(
        db, new.next_tasks[0].id, {"project_name": "新", "amount": 1}, actor=submitter
    )
    with db.reading() as s:
        from workflows.store import Timer

        due = {t.instance_id: t.due_at for t in s.scalars(select(Timer))}
    assert (due[done.instance_id] - due[old.instance_id]).days == 10


def test_lint_command_exits_nonzero_and_prints_located_errors(tmp_path):
    broken = variant(tmp_path, edits={"approval.bpmn": [('"P10D"', "P10D")]})
    result = CliRunner().invoke(main, ["lint", str(broken)])
    assert result.exit_code == 1
    assert "approval.bpmn#review_deadline" in result.output


def test_lint_command_exits_zero_for_a_good_bundle():
    result = CliRunner().invoke(main, ["lint", str(FIXTURES / "approval")])
    assert result.exit_code == 0, result.output


def test_deploy_refuses_a_bundle_without_bpmn(tmp_path):
    (tmp_path / "only.json").write_text('{"type": "object", "properties": {}}', encoding="utf-8")
    errors = specs.lint(specs.load_bundle(tmp_path))
    assert [e.message for e in errors] == ["the bundle holds no .bpmn file"]
