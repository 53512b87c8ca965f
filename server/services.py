"""Use cases shared by the pages and the API: each writes in one unit of work with an audit event.

Workflow commands go through ``workflows.runtime``; this module adds the web layer's own
objects (comments, attachments, saved filters, delegations, API tokens, projects).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from workflows import audit, clock, runtime, specs
from workflows.collab import ApiToken, Attachment, Comment, Delegation, SavedFilter
from workflows.errors import BusinessRuleRefused, Conflict, Forbidden, FormInvalid, ProcessNotFound
from workflows.store import AuditEvent, HumanTask, ProcessInstance, Project, User

from .access import OVERSIGHT_ROLES, CurrentUser, database

TOKEN_LIFETIME = timedelta(hours=12)
ALLOWED_UPLOADS = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


# --- users and tokens ---------------------------------------------------------------


def authenticate(username: str, password: str) -> User | None:
    with database().reading() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.is_active or not check_password_hash(user.password_hash, password):
            return None
        _ = user.grants, user.unit  # load before the session closes
        return user


def issue_token(user: User) -> tuple[str, object]:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with database().unit_of_work() as session:
        row = ApiToken(
            token_hash=_sha(token.encode()),
            username=user.username,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
        session.add(row)
        audit.append(session, action="api_token.issued", actor=user.username, data={})
        session.commit()
        return token, row.expires_at


def user_for_token(token: str) -> CurrentUser | None:
    with database().reading() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha(token.encode())))
        if row is None or row.expires_at <= clock.now():
            return None
        user = session.scalar(select(User).where(User.username == row.username, User.is_active.is_(True)))
        return CurrentUser.of(user) if user else None


def load_user(user_id: str) -> CurrentUser | None:
    try:
        key = int(user_id)
    except (TypeError, ValueError):
        return None
    with database().reading() as session:
        user = session.get(User, key)
        return CurrentUser.of(user) if user is not None and user.is_active else None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- comments and attachments --------------------------------------------------------


def add_comment(user: CurrentUser, task: HumanTask, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise FormInvalid({"body": ["此项为必填项"]})
    if len(body) > 4000:
        raise FormInvalid({"body": ["不能超过 4000 个字符"]})
    with database().unit_of_work() as session:
        comment = Comment(
            project_id=task.project_id,
            instance_id=task.instance_id,
            task_id=task.id,
            author=user.username,
            body=body,
            created_at=clock.now(),
        )
        session.add(comment)
        session.flush()
        audit.append(
            session,
            action="comment.added",
            actor=user.username,
            instance_id=task.instance_id,
            task_id=task.id,
            data={"comment": comment.id, "body": body[:500]},
        )
        session.commit()
        return comment


def attachments_dir() -> Path:
    path = Path(current_app.config["JIXIAO_ATTACHMENTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_attachment(user: CurrentUser, task: HumanTask, filename: str, content: bytes) -> Attachment:
    """Keep an uploaded file by its SHA-256 outside the web root; type- and size-limited."""
    filename = Path(filename or "").name[:255]
    suffix = Path(filename).suffix.lower()
    if not filename or suffix not in ALLOWED_UPLOADS:
        raise FormInvalid({"file": ["仅支持 PDF、Office 文档和图片"]})
    if len(content) == 0:
        raise FormInvalid({"file": ["文件为空"]})
    if len(content) > current_app.config["JIXIAO_MAX_ATTACHMENT_BYTES"]:
        raise FormInvalid({"file": ["文件过大"]})
    digest = _sha(content)
    target = attachments_dir() / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(target)
    with database().unit_of_work() as session:
        row = Attachment(
            project_id=task.project_id,
            instance_id=task.instance_id,
            task_id=task.id,
            filename=filename,
            content_type=ALLOWED_UPLOADS[suffix],
            size=len(content),
            sha256=digest,
            uploaded_by=user.username,
            uploaded_at=clock.now(),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="attachment.uploaded",
            actor=user.username,
            instance_id=task.instance_id,
            task_id=task.id,
            data={"attachment": row.id, "filename": filename, "sha256": digest, "size": len(content)},
        )
        session.commit()
        return row


def attachment_path(row: Attachment) -> Path:
    return attachments_dir() / row.sha256[:2] / row.sha256


# --- task context ---------------------------------------------------------------------


def form_schema_of(session, task: HumanTask) -> dict | None:
    if not task.form:
        return None
    instance = session.get(ProcessInstance, task.instance_id)
    return specs.form_schema(instance.definition, task.form)


def prefill(session, task: HumanTask, schema: dict | None) -> dict:
    """Values to show in the form: the draft, else the latest values this instance recorded.

    Read from the audit log (start data and completed-task data), never from the workflow.
    """
    if task.draft:
        return dict(task.draft)
    if not schema:
        return {}
    declared = set(schema.get("properties", {}))
    # experts score independently: another expert's sheet never pre-fills this one
    expert_tasks = set(
        session.scalars(
            select(HumanTask.id).where(HumanTask.instance_id == task.instance_id, HumanTask.role == "expert")
        )
    )
    values: dict = {}
    for event in audit.history(session, task.instance_id):
        if event.action not in ("instance.started", "task.completed"):
            continue
        if event.task_id in expert_tasks and event.actor != task.assignee:
            continue
        values.update((event.data or {}).get("data") or {})
    return {k: v for k, v in values.items() if k in declared}


def decisions(session, instance_ids: list[int], viewer: CurrentUser | None = None) -> list[dict]:
    """Earlier decisions and scores in this path: completed tasks with the data they recorded.

    An expert scores independently: other experts' score sheets are left out for them.
    """
    if not instance_ids:
        return []
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id.in_(instance_ids), AuditEvent.action == "task.completed")
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    rows = session.execute(
        select(HumanTask.id, HumanTask.title, HumanTask.role).where(HumanTask.instance_id.in_(instance_ids))
    ).all()
    titles = {r.id: r.title for r in rows}
    if viewer is not None and "expert" in viewer.roles and not viewer.roles & OVERSIGHT_ROLES:
        expert_tasks = {r.id for r in rows if r.role == "expert"}
        events = [e for e in events if e.task_id not in expert_tasks or e.actor == viewer.username]
    return [
        {
            "task_id": e.task_id,
            "title": titles.get(e.task_id, (e.data or {}).get("task")),
            "actor": e.actor,
            "at": e.at,
            "data": (e.data or {}).get("data") or {},
        }
        for e in events
    ]


def comments_of(session, project_id: int | None, instance_id: int) -> list[Comment]:
    query = select(Comment).order_by(Comment.created_at, Comment.id)
    query = (
        query.where(Comment.project_id == project_id)
        if project_id
        else query.where(Comment.instance_id == instance_id)
    )
    return list(session.scalars(query))


def attachments_of(session, project_id: int | None, instance_id: int) -> list[Attachment]:
    query = select(Attachment).order_by(Attachment.uploaded_at, Attachment.id)
    query = (
        query.where(Attachment.project_id == project_id)
        if project_id
        else query.where(Attachment.instance_id == instance_id)
    )
    return list(session.scalars(query))


def diagram(session, instance: ProcessInstance) -> dict:
    """The deployed BPMN XML of the path the instance now stands in, and which steps are open or done.

    When every open step lives in a called process (the lifecycle waiting inside
    ``target_review``, say), that process's diagram is the one that shows where the project is.
    """
    files = {n: t for n, t in sorted(instance.definition.deployment.files.items()) if n.endswith(".bpmn")}
    rows = session.execute(
        select(HumanTask.task_spec, HumanTask.status).where(HumanTask.instance_id == instance.id)
    ).all()
    open_steps = sorted({spec for spec, status in rows if status == "open"})
    done = sorted({spec for spec, status in rows if status == "completed"} - set(open_steps))
    process_id = instance.process_id
    xml = next((text for text in files.values() if _declares_process(text, process_id)), "")
    if open_steps and not any(_has_element(xml, step) for step in open_steps):
        for text in files.values():
            if _has_element(text, open_steps[0]):
                xml = text
                found = re.search(r'<(?:\w+:)?process\b[^>]*\bid="([^"]+)"', text)
                process_id = found.group(1) if found else process_id
                break
    return {"process_id": process_id, "xml": xml, "open": open_steps, "completed": done}


def _declares_process(xml: str, process_id: str) -> bool:
    return re.search(r'<(?:\w+:)?process\b[^>]*\bid="' + re.escape(process_id) + '"', xml) is not None


def _has_element(xml: str, element_id: str) -> bool:
    return f'id="{element_id}"' in xml


# --- delegation -------------------------------------------------------------------------


def delegate(user: CurrentUser, task_id: str, username: str) -> None:
    """Hand a claimed task to a colleague; it comes back with :func:`hand_back`."""
    with database().reading() as session:
        row = session.get(HumanTask, task_id)
        if row is None or row.assignee != user.username:
            raise Forbidden("只能委托自己已认领的任务")
    runtime.assign(database(), task_id, username, actor=user.actor)
    with database().unit_of_work() as session:
        session.add(
            Delegation(task_id=task_id, delegator=user.username, delegate=username, created_at=clock.now())
        )
        audit.append(
            session,
            action="task.delegated",
            actor=user.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"delegate": username},
        )
        session.commit()


def open_delegation(session, task_id: str) -> Delegation | None:
    return session.scalar(
        select(Delegation)
        .where(Delegation.task_id == task_id, Delegation.returned_at.is_(None))
        .order_by(Delegation.id.desc())
    )


def hand_back(user: CurrentUser, task_id: str) -> None:
    with database().reading() as session:
        row = session.get(HumanTask, task_id)
        delegation = open_delegation(session, task_id)
    if row is None or delegation is None or user.username not in (delegation.delegate, delegation.delegator):
        raise Forbidden("没有可交回的委托")
    if row.assignee != delegation.delegate:
        raise Conflict("任务已不在受托人名下")
    runtime.assign(database(), task_id, delegation.delegator, actor=runtime.Actor.system("delegation"))
    with database().unit_of_work() as session:
        session.execute(
            update(Delegation).where(Delegation.id == delegation.id).values(returned_at=clock.now())
        )
        audit.append(
            session,
            action="task.handed_back",
            actor=user.username,
            instance_id=row.instance_id,
            task_id=task_id,
            data={"to": delegation.delegator},
        )
        session.commit()


# --- saved filters ------------------------------------------------------------------------


def save_filter(user: CurrentUser, name: str, params: dict) -> SavedFilter:
    name = (name or "").strip()[:80]
    if not name:
        raise FormInvalid({"name": ["此项为必填项"]})
    with database().unit_of_work() as session:
        row = SavedFilter(username=user.username, name=name, params=params, created_at=clock.now())
        session.add(row)
        session.flush()
        audit.append(
            session, action="filter.saved", actor=user.username, data={"name": name, "params": params}
        )
        session.commit()
        return row


def delete_filter(user: CurrentUser, filter_id: int) -> None:
    with database().unit_of_work() as session:
        row = session.get(SavedFilter, filter_id)
        if row is None or row.username != user.username:
            raise Forbidden("不能删除他人的筛选")
        session.delete(row)
        audit.append(session, action="filter.deleted", actor=user.username, data={"name": row.name})
        session.commit()


def saved_filters(session, user: CurrentUser) -> list[SavedFilter]:
    return list(
        session.scalars(
            select(SavedFilter).where(SavedFilter.username == user.username).order_by(SavedFilter.id)
        )
    )


# --- projects -----------------------------------------------------------------------------


# DOMAIN 3.1 R-EA-1: a new project needs an ex-ante assessment first; 3.2 R-TG-1: every project
# applying for budget sets targets. project_lifecycle, when deployed, runs the whole loop.
def process_for_project(session, is_new: bool, requested: str | None) -> str | None:
    if requested:
        specs.latest_definition(session, requested)  # raises ProcessNotFound
        return requested
    for candidate in ("project_lifecycle", "ex_ante_assessment" if is_new else "target_review"):
        if specs.latest_definition(session, candidate, required=False) is not None:
            return candidate
    return None


def create_project(user: CurrentUser, values: dict) -> tuple[int, int | None]:
    """Create a project for a unit and start its process; returns (project id, instance id)."""
    if not user.roles & {"unit_submitter", "performance_office", "admin"}:
        raise Forbidden("无权新建项目")
    unit_id = values.get("unit_id")
    if user.roles & {"performance_office", "admin"}:
        unit_id = unit_id or user.unit_id
    else:
        if unit_id not in (None, user.unit_id):
            raise Forbidden("只能为本单位新建项目")
        unit_id = user.unit_id
    if unit_id is None:
        raise FormInvalid({"unit_id": ["此项为必填项"]})
    try:
        amount = Decimal(str(values["amount"])).quantize(Decimal("0.01"))
    except (InvalidOperation, KeyError, ValueError) as exc:
        raise FormInvalid({"amount": ["类型不正确，应为数字"]}) from exc
    from workflows.store import BudgetUnit

    with database().unit_of_work() as session:
        if session.get(BudgetUnit, unit_id) is None:
            raise FormInvalid({"unit_id": ["预算单位不存在"]})
        if session.scalar(select(Project.id).where(Project.code == values["code"])) is not None:
            raise Conflict(f"项目编码 {values['code']} 已存在")
        process_id = process_for_project(session, bool(values.get("is_new", True)), values.get("process_id"))
        project = Project(
            code=values["code"],
            name=values["name"],
            unit_id=unit_id,
            fiscal_year=values["fiscal_year"],
            amount=amount,
            fund_type=values.get("fund_type") or "general_public",
            is_new=bool(values.get("is_new", True)),
            is_major=bool(values.get("is_major", False)),
            created_at=clock.now(),
        )
        session.add(project)
        session.flush()
        audit.append(
            session,
            action="project.created",
            actor=user.username,
            data={"project": project.id, "code": project.code, "process_id": process_id},
        )
        session.commit()
        project_id = project.id
        start_data = project_start_data(project)
    instance_id = None
    if process_id:
        result = runtime.start(
            database(),
            process_id,
            actor=user.actor,
            data=start_data,
            business_key=values["code"],
            project_id=project_id,
        )
        instance_id = result.instance_id
    return project_id, instance_id


def project_start_data(project: Project) -> dict:
    """What a review path knows about its project when it starts."""
    return {
        "project_id": project.id,
        "project_code": project.code,
        "project_name": project.name,
        "unit_id": project.unit_id,
        "fiscal_year": project.fiscal_year,
        "amount": float(project.amount),
        "fund_type": project.fund_type,
        "is_new": project.is_new,
        "is_major": project.is_major,
    }


def start_instance(user: CurrentUser, process_id: str, business_key, data: dict, project_id) -> int:
    """``POST /api/v1/instances``: oversight roles start any process; a unit submitter only for its projects."""
    from .access import can_view_project

    with database().reading() as session:
        if specs.latest_definition(session, process_id, required=False) is None:
            raise ProcessNotFound(f"没有已部署的流程 {process_id!r}")
        if project_id is not None:
            project = session.get(Project, project_id)
            if project is None or not can_view_project(session, user, project_id):
                from workflows.errors import NotFound

                raise NotFound(f"项目 {project_id} 不存在")
            base = project_start_data(project)
        else:
            base = {}
    oversight = bool(user.roles & (OVERSIGHT_ROLES - {"finance_reviewer"}))
    if not oversight:
        if not ("unit_submitter" in user.roles and project_id is not None):
            raise Forbidden("无权发起流程")
        if data:
            # ENGINE-NOTES 4: start data lands where gateway conditions read; only the loop's owners set it
            raise BusinessRuleRefused("单位填报人发起流程时不能附带流程数据")
    result = runtime.start(
        database(),
        process_id,
        actor=user.actor,
        data={**base, **(data or {})},
        business_key=business_key,
        project_id=project_id,
    )
    return result.instance_id
