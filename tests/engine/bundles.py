"""Build variations of the fixture bundles for refusal tests."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures"


def variant(
    tmp_path: Path,
    base: str = "approval",
    edits: dict[str, list[tuple[str, str]]] | None = None,
    extra: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
) -> Path:
    """Copy ``tests/fixtures/<base>`` to ``tmp_path``, apply text edits per file, add or drop files."""
    target = tmp_path / f"bundle_{base}"
    shutil.copytree(FIXTURES / base, target)
    for name, replacements in (edits or {}).items():
        path = target / name
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, f"{old!r} not in {name}"
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    for name, text in (extra or {}).items():
        (target / name).write_text(text, encoding="utf-8")
    for name in drop:
        (target / name).unlink()
    return target
