"""The budget every BPMN evaluation runs under: time, memory, iterations (issue 14).

One :class:`Budget` per evaluation (a gateway condition, a script, a timer expression,
a DMN cell …), kept thread-locally while it runs. The sandbox's guards, its bounded
built-ins and, for code that can loop on its own (``while``, ``lambda``, ``def``), a
trace function call :func:`checkpoint`, which

- raises :class:`OutOfBudget` once the wall-clock deadline has passed. It derives from
  ``BaseException``, which BPMN code cannot catch (the sandbox refuses bare ``except:``
  and ``finally:``, and offers no ``BaseException``), so it unwinds the whole evaluation;
  :class:`running` turns it into :class:`BudgetExceeded`, a ``ScriptError``;
- every few milliseconds reads the process's resident memory and raises when it has
  grown by more than :data:`MAX_MEMORY_GROWTH` since the evaluation began.

A checkpoint cannot interrupt one call into C (``math.factorial(10**6)`` holds the
interpreter until it returns), so the sandbox never lets such a call start: the
bounded built-ins refuse, before running, any single operation whose cost or result
is larger than the limits below. Between two checkpoints the work is thus bounded.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from ..errors import ScriptError

DEFAULT_SECONDS = 1.0  # JIXIAO_SCRIPT_TIME_LIMIT overrides it (workflows.config)
MAX_MEMORY_GROWTH = 32 * 1024 * 1024  # bytes of resident memory one evaluation may add
MEMORY_CHECK_SECONDS = 0.001  # how often a checkpoint reads the resident memory
ITERATION_BUDGET = 1_000_000  # items one evaluation may iterate over

_local = threading.local()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class BudgetExceeded(ScriptError):
    """A BPMN evaluation ran out of time, memory or iterations."""


class OutOfBudget(BaseException):  # noqa: N818 - the in-flight form of BudgetExceeded
    """Unwinds an evaluation that ran out; BPMN code cannot catch it."""


def resident_bytes() -> int | None:
    """The process's resident memory now (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:  # opened each time: a forked worker is another pid
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


class Budget:
    """What one evaluation may still spend."""

    __slots__ = ("seconds", "deadline", "memory_ceiling", "next_memory_check", "items_left", "exceeded")

    def __init__(self, seconds: float):
        self.seconds = seconds
        now = time.perf_counter()
        self.deadline = now + seconds
        # read lazily: most evaluations end long before the first memory check, and a
        # read costs ~10 µs; growth in the first milliseconds is bounded by the guards
        self.memory_ceiling: int | None = 0
        self.next_memory_check = now + MEMORY_CHECK_SECONDS
        self.items_left = ITERATION_BUDGET
        self.exceeded: str | None = None

    def check(self) -> None:
        if self.exceeded:
            raise OutOfBudget(self.exceeded)
        now = time.perf_counter()
        if now > self.deadline:
            self.exceeded = f"BPMN code exceeded its time limit of {self.seconds:g} s"
            raise OutOfBudget(self.exceeded)
        if now > self.next_memory_check and self.memory_ceiling is not None:
            self.next_memory_check = now + MEMORY_CHECK_SECONDS
            resident = resident_bytes()
            if resident is None or not self.memory_ceiling:
                self.memory_ceiling = None if resident is None else resident + MAX_MEMORY_GROWTH
            elif resident > self.memory_ceiling:
                self.exceeded = f"BPMN code used more than {MAX_MEMORY_GROWTH // 2**20} MB of memory"
                raise OutOfBudget(self.exceeded)


def current() -> Budget | None:
    return getattr(_local, "budget", None)


def checkpoint() -> None:
    """Stop the running evaluation if it is over its budget (a no-op outside one)."""
    budget = getattr(_local, "budget", None)
    if budget is not None:
        budget.check()


def count_item() -> None:
    """One item iterated: spend it from the iteration budget, then checkpoint."""
    budget = getattr(_local, "budget", None)
    if budget is None:
        return
    budget.items_left -= 1
    if budget.items_left < 0:
        budget.exceeded = f"iteration budget of {ITERATION_BUDGET:,} items exhausted"
        raise OutOfBudget(budget.exceeded)
    budget.check()


def _trace(frame, event, arg):
    _local.budget.check()
    # only BPMN code's own frames get line events; the sandbox's guards checkpoint themselves
    return _trace if frame.f_code.co_filename == "<bpmn>" else None


class running:
    """``with running(seconds, traced):`` — one evaluation under a fresh budget.

    ``traced`` installs the trace function, needed only for code that can loop without
    passing a guard (``while``, recursion through ``lambda`` or ``def``).
    """

    __slots__ = ("seconds", "traced", "outer_budget", "outer_trace")

    def __init__(self, seconds: float, traced: bool):
        self.seconds = seconds
        self.traced = traced

    def __enter__(self) -> Budget:
        self.outer_budget = getattr(_local, "budget", None)
        budget = _local.budget = Budget(self.seconds)
        if self.traced:
            self.outer_trace = sys.gettrace()
            sys.settrace(_trace)
        return budget

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if self.traced:
            sys.settrace(self.outer_trace)
        _local.budget = self.outer_budget
        if exc_type is OutOfBudget:
            raise BudgetExceeded(str(exc)) from None
        return False
