"""Create or edit a person: names in any script, form of address, languages, notes,
contact points and tags, saved in one transaction through :class:`PersonService`."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from crm.errors import ValidationError
from crm.i18n import _
from crm.messages import field_message
from crm.services.rows import ContactInput, PersonDetail
from ui.dialogs.base import EditDialog, Saved, salutation_labels, set_tab_chain
from ui.dialogs.contact_points_editor import ContactPointsEditor
from ui.dialogs.tag_editor import TagEditor

_LINE_FIELDS = ("full_name", "given_name", "family_name", "transliteration", "languages")
_SALUTATIONS = ("none", "frau", "herr", "neutral")


class PersonDialog(EditDialog):
    """The person form. ``people`` is a :class:`~crm.services.people.PersonService`."""

    def __init__(self, people: Any, detail: PersonDetail | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._people = people
        self._detail = detail
        self._version = detail.version if detail else None
        self._before = detail
        self.edits = {field: QLineEdit(self) for field in _LINE_FIELDS}
        self.salutation_combo = QComboBox(self)
        for code in _SALUTATIONS:
            self.salutation_combo.addItem(code, code)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(72)
        self.contacts = ContactPointsEditor(people.check_contact_point, self)
        self.tags = TagEditor(people.known_tags(), self)
        self.labels: dict[str, QLabel] = {}
        self._build_layout()
        self._load(detail)
        self._loaded = self._field_values()
        self._connect()
        self._update_tab_order()
        self.resize(640, self.sizeHint().height())
        self.finish_setup()

    @classmethod
    def ask(cls, people: Any, uid: str | None = None, parent: QWidget | None = None
            ) -> Saved[PersonDetail] | None:
        """Open the dialog for a new person (``uid`` None) or an existing one.

        Returns what was saved, or None if the user cancelled or changed nothing.
        """
        dialog = cls(people, people.get(uid) if uid else None, parent)
        try:
            return dialog.saved_result if dialog.exec() == cls.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    # -- layout ------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field, widget in (*self.edits.items(), ("salutation", self.salutation_combo),
                              ("notes", self.notes_edit)):
            label = QLabel(self)
            label.setBuddy(widget)
            self.labels[field] = label
        order = ("full_name", "given_name", "family_name", "transliteration", "salutation",
                 "languages", "notes")
        widgets: dict[str, QWidget] = {**self.edits, "salutation": self.salutation_combo,
                                       "notes": self.notes_edit}
        for field in order:
            form.addRow(self.labels[field], self.field_errors.attach(field, widgets[field]))
        self.lay_out_record_form(form, self.contacts, self.tags)

    def retranslate(self) -> None:
        super().retranslate()
        if self._detail is None:
            self.setWindowTitle(_("New person"))
        else:
            self.setWindowTitle(_("Edit person: {name}").format(name=self._detail.name))
        texts = {
            "full_name": _("&Name (as written) *"),
            "given_name": _("&Given name"),
            "family_name": _("&Family name"),
            "transliteration": _("&Transliteration"),
            "salutation": _("Form of &address"),
            "languages": _("&Languages"),
            "notes": _("N&otes"),
        }
        for field, text in texts.items():
            self.labels[field].setText(text)
        self.edits["full_name"].setPlaceholderText(_("Full name in any script"))
        self.edits["given_name"].setPlaceholderText(_("Optional; not every name splits"))
        self.edits["transliteration"].setPlaceholderText(
            _("Latin spelling, e.g. Olena Shevchenko"))
        self.edits["languages"].setPlaceholderText(_("e.g. Deutsch, Türkisch, Arabisch"))
        self._update_salutation_texts()
        self.contacts_box.setTitle(_("Contact points"))
        self.tags_box.setTitle(_("Tags"))
        self.required_hint.setText(_("* required"))

    def _update_salutation_texts(self) -> None:
        texts = salutation_labels(self.edits["full_name"].text())
        for i in range(self.salutation_combo.count()):
            self.salutation_combo.setItemText(i, texts[self.salutation_combo.itemData(i)])

    def _connect(self) -> None:
        for field, edit in self.edits.items():
            edit.textEdited.connect(lambda _text, f=field: self.schedule_check(f))
            edit.editingFinished.connect(lambda f=field: self._on_edit_finished(f))
        self.edits["full_name"].textChanged.connect(self._update_salutation_texts)
        self.contacts.rows_changed.connect(self._update_tab_order)

    def _update_tab_order(self) -> None:
        set_tab_chain([*self.edits.values()][:4] + [
            self.salutation_combo, self.edits["languages"], self.notes_edit,
            *self.contacts.focus_widgets(), *self.tags.focus_widgets(),
            self.save_button, self.cancel_button,
        ])

    # -- data --------------------------------------------------------------------------------

    def _load(self, detail: PersonDetail | None) -> None:
        if detail is None:
            self.contacts.add_point("email", notify=False)
            return
        values = {"full_name": detail.name, "given_name": detail.given_name,
                  "family_name": detail.family_name, "transliteration": detail.transliteration,
                  "languages": detail.languages}
        for field, value in values.items():
            self.edits[field].setText(value or "")
        self.salutation_combo.setCurrentIndex(
            max(0, self.salutation_combo.findData(detail.salutation)))
        self.notes_edit.setPlainText(detail.notes)
        self.contacts.set_points(detail.contact_points)
        self.tags.set_tags(detail.tags)

    def _field_values(self) -> dict[str, str]:
        values = {field: edit.text() for field, edit in self.edits.items()}
        values["salutation"] = str(self.salutation_combo.currentData())
        values["notes"] = self.notes_edit.toPlainText()
        return values

    def form_state(self) -> object:
        return (self._field_values(), self.contacts.state(), tuple(self.tags.tags()),
                self.tags.line_edit.text().strip())

    def record_name(self) -> str:
        return self.edits["full_name"].text().strip() or (
            self._detail.name if self._detail else "")

    def use_version(self, version: int | None) -> None:
        self._version = version
        if self._detail is not None:  # undo must bring back what is overwritten now
            self._before = self._people.get(self._detail.uid)

    # -- checks and save ---------------------------------------------------------------------

    def live_check(self, field: str) -> None:
        text = self.edits[field].text() if field in self.edits else ""
        self.show_check_result(field, lambda: self._people.check_fields({field: text}))

    def _on_edit_finished(self, field: str) -> None:
        if field in self._pending_checks:
            self.check_now(field)

    def clear_errors(self) -> None:
        self.field_errors.clear_all()
        self.contacts.clear_errors()
        self.tags.show_error("")

    def place_errors(self, exc: ValidationError) -> list[str]:
        return place_record_errors(self, exc, self.contacts, self.tags)

    def first_invalid_widget(self) -> QWidget | None:
        return (self.field_errors.first_invalid() or self.contacts.first_invalid()
                or (self.tags.line_edit if self.tags.error_label.text() else None))

    def perform_save(self) -> Saved[PersonDetail] | None:
        if self.tags.line_edit.text().strip():
            self.tags.add_tag(self.tags.line_edit.text())
            self.tags.line_edit.clear()
        current = self._field_values()
        detail = self._detail
        if detail is None:
            fields: dict[str, Any] = current
            points: list[ContactInput] | None = self.contacts.inputs()
            tags: list[str] | None = self.tags.tags()
        else:
            fields = {k: v for k, v in current.items() if v != self._loaded[k]}
            initial = self._initial_state
            assert isinstance(initial, tuple)
            points = self.contacts.inputs() if self.contacts.state() != initial[1] else None
            tags = self.tags.tags() if list(detail.tags) != self.tags.tags() else None
            if not fields and points is None and tags is None:
                return None
        after = self._people.save(detail.uid if detail else None, fields, points, tags,
                                  expected_version=self._version)
        return Saved(self._before, after)


def place_record_errors(dialog: EditDialog, exc: ValidationError,
                        contacts: ContactPointsEditor, tags: TagEditor) -> list[str]:
    """Field errors under their inputs, ``email[2]`` under the contact row, tags under
    the tag editor; returns the messages that have no place on the form."""
    unplaced: list[str] = []
    indexed: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, (code, values) in exc.errors.items():
        if "[" in key:
            indexed[key] = (code, values)
            continue
        message = field_message(key, code, values)
        if key == "tags":
            tags.show_error(message)
        elif not dialog.field_errors.show(key, message):
            unplaced.append(message)
    if indexed:
        unplaced.extend(contacts.place_errors(ValidationError(indexed)))
    return unplaced
