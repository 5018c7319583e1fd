"""The navigation on the left: the sections with their counts, then the saved lists
(Verteiler)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from crm.i18n import _
from crm.services.listing_rows import DistributionListRow
from ui.app import icon

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "section", "heading" or "list"
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # the section key or the saved list's uid
COUNT_ROLE = Qt.ItemDataRole.UserRole + 3


class _CountDelegate(QStyledItemDelegate):
    """Draws the item as usual and its count right-aligned in a muted colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        count = index.data(COUNT_ROLE)
        if count is None:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = (QPalette.ColorRole.HighlightedText if selected
                else QPalette.ColorRole.PlaceholderText)
        painter.setPen(option.palette.color(role))
        rect = option.rect.adjusted(0, 0, -8, 0)
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         QLocale().toString(int(count)))
        painter.restore()


class Sidebar(QListWidget):
    """Emits :attr:`section_selected` or :attr:`list_selected` when the user picks one."""

    section_selected = Signal(str)
    list_selected = Signal(str)  # uid of a saved list
    list_delete_requested = Signal(str)

    def __init__(self, sections: list[tuple[str, Callable[[], str], QIcon]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sections = sections
        self._counts: dict[str, int | None] = {}
        self._lists: list[DistributionListRow] = []
        self.setItemDelegate(_CountDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.setSpacing(1)
        self.setUniformItemSizes(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)
        self.itemClicked.connect(self._on_item_activated)
        self.itemActivated.connect(self._on_item_activated)
        self.currentItemChanged.connect(lambda item, _old: self._on_item_activated(item))
        self._rebuild()
        self.retranslate()

    # -- public API ----------------------------------------------------------------------

    def set_counts(self, counts: dict[str, int | None]) -> None:
        self._counts = dict(counts)
        for item in self._items("section"):
            item.setData(COUNT_ROLE, self._counts.get(item.data(KEY_ROLE)))

    def set_lists(self, lists: list[DistributionListRow]) -> None:
        current = self.current_key()
        self._lists = list(lists)
        self.blockSignals(True)
        self._rebuild()
        self.retranslate()
        if current:
            self.select(*current)
        self.blockSignals(False)

    def select(self, kind: str, key: str) -> None:
        """Mark a section or saved list as current without emitting a signal."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(KIND_ROLE) == kind and item.data(KEY_ROLE) == key:
                blocked = self.blockSignals(True)
                self.setCurrentItem(item)
                self.blockSignals(blocked)
                return

    def current_key(self) -> tuple[str, str] | None:
        item = self.currentItem()
        if item is None or item.data(KIND_ROLE) not in ("section", "list"):
            return None
        return item.data(KIND_ROLE), item.data(KEY_ROLE)

    def retranslate(self) -> None:
        self.setAccessibleName(_("Navigation"))
        titles = {key: title for key, title, _icon in self._sections}
        for row in range(self.count()):
            item = self.item(row)
            if item.data(KIND_ROLE) == "section":
                item.setText(titles[item.data(KEY_ROLE)]())
            elif item.data(KIND_ROLE) == "heading":
                item.setText(_("Distribution lists"))
            elif item.data(KIND_ROLE) == "hint":
                item.setText(_("None saved yet"))
                item.setToolTip(_("Filter a list, then save the filter with the button "
                                  "beside the filter fields."))
            elif item.data(KIND_ROLE) == "list":
                item.setToolTip(_("Show the saved list; right-click to delete it."))

    # -- internals -----------------------------------------------------------------------

    def _rebuild(self) -> None:
        self.clear()
        for key, _title, section_icon in self._sections:
            item = QListWidgetItem(section_icon, "")
            item.setData(KIND_ROLE, "section")
            item.setData(KEY_ROLE, key)
            item.setData(COUNT_ROLE, self._counts.get(key))
            self.addItem(item)
        heading = QListWidgetItem("")
        heading.setData(KIND_ROLE, "heading")
        heading.setFlags(Qt.ItemFlag.NoItemFlags)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        heading.setFont(font)
        heading.setSizeHint(QSize(0, self.fontMetrics().height() * 2 + 8))
        heading.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.addItem(heading)
        if not self._lists:
            hint = QListWidgetItem("")
            hint.setData(KIND_ROLE, "hint")
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            italic = QFont(self.font())
            italic.setItalic(True)
            hint.setFont(italic)
            self.addItem(hint)
        for saved in self._lists:
            item = QListWidgetItem(icon("distribution-list"), saved.name)
            item.setData(KIND_ROLE, "list")
            item.setData(KEY_ROLE, saved.uid)
            self.addItem(item)

    def _items(self, kind: str) -> list[QListWidgetItem]:
        return [self.item(r) for r in range(self.count()) if self.item(r).data(KIND_ROLE) == kind]

    def _on_item_activated(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        if item.data(KIND_ROLE) == "section":
            self.section_selected.emit(item.data(KEY_ROLE))
        elif item.data(KIND_ROLE) == "list":
            self.list_selected.emit(item.data(KEY_ROLE))

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is None or item.data(KIND_ROLE) != "list":
            return
        menu = QMenu(self)
        delete = menu.addAction(_("Delete distribution list"))
        if menu.exec(self.mapToGlobal(pos)) is delete:
            self.list_delete_requested.emit(item.data(KEY_ROLE))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
