"""Deployments: load, lint and deploy a bundle of BPMN, DMN and form files (DESIGN 2).

A bundle that would be refused is refused with every error located (file, element id,
message); nothing is written and the previous version keeps serving. An accepted
bundle becomes an immutable :class:`~workflows.store.Deployment` keyed by its content
hash; each executable process gets a new :class:`~workflows.store.ProcessDefinition`
version only when its spec changed. The parsed spec is serialized once per version.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import clock
from ..config import settings
from ..errors import DeployRejected, LocatedError, ProcessNotFound
from ..store import Deployment, ProcessDefinition, audit
from . import decision_checks, forms, names, sandbox, serializer
from .spec_cache import ensure_loaded, ensure_spec, form_schema, form_schema_of  # noqa: F401 - the specs API

BUNDLE_SUFFIXES = (".bpmn", ".dmn", ".json")
_ISO_LOOKING = re.compile(r"^(R\d*/|P(\d|T)|\d{4}-\d{2}-\d{2})")


# --- bundles ---------------------------------------------------------------------


def user_task_form(task_spec) -> str | None:
    """The form a user task names (spiff-arena's ``formJsonSchemaFilename``)."""
    ext = getattr(task_spec, "extensions", None) or {}
    return ext.get("formJsonSchemaFilename") or (ext.get("properties") or {}).get("formJsonSchemaFilename")


def task_property(task_spec, name: str) -> str | None:
    ext = getattr(task_spec, "extensions", None) or {}
    return (ext.get("properties") or {}).get(name)


def load_bundle(directory: str | Path, forms_dir: str | Path | None = None) -> dict[str, str]:
    """Read DIR's BPMN, DMN and JSON files, plus the forms its user tasks name from ``forms/``."""
    directory = Path(directory)
    forms_dir = Path(forms_dir) if forms_dir is not None else settings().forms_dir
    files = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(directory.iterdir())
        if p.suffix in BUNDLE_SUFFIXES
    }
    for form in _named_forms(files):
        if form not in files and (forms_dir / form).is_file():
            files[form] = (forms_dir / form).read_text(encoding="utf-8")
    return files


_FORM_ATTR = re.compile(r'name="formJsonSchemaFilename"\s+value="([^"]+)"|formJsonSchemaFilename="([^"]+)"')


def _named_forms(files: dict[str, str]) -> set[str]:
    names = set()
    for name, text in files.items():
        if name.endswith(".bpmn"):
            for match in _FORM_ATTR.finditer(text):
                names.add(match.group(1) or match.group(2))
    return names


def content_hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


# --- linting ---------------------------------------------------------------------


@dataclass
class ParsedBundle:
    files: dict[str, str]
    # process id -> (name, spec, subprocess specs, serialized spec, spec hash)
    processes: dict[str, tuple] = field(default_factory=dict)
    errors: list[LocatedError] = field(default_factory=list)


def _xml(text: str):
    return etree.parse(io.BytesIO(text.encode("utf-8")))


def parse_bundle(files: dict[str, str]) -> ParsedBundle:
    """Parse and check a bundle; every problem becomes a located error."""
    result = ParsedBundle(files=files)
    if not any(name.endswith(".bpmn") for name in files):
        result.errors.append(LocatedError("<bundle>", None, "the bundle holds no .bpmn file"))
        return result
    parser = serializer.new_parser()
    process_files: dict[str, str] = {}
    for name in sorted(files):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            tree = _xml(files[name])
            if name.endswith(".dmn"):
                parser.add_dmn_xml(tree.getroot(), filename=name)
                _check_dmn(name, tree, result.errors)
            else:
                parser.add_bpmn_xml(tree, filename=name)
                for pid in tree.getroot().xpath("//*[local-name()='process']/@id"):
                    process_files[pid] = name
        except etree.XMLSyntaxError as exc:
            result.errors.append(LocatedError(name, None, f"XML syntax error: {exc}"))
        except ValidationException as exc:
            result.errors.append(LocatedError(exc.file_name or name, exc.id or None, _first_line(exc)))
        except Exception as exc:  # the parser raises many kinds; each is a refusal
            result.errors.append(LocatedError(name, None, _first_line(exc)))
    for name, text in files.items():
        if name.endswith(".json"):
            _check_form(name, text, result.errors, decision_checks.bundle_decisions(files))
    if result.errors:
        return result

    try:
        executable = parser.get_process_ids()
    except Exception as exc:
        result.errors.append(LocatedError("<bundle>", None, _first_line(exc)))
        return result
    for pid in executable:
        where = process_files.get(pid, "<bundle>")
        try:
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
        except ValidationException as exc:
            result.errors.append(LocatedError(exc.file_name or where, exc.id or pid, _first_line(exc)))
            continue
        except (SpiffWorkflowException, KeyError, ValueError) as exc:
            result.errors.append(LocatedError(where, pid, _first_line(exc)))
            continue
        before = len(result.errors)
        for s in (spec, *subs.values()):
            _check_spec(s, process_files.get(s.name, where), files, result.errors)
        if len(result.errors) > before:
            continue
        serialized = serializer.dump_spec(spec, subs)
        spec_hash = hashlib.sha256(serialized.encode()).hexdigest()
        result.processes[pid] = (spec.description or pid, spec, subs, serialized, spec_hash)
    if not result.errors:  # names read that nothing sets: typos the sandbox cannot see
        located = [
            (process_files.get(s.name, "<bundle>"), s, pid)
            for pid, (_name, spec, subs, _serialized, _hash) in result.processes.items()
            for s in (spec, *subs.values())
        ]
        result.errors = names.check(files, located, _expressions, _scope_names())
        if result.errors:
            result.processes = {}
    # an element checked through several parent processes is reported once
    result.errors = list(dict.fromkeys(result.errors))
    return result


