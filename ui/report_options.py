"""The options of each report on the Berichte page, and the job each one describes.

An options panel reads its widgets on the GUI thread and returns a :class:`ReportJob` whose
``run`` only calls services with plain values, so it can run on a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QEvent, QLocale, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _
from crm.messages import VALUE_LABELS, value_label
from crm.services.listing_rows import PAGE_SIZE, PERSONS
from ui.detail.html import format_date
from ui.search_box import SearchBox

App = Any  # crm.app.App
Progress = Callable[[int, int], None]
UID_ROLE = Qt.ItemDataRole.UserRole
LOADED_ROLE = Qt.ItemDataRole.UserRole + 1


class OptionsError(Exception):
    """The options are incomplete; the message says what to choose (translated)."""


@dataclass(frozen=True)
class ReportJob:
    """What to generate: ``run(path, progress)`` calls the report service (worker thread)."""

    run: Callable[[str, Progress], Any]
    file_name: str  # suggested for "Save as …"
    title: str  # the printer's document name


def file_name(*parts: str) -> str:
    """A file name from the report's title and subject, safe on every system."""
    text = " – ".join(p.strip() for p in parts if p and p.strip())
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", text).strip(" .")[:120] + ".pdf"


class ReportOptions(QWidget):
    """The options of one report; subclasses add their fields to :attr:`form`."""

    key = ""

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # The panel is narrow: a long label puts its field on the next line.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

    def title(self) -> str:
        raise NotImplementedError

    def description(self) -> str:
        raise NotImplementedError

    def load(self) -> None:
        """Read the choices offered (events, projects …) again; keeps what was chosen."""

    def job(self) -> ReportJob:
        raise NotImplementedError

    def retranslate(self) -> None:
        """Set the texts of the fields."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _label(self, field: QWidget) -> QLabel:
        label = QLabel()
        label.setBuddy(field)
        self.form.addRow(label, field)
        return label


def _combo() -> QComboBox:
    """A combo box that fits the narrow options panel; long entries are elided."""
    combo = QComboBox()
    combo.setMinimumContentsLength(16)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
    return combo


def _refill(combo: QComboBox, items: list[tuple[str, object]], keep: bool = True) -> None:
    """Replace the entries, keeping the chosen one when it is still offered."""
    chosen = combo.currentData() if keep else None
    blocked = combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(chosen) if chosen is not None else -1
    combo.setCurrentIndex(index if index >= 0 else (0 if items else -1))
    combo.blockSignals(blocked)


def _event_items(events: list[Any]) -> list[tuple[str, object]]:
    return [(f"{format_date(e.date)} · {e.title}", e.uid) for e in events]


def _next_event_index(events: list[Any]) -> int:
    """The soonest event from today on (lists are printed before events), else the newest."""
    today = date.today()
    upcoming = [i for i, e in enumerate(events) if e.date >= today]
    return upcoming[-1] if upcoming else 0


class ContactSheetOptions(ReportOptions):
    key = "contact_sheet"

    def __init__(self, app: App, popup_host: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.choice: tuple[str, str, str] | None = None  # kind, uid, name
        self.search = SearchBox(self._search, popup_host)
        self.search.setMinimumWidth(160)
        self.search.record_requested.connect(self._on_search_record_requested)
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)
        self.chosen.setTextFormat(Qt.TextFormat.PlainText)
        self.last_n = QSpinBox()
        self.last_n.setRange(0, 100)
        self.last_n.setValue(10)
        self.search_label = self._label(self.search)
        self.form.addRow("", self.chosen)
        self.last_label = self._label(self.last_n)
        self.retranslate()

    def title(self) -> str:
        return _("Contact sheet")

    def description(self) -> str:
        return _("One person or organisation on one page: contact details, roles and the "
                 "latest interactions.")

    def choose(self, kind: str, uid: str, name: str) -> None:
        self.choice = (kind, uid, name)
        self.search.clear_search()
        self.retranslate()

    def job(self) -> ReportJob:
        if self.choice is None:
            raise OptionsError(_("Search for the person or organisation first."))
        _kind, uid, name = self.choice
        last_n = self.last_n.value()
        reports = self.app.reports
        return ReportJob(lambda path, progress: reports.contact_sheet(
            uid, path, last_n=last_n, progress=progress),
            file_name(self.title(), name), f"{self.title()}: {name}")

    def retranslate(self) -> None:
        self.search_label.setText(_("&Person or organisation:"))
        self.last_label.setText(_("&Latest interactions:"))
        self.search.setPlaceholderText(_("Search by name …"))
        if self.choice is None:
            self.chosen.setText(_("Nobody chosen yet."))
        else:
            kind, _uid, name = self.choice
            self.chosen.setText(_("Chosen: {name} ({kind})").format(
                name=name, kind=value_label("record_type", kind)))

    def _search(self, query: str, limit: int = 20) -> list[Any]:
        return list(self.app.search.search(query, limit=limit,
                                           types={"person", "organisation"}))

    def _on_search_record_requested(self, kind: str, uid: str) -> None:
        item = self.search.results.currentItem()
        name = item.text() if item is not None else self.search.text()
        self.choose(kind, uid, name)


class DirectoryOptions(ReportOptions):
    key = "directory"

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.all_radio = QRadioButton()
        self.some_radio = QRadioButton()
        self.group = QButtonGroup(self)
        self.group.addButton(self.all_radio)
        self.group.addButton(self.some_radio)
        self.all_radio.setChecked(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumHeight(250)
        self.tree.itemExpanded.connect(self._on_tree_item_expanded)
        self.tree.itemChanged.connect(self._on_tree_item_changed)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.all_radio, self.some_radio, self.tree):
            column.addWidget(widget)
        self.form.addRow(box)
        self.retranslate()

    def title(self) -> str:
        return _("Municipal contact directory")

    def description(self) -> str:
        return _("The organisations in the districts and municipalities with their current "
                 "contacts, by district.")

    def load(self) -> None:
        if self.tree.topLevelItemCount():
            return  # districts hardly change; keep what was ticked
        self.tree.blockSignals(True)
        for place in self.app.municipalities.districts():
            item = QTreeWidgetItem([place.name])
            item.setData(0, UID_ROLE, place.uid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                          | Qt.ItemFlag.ItemIsAutoTristate)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            if place.level == "district":
                item.setChildIndicatorPolicy(
                    QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)

    def chosen_refs(self) -> list[str]:
        """Whole districts ticked, and the towns ticked in the others."""
        refs: list[str] = []
        for district in _children(self.tree.invisibleRootItem()):
            if district.checkState(0) == Qt.CheckState.Checked:
                refs.append(district.data(0, UID_ROLE))
            elif district.checkState(0) == Qt.CheckState.PartiallyChecked:
                refs += [town.data(0, UID_ROLE) for town in _children(district)
                         if town.checkState(0) == Qt.CheckState.Checked]
        return refs

    def job(self) -> ReportJob:
        refs = self.chosen_refs() if self.some_radio.isChecked() else None
        if refs == []:
            raise OptionsError(_("Tick at least one district or municipality."))
        reports = self.app.reports
        return ReportJob(lambda path, progress: reports.directory(
            path, municipalities=refs, progress=progress),
            file_name(self.title()), self.title())

    def retranslate(self) -> None:
        self.all_radio.setText(_("&All districts and municipalities"))
        self.some_radio.setText(_("Only the &ticked ones:"))
        self.tree.setAccessibleName(_("Districts and municipalities"))

    def _on_tree_item_expanded(self, item: QTreeWidgetItem) -> None:
        if item.data(0, LOADED_ROLE):
            return
        item.setData(0, LOADED_ROLE, True)
        state = item.checkState(0)
        self.tree.blockSignals(True)
        for town in self.app.municipalities.list(parent=item.data(0, UID_ROLE)):
            child = QTreeWidgetItem([town.name])
            child.setData(0, UID_ROLE, town.uid)
            child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            child.setCheckState(0, Qt.CheckState.Checked if state == Qt.CheckState.Checked
                                else Qt.CheckState.Unchecked)
            item.addChild(child)
        if not item.childCount():
            item.setChildIndicatorPolicy(
                QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless)
        self.tree.blockSignals(False)

    def _on_tree_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.checkState(0) != Qt.CheckState.Unchecked:
            self.some_radio.setChecked(True)


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [child for i in range(item.childCount()) if (child := item.child(i)) is not None]


class AttendanceOptions(ReportOptions):
    key = "attendance"

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.event_combo = _combo()
        self.walk_ins = QSpinBox()
        self.walk_ins.setRange(0, 200)
        self.walk_ins.setValue(5)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.event_label = self._label(self.event_combo)
        self.walk_label = self._label(self.walk_ins)
        self.form.addRow(self.hint)
        self._loaded = False
        self.retranslate()

    def title(self) -> str:
        return _("Attendance list")

    def description(self) -> str:
        return _("A list to sign for an event: the invited and registered persons, and empty "
                 "rows for those who come without registering.")

    def load(self) -> None:
        events = self.app.events.events(limit=200)
        _refill(self.event_combo, _event_items(events))
        if not self._loaded and events:
            self.event_combo.setCurrentIndex(_next_event_index(events))
        self._loaded = True

    def choose_event(self, uid: str) -> None:
        self.load()
        index = self.event_combo.findData(uid)
        if index >= 0:
            self.event_combo.setCurrentIndex(index)

    def job(self) -> ReportJob:
        uid = self.event_combo.currentData()
        if not uid:
            raise OptionsError(_("There is no event yet. Create one in the Events section."))
        rows = self.walk_ins.value()
        reports = self.app.reports
        name = self.event_combo.currentText()
        return ReportJob(lambda path, progress: reports.attendance(
            uid, path, walk_in_rows=rows, progress=progress),
            file_name(self.title(), name), f"{self.title()}: {name}")

    def retranslate(self) -> None:
        self.event_label.setText(_("&Event:"))
        self.walk_label.setText(_("Empty &rows for walk-ins:"))
        self.hint.setText(_("The funder’s logo and wording printed on the list are set under "
                            "File → Settings → Print."))


def _long_date_format() -> str:
    """The locale's short date format with a four-digit year (01.01.2026, not 01.01.26)."""
    pattern = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


