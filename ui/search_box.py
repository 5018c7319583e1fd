"""The global search field: type, and ranked matches appear grouped by type.

Typing restarts a 150 ms timer; when it fires, the search runs on a worker thread and only
the newest answer is shown. Up/Down move through the results, Enter or a click opens the
record, Esc clears the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)
from shiboken6 import isValid

from crm.i18n import _
from ui.app import icon
from ui.task import TaskRunner

DEBOUNCE_MS = 150
LIMIT = 20
HIT_ROLE = Qt.ItemDataRole.UserRole + 1  # (type, uid) of a result; None for headings
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2

# Headings and icons of the result groups; other types show their name.
_GROUPS: dict[str, tuple[Callable[[], str], str]] = {
    "person": (lambda: _("Persons"), "persons"),
    "organisation": (lambda: _("Organisations"), "organisations"),
    "municipality": (lambda: _("Municipalities"), "municipalities"),
    "event": (lambda: _("Events"), "events"),
    "interaction": (lambda: _("History"), "history"),
    "project": (lambda: _("Projects"), "reports"),
}


# The search service's short type names → the record kinds the window uses.
TYPE_ALIASES = {"org": "organisation"}


def record_kind(hit_type: str) -> str:
    return TYPE_ALIASES.get(hit_type, hit_type)


def grouped(hits: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """Hits grouped by record kind; groups ordered by their best score, hits by score."""
    groups: dict[str, list[Any]] = {}
    for hit in sorted(hits, key=lambda h: -h.score):
        groups.setdefault(record_kind(hit.type), []).append(hit)
    return sorted(groups.items(), key=lambda item: -item[1][0].score)


class _ResultDelegate(QStyledItemDelegate):
    """Title and a muted subtitle per result; small headings between the groups."""

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        if index.data(HIT_ROLE) is None:
            return QSize(200, metrics.height() + 10)
        return QSize(200, 2 * metrics.height() + 10)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        palette = option.palette
        rect = option.rect
        if index.data(HIT_ROLE) is None:
            font = QFont(option.font)
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(rect.adjusted(8, 4, -8, 0), Qt.AlignmentFlag.AlignLeft
                             | Qt.AlignmentFlag.AlignVCenter, str(index.data()))
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        text_role = (QPalette.ColorRole.HighlightedText if selected
                     else QPalette.ColorRole.Text)
        decoration = index.data(Qt.ItemDataRole.DecorationRole)
        line = QFontMetrics(option.font).height()
        left = rect.left() + 10
        if decoration is not None:
            decoration.paint(painter, QRect(left, rect.top() + 5, 18, 18))
            left += 26
        text_rect = QRect(left, rect.top() + 5, rect.right() - left - 8, line)
        metrics = QFontMetrics(option.font)
        painter.setPen(palette.color(text_role))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(str(index.data()), Qt.TextElideMode.ElideRight,
                                            text_rect.width()))
        subtitle = index.data(SUBTITLE_ROLE) or ""
        if subtitle:
            small = QFont(option.font)
            small.setPointSizeF(small.pointSizeF() * 0.9)
            painter.setFont(small)
            if not selected:
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            sub_rect = text_rect.translated(0, line)
            painter.drawText(sub_rect, Qt.AlignmentFlag.AlignLeft, QFontMetrics(small)
                             .elidedText(subtitle, Qt.TextElideMode.ElideRight,
                                         sub_rect.width()))
        painter.restore()


class SearchResults(QListWidget):
    """The result list shown under the field; it never takes the keyboard focus."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("searchResults")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setItemDelegate(_ResultDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.hide()

    def show_hits(self, hits: Sequence[Any], query: str) -> None:
        self.clear()
        for kind, members in grouped(hits):
            title, icon_name = _GROUPS.get(kind, (lambda k=kind: k, "search"))
            heading = QListWidgetItem(f"{title()} ({len(members)})")
            heading.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(heading)
            for hit in members:
                item = QListWidgetItem(icon(icon_name), hit.title)
                item.setData(HIT_ROLE, (kind, hit.uid))
                item.setData(SUBTITLE_ROLE, hit.subtitle or "")
                item.setToolTip(f"{hit.title}\n{hit.subtitle}" if hit.subtitle else hit.title)
                self.addItem(item)
        if not hits:
            empty = QListWidgetItem(_("Nothing found for “{query}”.").format(query=query))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(empty)
        self.move_selection(1)

    def move_selection(self, step: int) -> None:
        """Select the next (step 1) or previous (step -1) result, skipping headings."""
        rows = [r for r in range(self.count()) if self.item(r).data(HIT_ROLE) is not None]
        if not rows:
            return
        current = self.currentRow()
        if current not in rows:
            target = rows[0] if step > 0 else rows[-1]
        else:
            position = rows.index(current) + step
            target = rows[max(0, min(len(rows) - 1, position))]
        self.setCurrentRow(target)
        self.scrollToItem(self.item(target))

    def current_hit(self) -> tuple[str, str] | None:
        item = self.currentItem()
        return item.data(HIT_ROLE) if item is not None else None

    def hit_rows(self) -> list[tuple[str, str]]:
        return [self.item(r).data(HIT_ROLE) for r in range(self.count())
                if self.item(r).data(HIT_ROLE) is not None]

    def preferred_height(self) -> int:
        height = sum(self.sizeHintForRow(r) for r in range(self.count()))
        return height + 2 * self.frameWidth() + 4


