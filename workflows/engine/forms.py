"""Form data entering a workflow: only declared keys, always validated (DESIGN 6).

ENGINE-NOTES 4: form data lands in the namespace gateway conditions read, so a
submitted ``finance_approved=True`` could switch a gateway. Only the keys the form's
JSON Schema declares get through; the rest are dropped (and reported in the audit).
Validation errors come back per field, in Chinese, with the English text beside.

Declared checks (issue 10): a form may carry cross-field rules JSON Schema cannot say, as data
a designer edits, evaluated in the BPMN sandbox after the schema passes::

    "x-checks": [
      {"id": "indicator_weights_total_100",
       "rule": "sum(row['weight'] for row in indicators) == 100",
       "field": "indicators", "message": "绩效指标权重合计应为100"},
      {"id": "score_within_item_points", "each": "expert_sheet",
       "rule": "score <= max_points", "field": "score", "message": "超过该项分值 {max_points}"}
    ]

A rule is one sandboxed expression that is true when the data is right. Its names are the
form's declared fields (a field left empty reads ``None``); with ``each`` the rule runs once per
row of that table, the row's columns are names too (and ``row`` the whole row), and the error
lands on ``<table>/<row>/<field>`` like a schema error on a cell. A rule may call the functions
BPMN may call (:data:`workflows.domain.FUNCTIONS`), e.g. ``falls_short(projected_value,
target_value, direction)`` for an indicator value that misses its target. A rule that does not compile,
names something the form does not declare, or fails on valid data raises :class:`CheckBroken`:
that is the designer's mistake, never the user's.
"""

from __future__ import annotations

import ast
from typing import Any

from .. import domain
from ..errors import FormInvalid
from . import computed, decision_checks, prefill, sandbox, values
from .form_schema import bounded, validator_for  # noqa: F401 - callers read them from here


