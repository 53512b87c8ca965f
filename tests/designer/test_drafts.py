"""Designer drafts: saved per designer with audit, import/export, deploy only with a note and
without lint errors (issue 13, items 2–4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflows import commands
from workflows.commands import designer as drafts
from workflows.errors import DeployRejected, Forbidden, FormInvalid
from workflows.policy import Actor
from workflows.store import AuditEvent, ProcessDefinition

DESIGNER = Actor("designer", frozenset({"designer"}))
OTHER = Actor("designer2", frozenset({"designer"}))


def _draft_files(db, actor=DESIGNER):
    from workflows.queries import designer as views

    with db.reading() as s:
        return dict(views.draft_of(s, actor).files)


def test_a_draft_starts_as_a_copy_of_what_is_deployed(db, deploy):
    deploy("approval")
    drafts.open_draft(db, actor=DESIGNER)
    assert sorted(_draft_files(db)) == ["approval.bpmn", "approval_review.json", "approval_submit.json"]


def test_each_designer_edits_their_own_draft_and_every_save_is_audited(db, deploy):
    deploy("approval")
    drafts.save_file(db, "approval.bpmn", "<broken/>", actor=DESIGNER)
    drafts.open_draft(db, actor=OTHER)
    assert _draft_files(db)["approval.bpmn"] == "<broken/>"
    assert _draft_files(db, OTHER)["approval.bpmn"] != "<broken/>"
    with db.reading() as s:
        saved = s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.saved")).all()
    assert [(e.actor, e.data["file"]) for e in saved] == [("designer", "approval.bpmn")]


def test_a_stale_lock_version_is_a_conflict_not_a_lost_edit(db, deploy):
    from workflows.errors import Conflict

    deploy("approval")
    version = drafts.save_file(
        db, "approval_submit.json", '{"type": "object", "properties": {}}', actor=DESIGNER
    )
    drafts.save_file(db, "approval_review.json", '{"type": "object", "properties": {}}', actor=DESIGNER)
    with pytest.raises(Conflict):
        drafts.save_file(db, "approval_submit.json", "{}", actor=DESIGNER, lock_version=version)


def test_only_designers_edit_drafts(db, deploy, submitter):
    deploy("approval")
    with pytest.raises(Forbidden):
        drafts.save_file(db, "approval.bpmn", "x", actor=submitter)


@pytest.mark.parametrize("name", ["../etc/passwd.json", "a/b.bpmn", "script.py", ""])
def test_file_names_are_plain_bundle_names(db, deploy, name):
    with pytest.raises(FormInvalid):
        drafts.save_file(db, name, "{}", actor=DESIGNER)


def test_deploy_needs_a_change_note(db, deploy):
    deploy("approval")
    drafts.open_draft(db, actor=DESIGNER)
    with pytest.raises(FormInvalid) as refused:
        drafts.deploy_draft(db, "   ", actor=DESIGNER)
    assert "note" in refused.value.fields


def test_a_draft_with_a_lint_error_never_becomes_a_version(db, deploy):
    deploy("approval")
    text = _draft_files_after_open(db)["approval.bpmn"].replace('decision == "approve"', "decision ==")
    drafts.save_file(db, "approval.bpmn", text, actor=DESIGNER)
    with pytest.raises(DeployRejected) as refused:
        drafts.deploy_draft(db, "break it", actor=DESIGNER)
    assert any(e.element == "Gateway_decision" for e in refused.value.errors)
    with db.reading() as s:
        assert (
            s.scalar(select(ProcessDefinition.version).where(ProcessDefinition.process_id == "approval")) == 1
        )


def _draft_files_after_open(db):
    drafts.open_draft(db, actor=DESIGNER)
    return _draft_files(db)


def test_deploying_a_draft_makes_a_new_version_with_who_when_and_why(db, deploy, submitter):
    deploy("approval")
    running = commands.start(db, "approval", actor=submitter, business_key="OLD")
    text = _draft_files_after_open(db)["approval.bpmn"].replace("审核 Review", "财政审核 Review")
    drafts.save_file(db, "approval.bpmn", text, actor=DESIGNER)
    result = drafts.deploy_draft(db, "审核步骤改名", actor=DESIGNER)
    assert result.created == {"approval": 2}
    fresh = commands.start(db, "approval", actor=submitter, business_key="NEW")
    with db.reading() as s:
        event = s.scalar(
            select(AuditEvent).where(AuditEvent.action == "process.deployed").order_by(AuditEvent.id.desc())
        )
        from workflows.store import ProcessInstance

        assert s.get(ProcessInstance, running.instance_id).definition.version == 1
        assert s.get(ProcessInstance, fresh.instance_id).definition.version == 2
    assert (event.actor, event.data["note"], event.data["created"]) == (
        "designer",
        "审核步骤改名",
        {"approval": 2},
    )


def test_export_then_import_round_trips_the_bundle(db, deploy):
    deploy("approval")
    files = _draft_files_after_open(db)
    data = drafts.bundle_zip(files)
    drafts.save_file(db, "approval.bpmn", "changed", actor=DESIGNER)
    assert drafts.import_bundle(db, data, actor=DESIGNER) == 3
    assert _draft_files(db) == files


def test_import_refuses_a_zip_bomb_and_foreign_files(db, deploy):
    import io
    import zipfile

    deploy("approval")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.json", "0" * (drafts.MAX_BUNDLE_BYTES + 1))
    with pytest.raises(FormInvalid):
        drafts.import_bundle(db, bomb.getvalue(), actor=DESIGNER)
    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("run.sh", "rm -rf /")
    with pytest.raises(FormInvalid):
        drafts.import_bundle(db, foreign.getvalue(), actor=DESIGNER)
    with pytest.raises(FormInvalid):
        drafts.import_bundle(db, b"not a zip", actor=DESIGNER)
