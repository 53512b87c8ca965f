"""The process designer's workbench (issue 13): drafts, modelers, lint, deploy, compare, migrate.

HTTP only: each request is one command or query from ``workflows``; who may design is
``workflows.policy.may_design``.
"""

from __future__ import annotations

import io
from functools import wraps

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from workflows.commands import designer as drafts
from workflows.commands import migration
from workflows.errors import FormInvalid
from workflows.policy import may_design
from workflows.queries import designer as views

from . import designer_words as words
from . import formrender
from .auth import page_user
from .current import database
from .schemas import DraftDeploy, DraftFileSave, MigrateRequest, field_errors, from_form

bp = Blueprint("designer", __name__, url_prefix="/designer")


def designer_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not may_design(page_user().actor):
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


def _load(schema_cls, body) -> dict:
    try:
        return schema_cls().load(body)
    except ValidationError as exc:
        raise FormInvalid(field_errors(exc)) from None


# --- pages ---------------------------------------------------------------------------


@bp.get("/")
@designer_required
def index():
    actor = page_user().actor
    with database().reading() as session:
        draft = views.draft_of(session, actor)
        processes = views.catalog(session, draft.files if draft else None)
        changes = views.draft_changes(session, draft) if draft else {}
    return render_template("designer/index.html", processes=processes, draft=draft, changes=changes)


@bp.get("/workbench")
@designer_required
def workbench():
    actor = page_user().actor
    drafts.open_draft(database(), actor=actor)
    with database().reading() as session:
        draft = views.draft_of(session, actor)
        changes = views.draft_changes(session, draft)
    names = sorted(draft.files)
    current = request.args.get("file") or next((n for n in names if n.endswith(".bpmn")), None)
    if current not in draft.files:
        current = names[0] if names else None
    groups = [
        (_("流程 BPMN"), [n for n in names if n.endswith(".bpmn")]),
        (_("决策表 DMN"), [n for n in names if n.endswith(".dmn")]),
        (_("表单 JSON"), [n for n in names if n.endswith(".json")]),
    ]
    return render_template(
        "designer/workbench.html",
        draft=draft,
        groups=groups,
        current=current,
        kind=current.rsplit(".", 1)[-1] if current else None,
        changes=changes,
    )


# --- the draft (JSON endpoints the workbench calls) ----------------------------------


@bp.get("/draft/files/<path:name>")
@designer_required
def draft_file(name: str):
    with database().reading() as session:
        draft = views.draft_of(session, page_user().actor)
    if draft is None or name not in draft.files:
        abort(404)
    return jsonify(name=name, text=draft.files[name], lock_version=draft.lock_version)


@bp.put("/draft/files/<path:name>")
@designer_required
def save_draft_file(name: str):
    body = _load(DraftFileSave, request.get_json(silent=True) or {})
    version = drafts.save_file(
        database(), name, body["text"], actor=page_user().actor, lock_version=body["lock_version"]
    )
    return jsonify(name=name, lock_version=version)


@bp.post("/draft/files")
@designer_required
def new_draft_file():
    name = (request.form.get("name") or "").strip()
    kind = name.rsplit(".", 1)[-1] if "." in name else ""
    drafts.save_file(
        database(),
        name,
        _TEMPLATES.get(kind, "").replace("NAME", name.rsplit(".", 1)[0]),
        actor=page_user().actor,
    )
    return redirect(url_for("designer.workbench", file=name))


@bp.post("/draft/files/<path:name>/delete")
@designer_required
def delete_draft_file(name: str):
    drafts.delete_file(database(), name, actor=page_user().actor)
    flash(_("已从草稿中删除 %(name)s", name=name))
    return redirect(url_for("designer.workbench"))


@bp.post("/draft/lint")
@designer_required
def lint_draft():
    with database().reading() as session:
        draft = views.draft_of(session, page_user().actor)
    if draft is None:
        abort(404)
    errors = views.lint_draft(draft)
    return jsonify(errors=errors, lock_version=draft.lock_version)


@bp.post("/draft/deploy")
@designer_required
def deploy_draft():
    body = _load(DraftDeploy, from_form(DraftDeploy, request.form))
    result = drafts.deploy_draft(database(), body["note"], actor=page_user().actor)
    with database().reading() as session:
        flash(words.deployed_message(session, result.created))
    return redirect(url_for("designer.index"))


@bp.post("/draft/discard")
@designer_required
def discard_draft():
    drafts.discard_draft(database(), actor=page_user().actor)
    flash(_("草稿已恢复为当前发布的版本"))
    return redirect(url_for("designer.workbench"))


