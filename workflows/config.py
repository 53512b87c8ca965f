"""Configuration, read once from ``JIXIAO_*`` environment variables.

Safe defaults are for the embedded mode: an SQLite file under ``instance/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"JIXIAO_{name}", default)


@dataclass(frozen=True)
class Settings:
    instance_dir: Path = field(
        default_factory=lambda: Path(_env("INSTANCE_DIR", str(PROJECT_ROOT / "instance")))
    )
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", ""))
    bpmn_dir: Path = field(default_factory=lambda: Path(_env("BPMN_DIR", str(PROJECT_ROOT / "bpmn"))))
    forms_dir: Path = field(default_factory=lambda: Path(_env("FORMS_DIR", str(PROJECT_ROOT / "forms"))))
    # CPU-time bound for one BPMN script (seconds); conditions are bounded by iteration budget.
    script_time_limit: float = field(default_factory=lambda: float(_env("SCRIPT_TIME_LIMIT", "1.0")))
    timezone: str = field(default_factory=lambda: _env("TIMEZONE", "Asia/Shanghai"))

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_dir / 'jixiao.db'}"


def settings() -> Settings:
    return Settings()