def _period(key: str, today: date) -> tuple[date, date]:
    """First and last day of a period offered for the activity report."""
    quarter = (today.month - 1) // 3
    if key == "year":
        return date(today.year, 1, 1), today
    if key == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if key == "quarter":
        return date(today.year, 3 * quarter + 1, 1), today
    if key == "last_quarter":
        year, quarter = (today.year, quarter - 1) if quarter else (today.year - 1, 3)
        start = date(year, 3 * quarter + 1, 1)
        end = date(year + 1, 1, 1) if quarter == 3 else date(year, 3 * quarter + 4, 1)
        return start, date.fromordinal(end.toordinal() - 1)
    raise ValueError(key)


_PERIODS: dict[str, Callable[[], str]] = {
    "year": lambda: _("This year"),
    "last_year": lambda: _("Last year"),
    "quarter": lambda: _("This quarter"),
    "last_quarter": lambda: _("Last quarter"),
    "custom": lambda: _("Other period"),
}


class ActivityOptions(ReportOptions):
    key = "activity"

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.period = _combo()
        for key in _PERIODS:
            self.period.addItem("", key)
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.project = _combo()
        self._setting_period = False
        self.period_label = self._label(self.period)
        self.from_label = self._label(self.date_from)
        self.to_label = self._label(self.date_to)
        self.project_label = self._label(self.project)
        self.period.currentIndexChanged.connect(self._on_period_current_index_changed)
        self._on_period_current_index_changed(0)
        self.retranslate()

    def title(self) -> str:
        return _("Activity report")

    def description(self) -> str:
        return _("The interactions and events of a period, for the board or a funder: "
                 "overall or for one project.")

    def load(self) -> None:
        projects = [(p.name, p.uid) for p in self.app.projects.projects()]
        _refill(self.project, [(_("All projects"), ""), *projects])

    def choose_project(self, uid: str) -> None:
        self.load()
        index = self.project.findData(uid)
        if index >= 0:
            self.project.setCurrentIndex(index)

    def set_period(self, start: date, end: date) -> None:
        """Show this period (the preset combo says "Other period" unless it matches)."""
        self.date_from.setDate(QDate(start.year, start.month, start.day))
        self.date_to.setDate(QDate(end.year, end.month, end.day))

    def job(self) -> ReportJob:
        start: date = self.date_from.date().toPython()  # type: ignore[assignment]
        end: date = self.date_to.date().toPython()  # type: ignore[assignment]
        if end < start:
            raise OptionsError(_("The period ends before it starts."))
        project = self.project.currentData() or None
        reports = self.app.reports
        subject = self.project.currentText() if project else ""
        period = f"{start.isoformat()} {end.isoformat()}"
        return ReportJob(lambda path, progress: reports.activity(
            path, start, end, project=project, progress=progress),
            file_name(self.title(), subject, period), self.title())

    def retranslate(self) -> None:
        for index in range(self.period.count()):
            self.period.setItemText(index, _PERIODS[self.period.itemData(index)]())
        self.period_label.setText(_("&Period:"))
        self.from_label.setText(_("&From:"))
        self.to_label.setText(_("&To:"))
        self.project_label.setText(_("P&roject:"))
        display = _long_date_format()
        for edit in (self.date_from, self.date_to):
            edit.setDisplayFormat(display)
        if self.project.count():
            self.project.setItemText(0, _("All projects"))

    def _on_period_current_index_changed(self, index: int) -> None:
        key = self.period.itemData(index)
        if key != "custom":
            self._setting_period = True
            self.set_period(*_period(key, date.today()))
            self._setting_period = False

    def _on_date_edit_date_changed(self, _day: QDate) -> None:
        key = self.period.currentData()
        if self._setting_period or key in (None, "custom"):
            return
        if _period(key, date.today()) != (
                self.date_from.date().toPython(), self.date_to.date().toPython()):
            self.period.setCurrentIndex(self.period.findData("custom"))