@bp.get("/draft/export.zip")
@designer_required
def export_draft():
    actor = page_user().actor
    drafts.open_draft(database(), actor=actor)
    with database().reading() as session:
        draft = views.draft_of(session, actor)
    data = drafts.bundle_zip(draft.files)
    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name="bundle.zip"
    )


@bp.post("/draft/import")
@designer_required
def import_draft():
    upload = request.files.get("bundle")
    if upload is None:
        raise FormInvalid({"bundle": [_("请选择 zip 文件")]})
    count = drafts.import_bundle(
        database(), upload.read(drafts.MAX_BUNDLE_BYTES + 1), actor=page_user().actor
    )
    flash(_("已导入 %(n)s 个文件到草稿（尚未发布）", n=count))
    return redirect(url_for("designer.workbench"))


@bp.post("/forms/preview")
@designer_required
def form_preview():
    """The form as the task page renders it (server/formrender.py + _form.html)."""
    import json

    text = (request.get_json(silent=True) or {}).get("text", "")
    try:
        schema = json.loads(text)
        if not isinstance(schema, dict):
            raise ValueError("not an object")
        fields = formrender.fields_of(schema)
    except RecursionError:
        return jsonify(html=None, error=_("表单嵌套层级过深"))
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        return jsonify(html=None, error=str(exc)[:300])
    return jsonify(html=render_template("designer/_preview.html", fields=fields), error=None)


# --- versions: compare, migrate -------------------------------------------------------


@bp.get("/processes/<process_id>/versions/<int:version>/files/<path:name>")
@designer_required
def version_file(process_id: str, version: int, name: str):
    with database().reading() as session:
        files = views.version_files(session, process_id, version)
    if name not in files:
        abort(404)
    return jsonify(name=name, text=files[name])


@bp.get("/processes/<process_id>/compare")
@designer_required
def compare(process_id: str):
    old = request.args.get("from", type=int)
    new = request.args.get("to", type=int)
    with database().reading() as session:
        rows = {r.process_id: r for r in views.catalog(session)}
        row = rows.get(process_id) or abort(404)
        numbers = [v.version for v in row.versions]
        new = new or numbers[0]
        old = old or (numbers[1] if len(numbers) > 1 else numbers[0])
        comparison = views.compare(session, process_id, old, new)
    return render_template(
        "designer/compare.html", row=row, comparison=comparison, numbers=numbers, kind=words.element_kind
    )


@bp.get("/processes/<process_id>/instances")
@designer_required
def instances(process_id: str):
    with database().reading() as session:
        rows = {r.process_id: r for r in views.catalog(session)}
        row = rows.get(process_id) or abort(404)
        running = views.running_instances(session, process_id)
        names = views.instance_names(session, [i.id for i in running])
    return render_template("designer/instances.html", row=row, running=running, names=names)


@bp.get("/instances/<int:instance_id>/preview")
@designer_required
def migration_preview(instance_id: int):
    version = request.args.get("version", type=int)
    with database().reading() as session:
        instance, target, plan = views.migration_preview(session, instance_id, version)
        source = instance.definition.version
        tables = views.changed_tables(session, instance, target) if target.version > source else []
    return render_template(
        "designer/_migration_preview.html",
        instance=instance,
        source=source,
        target=target,
        plan=plan,
        tables=tables,
    )


@bp.post("/processes/<process_id>/migrate")
@designer_required
def migrate(process_id: str):
    body = _load(
        MigrateRequest,
        {
            "instance_ids": request.form.getlist("instance_ids", type=int),
            "version": request.form.get("version", type=int),
        },
    )
    report = migration.migrate_instances(
        database(), body["instance_ids"], actor=page_user().actor, version=body["version"]
    )
    with database().reading() as session:
        names = views.instance_names(session, [*report.moved, *report.refused])
    return render_template("designer/migrated.html", process_id=process_id, report=report, names=names)


_TEMPLATES = {
    "json": '{\n  "title": "新表单",\n  "type": "object",\n  "properties": {},\n  "required": []\n}\n',
    "dmn": """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_NAME" name="NAME" namespace="http://jixiao.example/dmn">
  <decision id="NAME" name="NAME">
    <decisionTable id="DecisionTable_NAME" hitPolicy="FIRST">
      <input id="Input_NAME_1" label="输入"><inputExpression id="InputExpression_NAME_1"><text>value</text></inputExpression></input>
      <output id="Output_NAME_1" label="结果" name="result" />
    </decisionTable>
  </decision>
</definitions>
""",
    "bpmn": """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_NAME" targetNamespace="http://jixiao.example/bpmn">
  <bpmn:process id="NAME" name="NAME" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_NAME">
    <bpmndi:BPMNPlane id="Plane_NAME" bpmnElement="NAME">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""",
}
