"""Hostile BPMN expressions and scripts against the sandbox's budget (issue 14 benchmark).

Runs every hostile case of ``tests/engine/test_sandbox.py`` (the issue's findings and the
ones added since) through the engine's own script environment, with the configured time
limit (``JIXIAO_SCRIPT_TIME_LIMIT``, 1 s by default). For each case prints the wall time
until it was refused or stopped, the ratio to the limit, the peak of Python memory
(tracemalloc, a second run) and the growth of the process's resident memory. Goal: every
ratio <= 2.0 and every peak < 64 MB. The last lines give the worst case of each.

    .venv/bin/python bench/hostile.py [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.engine.test_sandbox import ISSUE_14_BOMBS, MORE_BOMBS, SCRIPT_BOMBS  # noqa: E402
from workflows.config import settings  # noqa: E402
from workflows.engine import script_engine  # noqa: E402
from workflows.engine.budget import resident_bytes  # noqa: E402

GOAL_RATIO = 2.0
GOAL_PEAK_MB = 64


def run_once(environment, kind: str, source: str) -> str:
    try:
        if kind == "expr":
            environment.evaluate(source, {})
        else:
            environment.execute(source, {})
    except Exception as exc:  # the refusal is the expected outcome
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:70]}"
    return "NOT REFUSED"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="run the cases whose source contains this")
    args = parser.parse_args()
    limit = settings().script_time_limit
    environment = script_engine().environment
    cases = [("expr", s) for s in ISSUE_14_BOMBS + MORE_BOMBS] + [("script", s) for s in SCRIPT_BOMBS]
    cases = [(k, s) for k, s in cases if args.only in s]
    print(
        f"hostile cases={len(cases)} limit_s={limit:g} goal: ratio <= {GOAL_RATIO}, peak < {GOAL_PEAK_MB} MB"
    )
    worst_ratio, worst_peak = (0.0, ""), (0.0, "")
    for kind, source in cases:
        before = resident_bytes() or 0
        started = time.perf_counter()
        verdict = run_once(environment, kind, source)
        seconds = time.perf_counter() - started
        rss_mb = ((resident_bytes() or 0) - before) / 2**20
        tracemalloc.start()
        run_once(environment, kind, source)
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        ratio = seconds / limit
        worst_ratio = max(worst_ratio, (ratio, source))
        worst_peak = max(worst_peak, (peak_mb, source))
        flag = (
            ""
            if ratio <= GOAL_RATIO and peak_mb < GOAL_PEAK_MB and verdict != "NOT REFUSED"
            else "  <-- MISSED"
        )
        label = source.replace("\n", "⏎")[:58]
        print(
            f"{kind:6} {label:58} s={seconds:6.3f} ratio={ratio:5.2f} peak_mb={peak_mb:6.1f} "
            f"rss_growth_mb={rss_mb:6.1f} {verdict[:60]}{flag}"
        )
    print(f"hostile_worst_ratio={worst_ratio[0]:.2f} ({worst_ratio[1][:50]!r})")
    print(f"hostile_worst_peak_mb={worst_peak[0]:.1f} ({worst_peak[1][:50]!r})")


if __name__ == "__main__":
    main()
