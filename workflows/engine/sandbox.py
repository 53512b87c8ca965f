"""The sandbox every BPMN expression runs in (ENGINE-NOTES 4).

Gateway conditions, scripts, pre/post scripts, timer expressions, message payloads and
DMN cells are untrusted input written by process designers. They are compiled with
RestrictedPython (no imports, no names or attributes starting with ``_``, guarded
attribute access), cached by source text, and run with:

- a builtins table of harmless functions only;
- guarded ``**``, ``*`` and ``<<`` so ``9**9**9`` or ``'x' * 10**12`` is refused before
  it eats the CPU or memory;
- an iteration budget on every ``for`` and comprehension;
- a CPU-time limit on scripts (statements can loop: ``while True: pass``).

What can be refused statically is refused by :func:`check` at lint/deploy time.
"""

from __future__ import annotations

import ast
import datetime as _dt
import decimal
import math
import sys
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from ..errors import ScriptError

ITERATION_BUDGET = 1_000_000  # items one evaluation may iterate over
MAX_INT_BITS = 4096  # largest integer an expression may build with ** * <<
MAX_SEQUENCE_ITEMS = 100_000  # largest string or list an expression may build with *
DEFAULT_SCRIPT_SECONDS = 1.0

# String methods that build arbitrarily large strings from a small expression.
_REFUSED_STR_METHODS = frozenset({"format", "format_map", "ljust", "rjust", "center", "zfill", "expandtabs"})


class SandboxRefused(Exception):
    """The source breaks a sandbox rule; raised at compile time."""


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no imports, guarded ``**``, ``*`` and ``<<``."""

    def visit_Import(self, node):  # noqa: N802 - ast visitor name
        self.error(node, "import statements are not allowed in BPMN code")
        return node

    visit_ImportFrom = visit_Import

    def visit_BinOp(self, node):  # noqa: N802
        node = self.node_contents_visit(node)
        op = {ast.Pow: "pow", ast.Mult: "mult", ast.LShift: "lshift"}.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(
            func=ast.Name("_binop_", ast.Load()),
            args=[ast.Constant(op), node.left, node.right],
            keywords=[],
        )
        ast.copy_location(call, node)
        return ast.fix_missing_locations(call)


def _refusal_message(errors: Iterable[str]) -> str:
    return "; ".join(errors)


@lru_cache(maxsize=4096)
def compile_expression(source: str):
    """Compile one expression, cached by its text. Raises :class:`SandboxRefused`."""
    result = compile_restricted_eval(source.strip(), "<bpmn>", policy=_Policy)
    if result.errors or result.code is None:
        raise SandboxRefused(_refusal_message(result.errors) or "cannot compile")
    return result.code


@lru_cache(maxsize=4096)
def compile_script(source: str):
    """Compile one script, cached by its text. Raises :class:`SandboxRefused`."""
    result = compile_restricted_exec(source, "<bpmn>", policy=_Policy)
    if result.errors or result.code is None:
        raise SandboxRefused(_refusal_message(result.errors) or "cannot compile")
    return result.code


def check(source: str, mode: str = "eval") -> str | None:
    """The static verdict on ``source``: ``None`` if it compiles in the sandbox, else why not."""
    try:
        (compile_expression if mode == "eval" else compile_script)(source)
    except SandboxRefused as exc:
        return str(exc)
    return None


# --- run-time guards -------------------------------------------------------------

_state = threading.local()


def _budget_left() -> int:
    return getattr(_state, "budget", ITERATION_BUDGET)


def _counting_iter(iterable):
    for item in iterable:
        _state.budget = _budget_left() - 1
        if _state.budget < 0:
            raise ScriptError(f"iteration budget of {ITERATION_BUDGET:,} items exhausted")
        yield item


def _guarded_iter(obj):
    return _counting_iter(obj)


def _guarded_binop(op: str, left, right):
    if op == "pow":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and left not in (0, 1, -1):
            if abs(left).bit_length() * right > MAX_INT_BITS:
                raise ScriptError(f"power too large: {left!r} ** {right!r}")
        return left**right
    if op == "lshift":
        if isinstance(right, int) and right > MAX_INT_BITS:
            raise ScriptError(f"shift too large: << {right!r}")
        return left << right
    # mult
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | bytes | list | tuple) and isinstance(count, int):
            if len(seq) * count > MAX_SEQUENCE_ITEMS:
                raise ScriptError(f"sequence too large: {len(seq)} × {count}")
    if isinstance(left, int) and isinstance(right, int):
        if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise ScriptError("integer product too large")
    return left * right


_INPLACE = {
    "+=": lambda a, b: a + b,
    "-=": lambda a, b: a - b,
    "*=": lambda a, b: _guarded_binop("mult", a, b),
    "/=": lambda a, b: a / b,
    "//=": lambda a, b: a // b,
    "%=": lambda a, b: a % b,
    "**=": lambda a, b: _guarded_binop("pow", a, b),
    "<<=": lambda a, b: _guarded_binop("lshift", a, b),
    ">>=": lambda a, b: a >> b,
    "|=": lambda a, b: a | b,
    "&=": lambda a, b: a & b,
    "^=": lambda a, b: a ^ b,
}


def _guarded_inplace(op: str, left, right):
    try:
        return _INPLACE[op](left, right)
    except KeyError:
        raise ScriptError(f"operator {op} is not allowed") from None


def _guarded_getattr(obj, name, default=None):
    if isinstance(obj, str) and name in _REFUSED_STR_METHODS:
        raise ScriptError(f"str.{name} is not allowed in BPMN code")
    return safer_getattr(obj, name, default)


MAX_RANGE = 100_000


def _limited_range(*args):
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise ScriptError(f"range of {len(span):,} items is larger than {MAX_RANGE:,}")
    return span


def _safe_builtins() -> dict[str, Any]:
    harmless = [
        abs,
        all,
        any,
        bool,
        dict,
        divmod,
        enumerate,
        filter,
        float,
        frozenset,
        int,
        isinstance,
        len,
        list,
        map,
        max,
        min,
        reversed,
        round,
        set,
        sorted,
        str,
        sum,
        tuple,
        zip,
        repr,
        chr,
        ord,
    ]
    table: dict[str, Any] = {f.__name__: f for f in harmless}
    table.update(
        {
            "None": None,
            "True": True,
            "False": False,
            "range": _limited_range,
            "Exception": Exception,
            "ValueError": ValueError,
            "KeyError": KeyError,
            "TypeError": TypeError,
            "ZeroDivisionError": ZeroDivisionError,
        }
    )
    return table


BUILTINS = _safe_builtins()

_GUARDS = {
    "_getattr_": _guarded_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": _guarded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _guarded_inplace,
    "_binop_": _guarded_binop,
}

# Values BPMN code may use besides task data: dates, decimals, math.
BASE_GLOBALS: dict[str, Any] = {
    "__builtins__": BUILTINS,
    **_GUARDS,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "timedelta": _dt.timedelta,
    "timezone": _dt.timezone,
    "Decimal": decimal.Decimal,
    "math": math,
}


class _CpuLimit:
    """Stop a script that runs longer than ``seconds`` of thread CPU time."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        self.deadline = time.thread_time() + self.seconds
        self.previous = sys.gettrace()
        sys.settrace(self._trace)
        return self

    def _trace(self, frame, event, arg):
        if time.thread_time() > self.deadline:
            raise ScriptError(f"script exceeded its CPU-time limit of {self.seconds} s")
        return self._trace

    def __exit__(self, *exc):
        sys.settrace(self.previous)
        return False


