"""The sandbox every BPMN expression runs in (ENGINE-NOTES 4, issue 14).

Gateway conditions, scripts, pre/post scripts, timer expressions, message payloads,
multi-instance cardinalities and DMN cells are untrusted input written by process
designers. SpiffWorkflow hands every one of them to :class:`SandboxedEnvironment`
(``evaluate`` or ``execute``), at run time and when ``jixiao lint`` or a deployment
evaluates a timer expression. Each is

- compiled with RestrictedPython (no imports, no names or attributes starting with
  ``_``, guarded attribute access), at most :data:`MAX_SOURCE_CHARS` long, cached by
  its text; operators that can build large values (``* ** << + % //``), comparisons
  and f-strings are compiled into calls to bounded versions (:mod:`.bounded`);
- run with a table of bounded built-ins only (:mod:`.reachable`), under a fresh :mod:`.budget`: a
  wall-clock limit (``JIXIAO_SCRIPT_TIME_LIMIT``, 1 s by default), a memory-growth
  limit and an iteration budget, checked at every guard and, for code that can loop
  without passing one (``while``, ``lambda``, ``def``), by a trace function;
- refused if what it leaves behind (the result, or the task data a script wrote) is
  larger than :data:`~.bounded.MAX_TASK_DATA` chars and items.

What can be refused statically is refused by :func:`check` at lint/deploy time.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from ..errors import ScriptError
from . import bounded, budget, reachable
from .bounded import MAX_INT_BITS, MAX_SIZE  # noqa: F401 - the limits, for callers
from .budget import DEFAULT_SECONDS, ITERATION_BUDGET  # noqa: F401
from .reachable import MAX_RANGE  # noqa: F401

MAX_SOURCE_CHARS = 20_000  # longest expression or script (the longest in bpmn/ is ~600)
MAX_TASK_DATA = 2_000_000  # chars and items a result, or the task data a script touched, may hold
DEFAULT_SCRIPT_SECONDS = DEFAULT_SECONDS


class SandboxRefused(Exception):
    """The source breaks a sandbox rule; raised at compile time."""


_BINOPS = {ast.Pow: "pow", ast.Mult: "mult", ast.LShift: "lshift", ast.Add: "add", ast.Mod: "mod"}
_BINOPS[ast.FloorDiv] = "floordiv"


def _call(name: str, *args: ast.expr, like: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, like))


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no imports; bounded operators, comparisons, f-strings."""

    def visit_Import(self, node):  # noqa: N802 - ast visitor name
        self.error(node, "import statements are not allowed in BPMN code")
        return node

    visit_ImportFrom = visit_Import

    def visit_Try(self, node):  # noqa: N802
        # a finally block would run after the budget stopped the code, with no budget left
        if node.finalbody:
            self.error(node, "try ... finally is not allowed in BPMN code")
        return self.node_contents_visit(node)

    def visit_ExceptHandler(self, node):  # noqa: N802
        # a bare except would catch the budget's stop; catch Exception or a named error
        if node.type is None:
            self.error(node, "a bare except: is not allowed in BPMN code; write except Exception:")
        return super().visit_ExceptHandler(node)

    def visit_BinOp(self, node):  # noqa: N802
        node = self.node_contents_visit(node)
        op = _BINOPS.get(type(node.op))
        if op is None:
            return node
        return _call("_binop_", ast.Constant(op), node.left, node.right, like=node)

    def visit_Compare(self, node):  # noqa: N802
        # comparing collections that share parts costs their expanded size, in C
        node = self.node_contents_visit(node)
        node.left = _call("_compare_", node.left, like=node.left)
        node.comparators = [_call("_compare_", c, like=c) for c in node.comparators]
        return node

    def visit_JoinedStr(self, node):  # noqa: N802
        # f"{x:>{w}}": each field is formatted by _format_ (widths checked), then joined
        node = self.node_contents_visit(node)
        parts: list[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec = value.format_spec if value.format_spec is not None else ast.Constant("")
                parts.append(_call("_format_", value.value, ast.Constant(value.conversion), spec, like=value))
            else:
                parts.append(value)
        return _call("_fstring_", *parts, like=node)


@dataclass(frozen=True)
class Compiled:
    code: Any
    traced: bool  # can loop without passing a guard: needs the trace function
    names: frozenset[str]  # every name the code reads or writes (a script's touched task data)


_LOOPING = (ast.While, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)


def _compile(source: str, mode: str) -> Compiled:
    if len(source) > MAX_SOURCE_CHARS:
        raise SandboxRefused(f"code of {len(source):,} characters is longer than {MAX_SOURCE_CHARS:,}")
    compile_restricted = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_restricted(source, "<bpmn>", policy=_Policy)
    if result.errors or result.code is None:
        raise SandboxRefused("; ".join(result.errors) or "cannot compile")
    traced = any(isinstance(n, _LOOPING) for n in ast.walk(ast.parse(source, mode=mode)))
    return Compiled(result.code, traced, frozenset(_names(result.code)))


def _names(code) -> Iterable[str]:
    yield from code.co_names
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            yield from _names(const)


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Compiled:
    """Compile one expression, cached by its text. Raises :class:`SandboxRefused`."""
    return _compile(source.strip(), "eval")


@lru_cache(maxsize=4096)
def compile_script(source: str) -> Compiled:
    """Compile one script, cached by its text. Raises :class:`SandboxRefused`."""
    return _compile(source, "exec")


def check(source: str, mode: str = "eval") -> str | None:
    """The static verdict on ``source``: ``None`` if it compiles in the sandbox, else why not."""
    try:
        (compile_expression if mode == "eval" else compile_script)(source)
    except SandboxRefused as exc:
        return str(exc)
    return None


# --- run-time guards -------------------------------------------------------------


def _guarded_iter(iterable):
    for item in iterable:
        budget.count_item()
        yield item


_GUARDS = {
    "_getattr_": reachable.guarded_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": _guarded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": bounded.inplace,
    "_binop_": bounded.binop,
    "_compare_": bounded.compared,
    "_format_": bounded.format_value,
    "_fstring_": bounded.join_fstring,
}

BUILTINS = reachable.builtins()
BASE_GLOBALS: dict[str, Any] = {"__builtins__": BUILTINS, **_GUARDS, **reachable.GLOBALS}


_FLAT = frozenset({bool, int, float, type(None)})


def _check_left_behind(value, what: str) -> None:
    if type(value) in _FLAT:
        return  # a condition's answer: nothing to size
    size = bounded.expanded_size(value, MAX_TASK_DATA)
    if size > MAX_TASK_DATA:
        raise ScriptError(f"{what} holds more than {MAX_TASK_DATA:,} chars and items")


class SandboxedEnvironment(TaskDataEnvironment):
    """A SpiffWorkflow script environment that runs code only through RestrictedPython."""

    def __init__(self, functions: dict[str, Callable] | None = None, script_seconds: float = DEFAULT_SECONDS):
        super().__init__({**BASE_GLOBALS, **(functions or {})})
        self.script_seconds = script_seconds

    def evaluate(self, expression, context, external_context=None):
        try:
            compiled = compile_expression(expression)
        except SandboxRefused as exc:
            raise ScriptError(f"expression refused by the sandbox: {exc}") from None
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        with budget.running(self.script_seconds, compiled.traced):
            result = eval(compiled.code, scope)  # noqa: S307 - RestrictedPython-compiled code
            _check_left_behind(result, "the expression's value")
        return result

    def execute(self, script, context, external_context=None):
        try:
            compiled = compile_script(script)
        except SandboxRefused as exc:
            raise ScriptError(f"script refused by the sandbox: {exc}") from None
        self.check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        try:
            with budget.running(self.script_seconds, compiled.traced):
                exec(compiled.code, context)  # noqa: S102 - RestrictedPython-compiled code
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
            for name in [k for k in context if k.startswith("_")]:
                context.pop(name, None)
        touched = {name: context[name] for name in compiled.names if name in context}
        _check_left_behind(touched, "the task data the script wrote")
        return True


@lru_cache(maxsize=4096)
def _syntax_error_of(expression: str) -> tuple | None:
    """Why ``expression`` does not parse (the SyntaxError's args), or None; kept per text."""
    try:
        ast.parse(expression)
    except SyntaxError as exc:
        return exc.args
    return None


class SandboxedScriptEngine(PythonScriptEngine):
    def validate(self, expression):
        # Used by the DMN engine to decide how a cell reads (``>= 80`` fails alone, so it becomes
        # ``input >= 80``); parse with plain ast (no execution), once per cell text: a table's
        # cells are parsed again on every evaluation otherwise.
        error = _syntax_error_of(expression)
        if error is not None:
            raise SyntaxError(*error)


def make_script_engine(functions: dict[str, Callable] | None = None, script_seconds: float | None = None):
    return SandboxedScriptEngine(
        environment=SandboxedEnvironment(functions, script_seconds or DEFAULT_SECONDS)
    )
