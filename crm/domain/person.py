"""Persons, their contact points and their roles in organisations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.domain.base import SORT_KEY, Base, RecordMixin, StrEnumType, UTCDateTime
from crm.domain.enums import ContactKind, ContactLabel, Salutation
from crm.domain.organisation import Organisation
from crm.domain.staff import Tag
from crm.search.normalize import sort_key

person_tag = Table(
    "person_tag",
    Base.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def person_sort_key(family_name: str | None, full_name: str | None) -> str:
    """A person's sort key (also for rows written without a mapped object, by the import)."""
    return sort_key(" ".join(p for p in (family_name, full_name) if p))


class Person(RecordMixin, Base):
    __tablename__ = "person"
    # The list's first page: non-archived persons in sort-key order, straight off the index;
    # the list's count: the narrowest index (SQLite counts its pages' entries).
    __table_args__ = (Index("ix_person_archived_sort", "archived_at", "sort_key"),
                      Index("ix_person_archived_at", "archived_at"))

    # The name as the person writes it, in any script; the only required name field.
    full_name: Mapped[str] = mapped_column(String(300))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    transliteration: Mapped[str | None] = mapped_column(String(300))
    salutation: Mapped[Salutation] = mapped_column(
        StrEnumType(Salutation), default=Salutation.NONE
    )
    languages: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # (indexed above)
    sort_key: Mapped[str] = mapped_column(SORT_KEY, index=True, default="")

    tags: Mapped[list[Tag]] = relationship(secondary=person_tag, order_by="Tag.name")
    contact_points: Mapped[list[ContactPoint]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    roles: Mapped[list[Role]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Role.start_date"
    )

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.refresh_sort_key()

    def refresh_sort_key(self) -> None:
        """Sort by family name when known, else by the name as written (no "given family")."""
        self.sort_key = person_sort_key(self.family_name, self.full_name)

    @property
    def current_roles(self) -> list[Role]:
        return [role for role in self.roles if role.is_current]


class Role(RecordMixin, Base):
    """A person's affiliation with an organisation: a title held from start to end."""

    __tablename__ = "role"
    __table_args__ = (Index("ix_role_org_title_end", "organisation_id", "title", "end_date"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(  # (indexed above)
        ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    verified_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="roles")
    organisation: Mapped[Organisation] = relationship(back_populates="roles")
    contact_points: Mapped[list[ContactPoint]] = relationship(
        back_populates="role", cascade="all, delete-orphan"
    )

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date > date.today()


class ContactPoint(RecordMixin, Base):
    """An email, phone, address … of exactly one person, organisation or role."""

    __tablename__ = "contact_point"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN role_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
        # Most points are a person's: only the others' owners are indexed (migration 0010).
        *(Index(f"ix_contact_point_{owner}", owner,
                sqlite_where=text(f"{owner} IS NOT NULL"),
                postgresql_where=text(f"{owner} IS NOT NULL"))
          for owner in ("organisation_id", "role_id")),
    )

    kind: Mapped[ContactKind] = mapped_column(StrEnumType(ContactKind))
    label: Mapped[ContactLabel] = mapped_column(
        StrEnumType(ContactLabel), default=ContactLabel.WORK
    )
    value: Mapped[str] = mapped_column(String(500))
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_on: Mapped[date | None] = mapped_column(Date)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"))

    person: Mapped[Person | None] = relationship(back_populates="contact_points")
    organisation: Mapped[Organisation | None] = relationship(back_populates="contact_points")
    role: Mapped[Role | None] = relationship(back_populates="contact_points")