def _scope_names() -> set[str]:
    """What every expression may read besides its data: the sandbox's functions and built-ins."""
    scope = serializer.script_engine().environment.globals
    return set(scope) | set(scope.get("__builtins__") or {})


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0]


def _check_form(name: str, text: str, errors: list[LocatedError], decisions=None) -> None:
    try:
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
    except json.JSONDecodeError as exc:
        errors.append(LocatedError(name, None, f"form is not valid JSON: {exc}"))
        return
    except SchemaError as exc:
        errors.append(LocatedError(name, None, f"form is not a valid JSON Schema: {exc.message}"))
        return
    except RecursionError:  # a hostile draft: [[[[…]]]] 100,000 deep
        errors.append(LocatedError(name, None, "form nests too deeply to be read"))
        return
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        errors.append(
            LocatedError(name, None, 'a form schema must be {"type": "object", "properties": {...}}')
        )
        return
    for problem in forms.check_rules(schema, decisions):  # declared cross-field checks (x-checks)
        errors.append(LocatedError(name, "x-checks", problem))


def _check_dmn(name: str, tree, errors: list[LocatedError]) -> None:
    ns = {"d": tree.getroot().nsmap.get(None) or "https://www.omg.org/spec/DMN/20191111/MODEL/"}
    for entry in tree.getroot().iter("{*}inputEntry", "{*}outputEntry", "{*}inputExpression"):
        text_el = entry.find("{*}text")
        source = (text_el.text or "").strip() if text_el is not None else ""
        if not source or source == "-":
            continue
        problem = sandbox.check(source)
        if problem and entry.tag.endswith("inputEntry"):
            # a cell like ">= 80" is read as "<input> >= 80" (SpiffWorkflow's DMN engine)
            problem = sandbox.check(f"dmninputexpr {source}") and problem
        if problem:
            errors.append(LocatedError(name, entry.get("id"), f"DMN cell refused: {problem}"))
    del ns


def _expressions(task_spec):
    """(kind, source, mode) for every piece of code a task spec carries."""
    for cond, _target in getattr(task_spec, "cond_task_specs", None) or []:
        if cond is not None and getattr(cond, "args", None):
            yield "condition", cond.args[0], "eval"
    for attr in ("script", "prescript", "postscript"):
        source = getattr(task_spec, attr, None)
        if isinstance(source, str) and source.strip():
            yield attr, source, "exec"
    for attr in ("cardinality", "condition"):
        source = getattr(task_spec, attr, None)
        if isinstance(source, str) and source.strip():
            yield attr, source, "eval"
    for prop in ("assignee", "dueAt", "priority", "unitId"):
        source = task_property(task_spec, prop)
        if source:
            yield prop, source, "eval"


def _timer_definitions(task_spec):
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        yield from (d for d in definition.event_definitions if isinstance(d, TimerEventDefinition))
    elif isinstance(definition, TimerEventDefinition):
        yield definition


