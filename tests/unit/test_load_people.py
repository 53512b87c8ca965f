"""The load's simulated people (bench/seeding.py): whatever its size, the expert pool can
supply the panel a finance reviewer in the load asks to be drawn (bench/people.py), so a
small load (the crash test's 8 people) never meets 「专家库中可抽取的专家只有 1 位」."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import prodkit  # noqa: E402
import seeding  # noqa: E402


@pytest.mark.parametrize("count", [3, 8, 9, 200])
def test_the_pool_holds_a_panel_for_every_load_size(count):
    people = seeding.people_for(count)
    experts = [p for p in people if p.kind == "expert"]
    assert len(experts) >= prodkit.PANEL >= 2
    assert len({p.username for p in people}) == len(people)
