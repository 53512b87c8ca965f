"""ENGINE-NOTES 4: BPMN expressions are untrusted; every known escape is refused."""

from __future__ import annotations

import pytest

from workflows.engine.sandbox import SandboxedEnvironment, check
from workflows.errors import ScriptError

# Refused when the bundle is linted: imports, names and attributes starting with "_".
STATIC_ESCAPES = [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "(lambda: 0).__globals__",
    "score.__class__.__mro__",
    "eval('1+1')",
    "exec('x=1')",
    "_getattr_(1, 'real')",
]

# Compile, but cannot do harm when they run.
RUNTIME_ESCAPES = [
    "open('/etc/passwd').read()",
    "getattr(1, '__class__')",
    "globals()",
    "vars()",
    "compile('1', 'x', 'eval')",
    "'{0.__class__}'.format(1)",
    "9**9**9",
    "'a' * 10**9",
    "[0] * (10**8)",
    "1 << 10**7",
    "pow(9, 10**8)",
    "'x'.ljust(10**9)",
    "[x for x in range(100000) for y in range(100000)]",
    "type(1).__name__",
]


@pytest.fixture
def env():
    return SandboxedEnvironment(script_seconds=0.2)


@pytest.mark.parametrize("source", STATIC_ESCAPES)
def test_escape_is_refused_statically(source):
    assert check(source) is not None


@pytest.mark.parametrize("source", STATIC_ESCAPES + RUNTIME_ESCAPES)
def test_escape_is_refused_when_it_runs(env, source):
    with pytest.raises(Exception) as refused:
        env.evaluate(source, {"score": 80})
    assert isinstance(refused.value, ScriptError | NameError | ValueError | TypeError | SyntaxError)


def test_import_statement_is_refused_statically_in_scripts():
    assert "import" in check("import os", "exec")
    assert "import" in check("from subprocess import run", "exec")


def test_endless_loop_in_a_script_is_stopped_by_the_cpu_limit(env):
    with pytest.raises(ScriptError, match="CPU-time limit"):
        env.execute("while True:\n    pass", {})


def test_ordinary_conditions_and_scripts_still_work(env):
    assert env.evaluate("score >= 80 and conclusion != '不支持'", {"score": 80, "conclusion": "支持"}) is True
    data = {"rows": [{"score": 8.5}, {"score": 9.5}]}
    env.execute("total_score = sum(r['score'] for r in rows)\npassed = total_score >= 18", data)
    assert data["total_score"] == 18.0 and data["passed"] is True
    assert "__builtins__" not in data


def test_script_cannot_leave_private_names_in_task_data(env):
    data = {}
    env.execute("x = [i for i in range(3)]", data)
    assert not [k for k in data if k.startswith("_")]
