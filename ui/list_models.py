"""Table models for the record lists, backed by paged queries of the listing service.

The model holds only the pages fetched so far: the first one on every reset, the next one
when the view scrolls to the end (canFetchMore/fetchMore). Sorting and filtering go into the
query, so clicking a header re-queries instead of sorting rows in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from crm.i18n import _, ngettext
from crm.messages import value_label
from crm.services.dates import days_since
from crm.services.listing_rows import (
    MUNICIPALITIES,
    ORGANISATIONS,
    PAGE_SIZE,
    PERSONS,
    SORTABLE,
    ListFilter,
    ListRow,
    Sort,
)
from ui.detail.html import format_date

Listing = Any  # crm.services.listing.ListingService (imports SQLAlchemy, so not here)
Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
UID_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column:
    key: str
    title: Callable[[], str]
    text: Callable[[Any], str]
    raw: Callable[[Any], object] | None = None
    numeric: bool = False


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _person_name(row: Any) -> str:
    if row.transliteration and row.transliteration != row.name:
        return f"{row.name} ({row.transliteration})"
    return str(row.name)


def _population(row: Any) -> str:
    return QLocale().toString(row.population) if row.population is not None else ""


def _last_contact(row: Any) -> str:
    """The day of the last contact and how long ago ("12.03.2026 (vor 12 Tagen)")."""
    day = row.last_contact
    if day is None:
        return ""
    days = days_since(day) or 0
    if days == 0:
        return _("{date} (today)").format(date=format_date(day))
    return ngettext("{date} ({n} day ago)", "{date} ({n} days ago)", days).format(
        date=format_date(day), n=days)


def _last_contact_column() -> Column:
    return Column("last_contact", lambda: _("Last contact"), _last_contact,
                  lambda r: r.last_contact)


COLUMNS: dict[str, tuple[Column, ...]] = {
    PERSONS: (
        Column("name", lambda: _("Name"), _person_name, lambda r: r.name),
        Column("organisation", lambda: _("Organisation"), lambda r: r.organisation or ""),
        Column("role", lambda: _("Role"), lambda r: r.role or ""),
        Column("municipality", lambda: _("Municipality"), lambda r: r.municipality or ""),
        Column("email", lambda: _("E-mail"), lambda r: r.email or ""),
        Column("phone", lambda: _("Phone"), lambda r: r.phone or ""),
        _last_contact_column(),
    ),
    ORGANISATIONS: (
        Column("name", lambda: _("Name"), lambda r: r.name),
        Column("short_name", lambda: _("Short name"), lambda r: r.short_name or ""),
        Column("kind", lambda: _("Kind"),
               lambda r: _capital(value_label("organisation_kind", r.kind)), lambda r: r.kind),
        Column("municipality", lambda: _("Municipality"), lambda r: r.municipality or ""),
        _last_contact_column(),
    ),
    MUNICIPALITIES: (
        Column("name", lambda: _("Name"), lambda r: r.name),
        Column("level", lambda: _("Level"),
               lambda r: _capital(value_label("municipality_level", r.level)),
               lambda r: r.level),
        Column("parent", lambda: _("Part of"), lambda r: r.parent.name if r.parent else ""),
        Column("ags", lambda: _("AGS"), lambda r: r.ags or ""),
        Column("population", lambda: _("Inhabitants"), _population, lambda r: r.population,
               numeric=True),
        _last_contact_column(),
    ),
}


class RecordTableModel(QAbstractTableModel):
    """One list (persons, organisations or municipalities), fetched page by page."""

    failed = Signal(Exception)  # a query failed (the database went away, is locked …)
    total_changed = Signal(int)

    def __init__(self, listing: Listing, kind: str, *, page_size: int = PAGE_SIZE,
                 load: bool = True, parent: Any = None) -> None:
        """``load=False``: no query until :meth:`ensure_loaded` (or a reload, a filter, an
        order): a list that is not shown yet costs nothing at start-up."""
        super().__init__(parent)
        self._listing = listing
        self._kind = kind
        self._columns = COLUMNS[kind]
        self._page_size = page_size
        self._filter = ListFilter()
        self._sort = Sort()
        self._rows: list[ListRow] = []
        self._total = 0
        self._fetching = False
        self._loaded = False
        self.pages_fetched = 0
        if load:
            self.reload()

    # -- public API ----------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def total(self) -> int:
        """How many rows the filter matches (not how many are fetched)."""
        return self._total

    @property
    def list_filter(self) -> ListFilter:
        return self._filter

    @property
    def sort_order(self) -> Sort:
        return self._sort

    @property
    def loaded(self) -> bool:
        """Whether the rows were fetched at least once (see ``load`` of the constructor)."""
        return self._loaded

    def ensure_loaded(self) -> None:
        """Count and fetch the first page unless that was done already."""
        if not self._loaded:
            self.reload()

    def set_filter(self, flt: ListFilter) -> None:
        if flt != self._filter:
            self._filter = flt
            self.reload()

    def reload(self) -> None:
        """Count again and fetch the first page (after a change or a new filter)."""
        self.beginResetModel()
        self._loaded = True
        self._rows = []
        self.pages_fetched = 0
        try:
            self._total = self._listing.count(self._kind, self._filter)
            self._rows = list(self._fetch(0))
        except Exception as exc:  # noqa: BLE001 - shown by the window, the list stays empty
            self._total = 0
            self.endResetModel()
            self.failed.emit(exc)
            return
        self.endResetModel()
        self.total_changed.emit(self._total)

    def reread(self) -> bool:
        """Read the fetched rows again. Unchanged (the app has just opened and the rows were
        read without the ORM, ui/app.py): keep them without a reset, so the selection and
        the scroll position stay, and answer False; changed: True (reload them)."""
        if not self._loaded:
            return False
        try:
            total = self._listing.count(self._kind, self._filter)
            rows = list(self._listing.page(self._kind, self._filter, self._sort, 0,
                                           max(len(self._rows), self._page_size)))
        except Exception as exc:  # noqa: BLE001 - shown by the window
            self.failed.emit(exc)
            return False
        if total != self._total or rows != self._rows:
            return True
        self._rows = rows
        return False

    def row_at(self, row: int) -> ListRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, uid: str) -> int:
        """The row of a fetched record, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.uid == uid), -1)

    def column_key(self, column: int) -> str:
        return self._columns[column].key

    def column_of(self, key: str) -> int:
        return next((i for i, c in enumerate(self._columns) if c.key == key), 0)

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self._columns) and (
            self._columns[column].key in SORTABLE[self._kind])

    def retranslate(self) -> None:
        """Header and cell texts follow the language; rows are not fetched again."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self._columns) - 1))

    # -- Qt overrides --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == SORT_ROLE:
            return column.raw(row) if column.raw else column.text(row)
        if role == UID_ROLE:
            return row.uid
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and getattr(row, "archived", False):
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title()
        if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[section].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._fetching:
            return  # views and testers may ask again while rows are being inserted
        self._fetching = True
        try:
            self._fetch_next()
        finally:
            self._fetching = False

    def _fetch_next(self) -> None:
        start = len(self._rows)
        try:
            batch = self._fetch(start)
        except Exception as exc:  # noqa: BLE001 - shown by the window
            self._total = start
            self.failed.emit(exc)
            return
        if not batch:
            self._total = start  # rows went away since counting
            return
        self.beginInsertRows(QModelIndex(), start, start + len(batch) - 1)
        self._rows.extend(batch)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not self.is_sortable(column):
            return
        wanted = Sort(self._columns[column].key, order == Qt.SortOrder.DescendingOrder)
        if wanted != self._sort:
            self._sort = wanted
            self.reload()

    def _fetch(self, offset: int) -> list[ListRow]:
        self.pages_fetched += 1
        return list(self._listing.page(self._kind, self._filter, self._sort, offset,
                                       self._page_size))
