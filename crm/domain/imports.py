"""Import batches (so an import can be undone) and merged-away uids (so it stays merged)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.domain.base import Base, UTCDateTime, new_uid, utcnow


class ImportBatch(Base):
    """One run of an import: where it came from, what it did, and whether it was undone."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    source_name: Mapped[str] = mapped_column(String(500), default="")
    format: Mapped[str] = mapped_column(String(20), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    records: Mapped[list[ImportedRecord]] = relationship(
        back_populates="batch", cascade="all, delete-orphan")


class ImportedRecord(Base):
    """A record an import created or changed; ``changes`` (JSON) says how to take it back."""

    __tablename__ = "imported_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_uid: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(20))  # "created" or "updated"
    changes: Mapped[str] = mapped_column(Text, default="{}")

    batch: Mapped[ImportBatch] = relationship(back_populates="records")


class MergedUid(Base):
    """A uid merged away into ``kept_uid``; ``snapshot`` (JSON) is what unmerge restores."""

    __tablename__ = "merged_uid"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    kept_uid: Mapped[str] = mapped_column(String(36), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    merge_uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    snapshot: Mapped[str] = mapped_column(Text, default="{}")
