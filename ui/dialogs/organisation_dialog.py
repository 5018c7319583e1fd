"""Create or edit an organisation: name, kind, parent, municipality, membership dates,
notes, contact points and tags, saved in one transaction through OrganisationService."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from crm.errors import ValidationError
from crm.i18n import _
from crm.services.rows import OrganisationDetail
from ui.dialogs.base import (
    EditDialog,
    Saved,
    date_placeholder,
    format_date,
    install_completer,
    organisation_kind_labels,
    set_tab_chain,
)
from ui.dialogs.contact_points_editor import ContactPointsEditor
from ui.dialogs.person_dialog import place_record_errors
from ui.dialogs.tag_editor import TagEditor

_LINE_FIELDS = ("name", "short_name", "parent", "municipality", "member_since", "member_until")
_KINDS = ("member", "council", "administration", "network", "public-body", "funder", "other")
_REF_FIELDS = ("parent", "municipality")


class OrganisationDialog(EditDialog):
    """The organisation form.

    ``municipalities`` and ``organisations`` map the names offered for completion to
    uids, so a chosen name is saved unambiguously; other text is resolved by the service.
    """

    def __init__(self, service: Any, detail: OrganisationDetail | None = None,
                 municipalities: dict[str, str] | None = None,
                 organisations: dict[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._detail = detail
        self._version = detail.version if detail else None
        self._before = detail
        self._refs = {"municipality": dict(municipalities or {}),
                      "parent": {k: v for k, v in (organisations or {}).items()
                                 if not detail or v != detail.uid}}
        self.edits = {field: QLineEdit(self) for field in _LINE_FIELDS}
        self.kind_combo = QComboBox(self)
        for code in _KINDS:
            self.kind_combo.addItem(code, code)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(72)
        for field in _REF_FIELDS:
            install_completer(self.edits[field], sorted(self._refs[field]))
        self.contacts = ContactPointsEditor(service.check_contact_point, self)
        self.tags = TagEditor(service.known_tags(), self)
        self.labels: dict[str, QLabel] = {}
        self._build_layout()
        self._load(detail)
        self._loaded = self._field_values()
        self._connect()
        self._update_tab_order()
        self.resize(640, self.sizeHint().height())
        self.finish_setup()

    @classmethod
    def ask(cls, app: Any, uid: str | None = None, parent: QWidget | None = None
            ) -> Saved[OrganisationDetail] | None:
        """Open the dialog for a new organisation (``uid`` None) or an existing one.

        ``app`` provides ``organisations`` and ``municipalities``. Returns what was saved,
        or None if the user cancelled or changed nothing.
        """
        service = app.organisations
        places = {m.name: m.uid for m in app.municipalities.list()}
        orgs = _names_to_uids(service.list())
        dialog = cls(service, service.get(uid) if uid else None, places, orgs, parent)
        try:
            return dialog.saved_result if dialog.exec() == cls.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    # -- layout ------------------------------------------------------------------------------

    def _widgets(self) -> dict[str, QWidget]:
        return {"name": self.edits["name"], "short_name": self.edits["short_name"],
                "kind": self.kind_combo, "parent": self.edits["parent"],
                "municipality": self.edits["municipality"],
                "member_since": self.edits["member_since"],
                "member_until": self.edits["member_until"], "notes": self.notes_edit}

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        widgets = self._widgets()
        for field, widget in widgets.items():
            label = QLabel(self)
            label.setBuddy(widget)
            self.labels[field] = label
        for field in ("name", "short_name", "kind", "parent", "municipality"):
            form.addRow(self.labels[field], self.field_errors.attach(field, widgets[field]))
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        dates.addWidget(self.field_errors.attach("member_since", self.edits["member_since"]))
        dates.addWidget(self.labels["member_until"])
        dates.addWidget(self.field_errors.attach("member_until", self.edits["member_until"]))
        form.addRow(self.labels["member_since"], dates)
        form.addRow(self.labels["notes"], self.field_errors.attach("notes", self.notes_edit))
        self.lay_out_record_form(form, self.contacts, self.tags)

    def retranslate(self) -> None:
        super().retranslate()
        if self._detail is None:
            self.setWindowTitle(_("New organisation"))
        else:
            self.setWindowTitle(_("Edit organisation: {name}").format(name=self._detail.name))
        texts = {
            "name": _("&Name *"),
            "short_name": _("&Short name"),
            "kind": _("&Kind"),
            "parent": _("&Parent organisation"),
            "municipality": _("&Municipality"),
            "member_since": _("Member &since"),
            "member_until": _("&until"),
            "notes": _("N&otes"),
        }
        for field, text in texts.items():
            self.labels[field].setText(text)
        kinds = organisation_kind_labels()
        for i in range(self.kind_combo.count()):
            self.kind_combo.setItemText(i, kinds[self.kind_combo.itemData(i)])
        self.edits["short_name"].setPlaceholderText(_("e.g. MBR Jena"))
        self.edits["parent"].setPlaceholderText(_("Umbrella or parent organisation, if any"))
        self.edits["municipality"].setPlaceholderText(_("Town, city or district"))
        for field in ("member_since", "member_until"):
            self.edits[field].setPlaceholderText(date_placeholder())
        self.contacts_box.setTitle(_("Contact points"))
        self.tags_box.setTitle(_("Tags"))
        self.required_hint.setText(_("* required"))

    def _connect(self) -> None:
        for field in ("name", "short_name", "member_since", "member_until"):
            self.edits[field].textEdited.connect(lambda _t, f=field: self.schedule_check(f))
        for field in _LINE_FIELDS:
            self.edits[field].editingFinished.connect(lambda f=field: self._on_edit_finished(f))
        for field in _REF_FIELDS:
            completer = self.edits[field].completer()
            completer.activated.connect(lambda _t, f=field: self.field_errors.clear(f))
            self.edits[field].textEdited.connect(lambda _t, f=field: self.field_errors.clear(f))
        self.contacts.rows_changed.connect(self._update_tab_order)

    def _update_tab_order(self) -> None:
        e = self.edits
        set_tab_chain([
            e["name"], e["short_name"], self.kind_combo, e["parent"], e["municipality"],
            e["member_since"], e["member_until"], self.notes_edit,
            *self.contacts.focus_widgets(), *self.tags.focus_widgets(),
            self.save_button, self.cancel_button,
        ])

    # -- data --------------------------------------------------------------------------------

    def _load(self, detail: OrganisationDetail | None) -> None:
        if detail is None:
            self.contacts.add_point("email", notify=False)
            return
        e = self.edits
        e["name"].setText(detail.name)
        e["short_name"].setText(detail.short_name or "")
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(detail.kind)))
        e["parent"].setText(detail.parent.name if detail.parent else "")
        e["municipality"].setText(detail.municipality.name if detail.municipality else "")
        e["member_since"].setText(format_date(detail.member_since))
        e["member_until"].setText(format_date(detail.member_until))
        self.notes_edit.setPlainText(detail.notes)
        self.contacts.set_points(detail.contact_points)
        self.tags.set_tags(detail.tags)
        for field, ref in (("parent", detail.parent), ("municipality", detail.municipality)):
            if ref is not None:
                self._refs[field].setdefault(ref.name, ref.uid)

    def _field_values(self) -> dict[str, str]:
        values = {field: edit.text().strip() for field, edit in self.edits.items()}
        values["kind"] = str(self.kind_combo.currentData())
        values["notes"] = self.notes_edit.toPlainText()
        return values

    def _service_value(self, field: str, text: str) -> str:
        """Names chosen from the completion become uids; other text is a REF."""
        if field in _REF_FIELDS:
            return self._refs[field].get(text, text)
        return text

    def form_state(self) -> object:
        return (self._field_values(), self.contacts.state(), tuple(self.tags.tags()),
                self.tags.line_edit.text().strip())

    def record_name(self) -> str:
        return self.edits["name"].text().strip() or (self._detail.name if self._detail else "")

    def use_version(self, version: int | None) -> None:
        self._version = version
        if self._detail is not None:  # undo must bring back what is overwritten now
            self._before = self._service.get(self._detail.uid)

    # -- checks and save ---------------------------------------------------------------------

    def live_check(self, field: str) -> None:
        text = self._service_value(field, self.edits[field].text().strip())
        uid = self._detail.uid if self._detail else None
        self.show_check_result(field, lambda: self._service.check_fields({field: text}, uid))

    def _on_edit_finished(self, field: str) -> None:
        if field in self._pending_checks or (field in _REF_FIELDS and
                                             self.edits[field].text().strip()):
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

    def perform_save(self) -> Saved[OrganisationDetail] | None:
        if self.tags.line_edit.text().strip():
            self.tags.add_tag(self.tags.line_edit.text())
            self.tags.line_edit.clear()
        current = self._field_values()
        detail = self._detail
        changed = {k: v for k, v in current.items() if detail is None or v != self._loaded[k]}
        fields: dict[str, Any] = {k: self._service_value(k, v) for k, v in changed.items()}
        initial = self._initial_state
        assert isinstance(initial, tuple)
        points = (self.contacts.inputs() if detail is None or self.contacts.state() != initial[1]
                  else None)
        tags = (self.tags.tags() if detail is None or list(detail.tags) != self.tags.tags()
                else None)
        if detail is not None and not fields and points is None and tags is None:
            return None
        after = self._service.save(detail.uid if detail else None, fields, points, tags,
                                   expected_version=self._version)
        return Saved(self._before, after)


def _names_to_uids(rows: list[Any]) -> dict[str, str]:
    """Organisation names for completion; a name used twice gets its municipality added."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.name] = counts.get(row.name, 0) + 1
    result: dict[str, str] = {}
    for row in rows:
        name = row.name
        if counts[name] > 1:
            name = f"{row.name} ({row.municipality or row.short_name or row.uid[:8]})"
        result[name] = row.uid
    return result
