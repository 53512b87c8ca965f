"""A demo project's ex-ante assessment brought to finance's review through the commands the pages
call (the real bpmn/): 住建局 writes and approves its report, the report file uploaded first."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from demo import form_data as demo
from demo import uploads
from workflows import commands, policy
from workflows.engine import specs
from workflows.store import HumanTask, Project, User

ROOT = Path(__file__).resolve().parents[2]


def deploy_bpmn(db) -> None:
    with db.unit_of_work() as session:
        specs.deploy(session, specs.load_bundle(ROOT / "bpmn", ROOT / "forms"), actor="designer")
        session.commit()


def complete_as(db, instance_id, task_spec, data, username, attachments=None) -> None:
    """Complete the open task ``task_spec`` as ``username`` (the unit's own staff)."""
    with db.reading() as session:
        task = session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id,
                HumanTask.task_spec == task_spec,
                HumanTask.status == "open",
            )
        )
        actor = policy.Actor.of(session.scalar(select(User).where(User.username == username)))
    uploads.upload_named_files(db, task.id, data, actor=actor, directory=attachments)  # uploaded, then named
    commands.complete_task(db, task.id, data, actor=actor)


def at_finance_review(app) -> tuple[object, int, str]:
    """红色文化展陈 (WZ2026-003) waiting for 经济建设科's review: (database, instance id, task id)."""
    db = app.extensions["jixiao_db"]
    deploy_bpmn(db)
    with db.reading() as session:
        project_id = session.scalar(select(Project.id).where(Project.code == "WZ2026-003"))
    started = commands.start(
        db,
        "ex_ante_assessment",
        actor=policy.Actor.system("test"),
        data={"fiscal_year": 2026, "project_name": "红色文化展陈", "amount_wan": 118.4},
        project_id=project_id,
    )
    attachments = Path(app.config["JIXIAO_ATTACHMENTS_DIR"])
    report = demo.ex_ante_report("红色文化展陈", 118.4)
    complete_as(db, started.instance_id, "ea_write", report, "zhang.san", attachments)
    complete_as(db, started.instance_id, "ea_head", demo.head_approval(), "wang.head")
    with db.reading() as session:
        task_id = session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == started.instance_id, HumanTask.task_spec == "ea_finance_review"
            )
        )
    return db, started.instance_id, task_id
