"""The quick log (Ctrl+L): a meeting, call or visit recorded in seconds, from the keyboard.

Kind (one key each), when ("gestern 14:30", "letzten Dienstag", "12.03.2026 14:30", shown
parsed beside the field), participants (search as you type, Enter takes the top hit),
their organisations and municipality (filled in from the participants' roles on that day,
changeable), project (the last one used), subject, notes and follow-ups. Ctrl+Enter saves.
What is typed is kept as a draft until it is saved or discarded (ui/drafts.py).

The same dialog edits a logged interaction (``existing=``), version-checked; there it keeps
no draft and asks before discarding changes.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm.errors import ConflictError, ValidationError
from crm.i18n import _
from crm.messages import error_message
from crm.services.activity_rows import FollowUpInput, InteractionDetail, LogInput
from crm.services.dates import parse_moment
from ui.detail.html import format_moment, moment_text
from ui.dialogs.base import EditDialog, set_tab_chain
from ui.drafts import DraftStore, DraftWriter
from ui.field_errors import make_error_label
from ui.participant_field import (
    FollowUpList,
    KindSelector,
    ParticipantField,
    Picked,
    RecordPicker,
    guarded,
    kind_labels,
)
from ui.task import TaskRunner

if TYPE_CHECKING:
    pass

App = Any  # crm.app.App
SUGGEST_DELAY_MS = 200


def role_text(title: str, organisation: str | None) -> str:
    if title and organisation:
        return _("{title}, {organisation}").format(title=title, organisation=organisation)
    return title or organisation or ""


class QuickLogDialog(EditDialog):
    """Log an interaction (or edit one with ``existing``); see the module docstring."""

    logged = Signal(object)  # InteractionDetail, after saving

    def __init__(self, app: App, context: tuple[str, str] | None = None, *,
                 existing: InteractionDetail | None = None, store: DraftStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.context = context
        self.existing = existing
        self._version = existing.version if existing else None
        self._orgs_touched = False
        self._place_touched = False
        self._restoring = False
        self._runner = TaskRunner(self)
        self._suggest_sequence = 0
        self.draft = (DraftWriter(store or DraftStore(), self._draft_state, self._draft_failed,
                                  self) if existing is None else None)
        self._build()
        self._fresh_state = None
        self._fill_defaults()
        self._fresh_state = self.form_state()
        restored = self._restore_draft() if self.draft is not None else False
        self.draft_banner.setVisible(restored)
        self.finish_setup()
        self._connect()
        self._schedule_suggest()
        self.kind_selector.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- public API ----------------------------------------------------------------------

    @classmethod
    def ask(cls, app: App, parent: QWidget | None = None,
            context: tuple[str, str] | None = None, *,
            existing: InteractionDetail | None = None) -> InteractionDetail | None:
        """Show the dialog modally; the saved interaction, or None."""
        dialog = cls(app, context, existing=existing, parent=parent)
        try:
            dialog.exec()
            return dialog.saved_result
        finally:
            dialog.deleteLater()

    def discard_draft(self) -> None:
        """Delete the draft and close (the "Discard" button)."""
        if self.draft is not None:
            self.draft.discard()
        super(EditDialog, self).reject()

    def start_over(self) -> None:
        """Empty the form (keeping what it was opened for) and delete the draft."""
        if self.draft is not None:
            self.draft.discard()
            self.draft.resume()
        self._restoring = True
        try:
            self._orgs_touched = self._place_touched = False
            self.follow_ups.clear()
            for edit in (self.date_edit, self.subject_edit):
                edit.clear()
            self.notes_edit.clear()
            self.participants.set_records([])
            self.organisations.set_records([])
            self.municipality.set_records([])
            self._fill_defaults()
        finally:
            self._restoring = False
        self.draft_banner.hide()
        self._schedule_suggest()
        self.kind_selector.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        search = self._app.search.search
        self.kind_selector = KindSelector(self)
        self.date_edit = QLineEdit(self)
        self.date_preview = QLabel(self)
        self.date_preview.setTextFormat(Qt.TextFormat.PlainText)
        self.date_preview.setMinimumWidth(220)
        self.participants = ParticipantField(search, popup_host=self, parent=self)
        self.organisations = RecordPicker(search, {"organisation"}, popup_host=self, parent=self)
        self.municipality = RecordPicker(search, {"municipality"}, single=True, popup_host=self,
                                         parent=self)
        self.project_combo = QComboBox(self)
        self.subject_edit = QLineEdit(self)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMinimumHeight(110)
        self.follow_ups = FollowUpList(self._app, self)
        self.draft_banner = QWidget(self)
        self.draft_label = QLabel(self.draft_banner)
        self.draft_label.setWordWrap(True)
        self.start_over_button = QPushButton(self.draft_banner)
        self.start_over_button.setAutoDefault(False)
        banner = QHBoxLayout(self.draft_banner)
        banner.setContentsMargins(8, 4, 8, 4)
        banner.addWidget(self.draft_label, 1)
        banner.addWidget(self.start_over_button)
        self.draft_banner.setStyleSheet("background: #fff4ce; border-radius: 4px;")
        self.general_error = make_error_label(self)
        self.discard_button = self.button_box.addButton(
            "", QDialogButtonBox.ButtonRole.DestructiveRole)
        for button in self.button_box.buttons():
            button.setAutoDefault(False)  # Enter picks participants, it never saves
            button.setDefault(False)
        self._layout()
        self._register_fields()
        self.add_follow_up_shortcut = QShortcut(QKeySequence("Ctrl+T"), self)
        self.add_follow_up_shortcut.activated.connect(self._on_add_follow_up)
        if self.existing is not None:
            self.follow_ups.hide()
            self.discard_button.hide()

    def _layout(self) -> None:
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.labels: dict[str, QLabel] = {}
        when = QHBoxLayout()
        when.addWidget(self.date_edit, 1)
        when.addWidget(self.date_preview)
        self.date_error = make_error_label(self)
        rows: list[tuple[str, Any]] = [
            ("kind", self.kind_selector), ("date", (when, self.date_error)),
            ("participants", self.participants), ("organisations", self.organisations),
            ("municipality", self.municipality), ("project", self.project_combo),
            ("subject", self.subject_edit), ("notes", self.notes_edit),
            ("follow_ups", self.follow_ups)]
        self._field_boxes: dict[str, QLabel] = {}
        for key, widget in rows:
            label = QLabel(self)
            self.labels[key] = label
            box = QVBoxLayout()
            box.setSpacing(2)
            if isinstance(widget, tuple):
                box.addLayout(widget[0])
                box.addWidget(widget[1])
            else:
                box.addWidget(widget)
                error = make_error_label(self)
                self._field_boxes[key] = error
                box.addWidget(error)
            self.form.addRow(label, box)
        self.labels["date"].setBuddy(self.date_edit)
        self.labels["subject"].setBuddy(self.subject_edit)
        self.labels["notes"].setBuddy(self.notes_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.draft_banner)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.button_box)
        self.resize(700, self.sizeHint().height())

    def _register_fields(self) -> None:
        errors = self.field_errors
        errors.register("date", self.date_edit, self.date_error)
        widgets = {"kind": self.kind_selector, "participants": self.participants,
                   "organisations": self.organisations, "municipality": self.municipality,
                   "project": self.project_combo, "subject": self.subject_edit,
                   "notes": self.notes_edit, "follow_up": self.follow_ups}
        for key, widget in widgets.items():
            box_key = "follow_ups" if key == "follow_up" else key
            errors.register(key, widget, self._field_boxes[box_key])
        errors.register("duration_minutes", self.date_edit, self.date_error)

    def _tab_chain(self) -> None:
        set_tab_chain([
            self.kind_selector, self.date_edit, self.participants.edit,
            self.organisations.edit, self.municipality.edit, self.project_combo,
            self.subject_edit, self.notes_edit, *self.follow_ups.focus_chain(),
            self.button_box.button(QDialogButtonBox.StandardButton.Save),
            self.cancel_button, self.discard_button])

    def _connect(self) -> None:
        self.date_edit.textChanged.connect(self._on_date_edit_text_changed)
        self.participants.records_changed.connect(self._on_participants_records_changed)
        self.organisations.edited.connect(self._on_organisations_edited)
        self.municipality.edited.connect(self._on_municipality_edited)
        self.follow_ups.changed.connect(self._on_form_changed)
        self.follow_ups.rows_changed.connect(self._tab_chain)
        for signal in (self.kind_selector.kind_changed, self.subject_edit.textChanged,
                       self.notes_edit.textChanged, self.project_combo.currentIndexChanged,
                       self.organisations.records_changed, self.municipality.records_changed):
            signal.connect(self._on_form_changed)
        self.start_over_button.clicked.connect(self.start_over)
        self.discard_button.clicked.connect(self.discard_draft)
        self._suggest_timer = QTimer(self)
        self._suggest_timer.setSingleShot(True)
        self._suggest_timer.setInterval(SUGGEST_DELAY_MS)
        self._suggest_timer.timeout.connect(self._suggest_now)
        self._tab_chain()

    def _fill_defaults(self) -> None:
        """The empty form: now, the context record, the last project."""
        self._load_projects()
        existing = self.existing
        if existing is not None:
            self._fill_existing(existing)
        else:
            self.kind_selector.set_kind("meeting")
            self._fill_context()
            last = self._app.projects.last_used(self._app.prefs)
            self._select_project(last.uid if last else "")
        self._update_date_preview()

    def _fill_existing(self, existing: InteractionDetail) -> None:
        self.kind_selector.set_kind(existing.kind)
        self.date_edit.setText(moment_text(existing.occurred_at))
        self.participants.set_records([
            Picked(p.person.uid, p.name, role_text(p.role_title, p.organisation.name
                                                     if p.organisation else None))
            for p in existing.participants if p.person is not None])
        self.organisations.set_records([(o.uid, o.name) for o in existing.organisations])
        place = existing.municipality
        self.municipality.set_records([(place.uid, place.name)] if place else [])
        self._orgs_touched = self._place_touched = True  # keep what was stored
        self._select_project(existing.project.uid if existing.project else "")
        self.subject_edit.setText(existing.subject)
        self.notes_edit.setPlainText(existing.notes)

    def _fill_context(self) -> None:
        if self.context is None:
            return
        kind, uid = self.context
        try:
            if kind == "person":
                self.participants.set_records([(uid, self._app.people.get(uid).name)])
            elif kind == "organisation":
                self.organisations.set_records([(uid, self._app.organisations.get(uid).name)])
                self._orgs_touched = True
            elif kind == "municipality":
                self.municipality.set_records([(uid, self._app.municipalities.get(uid).name)])
                self._place_touched = True
        except Exception as exc:  # noqa: BLE001 - archived or gone: start without it
            self.general_error.setText(error_message(exc))
            self.general_error.show()

    def _load_projects(self) -> None:
        current = self.project_combo.currentData()
        self.project_combo.blockSignals(True)
        self.project_combo.clear()
        self.project_combo.addItem("", "")
        try:
            projects = self._app.projects.projects()
        except Exception as exc:  # noqa: BLE001
            projects = []
            self.general_error.setText(error_message(exc))
            self.general_error.show()
        for project in projects:
            self.project_combo.addItem(project.name, project.uid)
        self.project_combo.setItemText(0, _("No project"))
        if current:
            self._select_project(current)
        self.project_combo.blockSignals(False)

    def _select_project(self, uid: str) -> None:
        index = self.project_combo.findData(uid or "")
        self.project_combo.setCurrentIndex(max(index, 0))

    # -- texts ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        super().retranslate()
        editing = self.existing is not None
        self.setWindowTitle(_("Edit interaction") if editing else _("Quick log"))
        texts = {"kind": _("Kind"), "date": _("When"), "participants": _("Participants"),
                 "organisations": _("Organisations"), "municipality": _("Municipality"),
                 "project": _("Project"), "subject": _("Subject"), "notes": _("Notes"),
                 "follow_ups": _("Follow-ups")}
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.date_edit.setPlaceholderText(
            _("now, or e.g. “yesterday 14:30”, “last Tuesday”, “12.03.2026 14:30”"))
        self.participants.set_placeholder(_("Type a name, Enter takes the first match"))
        self.organisations.set_placeholder(_("Filled in from the participants' roles"))
        self.municipality.set_placeholder(_("Filled in from the organisations"))
        self.subject_edit.setPlaceholderText(_("What was it about?"))
        self.notes_edit.setPlaceholderText(_("Notes (Tab leaves the field)"))
        self.cancel_button.setText(_("Cancel") if editing else _("Close"))
        self.cancel_button.setToolTip("" if editing else
                                      _("Close; what you typed is kept as a draft"))
        self.discard_button.setText(_("Discard draft"))
        self.start_over_button.setText(_("Start over"))
        self.draft_label.setText(_("Your unsaved entry was restored."))
        if self.project_combo.count():
            self.project_combo.setItemText(0, _("No project"))
        self.kind_selector.retranslate()
        self.follow_ups.retranslate()
        self._update_date_preview()

    # -- the form's state ----------------------------------------------------------------

    def form_state(self) -> dict[str, Any]:
        """Everything typed, as plain data (also the draft's content)."""
        municipality = self.municipality.records()
        return {
            "kind": self.kind_selector.kind(),
            "date": self.date_edit.text(),
            "participants": [[r.uid, r.name] for r in self.participants.records()],
            "organisations": [[r.uid, r.name] for r in self.organisations.records()],
            "organisations_touched": self._orgs_touched,
            "municipality": ([municipality[0].uid, municipality[0].name]
                             if municipality else None),
            "municipality_touched": self._place_touched,
            "project": self.project_combo.currentData() or "",
            "subject": self.subject_edit.text(),
            "notes": self.notes_edit.toPlainText(),
            "follow_ups": [list(v) for v in self.follow_ups.values()],
        }

    def apply_state(self, state: dict[str, Any]) -> None:
        """Fill the form from :meth:`form_state` data (a restored draft)."""
        self._restoring = True
        try:
            self.kind_selector.set_kind(str(state.get("kind") or "meeting"))
            self.date_edit.setText(str(state.get("date") or ""))
            self.participants.set_records(_pairs(state.get("participants")))
            self.organisations.set_records(_pairs(state.get("organisations")))
            self._orgs_touched = bool(state.get("organisations_touched"))
            self.municipality.set_records(_pairs([state.get("municipality")]))
            self._place_touched = bool(state.get("municipality_touched"))
            self._select_project(str(state.get("project") or ""))
            self.subject_edit.setText(str(state.get("subject") or ""))
            self.notes_edit.setPlainText(str(state.get("notes") or ""))
            self.follow_ups.clear()
            for item in state.get("follow_ups") or []:
                if isinstance(item, list) and len(item) == 3:
                    self.follow_ups.add_row(str(item[0]), str(item[1]), item[2])
        finally:
            self._restoring = False

    def _draft_state(self) -> dict[str, Any] | None:
        state = self.form_state()
        return None if state == self._fresh_state else state

    def _restore_draft(self) -> bool:
        assert self.draft is not None
        data = self.draft.store.load()
        if data is None:
            return False
        self.apply_state(data)
        return True

    def _draft_failed(self, exc: OSError) -> None:
        self.general_error.setText(error_message(exc))
        self.general_error.show()

    # -- saving --------------------------------------------------------------------------

    def perform_save(self) -> InteractionDetail:
        self.general_error.hide()
        if self.existing is not None:
            return self._save_changes(self.existing)
        project = self.project_combo.currentData() or None
        municipality = self.municipality.uids()
        data = LogInput(
            kind=self.kind_selector.kind(), subject=self.subject_edit.text(),
            participants=self.participants.uids(),
            occurred_at=self.date_edit.text().strip() or None,
            organisations=self.organisations.uids() if self._orgs_touched else None,
            municipality=(municipality[0] if municipality else "") if self._place_touched
            else None,
            notes=self.notes_edit.toPlainText(), project=project,
            follow_ups=[FollowUpInput(due, text, assignee)
                        for due, text, assignee in self.follow_ups.values()])
        detail: InteractionDetail = self._app.interactions.log(data)
        if self.draft is not None:
            self.draft.discard()
        # The entry is saved; a failure here only loses the default for next time.
        with contextlib.suppress(OSError):
            self._app.projects.remember(self._app.prefs, project or "")
        self.logged.emit(detail)
        return detail

    def _save_changes(self, old: InteractionDetail) -> InteractionDetail:
        changes = self._changes(old)
        if not changes:
            return old
        try:
            detail: InteractionDetail = self._app.interactions.update(
                old.uid, changes, expected_version=self._version)
        except ConflictError as exc:
            current = self._app.interactions.get(old.uid)
            mine, theirs = conflict_values(changes, self._label_of, current,
                                           self._shown_values())
            raise ConflictError("interaction", old.uid, mine, theirs, exc.version) from exc
        self.logged.emit(detail)
        return detail

    def _changes(self, old: InteractionDetail) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if self.kind_selector.kind() != old.kind:
            changes["kind"] = self.kind_selector.kind()
        if self.date_edit.text().strip() != moment_text(old.occurred_at):
            changes["occurred_at"] = self.date_edit.text().strip()
        if self.subject_edit.text() != old.subject:
            changes["subject"] = self.subject_edit.text()
        if self.notes_edit.toPlainText() != old.notes:
            changes["notes"] = self.notes_edit.toPlainText()
        people = [p.person.uid for p in old.participants if p.person is not None]
        if self.participants.uids() != people:
            changes["participants"] = self.participants.uids()
        if self.organisations.uids() != [o.uid for o in old.organisations]:
            changes["organisations"] = self.organisations.uids()
        place = self.municipality.uids()
        if place != ([old.municipality.uid] if old.municipality else []):
            changes["municipality"] = place[0] if place else ""
        project = self.project_combo.currentData() or ""
        if project != (old.project.uid if old.project else ""):
            changes["project"] = project
        return changes

    def _shown_values(self) -> dict[str, str]:
        project = self.project_combo.currentData()
        try:
            when = format_moment(parse_moment("date", self.date_edit.text()))
        except ValidationError:
            when = self.date_edit.text()
        return {
            "kind": kind_labels()[self.kind_selector.kind()].replace("&", ""),
            "occurred_at": when,
            "subject": self.subject_edit.text(),
            "notes": self.notes_edit.toPlainText(),
            "participants": ", ".join(r.name for r in self.participants.records()),
            "organisations": ", ".join(r.name for r in self.organisations.records()),
            "municipality": ", ".join(r.name for r in self.municipality.records()),
            "project": self.project_combo.currentText() if project else "",
        }

    def _label_of(self, key: str) -> str:
        names = {"occurred_at": "date"}
        label = self.labels.get(names.get(key, key))
        return label.text() if label is not None else key

    def use_version(self, version: int | None) -> None:
        self._version = version

    def record_name(self) -> str:
        return self.existing.subject if self.existing else ""

    def place_errors(self, exc: ValidationError) -> list[str]:
        self.follow_ups.register_errors(self.field_errors)
        return self.field_errors.show_errors(exc)

    def reject(self) -> None:
        """Esc and Close: the draft stays (written now); editing asks as usual."""
        if self.draft is None:
            super().reject()
            return
        self.draft.flush()
        super(EditDialog, self).reject()

    # -- live checks ---------------------------------------------------------------------

    def live_check(self, field: str) -> None:
        if field == "date":
            self.show_check_result("date", lambda: parse_moment("date", self.date_edit.text()))

    def _update_date_preview(self) -> datetime | None:
        text = self.date_edit.text()
        try:
            moment = parse_moment("date", text)
        except ValidationError:
            self.date_preview.setText("")
            self.date_preview.setToolTip("")
            return None
        preview = format_moment(moment)
        self.date_preview.setText(("→ " + _("now: {moment}").format(moment=preview))
                                  if not text.strip() else f"→ {preview}")
        self.date_preview.setStyleSheet("color: palette(placeholder-text);"
                                        if not text.strip() else "")
        return moment

    # -- suggestions ---------------------------------------------------------------------

    def _schedule_suggest(self) -> None:
        self._suggest_timer.start()

    def _suggest_now(self) -> None:
        uids = self.participants.uids()
        self._suggest_sequence += 1
        sequence = self._suggest_sequence
        if not uids:
            self._apply_suggestion(sequence, None)
            return
        text = self.date_edit.text().strip()
        try:
            on: datetime | None = parse_moment("date", text) if text else None
        except ValidationError:
            on = None  # roles as of today until the date can be read
        orgs = self.organisations.uids() if self._orgs_touched else None
        interactions = self._app.interactions
        self._runner.start(lambda: interactions.suggest(uids, on=on, organisations=orgs),
                           guarded(self, lambda found: self._apply_suggestion(sequence,
                                                                              found)),
                           lambda _exc: None)

    def _apply_suggestion(self, sequence: int, found: Any) -> None:
        if sequence != self._suggest_sequence:
            return
        if found is None:
            self.participants.set_details({})
            if not self._orgs_touched:
                self.organisations.set_records([])
            if not self._place_touched:
                self.municipality.set_records([])
            return
        self.participants.set_details({
            p.person.uid: role_text(p.role_title, p.organisation.name if p.organisation
                                    else None)
            for p in found.participants if p.person is not None})
        if not self._orgs_touched:
            self.organisations.set_records([(o.uid, o.name) for o in found.organisations])
        if not self._place_touched:
            place = found.municipality
            self.municipality.set_records([(place.uid, place.name)] if place else [])

    # -- slots ---------------------------------------------------------------------------

    def _on_form_changed(self, *_args: object) -> None:
        if self.draft is not None and not self._restoring:
            self.draft.schedule()

    def _on_date_edit_text_changed(self, _text: str) -> None:
        if self._update_date_preview() is not None:
            self.field_errors.clear("date")
        else:
            self.schedule_check("date")
        self._schedule_suggest()
        self._on_form_changed()

    def _on_participants_records_changed(self) -> None:
        self._schedule_suggest()
        self._on_form_changed()

    def _on_organisations_edited(self) -> None:
        self._orgs_touched = True
        if not self._place_touched:
            self._schedule_suggest()

    def _on_municipality_edited(self) -> None:
        self._place_touched = True

    def _on_add_follow_up(self) -> None:
        if self.existing is None:
            self.follow_ups.add_row().due_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)


