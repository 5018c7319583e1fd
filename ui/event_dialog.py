"""Create or edit an event: workshop, seminar, Fachtagung, network meeting.

Start and end are typed like in the quick log ("12.5. 10 Uhr", "nächsten Dienstag 18:00")
and shown parsed beside the field; municipality and co-organising organisations are picked
by search; the project list offers every project. Saving goes through the event service,
version-checked: a conflict shows both values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from crm.errors import ConflictError, ValidationError
from crm.i18n import _
from crm.messages import value_label
from crm.services.activity_rows import EVENT_KINDS, EventDetail, EventInput
from crm.services.dates import parse_moment
from ui.detail.html import format_moment, moment_text
from ui.dialogs.base import EditDialog, set_tab_chain
from ui.field_errors import make_error_label
from ui.participant_field import RecordPicker

App = Any  # crm.app.App


def event_kind_label(kind: str) -> str:
    text = value_label("event_kind", kind)
    return text[:1].upper() + text[1:]


def _moment(text: str) -> datetime | None:
    """The typed start or end, or None if empty or not (yet) a date."""
    if not text.strip():
        return None
    try:
        return parse_moment("starts_at", text, direction="future")
    except ValidationError:
        return None


class EventDialog(EditDialog):
    """See the module docstring; ``ask`` returns the saved event or None."""

    def __init__(self, app: App, existing: EventDetail | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.existing = existing
        self._version = existing.version if existing else None
        search = app.search.search
        self.title_edit = QLineEdit(self)
        self.kind_combo = QComboBox(self)
        for kind in EVENT_KINDS:
            self.kind_combo.addItem("", kind)
        self.start_edit = QLineEdit(self)
        self.start_preview = QLabel(self)
        self.end_edit = QLineEdit(self)
        self.end_preview = QLabel(self)
        self.venue_edit = QLineEdit(self)
        self.municipality = RecordPicker(search, {"municipality"}, single=True,
                                         popup_host=self, parent=self)
        self.organisers = RecordPicker(search, {"organisation"}, popup_host=self, parent=self)
        self.project_combo = QComboBox(self)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(110)
        self._build()
        self._load(existing)
        self.start_edit.textChanged.connect(lambda _t: self._update_preview("starts_at"))
        self.end_edit.textChanged.connect(lambda _t: self._update_preview("ends_at"))
        self.finish_setup()
        self.title_edit.setFocus()

    @classmethod
    def ask(cls, app: App, parent: QWidget | None = None,
            existing: EventDetail | None = None) -> EventDetail | None:
        dialog = cls(app, existing, parent)
        try:
            dialog.exec()
            return dialog.saved_result
        finally:
            dialog.deleteLater()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.labels: dict[str, QLabel] = {}
        start = QHBoxLayout()
        start.addWidget(self.start_edit, 1)
        start.addWidget(self.start_preview)
        end = QHBoxLayout()
        end.addWidget(self.end_edit, 1)
        end.addWidget(self.end_preview)
        for preview in (self.start_preview, self.end_preview):
            preview.setMinimumWidth(200)
            preview.setTextFormat(Qt.TextFormat.PlainText)
        rows: list[tuple[str, QWidget | QHBoxLayout, QWidget]] = [
            ("title", self.title_edit, self.title_edit),
            ("kind", self.kind_combo, self.kind_combo),
            ("starts_at", start, self.start_edit), ("ends_at", end, self.end_edit),
            ("venue", self.venue_edit, self.venue_edit),
            ("municipality", self.municipality, self.municipality),
            ("organisers", self.organisers, self.organisers),
            ("project", self.project_combo, self.project_combo),
            ("notes", self.notes_edit, self.notes_edit)]
        for key, field, widget in rows:
            box = QVBoxLayout()
            box.setSpacing(2)
            if isinstance(field, QHBoxLayout):
                box.addLayout(field)
            else:
                box.addWidget(field)
            error = make_error_label(self)
            box.addWidget(error)
            self.field_errors.register(key, widget, error)
            label = QLabel(self)
            self.labels[key] = label
            form.addRow(label, box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.button_box)
        for button in self.button_box.buttons():
            button.setAutoDefault(False)
        set_tab_chain([self.title_edit, self.kind_combo, self.start_edit, self.end_edit,
                       self.venue_edit, self.municipality.edit, self.organisers.edit,
                       self.project_combo, self.notes_edit, self.save_button,
                       self.cancel_button])
        self.resize(640, self.sizeHint().height())

    def _load(self, existing: EventDetail | None) -> None:
        self.project_combo.addItem("", "")
        for project in self._app.projects.projects():
            self.project_combo.addItem(project.name, project.uid)
        if existing is None:
            last = self._app.projects.last_used(self._app.prefs)
            self.project_combo.setCurrentIndex(
                max(0, self.project_combo.findData(last.uid if last else "")))
            return
        self.title_edit.setText(existing.title)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(existing.kind)))
        self.start_edit.setText(moment_text(existing.starts_at))
        self.end_edit.setText(moment_text(existing.ends_at) if existing.ends_at else "")
        self.venue_edit.setText(existing.venue)
        place = existing.municipality
        self.municipality.set_records([(place.uid, place.name)] if place else [])
        self.organisers.set_records([(o.uid, o.name) for o in existing.organisers])
        project = existing.project.uid if existing.project else ""
        self.project_combo.setCurrentIndex(max(0, self.project_combo.findData(project)))
        self.notes_edit.setPlainText(existing.notes)

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Edit event") if self.existing else _("New event"))
        texts = {"title": _("Title"), "kind": _("Kind"), "starts_at": _("Start"),
                 "ends_at": _("End"), "venue": _("Venue"), "municipality": _("Municipality"),
                 "organisers": _("Co-organisers"), "project": _("Project"),
                 "notes": _("Notes")}
        for key, text in texts.items():
            self.labels[key].setText(text)
        for row in range(self.kind_combo.count()):
            self.kind_combo.setItemText(row, event_kind_label(self.kind_combo.itemData(row)))
        self.project_combo.setItemText(0, _("No project"))
        self.title_edit.setPlaceholderText(_("e.g. Fachtagung Teilhabe in Kommunen"))
        self.start_edit.setPlaceholderText(_("e.g. “12.05.2026 10:00”, “next Tuesday 18:00”"))
        self.end_edit.setPlaceholderText(_("optional"))
        self.municipality.set_placeholder(_("Where it takes place"))
        self.organisers.set_placeholder(_("Organisations organising it with us"))
        self._update_preview("starts_at")
        self._update_preview("ends_at")

    def _update_preview(self, field: str) -> None:
        edit, preview = ((self.start_edit, self.start_preview) if field == "starts_at"
                         else (self.end_edit, self.end_preview))
        moment = _moment(edit.text())
        preview.setText(f"→ {format_moment(moment)}" if moment else "")
        if moment is not None or not edit.text().strip():
            self.field_errors.clear(field)
        else:
            self.schedule_check(field)

    def live_check(self, field: str) -> None:
        edit = self.start_edit if field == "starts_at" else self.end_edit
        if edit.text().strip():
            self.show_check_result(field, lambda: parse_moment(field, edit.text(),
                                                               direction="future"))

    # -- saving --------------------------------------------------------------------------

    def form_state(self) -> object:
        return (self.title_edit.text(), self.kind_combo.currentData(), self.start_edit.text(),
                self.end_edit.text(), self.venue_edit.text(), tuple(self.municipality.uids()),
                tuple(self.organisers.uids()), self.project_combo.currentData(),
                self.notes_edit.toPlainText())

    def perform_save(self) -> EventDetail:
        place = self.municipality.uids()
        values: dict[str, Any] = {
            "title": self.title_edit.text(), "kind": self.kind_combo.currentData(),
            "starts_at": self.start_edit.text().strip(),
            "ends_at": self.end_edit.text().strip() or None,
            "venue": self.venue_edit.text(), "municipality": place[0] if place else None,
            "organisers": self.organisers.uids(),
            "project": self.project_combo.currentData() or None,
            "notes": self.notes_edit.toPlainText()}
        events = self._app.events
        if self.existing is None:
            return events.create(EventInput(**values))
        changes = self._changes(self.existing, values)
        if not changes:
            return self.existing
        try:
            return events.update(self.existing.uid, changes, expected_version=self._version)
        except ConflictError as exc:
            raise self._conflict(exc, changes) from exc

    def _changes(self, old: EventDetail, values: dict[str, Any]) -> dict[str, Any]:
        before = {"title": old.title, "kind": old.kind, "starts_at": moment_text(old.starts_at),
                  "ends_at": moment_text(old.ends_at) if old.ends_at else None,
                  "venue": old.venue,
                  "municipality": old.municipality.uid if old.municipality else None,
                  "organisers": [o.uid for o in old.organisers],
                  "project": old.project.uid if old.project else None, "notes": old.notes}
        changes = {k: v for k, v in values.items() if v != before[k]}
        for key in ("municipality", "project"):
            if key in changes and changes[key] is None:
                changes[key] = ""
        return changes

    def _conflict(self, exc: ConflictError, changes: dict[str, Any]) -> ConflictError:
        """The service reports only the version; show both values per changed field."""
        current = self._app.events.get(self.existing.uid if self.existing else "")
        shown = self._values_shown()
        theirs_all = _event_values(current)
        mine = {self.labels[k].text(): shown.get(k, "") for k in changes}
        theirs = {self.labels[k].text(): theirs_all.get(k, "") for k in changes}
        return ConflictError("event", current.uid, mine, theirs, exc.version)

    def _values_shown(self) -> dict[str, str]:
        start, end = _moment(self.start_edit.text()), _moment(self.end_edit.text())
        return {"title": self.title_edit.text(), "kind": self.kind_combo.currentText(),
                "starts_at": format_moment(start) if start else self.start_edit.text(),
                "ends_at": format_moment(end) if end else self.end_edit.text(),
                "venue": self.venue_edit.text(),
                "municipality": ", ".join(r.name for r in self.municipality.records()),
                "organisers": ", ".join(r.name for r in self.organisers.records()),
                "project": (self.project_combo.currentText()
                            if self.project_combo.currentData() else ""),
                "notes": self.notes_edit.toPlainText()}

    def use_version(self, version: int | None) -> None:
        self._version = version

    def record_name(self) -> str:
        return self.existing.title if self.existing else ""


def _event_values(event: EventDetail) -> dict[str, str]:
    return {"title": event.title, "kind": event_kind_label(event.kind),
            "starts_at": format_moment(event.starts_at),
            "ends_at": format_moment(event.ends_at) if event.ends_at else "",
            "venue": event.venue,
            "municipality": event.municipality.name if event.municipality else "",
            "organisers": ", ".join(o.name for o in event.organisers),
            "project": event.project.name if event.project else "", "notes": event.notes}
