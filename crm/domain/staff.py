"""Staff members, tags and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.domain.base import Base, RecordMixin, UTCDateTime, new_uid, utcnow


class StaffMember(RecordMixin, Base):
    __tablename__ = "staff_member"

    name: Mapped[str] = mapped_column(String(200))
    initials: Mapped[str] = mapped_column(String(10), unique=True)


class Tag(RecordMixin, Base):
    __tablename__ = "tag"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    colour: Mapped[str] = mapped_column(String(9), default="#808080")


class AuditEntry(Base):
    """One change made through the services: who, when, which record, what changed."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    record_type: Mapped[str] = mapped_column(String(40))
    record_uid: Mapped[str] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(20))
    # JSON: {"field": [old, new], ...}
    changes: Mapped[str] = mapped_column(Text, default="{}")


class DistributionList(RecordMixin, Base):
    """A saved filter or search (Verteiler), e.g. "alle Integrationsbeauftragten"."""

    __tablename__ = "distribution_list"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    # JSON of the filter: {"query": ..., "tags": [...], "kinds": [...], ...}
    criteria: Mapped[str] = mapped_column(Text, default="{}")
