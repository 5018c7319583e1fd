"""The filter bar above a list: text, tag, organisation kind or level, municipality,
current/former, archived; and the buttons to save the filter as a distribution list or to
reset it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)

from crm.i18n import _
from crm.messages import value_label
from crm.services.listing_rows import MUNICIPALITIES, ORGANISATIONS, PERSONS, ListFilter
from ui.app import icon

_KINDS = ("member", "council", "administration", "network", "public-body", "funder", "other")
_LEVELS = ("district", "independent-city", "municipality", "state")
TEXT_DEBOUNCE_MS = 250


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class FilterBar(QWidget):
    """Emits :attr:`filter_changed` with the complete filter after every change."""

    filter_changed = Signal(object)  # ListFilter
    save_requested = Signal()

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        self._filter = ListFilter()
        self._tags: list[str] = []
        self._places: list[tuple[str, str]] = []
        self.text_edit = QLineEdit()
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setMinimumWidth(150)
        self.tag_combo = QComboBox()
        self.kind_combo = QComboBox()
        self.level_combo = QComboBox()
        self.place_combo = QComboBox()
        self.roles_combo = QComboBox()
        self.archived_check = QCheckBox()
        self.save_button = QToolButton()
        self.save_button.setIcon(icon("save-list"))
        self.reset_button = QToolButton()
        self.reset_button.setIcon(icon("filter-reset"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TEXT_DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_widgets_changed)
        self._layout()
        self._connect()
        self.retranslate()

    # -- public API ----------------------------------------------------------------------

    def current_filter(self) -> ListFilter:
        return self._filter

    def set_filter(self, flt: ListFilter) -> None:
        """Show a filter (e.g. a saved list) without emitting :attr:`filter_changed`."""
        self._filter = flt
        for tag in flt.tags:
            if tag not in self._tags:
                self._tags.append(tag)
        self._fill()

    def set_options(self, tags: Sequence[str], places: Sequence[tuple[str, str]]) -> None:
        """The tags and the places (uid, name) offered; keeps the current choice."""
        self._tags = list(dict.fromkeys([*tags, *self._filter.tags]))
        self._places = list(places)
        self._fill()

    def retranslate(self) -> None:
        self.text_edit.setPlaceholderText(_("Filter by name …"))
        self.archived_check.setText(_("Retired") if self._kind == MUNICIPALITIES
                                    else _("Archived"))
        self.archived_check.setToolTip(
            _("Show retired municipalities instead of the current ones")
            if self._kind == MUNICIPALITIES else
            _("Show archived entries instead of the active ones"))
        self.save_button.setToolTip(_("Save this filter as a distribution list …"))
        self.save_button.setAccessibleName(self.save_button.toolTip())
        self.reset_button.setToolTip(_("Reset the filter"))
        self.reset_button.setAccessibleName(self.reset_button.toolTip())
        self.tag_combo.setToolTip(_("Tag"))
        self.kind_combo.setToolTip(_("Kind of organisation"))
        self.level_combo.setToolTip(_("Level"))
        self.place_combo.setToolTip(_("District or independent city, with its towns"))
        self.roles_combo.setToolTip(_("Current or former"))
        self._fill()

    # -- internals -----------------------------------------------------------------------

    def _layout(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(6)
        self.text_edit.setMaximumWidth(320)
        layout.addWidget(self.text_edit, 2)
        shown = {
            PERSONS: (self.tag_combo, self.kind_combo, self.place_combo, self.roles_combo),
            ORGANISATIONS: (self.tag_combo, self.kind_combo, self.place_combo,
                            self.roles_combo),
            MUNICIPALITIES: (self.level_combo, self.place_combo),
        }[self._kind]
        for combo in shown:
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(8)
            combo.setMaximumWidth(280)
            layout.addWidget(combo, 1)
        for combo in {self.tag_combo, self.kind_combo, self.level_combo, self.place_combo,
                      self.roles_combo} - set(shown):
            combo.hide()
        layout.addWidget(self.archived_check)
        layout.addWidget(self.save_button)
        layout.addWidget(self.reset_button)
        self.save_button.setVisible(self._kind != MUNICIPALITIES)

    def _connect(self) -> None:
        self.text_edit.textEdited.connect(lambda _text: self._timer.start())
        self.text_edit.returnPressed.connect(self._on_widgets_changed)
        for combo in (self.tag_combo, self.kind_combo, self.level_combo, self.place_combo,
                      self.roles_combo):
            combo.activated.connect(lambda _index: self._on_widgets_changed())
        self.archived_check.clicked.connect(lambda _checked: self._on_widgets_changed())
        self.save_button.clicked.connect(self.save_requested)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)

    def _fill(self) -> None:
        """Put texts and choices into the widgets and show the current filter."""
        flt = self._filter
        self.text_edit.setText(flt.query)
        _fill_combo(self.tag_combo, _("All tags"), [(t, t) for t in self._tags],
                    flt.tags[0] if flt.tags else None)
        _fill_combo(self.kind_combo, _("All kinds"),
                    [(k, _capital(value_label("organisation_kind", k))) for k in _KINDS],
                    flt.kinds[0] if flt.kinds else None)
        _fill_combo(self.level_combo, _("All levels"),
                    [(v, _capital(value_label("municipality_level", v))) for v in _LEVELS],
                    flt.levels[0] if flt.levels else None)
        _fill_combo(self.place_combo, _("All of Thuringia"), self._places, flt.municipality)
        if self._kind == ORGANISATIONS:
            statuses = [("current", _("Current members")), ("former", _("Former members"))]
            everyone = _("Any membership")
        else:
            statuses = [("current", _("Current role")), ("former", _("Former role"))]
            everyone = _("Current and former")
        _fill_combo(self.roles_combo, everyone, statuses,
                    flt.roles if flt.roles != "any" else None)
        self.archived_check.setChecked(flt.archived)
        self.reset_button.setEnabled(not flt.is_empty)

    def _on_widgets_changed(self) -> None:
        self._timer.stop()
        flt = replace(
            self._filter,
            query=self.text_edit.text().strip(),
            tags=_choice(self.tag_combo, self._filter.tags),
            kinds=_choice(self.kind_combo, self._filter.kinds),
            levels=_choice(self.level_combo, self._filter.levels),
            municipality=self.place_combo.currentData() or None,
            roles=self.roles_combo.currentData() or "any",
            archived=self.archived_check.isChecked(),
        )
        self.reset_button.setEnabled(not flt.is_empty)
        if flt != self._filter:
            self._filter = flt
            self.filter_changed.emit(flt)

    def _on_reset_button_clicked(self) -> None:
        self.set_filter(ListFilter())
        self.filter_changed.emit(self._filter)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _fill_combo(combo: QComboBox, everything: str, choices: Sequence[tuple[str, str]],
                current: str | None) -> None:
    blocked = combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything, None)
    for value, text in choices:
        combo.addItem(text, value)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(blocked)


def _choice(combo: QComboBox, previous: tuple[str, ...]) -> tuple[str, ...]:
    """The combo's value; a saved filter's further values stay while the first is kept."""
    value = combo.currentData()
    if value is None:
        return ()
    if previous and previous[0] == value:
        return previous
    return (str(value),)