class SandboxedEnvironment(TaskDataEnvironment):
    """A SpiffWorkflow script environment that runs code only through RestrictedPython."""

    def __init__(
        self, functions: dict[str, Callable] | None = None, script_seconds: float = DEFAULT_SCRIPT_SECONDS
    ):
        super().__init__({**BASE_GLOBALS, **(functions or {})})
        self.script_seconds = script_seconds

    def evaluate(self, expression, context, external_context=None):
        try:
            code = compile_expression(expression)
        except SandboxRefused as exc:
            raise ScriptError(f"expression refused by the sandbox: {exc}") from None
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        _state.budget = ITERATION_BUDGET
        return eval(code, scope)  # noqa: S307 - RestrictedPython-compiled code

    def execute(self, script, context, external_context=None):
        try:
            code = compile_script(script)
        except SandboxRefused as exc:
            raise ScriptError(f"script refused by the sandbox: {exc}") from None
        self.check_for_overwrite(context, external_context or {})
        context.update(self.globals)
        context.update(external_context or {})
        _state.budget = ITERATION_BUDGET
        try:
            with _CpuLimit(self.script_seconds):
                exec(code, context)  # noqa: S102 - RestrictedPython-compiled code
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
            for name in [k for k in context if k.startswith("_")]:
                context.pop(name, None)
        return True


class SandboxedScriptEngine(PythonScriptEngine):
    def validate(self, expression):
        # Used by the DMN engine to decide how a cell reads; parse with plain ast (no execution).
        ast.parse(expression)


def make_script_engine(functions: dict[str, Callable] | None = None, script_seconds: float | None = None):
    return SandboxedScriptEngine(
        environment=SandboxedEnvironment(functions, script_seconds or DEFAULT_SCRIPT_SECONDS)
    )