class LabelOptions(ReportOptions):
    key = "labels"
    # Who gets a label: everyone, or the persons of a distribution list, tag, kind or event.
    SOURCES: dict[str, Callable[[], str]] = {
        "all": lambda: _("Everyone"),
        "list": lambda: _("A distribution list"),
        "tag": lambda: _("Persons with a tag"),
        "kind": lambda: _("Contacts of an organisation kind"),
        "event": lambda: _("Invited to an event"),
    }

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.layout_combo = _combo()
        self.layout_combo.addItem("", "3x8")
        self.layout_combo.addItem("", "2x7")
        self.source = _combo()
        for key in self.SOURCES:
            self.source.addItem("", key)
        self.value = _combo()
        self.layout_label = self._label(self.layout_combo)
        self.source_label = self._label(self.source)
        self.value_label = self._label(self.value)
        self.source.currentIndexChanged.connect(lambda _index: self.load())
        self.retranslate()

    def title(self) -> str:
        return _("Address labels")

    def description(self) -> str:
        return _("One DIN 5008 address per label, with the person’s own postal address or "
                 "their organisation’s. Persons without any postal address are left out and "
                 "listed after the labels are made.")

    def load(self) -> None:
        source = self.source.currentData()
        items: list[tuple[str, object]] = []
        if source == "list":
            items = [(d.name, d.uid) for d in self.app.listing.lists() if d.section == PERSONS]
        elif source == "tag":
            items = [(t.name, t.name) for t in self.app.listing.tags()]
        elif source == "kind":
            items = [(value_label("organisation_kind", k), k)
                     for k in VALUE_LABELS["organisation_kind"]]
        elif source == "event":
            items = _event_items(self.app.events.events(limit=200))
        _refill(self.value, items)
        self.value.setVisible(source != "all")
        self.value_label.setVisible(source != "all")
        self._retranslate_value()

    def job(self) -> ReportJob:
        source, value = self.source.currentData(), self.value.currentData()
        if source != "all" and not value:
            raise OptionsError({
                "list": lambda: _("There is no distribution list of persons yet. Save a "
                                  "filter of the persons list as one."),
                "tag": lambda: _("There are no tags yet."),
                "event": lambda: _("There is no event yet."),
            }.get(source, lambda: _("Choose whom to address."))())
        layout = self.layout_combo.currentData()
        listing, reports = self.app.listing, self.app.reports
        keyword = {"tag": "tag", "kind": "org_kind", "event": "event"}.get(source)
        args = {keyword: value} if keyword else {}

        def run(path: str, progress: Progress) -> Any:
            uids = None
            if source == "list":
                uids = _all_person_uids(listing, listing.apply_list(value).criteria)
            return reports.labels(path, layout=layout, person_uids=uids, progress=progress,
                                  **args)

        subject = self.value.currentText() if source != "all" else ""
        return ReportJob(run, file_name(self.title(), subject), self.title())

    def retranslate(self) -> None:
        self.layout_combo.setItemText(0, _("3 × 8 – Avery Zweckform 3474"))
        self.layout_combo.setItemText(1, _("2 × 7 – Avery L7163"))
        self.layout_combo.setItemData(0, _("24 labels of 70 × 37 mm per sheet"),
                                      Qt.ItemDataRole.ToolTipRole)
        self.layout_combo.setItemData(1, _("14 labels of 99.1 × 38.1 mm per sheet"),
                                      Qt.ItemDataRole.ToolTipRole)
        for index in range(self.source.count()):
            self.source.setItemText(index, self.SOURCES[self.source.itemData(index)]())
        self.layout_label.setText(_("La&bel sheet:"))
        self.source_label.setText(_("&Recipients:"))
        self._retranslate_value()

    def _retranslate_value(self) -> None:
        texts = {"list": lambda: _("&Distribution list:"), "tag": lambda: _("&Tag:"),
                 "kind": lambda: _("&Kind:"), "event": lambda: _("&Event:")}
        text = texts.get(self.source.currentData())
        self.value_label.setText(text() if text else "")
        if self.source.currentData() == "kind":
            for index in range(self.value.count()):
                self.value.setItemText(index, value_label("organisation_kind",
                                                          self.value.itemData(index)))


def _all_person_uids(listing: Any, list_filter: Any) -> list[str]:
    """Every person a saved filter matches, page by page (worker thread)."""
    uids: list[str] = []
    while True:
        batch = listing.page(PERSONS, list_filter, offset=len(uids), limit=PAGE_SIZE)
        uids += [row.uid for row in batch]
        if len(batch) < PAGE_SIZE:
            return uids


class PhoneListOptions(ReportOptions):
    key = "phone_list"

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(app, parent)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.form.addRow(self.note)
        self.retranslate()

    def title(self) -> str:
        return _("Phone list")

    def description(self) -> str:
        return _("The phone numbers of the contacts in the municipalities, by district, to "
                 "keep beside the phone.")

    def job(self) -> ReportJob:
        reports = self.app.reports
        return ReportJob(lambda path, progress: reports.phone_list(path, progress=progress),
                         file_name(self.title()), self.title())

    def retranslate(self) -> None:
        self.note.setText(_("This report has no options."))
