"""Municipalities (Kommunen): the state, districts, independent cities and their towns."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.domain.base import SORT_KEY, Base, RecordMixin, StrEnumType
from crm.domain.enums import MunicipalityLevel
from crm.search.normalize import sort_key


class Municipality(RecordMixin, Base):
    __tablename__ = "municipality"

    ags: Mapped[str | None] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[MunicipalityLevel] = mapped_column(StrEnumType(MunicipalityLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    retired_on: Mapped[date | None] = mapped_column(Date)
    # Set once a user edits a seeded record, so re-seeding never overwrites the change.
    user_modified: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_key: Mapped[str] = mapped_column(SORT_KEY, index=True, default="")

    parent: Mapped[Municipality | None] = relationship(remote_side="Municipality.id")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.sort_key = sort_key(self.name or "")

    @property
    def short_name(self) -> str:
        """The name without its official suffix: "Gera" for "Gera, Stadt"."""
        return self.name.split(",")[0].strip()

    def rename(self, name: str) -> None:
        self.name = name
        self.sort_key = sort_key(name)
        self.user_modified = True