def _pairs(raw: Any) -> list[tuple[str, str]]:
    result = []
    for item in raw or []:
        if isinstance(item, list | tuple) and len(item) == 2 and all(
                isinstance(v, str) for v in item):
            result.append((item[0], item[1]))
    return result


# -- conflicts -------------------------------------------------------------------------------

def interaction_values(detail: InteractionDetail) -> dict[str, str]:
    """The editable fields of an interaction as the user reads them."""
    return {
        "kind": kind_labels()[detail.kind].replace("&", ""),
        "occurred_at": format_moment(detail.occurred_at),
        "subject": detail.subject,
        "notes": detail.notes,
        "participants": ", ".join(p.name for p in detail.participants),
        "organisations": ", ".join(o.name for o in detail.organisations),
        "municipality": detail.municipality.name if detail.municipality else "",
        "project": detail.project.name if detail.project else "",
    }


def conflict_values(changes: dict[str, Any], label_of: Any, current: InteractionDetail,
                    mine_shown: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(mine, theirs) per changed field, keyed by the field's translated label, for the
    conflict dialog (which shows labels it does not know as they are)."""
    theirs_all = interaction_values(current)
    mine: dict[str, str] = {}
    theirs: dict[str, str] = {}
    for key in changes:
        label = label_of(key)
        mine[label] = mine_shown.get(key, str(changes[key]))
        theirs[label] = theirs_all.get(key, "")
    return mine, theirs
