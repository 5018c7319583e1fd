"""The input fields of the quick log and the event pages.

:class:`RecordPicker` picks records while typing: participants, organisations, a
municipality, persons to invite. Chosen records show as removable chips in front of the
text field. :class:`KindSelector` chooses the interaction kind with one key;
:class:`FollowUpList` holds the follow-ups typed into the quick log.

The search runs through the search service (``app.search.search``) on a worker thread,
150 ms after the last key; it forgives accents ("sah" finds "Şahin"). Up/Down move through
the hits, Enter takes the highlighted one (the top hit, unless the user moved), Backspace
in the empty field removes the last chip, Esc closes the list.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from crm.errors import ValidationError
from crm.i18n import _
from crm.services.activity_rows import INTERACTION_KINDS
from crm.services.dates import parse_day
from ui.detail.html import format_date
from ui.search_box import SearchResults
from ui.task import TaskRunner, guarded

DEBOUNCE_MS = 150
LIMIT = 12
Search = Callable[..., list[Any]]  # app.search.search(query, limit=…, types=…)


@dataclass(frozen=True, slots=True)
class Picked:
    """A chosen record: uid, name as written, and what to show beside it (a role)."""

    uid: str
    name: str
    detail: str = ""


class FlowLayout(QLayout):
    """Items left to right, wrapping to the next line (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        space = self.spacing()
        visible = [i for i in self._items if not (i.widget() and i.widget().isHidden())]
        for index, item in enumerate(visible):
            hint = item.sizeHint()
            last = index == len(visible) - 1
            width = hint.width()
            if last and isinstance(item.widget(), QLineEdit):
                # The text field takes the rest of the line, or a line of its own.
                if area.right() - x + 1 < hint.width() and x > area.x():
                    x, y, line = area.x(), y + line + space, 0
                width = max(hint.width(), area.right() - x + 1)
            elif x + width > area.right() + 1 and x > area.x():
                x, y, line = area.x(), y + line + space, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + space
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class Chip(QFrame):
    """One chosen record with a button that removes it."""

    remove_requested = Signal(str)

    def __init__(self, picked: Picked, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picked = picked
        self.setObjectName("chip")
        self.setStyleSheet(
            "#chip { background: palette(alternate-base); border: 1px solid palette(mid);"
            " border-radius: 9px; }")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.button = QToolButton(self)
        self.button.setText("×")
        self.button.setAutoRaise(True)
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(lambda: self.remove_requested.emit(self.picked.uid))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.set_picked(picked)
        self.retranslate()

    def set_picked(self, picked: Picked) -> None:
        self.picked = picked
        name = html.escape(picked.name)
        if picked.detail:
            muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
            self.label.setText(f'{name} <span style="color:{muted}">'
                               f"· {html.escape(picked.detail)}</span>")
            self.setToolTip(f"{picked.name}\n{picked.detail}")
        else:
            self.label.setText(name)
            self.setToolTip(picked.name)

    def retranslate(self) -> None:
        self.button.setToolTip(_("Remove"))
        self.button.setAccessibleName(_("Remove {name}").format(name=self.picked.name))


class _PickerEdit(QLineEdit):
    """The text field inside the picker: hands navigation keys to the picker."""

    def __init__(self, picker: RecordPicker) -> None:
        super().__init__(picker)
        self._picker = picker
        self.setFrame(False)
        self.setMinimumWidth(140)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._picker.handle_key(event):
            super().keyPressEvent(event)

    def focusOutEvent(self, event: Any) -> None:
        if event.reason() not in (Qt.FocusReason.PopupFocusReason,
                                  Qt.FocusReason.ActiveWindowFocusReason):
            self._picker.hide_results()
        super().focusOutEvent(event)


class RecordPicker(QFrame):
    """Chips for the chosen records and a text field that searches for more.

    Args:
        search: ``app.search.search``.
        types: Search types: {"person"}, {"organisation"}, {"municipality"}.
        single: At most one record; a new pick replaces it.
        popup_host: The widget the hit list is drawn over (the dialog or page).
        keep_picked: Keep chosen records as chips (False: only emit :attr:`picked`, the
            invite field of an event does that).
    """

    records_changed = Signal()  # any change, also set_records()
    edited = Signal()  # the user added or removed a record
    picked = Signal(str, str)  # uid, name: the user chose a hit
    results_shown = Signal(int)
    search_failed = Signal(Exception)

    def __init__(self, search: Search, types: Iterable[str], *, single: bool = False,
                 popup_host: QWidget | None = None, keep_picked: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self._types = set(types)
        self.single = single
        self.keep_picked = keep_picked
        self._popup_host = popup_host
        self._records: list[Picked] = []
        self._chips: dict[str, Chip] = {}
        self._hits: dict[str, Any] = {}
        self._runner = TaskRunner(self)
        self._sequence = 0
        self._answered = ""  # the query the shown hits belong to
        self._pick_first = False
        self._placeholder = ""
        self.results: SearchResults | None = None
        self.edit = _PickerEdit(self)
        self._flow = FlowLayout(self)
        self._flow.setContentsMargins(4, 3, 4, 3)
        self._flow.addWidget(self.edit)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusProxy(self.edit)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.edit.textEdited.connect(self._on_edit_text_edited)

    # -- records -------------------------------------------------------------------------

    def records(self) -> list[Picked]:
        return list(self._records)

    def uids(self) -> list[str]:
        return [r.uid for r in self._records]

    def set_records(self, records: Sequence[Picked | tuple[str, str]]) -> None:
        """Replace the chosen records (no :attr:`edited`: the program did it)."""
        wanted = [r if isinstance(r, Picked) else Picked(*r) for r in records]
        if self.single:
            wanted = wanted[:1]
        if [(r.uid, r.name, r.detail) for r in wanted] == [
                (r.uid, r.name, r.detail) for r in self._records]:
            return
        for uid in list(self._chips):
            self._drop_chip(uid)
        self._records = []
        for record in wanted:
            self._append(record)
        self.records_changed.emit()

    def set_details(self, details: dict[str, str]) -> None:
        """Show e.g. each participant's role on the day beside the name."""
        for index, record in enumerate(self._records):
            detail = details.get(record.uid, "")
            if detail != record.detail:
                updated = Picked(record.uid, record.name, detail)
                self._records[index] = updated
                self._chips[record.uid].set_picked(updated)
        self._flow.invalidate()
        self.updateGeometry()

    def add(self, uid: str, name: str) -> None:
        """Add a record as if the user picked it."""
        if not self.keep_picked:
            self.picked.emit(uid, name)
            return
        if uid in self._chips:
            return
        if self.single:
            for old in list(self._chips):
                self._remove(old, notify=False)
        self._append(Picked(uid, name))
        self.picked.emit(uid, name)
        self.records_changed.emit()
        self.edited.emit()

    def remove(self, uid: str) -> None:
        self._remove(uid, notify=True)

    def clear_text(self) -> None:
        self._sequence += 1
        self._timer.stop()
        self._pick_first = False
        self.edit.clear()
        self.hide_results()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.edit.setPlaceholderText(text if not self._records else "")

    # -- searching -----------------------------------------------------------------------

    def search_now(self) -> None:
        self._timer.stop()
        query = self.edit.text().strip()
        if not query:
            self.hide_results()
            return
        self._sequence += 1
        sequence = self._sequence
        search, types = self._search, self._types
        self._runner.start(
            lambda: search(query, limit=LIMIT, types=types),
            guarded(self, lambda hits: self._on_search_done(sequence, query, hits)),
            guarded(self, lambda exc: self._on_search_failed(sequence, exc)))

    @property
    def searching(self) -> bool:
        return self._runner.busy or self._timer.isActive()

    def hit_titles(self) -> list[str]:
        if self.results is None:
            return []
        return [self._hits[uid].title for _kind, uid in self.results.hit_rows()
                if uid in self._hits]

    def hide_results(self) -> None:
        if self.results is not None:
            self.results.hide()

    def handle_key(self, event: QKeyEvent) -> bool:
        """Keys of the text field that the picker handles; True when consumed."""
        key = event.key()
        visible = self.results is not None and self.results.isVisible()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and visible:
            assert self.results is not None
            self.results.move_selection(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            return self._on_enter()
        if key == Qt.Key.Key_Escape and (visible or self.edit.text()):
            self.clear_text()
            return True
        if key == Qt.Key.Key_Backspace and not self.edit.text() and self._records:
            self.remove(self._records[-1].uid)
            return True
        return False

    # -- internals -----------------------------------------------------------------------

    def _on_enter(self) -> bool:
        query = self.edit.text().strip()
        if not query:
            return False  # Enter in an empty field does nothing here
        if self._timer.isActive() or self._answered != query or self._runner.busy:
            self._pick_first = True  # Enter before the answer: take its top hit
            self.search_now()
            return True
        self._take_current()
        return True

    def _take_current(self) -> None:
        hit = self.results.current_hit() if self.results is not None else None
        if hit is None:
            return
        found = self._hits.get(hit[1])
        if found is not None:
            self.clear_text()
            self.add(found.uid, found.title)

    def _on_edit_text_edited(self, text: str) -> None:
        self._pick_first = False
        if text.strip():
            self._timer.start()
        else:
            self._sequence += 1
            self._timer.stop()
            self.hide_results()

    def _on_search_done(self, sequence: int, query: str, hits: list[Any]) -> None:
        if sequence != self._sequence or self.edit.text().strip() != query:
            return
        chosen = set(self._chips)
        hits = [h for h in hits if h.uid not in chosen]
        self._answered = query
        self._hits = {h.uid: h for h in hits}
        results = self._results()
        results.show_hits(hits, query)
        self.results_shown.emit(len(hits))
        if self._pick_first:
            self._pick_first = False
            self._take_current()
            return
        if self.edit.hasFocus():
            self._show_popup()

    def _on_search_failed(self, sequence: int, exc: Exception) -> None:
        if sequence == self._sequence:
            self._pick_first = False
            self.search_failed.emit(exc)

    def _results(self) -> SearchResults:
        if self.results is None:
            host = self._popup_host or self.window()
            self.results = SearchResults(host)
            self.results.itemClicked.connect(lambda _item: self._take_current())
        return self.results

    def _show_popup(self) -> None:
        results = self._results()
        host = results.parentWidget()
        top_left = self.mapTo(host, QPoint(0, self.height() + 1))
        width = max(self.width(), 360)
        left = min(top_left.x(), max(0, host.width() - width - 4))
        room = host.height() - top_left.y() - 4
        height = min(results.preferred_height(), 300)
        top = top_left.y()
        if height > room:  # no room below: open above the field
            above = self.mapTo(host, QPoint(0, 0)).y() - 1
            height = min(height, max(room, above))
            top = above - height if above > room else top
        results.setGeometry(left, top, width, max(height, 40))
        results.show()
        results.raise_()

    def _append(self, record: Picked) -> None:
        chip = Chip(record, self)
        chip.remove_requested.connect(self.remove)
        self._chips[record.uid] = chip
        self._records.append(record)
        self._flow.insertWidget(self._flow.count() - 1, chip)
        chip.show()
        self.edit.setPlaceholderText("")
        self.updateGeometry()

    def _remove(self, uid: str, *, notify: bool) -> None:
        if uid not in self._chips:
            return
        self._drop_chip(uid)
        self._records = [r for r in self._records if r.uid != uid]
        if not self._records:
            self.edit.setPlaceholderText(self._placeholder)
        if notify:
            self.records_changed.emit()
            self.edited.emit()
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _drop_chip(self, uid: str) -> None:
        chip = self._chips.pop(uid)
        self._flow.removeWidget(chip)
        chip.hide()
        chip.deleteLater()
        self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            for chip in self._chips.values():
                chip.retranslate()
        super().changeEvent(event)


class ParticipantField(RecordPicker):
    """Persons: the participants of an interaction."""

    def __init__(self, search: Search, popup_host: QWidget | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(search, {"person"}, popup_host=popup_host, parent=parent)


# -- the kind selector of the quick log ------------------------------------------------------

def kind_labels() -> dict[str, str]:
    """The interaction kinds with their key marked by "&" (the translation picks the key)."""
    return {"meeting": _("&Meeting"), "call": _("&Call"), "email": _("&E-mail"),
            "letter": _("&Letter"), "visit": _("&Visit"), "event": _("Eve&nt"),
            "other": _("&Other")}


def mnemonic_key(label: str) -> str:
    """The letter after the single "&" of a label, upper case ("" if none)."""
    index = 0
    while True:
        index = label.find("&", index)
        if index < 0 or index + 1 >= len(label):
            return ""
        if label[index + 1] != "&":
            return label[index + 1].upper()
        index += 2


class KindSelector(QFrame):
    """One button per interaction kind; one key each.

    With the focus here, the key alone picks a kind (Left/Right move); anywhere in the
    dialog Alt+key does. The key is underlined in each label and named in the tooltip.
    """

    kind_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kindSelector")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(3)
        for kind in INTERACTION_KINDS:
            button = QToolButton(self)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setProperty("kind", kind)
            self.group.addButton(button)
            self.buttons[kind] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._on_group_button_toggled)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(
            "#kindSelector { border: 1px solid transparent; border-radius: 4px; }"
            "#kindSelector:focus { border: 1px solid palette(highlight); }"
            "QToolButton { padding: 2px 7px; }"
            "QToolButton:checked { background: palette(highlight);"
            " color: palette(highlighted-text); border-radius: 3px; }")
        self._keys: dict[str, str] = {}
        self.retranslate()

    def kind(self) -> str:
        button = self.group.checkedButton()
        return str(button.property("kind")) if button is not None else "meeting"

    def set_kind(self, kind: str) -> None:
        button = self.buttons.get(kind)
        if button is not None and not button.isChecked():
            button.setChecked(True)

    def keys(self) -> dict[str, str]:
        """key letter → kind, in the current language."""
        return dict(self._keys)

    def retranslate(self) -> None:
        self._keys = {}
        for kind, label in kind_labels().items():
            key = mnemonic_key(label)
            self._keys[key] = kind
            button = self.buttons[kind]
            button.setText(label)
            button.setToolTip(_("Key {key}, or Alt+{key} anywhere in the dialog").format(
                key=key))
        self.setAccessibleName(_("Kind"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        letter = event.text().upper()
        if modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier) \
                and letter in self._keys:
            self.set_kind(self._keys[letter])
            return
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            kinds = list(INTERACTION_KINDS)
            step = 1 if event.key() == Qt.Key.Key_Right else -1
            self.set_kind(kinds[(kinds.index(self.kind()) + step) % len(kinds)])
            return
        super().keyPressEvent(event)

    def _on_group_button_toggled(self, button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.kind_changed.emit(str(button.property("kind")))


# -- follow-ups typed into the quick log -----------------------------------------------------

def due_preview(text: str) -> tuple[str, bool]:
    """(what the due date reads as, valid) for the text typed so far."""
    if not text.strip():
        return "", True
    try:
        day = parse_day("due", text, direction="future")
    except ValidationError:
        return _("not a date"), False
    if day is None:
        return "", True
    weekday = QLocale().dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)
    return f"→ {weekday}, {format_date(day)}", True


class FollowUpEditor(QWidget):
    """One follow-up: due date (typed like "Freitag", "in 2 Wochen"), what, for whom."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, staff: Sequence[Any], current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.due_edit = QLineEdit(self)
        self.due_edit.setMaximumWidth(170)
        self.preview = QLabel(self)
        self.preview.setMinimumWidth(120)
        self.text_edit = QLineEdit(self)
        self.assignee = QComboBox(self)
        for member in staff:
            self.assignee.addItem(f"{member.name} ({member.initials})", member.initials)
        if current:
            self.assignee.setCurrentIndex(max(0, self.assignee.findData(current)))
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.due_edit)
        row.addWidget(self.preview)
        row.addWidget(self.text_edit, 1)
        row.addWidget(self.assignee)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.due_edit.textChanged.connect(self._on_due_edit_text_changed)
        self.text_edit.textChanged.connect(lambda _text: self.changed.emit())
        self.assignee.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.retranslate()

    def value(self) -> tuple[str, str, str | None]:
        return (self.due_edit.text().strip(), self.text_edit.text(),
                self.assignee.currentData())

    def is_empty(self) -> bool:
        return not self.due_edit.text().strip() and not self.text_edit.text().strip()

    def retranslate(self) -> None:
        self.due_edit.setPlaceholderText(_("Due: “Friday”, “in 2 weeks”"))
        self.text_edit.setPlaceholderText(_("What is to be done?"))
        self.assignee.setToolTip(_("Who does it"))
        self.remove_button.setToolTip(_("Remove this follow-up"))
        self._on_due_edit_text_changed(self.due_edit.text())

    def _on_due_edit_text_changed(self, text: str) -> None:
        shown, valid = due_preview(text)
        self.preview.setText(shown)
        self.preview.setStyleSheet("" if valid else "color: #b3261e;")
        self.changed.emit()


class FollowUpList(QWidget):
    """The follow-ups of the quick log; empty rows are left out when saving."""

    changed = Signal()
    rows_changed = Signal()

    def __init__(self, app: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        try:
            self._staff = list(app.staff.list())
        except Exception:  # noqa: BLE001 - no staff list: assign to the current member
            self._staff = []
        current = app.current_staff
        self._current = current.initials if current is not None else None
        self.rows: list[FollowUpEditor] = []
        self.add_button = QPushButton(self)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: self.add_row().due_edit.setFocus())
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        self.retranslate()

    def add_row(self, due: str = "", text: str = "",
                assignee: str | None = None) -> FollowUpEditor:
        row = FollowUpEditor(self._staff, assignee or self._current, self)
        row.due_edit.setText(due)
        row.text_edit.setText(text)
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        if self.isVisible():
            row.show()  # now, not queued: Tab must reach it at once
        self.rows_changed.emit()
        self.changed.emit()
        return row

    def clear(self) -> None:
        for row in list(self.rows):
            self._remove(row)

    def values(self) -> list[tuple[str, str, str | None]]:
        return [row.value() for row in self.filled_rows()]

    def filled_rows(self) -> list[FollowUpEditor]:
        return [row for row in self.rows if not row.is_empty()]

    def focus_chain(self) -> list[QWidget]:
        widgets: list[QWidget] = []
        for row in self.rows:
            widgets += [row.due_edit, row.text_edit, row.assignee]
        return [*widgets, self.add_button]

    def register_errors(self, errors: Any) -> None:
        """Let ``due[i]`` errors (i counts the filled rows) show under their row."""
        for field in [f for f in errors.fields() if f.startswith("due[")]:
            errors.unregister(field)
        for index, row in enumerate(self.filled_rows()):
            errors.register(f"due[{index}]", row.due_edit, row.error)

    def retranslate(self) -> None:
        keys = QKeySequence("Ctrl+T").toString(QKeySequence.SequenceFormat.NativeText)
        self.add_button.setText(_("Add follow-up ({keys})").format(keys=keys))
        for row in self.rows:
            row.retranslate()

    def _remove(self, row: FollowUpEditor) -> None:
        if row not in self.rows:
            return
        self.rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        self.rows_changed.emit()
        self.changed.emit()
