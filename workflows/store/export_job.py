"""Long exports run in the background (issue 12, item 7): one row per requested workbook, with
its progress for the page that polls it and, once written, the file itself. Migration
0010_dashboard_indexes.

The file is kept in the row (a 50,000-row list is about 2.5 MB) so any app process or host
answers the download, not only the one that wrote it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class ExportJob(Base):
    """One background export: who asked for which list (its filters and order), how far it got."""

    __tablename__ = "export_job"
    __table_args__ = (Index("ix_export_job_owner_created", "owner", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))  # which list: projects, audit, score_table, …
    params: Mapped[dict] = mapped_column(JSON)  # the list's filters and order, as the page had them
    file_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, running, done, failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # read to download only
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
