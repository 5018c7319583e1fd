"""Interactions (meetings, calls …), their participants, follow-ups and funded projects."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.domain.base import Base, RecordMixin, StrEnumType, UTCDateTime
from crm.domain.enums import InteractionKind
from crm.domain.municipality import Municipality
from crm.domain.organisation import Organisation
from crm.domain.person import Person, Role
from crm.domain.staff import StaffMember

interaction_organisation = Table(
    "interaction_organisation",
    Base.metadata,
    Column("interaction_id", ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
    # The interaction's occurred_at, kept by triggers (migration 0007): an organisation's last
    # contact is then one index seek instead of a look-up of each of its interactions.
    Column("occurred_at", UTCDateTime(), server_default=FetchedValue()),
    Index("ix_interaction_organisation_organisation_at", "organisation_id", "occurred_at"),
)


class Project(RecordMixin, Base):
    """A funded project (Förderprojekt) that interactions and events can belong to."""

    __tablename__ = "project"

    name: Mapped[str] = mapped_column(String(300))
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(100), default="")
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    funder: Mapped[Organisation | None] = relationship()
    responsible: Mapped[StaffMember | None] = relationship()


class Interaction(RecordMixin, Base):
    __tablename__ = "interaction"
    # A place's last contact: one seek (migration 0007).
    __table_args__ = (Index("ix_interaction_municipality_at", "municipality_id", "occurred_at"),)

    kind: Mapped[InteractionKind] = mapped_column(StrEnumType(InteractionKind), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str] = mapped_column(Text, default="")
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)

    municipality: Mapped[Municipality | None] = relationship()
    logged_by: Mapped[StaffMember | None] = relationship()
    project: Mapped[Project | None] = relationship()
    participants: Mapped[list[InteractionParticipant]] = relationship(
        back_populates="interaction", cascade="all, delete-orphan"
    )
    organisations: Mapped[list[Organisation]] = relationship(secondary=interaction_organisation)
    follow_ups: Mapped[list[FollowUp]] = relationship(back_populates="interaction")


class InteractionParticipant(Base):
    """A person who took part, with the role they held at that moment (kept as it was)."""

    __tablename__ = "interaction_participant"
    __table_args__ = (
        Index("ix_interaction_participant_organisation_at", "organisation_id", "occurred_at"),
        Index("ix_interaction_participant_person_at", "person_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), index=True
    )
    # NULL once the person was erased (the entry then reads "deleted person").
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"), index=True)
    role_title: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # The interaction's occurred_at, kept by triggers (migration 0007): never set it, and
    # read it from the database (a just-inserted object may still hold None).
    occurred_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), server_default=FetchedValue())

    interaction: Mapped[Interaction] = relationship(back_populates="participants")
    person: Mapped[Person | None] = relationship()
    role: Mapped[Role | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class FollowUp(RecordMixin, Base):
    __tablename__ = "follow_up"

    due_on: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interaction.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)

    assignee: Mapped[StaffMember | None] = relationship()
    interaction: Mapped[Interaction | None] = relationship(back_populates="follow_ups")
    person: Mapped[Person | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