def _check_spec(spec, file: str, files: dict[str, str], errors: list[LocatedError]) -> None:
    for task_spec in spec.task_specs.values():
        element = getattr(task_spec, "bpmn_id", None)
        if element is None:
            continue
        form = user_task_form(task_spec) if getattr(task_spec, "manual", False) else None
        if form is not None and form not in files:
            errors.append(
                LocatedError(file, element, f"names form {form!r}, which is not in the bundle or forms/")
            )
        for kind, source, mode in _expressions(task_spec):
            problem = sandbox.check(source, mode)
            if problem:
                errors.append(LocatedError(file, element, f"{kind} refused by the sandbox: {problem}"))
        for definition in _timer_definitions(task_spec):
            problem = check_timer_expression(definition)
            if problem:
                errors.append(LocatedError(file, element, problem))


def check_timer_expression(definition) -> str | None:
    """Refuse a timer expression that cannot yield an ISO 8601 value (ENGINE-NOTES 2)."""
    source = (definition.expression or "").strip()
    problem = sandbox.check(source)
    if problem:
        return f"timer expression refused by the sandbox: {problem}"
    try:
        value = serializer.script_engine().environment.evaluate(source, {})
    except NameError as exc:
        name = getattr(exc, "name", "") or ""
        if _ISO_LOOKING.match(source) or _ISO_LOOKING.match(name):
            return f'timer expression {source!r} is not quoted: write "{source}"'
        return None  # reads task data; checked when it runs
    except Exception as exc:
        return f"timer expression {source!r} fails: {_first_line(exc)}"
    if not isinstance(value, str):
        return f"timer expression {source!r} gives {type(value).__name__}, not an ISO 8601 string"
    try:
        if isinstance(definition, CycleTimerEventDefinition):
            TimerEventDefinition.parse_iso_recurring_interval(value)
        else:
            TimerEventDefinition.parse_time_or_duration(value)
    except Exception:
        return (
            f"timer expression {source!r} gives {value!r}, which is not an ISO 8601 date, duration or cycle"
        )
    return None


def lint(files: dict[str, str]) -> list[LocatedError]:
    return parse_bundle(files).errors


# --- deploying -------------------------------------------------------------------


@dataclass
class DeployResult:
    deployment_id: int
    created: dict[str, int]  # process id -> new version
    unchanged: dict[str, int]  # process id -> current version


def deploy(
    session: Session, files: dict[str, str], actor: str = "system", note: str | None = None
) -> DeployResult:
    """Deploy a bundle in the caller's transaction; raises :class:`DeployRejected`.

    ``note`` is the designer's change note (why), kept in the audit event with who and when.
    """
    parsed = parse_bundle(files)
    if parsed.errors:
        raise DeployRejected(parsed.errors)
    digest = content_hash(files)
    deployment = session.scalar(select(Deployment).where(Deployment.content_hash == digest))
    if deployment is None:
        deployment = Deployment(content_hash=digest, files=files, deployed_by=actor, deployed_at=clock.now())
        session.add(deployment)
        session.flush()
    created, unchanged = {}, {}
    for pid, (name, spec, subs, serialized, spec_hash) in parsed.processes.items():
        latest = latest_definition(session, pid, required=False)
        if latest is not None and latest.spec_hash == spec_hash:
            unchanged[pid] = latest.version
            continue
        version = (latest.version if latest else 0) + 1
        session.add(
            ProcessDefinition(
                process_id=pid,
                version=version,
                name=name,
                spec_hash=spec_hash,
                deployment_id=deployment.id,
                serialized_spec=serialized,
                created_at=clock.now(),
            )
        )
        serializer.cache_spec(spec_hash, spec, subs)
        created[pid] = version
    session.flush()
    data = {"content_hash": digest, "created": created, "unchanged": unchanged}
    if note:
        data["note"] = note
    audit.append(session, action="process.deployed", actor=actor, data=data)
    return DeployResult(deployment.id, created, unchanged)


def latest_definition(session: Session, process_id: str, required: bool = True) -> ProcessDefinition | None:
    latest = session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )
    if latest is None and required:
        raise ProcessNotFound(f"no deployed process {process_id!r}")
    return latest


def process_catalog(session: Session) -> list[ProcessDefinition]:
    """The latest version of every deployed process."""
    newest = (
        select(ProcessDefinition.process_id, func.max(ProcessDefinition.version).label("v"))
        .group_by(ProcessDefinition.process_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(ProcessDefinition)
            .join(
                newest,
                (ProcessDefinition.process_id == newest.c.process_id)
                & (ProcessDefinition.version == newest.c.v),
            )
            .order_by(ProcessDefinition.process_id)
        )
    )