def options(prop: dict) -> list[tuple[Any, str]]:
    """A choice field's (value, label a person reads) pairs: ``oneOf`` consts with titles, or an
    ``enum`` with its ``x-enumNames``; empty for a field that is not a choice."""
    if "oneOf" in prop and all("const" in o for o in prop["oneOf"]):
        return [(o["const"], str(o.get("title", o["const"]))) for o in prop["oneOf"]]
    if "enum" in prop:
        names = prop.get("x-enumNames") or prop.get("enumNames") or []
        return [(v, str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(prop["enum"])]
    return []


def declared_keys(schema: dict) -> set[str]:
    return set((schema or {}).get("properties", {}))


def filter_declared(schema: dict, data: dict) -> tuple[dict, list[str]]:
    """Split ``data`` into what the form declares and the names of the keys dropped."""
    allowed = declared_keys(schema)
    kept = {k: v for k, v in data.items() if k in allowed}
    dropped = sorted(k for k in data if k not in allowed)
    return kept, dropped


_MESSAGES_ZH = {
    "required": "此项为必填项",
    "type": "类型不正确，应为{expected}",
    "minimum": "不能小于 {limit}",
    "maximum": "不能大于 {limit}",
    "exclusiveMinimum": "必须大于 {limit}",
    "exclusiveMaximum": "必须小于 {limit}",
    "minLength": "至少需要 {limit} 个字符",
    "maxLength": "不能超过 {limit} 个字符",
    "enum": "请从给定选项中选择",
    "const": "取值不正确",
    "const_true": "请勾选此项",
    "pattern": "格式不正确",
    "format": "格式不正确（{limit}）",
    "minItems": "至少需要 {limit} 项",
    "maxItems": "不能超过 {limit} 项",
    "multipleOf": "必须是 {limit} 的整数倍",
    "additionalProperties": "包含未定义的字段",
}
_TYPE_ZH = {
    "string": "文本",
    "number": "数字",
    "integer": "整数",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
    "null": "空",
}


def _field_path(error) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return "/".join(path) or "_form"


def _message_zh(error) -> str:
    if error.validator == "const" and error.validator_value is True:
        return _MESSAGES_ZH["const_true"]  # a required tick (承诺、确认)
    template = _MESSAGES_ZH.get(error.validator)
    if template is None:
        return error.message
    expected = error.validator_value
    if error.validator == "type":
        names = expected if isinstance(expected, list) else [expected]
        return template.format(expected="或".join(_TYPE_ZH.get(n, n) for n in names))
    return template.format(limit=expected, expected=expected)


def validate(
    schema: dict, data: dict, sources: dict | None = None, context: decision_checks.Context | None = None
) -> None:
    """Raise :class:`FormInvalid` with ``{field path: [messages]}`` if ``data`` breaks ``schema``
    or one of its declared checks (the checks run only once the schema passes), or a table
    bound to its ``x-prefill`` source in ``sources`` (the earlier data) strays from it. Values no
    task data may hold (NUL, lone surrogates, NaN, too deep or too large) are refused first.
    ``context``: the process data and decision tables a ``decision`` check asks (none: not run)."""
    check_values(data)
    errors: dict[str, list[str]] = {}
    for error in validator_for(schema).iter_errors(data):
        errors.setdefault(_field_path(error), []).append(_message_zh(error))
    if errors:  # one round (walk 11): the checks that can read their values speak too
        for path, messages in live_errors(schema, data).items():
            known = errors.setdefault(path, [])
            known.extend(m for m in messages if m not in known)
    else:
        errors = check_errors(schema, data, context)
    for path, messages in prefill.bound_errors(schema, data, sources).items():
        errors.setdefault(path, []).extend(messages)
    if errors:
        raise FormInvalid(errors)


# --- declared checks (x-checks) ------------------------------------------------------


class CheckBroken(ValueError):
    """A declared check cannot be evaluated: the form file is wrong, not the user's data."""

    def __init__(self, form: str, check: str, reason: str):
        self.form, self.check, self.reason = form, check, reason
        super().__init__(f"form {form!r}, check {check!r}: {reason}")


_CHECK_KEYS = {"id", "rule", "field", "message", "each", "description", "quotes"}
# "quotes": {"total": "sum(row['weight'] for row in indicators)"}: values the message quotes
# ({total}) beside the fields it reads, computed in the sandbox (None when not readable)


def declared_checks(schema: dict) -> list[dict]:
    return list((schema or {}).get("x-checks") or [])


def _check_id(check: dict, index: int) -> str:
    return str(check.get("id") or f"x-checks[{index}]")


def _row_props(schema: dict, table: str) -> dict:
    prop = (schema.get("properties") or {}).get(table) or {}
    return ((prop.get("items") or {}).get("properties")) or {}


def _free_names(rule: str) -> set[str]:
    """Names a rule reads that it does not bind itself (comprehension variables)."""
    tree = ast.parse(rule.strip(), mode="eval")
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return loaded - bound - set(sandbox.BASE_GLOBALS) - set(sandbox.BUILTINS) - set(domain.FUNCTIONS)


def check_rules(schema: dict, decisions: dict[str, set[str]] | None = None) -> list[str]:
    """Every problem with the form's declared checks, as text (empty when they are sound).

    For ``jixiao lint`` and deploy; :func:`validate` raises the first one as :class:`CheckBroken`.
    ``decisions`` (the bundle's DMN decision ids and their outputs) lets a ``decision`` check's
    table and outputs be checked too.
    """
    title = str((schema or {}).get("title") or "form")
    problems = prefill.problems(schema or {}, title) + computed.problems(schema or {}, title)
    checks = (schema or {}).get("x-checks")
    if checks is None:
        return problems
    if not isinstance(checks, list):
        return [*problems, f"form {title!r}: x-checks must be a list"]
    declared = set(schema.get("properties") or {})
    for index, check in enumerate(checks):
        cid = _check_id(check if isinstance(check, dict) else {}, index)
        if not isinstance(check, dict):
            problems.append(f"form {title!r}, check {cid!r}: must be an object")
            continue
        if decision_checks.is_decision(check):
            problems += decision_checks.problems(check, f"form {title!r}, check {cid!r}", declared, decisions)
            continue
        unknown = set(check) - _CHECK_KEYS
        if unknown:
            problems.append(f"form {title!r}, check {cid!r}: unknown keys {sorted(unknown)}")
        for key in ("rule", "field", "message"):
            if not isinstance(check.get(key), str) or not check.get(key).strip():
                problems.append(f"form {title!r}, check {cid!r}: {key!r} is required (text)")
        if not isinstance(check.get("rule"), str):
            continue
        names = set(declared)
        each = check.get("each")
        if each is not None:
            row_props = _row_props(schema, each)
            if not row_props:
                problems.append(
                    f"form {title!r}, check {cid!r}: 'each' names {each!r}, not a table of the form"
                )
            names |= set(row_props) | {"row"}
            if check.get("field") not in row_props:
                problems.append(
                    f"form {title!r}, check {cid!r}: field {check.get('field')!r} is not a column of {each!r}"
                )
        elif check.get("field") not in declared | {"_form"}:
            problems.append(f"form {title!r}, check {cid!r}: field {check.get('field')!r} is not declared")
        refused = sandbox.check(check["rule"])
        if refused is not None:
            problems.append(f"form {title!r}, check {cid!r}: the sandbox refuses the rule: {refused}")
            continue
        for quoted in (check.get("quotes") or {}).values():
            if not isinstance(quoted, str) or sandbox.check(quoted) is not None:
                problems.append(f"form {title!r}, check {cid!r}: quotes must be expressions the sandbox runs")
        missing = _free_names(check["rule"]) - names
        if missing:
            problems.append(
                f"form {title!r}, check {cid!r}: the rule names {sorted(missing)}, not fields of the form"
            )
    return problems


prefilled = prefill.prefilled  # x-prefill: tables filled from earlier data (and held to it)
bound_tables = prefill.bound_tables
bound_fields = prefill.bound_fields  # plain fields held to an earlier value (the approved 年度目标)
prefilled_scalars = prefill.scalars  # x-prefill of a plain field: a project fact or an earlier value


_ENVIRONMENT = sandbox.SandboxedEnvironment(domain.FUNCTIONS)


def _message(check: dict, scope: dict) -> str:
    quoted = {}
    for name, expression in (check.get("quotes") or {}).items():
        try:
            quoted[name] = _ENVIRONMENT.evaluate(expression, scope)
        except Exception:  # noqa: BLE001 - a value not readable yet is quoted as nothing
            quoted[name] = None
    return decision_checks.message(check["message"], {**scope, **quoted})


def _passes(schema: dict, check: dict, cid: str, scope: dict) -> bool:
    try:
        return bool(_ENVIRONMENT.evaluate(check["rule"], scope))
    except Exception as exc:  # noqa: BLE001 - any failure on valid data is the rule's fault
        raise CheckBroken(str(schema.get("title") or "form"), cid, f"{type(exc).__name__}: {exc}") from None


def check_errors(
    schema: dict, data: dict, context: decision_checks.Context | None = None
) -> dict[str, list[str]]:
    """``{field path: [messages]}`` for the declared checks ``data`` breaks (schema-valid data).
    A message may quote the values it read (``{max_points}``: the row's 分值)."""
    checks = declared_checks(schema)
    if not checks:
        return {}
    problems = check_rules(schema)
    if problems:
        raise CheckBroken(str(schema.get("title") or "form"), "x-checks", "; ".join(problems))
    declared = schema.get("properties") or {}
    base = {name: data.get(name) for name in declared}
    errors: dict[str, list[str]] = {}
    for index, check in enumerate(checks):
        cid = _check_id(check, index)
        if decision_checks.is_decision(check):
            for path, messages in _decision_errors(schema, check, cid, base, context).items():
                errors.setdefault(path, []).extend(messages)
            continue
        each = check.get("each")
        if each is None:
            if not _passes(schema, check, cid, base):
                errors.setdefault(check["field"], []).append(_message(check, base))
            continue
        columns = _row_props(schema, each)
        for row_index, row in enumerate(data.get(each) or []):
            scope = {**base, **{c: row.get(c) for c in columns}, "row": row}
            if not _passes(schema, check, cid, scope):
                text = _message(check, scope)
                errors.setdefault(f"{each}/{row_index}/{check['field']}", []).append(text)
    return errors


def _decision_errors(schema: dict, check: dict, cid: str, data: dict, context) -> dict[str, list[str]]:
    try:
        return decision_checks.errors(check, data, context, _ENVIRONMENT)
    except Exception as exc:  # noqa: BLE001 - a table or expression failing on valid data: the designer's
        raise CheckBroken(str(schema.get("title") or "form"), cid, f"{type(exc).__name__}: {exc}") from None


_LIVE = {"maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"}


def live_errors(schema: dict, data: dict) -> dict[str, list[str]]:
    """The errors a page flags while a form is typed (nothing is saved): a value beyond its field's
    bounds, a row breaking a per-row declared check (a score over its item's points). A row whose
    check cannot be read yet (a cell still empty) waits; the submit judges everything."""
    errors: dict[str, list[str]] = {}
    for error in validator_for(schema).iter_errors(data):
        if error.validator in _LIVE:
            errors.setdefault(_field_path(error), []).append(_message_zh(error))
    base = {name: data.get(name) for name in schema.get("properties") or {}}
    for check in declared_checks(schema):
        each = check.get("each") if isinstance(check, dict) else None
        if (
            not isinstance(check, dict)
            or not isinstance(check.get("rule"), str)
            or decision_checks.is_decision(check)
        ):
            continue
        if not each:
            if _live_fails(check, base):  # a whole-form rule once all it reads is there (执行 ≤ 预算)
                errors.setdefault(check["field"], []).append(_message(check, base))
            continue
        columns = _row_props(schema, each)
        rows = data.get(each) if isinstance(data.get(each), list) else []
        for index, row in enumerate(rows):
            scope = {**base, **{c: row.get(c) for c in columns}, "row": row}
            if _live_fails(check, scope, own=check.get("field")):
                text = _message(check, scope)
                errors.setdefault(f"{each}/{index}/{check['field']}", []).append(text)
    return errors


def _live_fails(check: dict, scope: dict, own: str | None = None) -> bool:
    """Does the check fail on what is there? It waits (passes) while a value it reads, other than
    the cell it speaks for, is still empty: the submit says what is missing."""
    try:
        reads = {name for name in _free_names(check["rule"]) if name in scope} - {own, "row"}
        if any(scope.get(name) in (None, "", []) for name in reads):
            return False
        return not _ENVIRONMENT.evaluate(check["rule"], scope)
    except Exception:  # noqa: BLE001 - not readable yet
        return False


def check_values(data) -> None:
    """Raise :class:`FormInvalid` if ``data`` holds a value task data may not hold at all."""
    errors = values.problems(data)
    if errors:
        raise FormInvalid(errors)


_DRAFT_LIMITS = {"maxLength", "maxItems"}


def accept_draft(schema: dict | None, data: dict[str, Any]) -> dict:
    """Unfinished form data worth keeping: the declared keys, storable values, the form's length
    limits (a draft may be incomplete, never larger than the form allows)."""
    kept, _dropped = filter_declared(schema or {}, data)
    check_values(kept)
    kept = computed.apply(schema, kept)  # x-computed: totals are computed, never typed
    errors: dict[str, list[str]] = {}
    for error in validator_for(schema or {}).iter_errors(kept):
        if error.validator in _DRAFT_LIMITS:
            errors.setdefault(_field_path(error), []).append(_message_zh(error))
    if errors:
        raise FormInvalid(errors)
    return kept


def accept(
    schema: dict | None,
    data: dict[str, Any],
    sources: dict | None = None,
    context: decision_checks.Context | None = None,
) -> tuple[dict, list[str]]:
    """Filter to declared keys, then validate (bound tables against ``sources``, decision checks
    with ``context``); returns (clean data, dropped keys)."""
    if schema is None:
        # a user task without a form takes no data
        check_values({name: None for name in data})
        return {}, [str(name)[:100] for name in sorted(data)[:50]]
    kept, dropped = filter_declared(schema, data)
    # the dropped names go to the audit log: they too must be storable, and few and short
    check_values({name: None for name in dropped})
    check_values(kept)
    kept = computed.apply(schema, kept)  # x-computed: totals are computed, never typed
    kept = {**kept, **prefill.held_values(schema, kept, sources)}  # the approved value, if left out
    validate(schema, kept, sources, context)
    return kept, [name[:100] for name in dropped[:50]]