class SearchBox(QLineEdit):
    """Emits :attr:`record_requested` (type, uid) when the user opens a result."""

    record_requested = Signal(str, str)
    results_shown = Signal(int)  # number of hits, after each search
    search_failed = Signal(Exception)

    def __init__(self, search: Callable[..., list[Any]], popup_host: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self._runner = TaskRunner(self)
        self._sequence = 0
        self._query = ""
        self._open_first = False  # Enter came before the answer: open its first hit
        self.results = SearchResults(popup_host)
        self.results.itemClicked.connect(self._on_results_item_clicked)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.textEdited.connect(lambda _text: self._timer.start())
        self.setClearButtonEnabled(True)
        self.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.textChanged.connect(self._on_text_changed)
        self.setMinimumWidth(260)
        self.retranslate()

    # -- public API ----------------------------------------------------------------------

    def focus_and_select(self) -> None:
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()
        if self.text().strip() and self.results.count():
            self._show_popup()

    def clear_search(self) -> None:
        self._sequence += 1  # a search still running is no longer wanted
        self._open_first = False
        self._query = ""
        self._timer.stop()
        self.clear()
        self.results.hide()
        self.results.clear()

    def retranslate(self) -> None:
        self.setPlaceholderText(_("Search persons, organisations, municipalities …"))
        self.setAccessibleName(_("Search"))
        keys = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                         for k in ("Ctrl+F", "Ctrl+K"))
        self.setToolTip(_("Search everything ({keys}); Enter opens the highlighted result")
                        .format(keys=keys))

    # -- slots ---------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        query = self.text().strip()
        if not query:
            self.results.hide()
            return
        self._sequence += 1
        sequence = self._sequence
        search = self._search
        self._runner.start(lambda: search(query, limit=LIMIT),
                           lambda hits: self._on_search_done(sequence, query, hits),
                           lambda exc: self._on_search_failed(sequence, exc))

    def _on_search_done(self, sequence: int, query: str, hits: list[Any]) -> None:
        if sequence != self._sequence or self.text().strip() != query:
            return  # the user typed on; a newer search follows
        self._query = query
        self.results.show_hits(hits, query)
        self._show_popup()
        self.results_shown.emit(len(hits))
        if self._open_first:
            self._open_first = False
            hit = self.results.current_hit()
            if hit is not None:
                self._open(hit)

    def _on_search_failed(self, sequence: int, exc: Exception) -> None:
        if sequence == self._sequence:
            self.search_failed.emit(exc)

    def _on_results_item_clicked(self, item: QListWidgetItem) -> None:
        hit = item.data(HIT_ROLE)
        if hit is not None:
            self._open(hit)

    def _on_text_changed(self, text: str) -> None:
        if not text.strip():
            self._sequence += 1
            self._timer.stop()
            self.results.hide()

    # -- internals -----------------------------------------------------------------------

    def _open(self, hit: tuple[str, str]) -> None:
        self.results.hide()
        self.record_requested.emit(*hit)

    def _show_popup(self) -> None:
        host = self.results.parentWidget()
        top_left = self.mapTo(host, QPoint(0, self.height() + 2))
        width = max(self.width(), 460)
        left = min(top_left.x(), max(0, host.width() - width - 4))
        height = min(self.results.preferred_height(), max(120, host.height() - top_left.y() - 8),
                     480)
        self.results.setGeometry(left, top_left.y(), width, height)
        self.results.show()
        self.results.raise_()
        hits = self.results.hit_rows()
        if hits and self.results.current_hit() == hits[0]:
            self.results.scrollToTop()  # keep the first group's heading in view
        elif self.results.currentItem() is not None:
            self.results.scrollToItem(self.results.currentItem())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        visible = self.results.isVisible()
        if key == Qt.Key.Key_Escape:
            self.clear_search()
            return
        if visible and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.results.move_selection(1 if key == Qt.Key.Key_Down else -1)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._timer.isActive() or self._query != self.text().strip():
                # Enter before the answer: search right now and open the best match.
                self._open_first = bool(self.text().strip())
                self._timer.stop()
                self._on_timer_timeout()
                return
            hit = self.results.current_hit() if visible else None
            if hit is not None:
                self._open(hit)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # A click on a result does not take the focus (NoFocus), so this is a real leave.
        # While the window is being destroyed the popup may already be gone.
        if event.reason() not in (Qt.FocusReason.PopupFocusReason,
                                  Qt.FocusReason.ActiveWindowFocusReason) and isValid(
                                      self.results):
            self.results.hide()
        super().focusOutEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
