"""Organisations: members (MSO), advisory councils, administrations, funders …"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.domain.base import SORT_KEY, Base, RecordMixin, StrEnumType, UTCDateTime
from crm.domain.enums import OrganisationKind
from crm.domain.municipality import Municipality
from crm.search.normalize import sort_key

if TYPE_CHECKING:
    from crm.domain.person import ContactPoint, Role
    from crm.domain.staff import Tag

organisation_tag = Table(
    "organisation_tag",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Organisation(RecordMixin, Base):
    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[OrganisationKind] = mapped_column(StrEnumType(OrganisationKind), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id"), index=True
    )
    member_since: Mapped[date | None] = mapped_column(Date)
    member_until: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    sort_key: Mapped[str] = mapped_column(SORT_KEY, index=True, default="")

    parent: Mapped[Organisation | None] = relationship(remote_side="Organisation.id")
    municipality: Mapped[Municipality | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=organisation_tag, order_by="Tag.name")
    contact_points: Mapped[list[ContactPoint]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    roles: Mapped[list[Role]] = relationship(back_populates="organisation")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.sort_key = sort_key(self.name or "")

    def rename(self, name: str) -> None:
        self.name = name
        self.sort_key = sort_key(name)
