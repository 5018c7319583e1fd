"""Consents (Einwilligungen, DSGVO Art. 6/7): what a person agreed to, when, and how."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.domain.base import Base, RecordMixin, StrEnumType
from crm.domain.person import Person


class ConsentPurpose(StrEnum):
    NEWSLETTER = "newsletter"
    EVENT_PHOTOS = "event-photos"
    MUNICIPAL_SHARING = "municipal-sharing"  # contact data passed on to municipalities
    MAILINGS = "mailings"
    OTHER = "other"


class ConsentSource(StrEnum):
    FORM = "form"
    EMAIL = "email"
    VERBAL = "verbal"
    OTHER = "other"


# Purposes that put a person on printed or mailed address lists.
MAILING_PURPOSES = (ConsentPurpose.NEWSLETTER, ConsentPurpose.MAILINGS)


class Consent(RecordMixin, Base):
    """One consent for one purpose; withdrawing keeps the record (proof of both dates)."""

    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_person_purpose", "person_id", "purpose"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(StrEnumType(ConsentPurpose))
    given_on: Mapped[date] = mapped_column(Date)
    source: Mapped[ConsentSource] = mapped_column(
        StrEnumType(ConsentSource), default=ConsentSource.FORM)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person] = relationship()

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None

    def withdraw(self, on: date) -> None:
        """Mark the consent withdrawn on ``on`` (never before it was given)."""
        if on < self.given_on:
            raise ValueError("withdrawn before given")
        self.withdrawn_on = on
