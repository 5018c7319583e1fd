"""Events (Veranstaltungen) and their attendees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.domain.base import Base, RecordMixin, StrEnumType, UTCDateTime
from crm.domain.enums import AttendeeStatus, EventKind
from crm.domain.interactions import Project
from crm.domain.municipality import Municipality
from crm.domain.organisation import Organisation
from crm.domain.person import Person

event_organiser = Table(
    "event_organiser",
    Base.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True, index=True),
)


class Event(RecordMixin, Base):
    __tablename__ = "event"

    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[EventKind] = mapped_column(StrEnumType(EventKind))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    venue: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)

    municipality: Mapped[Municipality | None] = relationship()
    project: Mapped[Project | None] = relationship()
    organisers: Mapped[list[Organisation]] = relationship(secondary=event_organiser)
    attendees: Mapped[list[EventAttendee]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventAttendee(Base):
    __tablename__ = "event_attendee"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[AttendeeStatus] = mapped_column(
        StrEnumType(AttendeeStatus), default=AttendeeStatus.INVITED
    )

    event: Mapped[Event] = relationship(back_populates="attendees")
    person: Mapped[Person] = relationship()
