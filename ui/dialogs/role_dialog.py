"""Roles: give a person a role in an organisation, or hand a role over to a successor
("take over role": the current holder's role ends and the successor's starts, in one step).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QStringListModel, QTimer
from PySide6.QtWidgets import (
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from crm.errors import AmbiguousError, NotFoundError, ValidationError
from crm.i18n import _
from crm.services.rows import RoleRow
from ui.dialogs.base import (
    EditDialog,
    Saved,
    date_placeholder,
    format_date,
    install_completer,
    set_tab_chain,
)

Suggest = Callable[[str], list[tuple[str, str]]]
"""Typed text → suggestions as (text shown, uid)."""

# Common titles in municipalities and member organisations (German domain terms, data).
TITLE_SUGGESTIONS = [
    "Integrationsbeauftragte:r", "Integrationsmanager:in", "Ausländerbeauftragte:r",
    "Vorsitzende:r", "Stellv. Vorsitzende:r", "Geschäftsführer:in", "Oberbürgermeister:in",
    "Bürgermeister:in", "Landrät:in", "Sachbearbeiter:in", "Koordinator:in",
]
_CANDIDATE = re.compile(r"^(?P<name>.*) \((?P<uid>[0-9a-f-]{36})\)$")


def search_suggestions(search: Any, limit: int = 10) -> Suggest:
    """Persons from :meth:`SearchService.search` as the user types ("Sahin" finds "Şahin",
    typos forgiven); each shown with its current role, so namesakes can be told apart."""

    def suggest(text: str) -> list[tuple[str, str]]:
        if len(text.strip()) < 2:
            return []
        hits = search.search(text, limit=limit, types={"person"})
        return _unique_labels([(f"{h.title} · {h.subtitle}" if h.subtitle else h.title, h.uid)
                               for h in hits])

    return suggest


def person_suggestions(people: Any) -> Suggest:
    """Suggestions from :meth:`PersonService.resolve` (folds accents and scripts: "Sahin"
    finds "Şahin"); several matches come back as its candidates."""

    def suggest(text: str) -> list[tuple[str, str]]:
        if len(text.strip()) < 2:
            return []
        try:
            found = people.resolve(text)
        except AmbiguousError as exc:
            pairs = [(m["name"], m["uid"]) for c in exc.candidates
                     if (m := _CANDIDATE.match(c))]
        except NotFoundError:
            return []
        else:
            pairs = [(found.name, found.uid)]
        return _unique_labels(pairs)

    return suggest


def _unique_labels(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    names = [name for name, _uid in pairs]
    return [(name if names.count(name) == 1 else f"{name} · {uid[:8]}", uid)
            for name, uid in pairs]


def _as_field_error(exc: NotFoundError | AmbiguousError, field: str) -> ValidationError:
    if isinstance(exc, AmbiguousError):
        return ValidationError.single(field, "ambiguous", ref=exc.ref,
                                      candidates=exc.candidates)
    return ValidationError.single(field, "not_found", ref=exc.ref)


class RecordField(QLineEdit):
    """A line edit that completes records found by ``suggest`` while the user types.

    :meth:`ref` is the uid of the chosen suggestion, or the typed text (a REF the
    service resolves).
    """

    DELAY_MS = 200

    def __init__(self, suggest: Suggest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._suggest = suggest
        self._uids: dict[str, str] = {}
        self._model = QStringListModel(self)
        self.completer_ = QCompleter(self._model, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCompleter(self.completer_)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DELAY_MS)
        self._timer.timeout.connect(self.refresh_suggestions)
        self.textEdited.connect(lambda _text: self._timer.start())

    def refresh_suggestions(self) -> None:
        pairs = self._suggest(self.text())
        self._uids = dict(pairs)
        self._model.setStringList([label for label, _uid in pairs])
        if pairs and self.hasFocus():
            self.completer_.complete()

    def set_record(self, name: str, uid: str) -> None:
        """Show a known record (its uid is what :meth:`ref` returns)."""
        self._uids[name] = uid
        self.setText(name)

    def suggestions(self) -> list[str]:
        return self._model.stringList()

    def ref(self) -> str:
        text = self.text().strip()
        return self._uids.get(text, text)


@dataclass(frozen=True)
class TakeOver:
    """A handover: the old role as it was before, and the successor's new role."""

    old: RoleRow
    new: RoleRow


class TakeOverDialog(EditDialog):
    """Hand a role over: choose the successor and the date."""

    def __init__(self, roles: Any, role: RoleRow, suggest: Suggest,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._roles = roles
        self.role = role
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.successor_edit = RecordField(suggest, self)
        self.date_edit = QLineEdit(format_date(date.today()), self)
        self.successor_label = QLabel(self)
        self.successor_label.setBuddy(self.successor_edit)
        self.date_label = QLabel(self)
        self.date_label.setBuddy(self.date_edit)
        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.explanation.setEnabled(False)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.successor_label,
                    self.field_errors.attach("person", self.successor_edit))
        form.addRow(self.date_label, self.field_errors.attach("on", self.date_edit))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        self.date_edit.textEdited.connect(lambda _t: self.field_errors.clear("on"))
        self.successor_edit.textEdited.connect(lambda _t: self.field_errors.clear("person"))
        set_tab_chain([self.successor_edit, self.date_edit, self.save_button,
                       self.cancel_button])
        self.resize(540, self.sizeHint().height())
        self.finish_setup()

    @classmethod
    def ask(cls, roles: Any, role_uid: str, suggest: Suggest,
            parent: QWidget | None = None) -> TakeOver | None:
        """Hand the role over; the old and new role, or None if cancelled."""
        dialog = cls(roles, roles.get(role_uid), suggest, parent)
        try:
            return dialog.saved_result if dialog.exec() == cls.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Take over role"))
        role = self.role
        since = format_date(role.since) or _("unknown")
        self.summary.setText(_(
            "<b>{title}</b> at {organisation}<br>Held by {person} since {since}"
        ).format(title=_html(role.title), organisation=_html(role.organisation.name),
                 person=_html(role.person.name), since=since))
        self.successor_label.setText(_("&Successor *"))
        self.successor_edit.setPlaceholderText(_("Type a name, e.g. Sahin finds Şahin"))
        self.date_label.setText(_("&Handover on *"))
        self.date_edit.setPlaceholderText(date_placeholder())
        self.explanation.setText(_(
            "{person}'s role ends on this day and the successor's starts; both stay in "
            "the history."
        ).format(person=role.person.name))

    def form_state(self) -> object:
        return (self.successor_edit.text().strip(), self.date_edit.text().strip())

    def perform_save(self) -> TakeOver:
        ref = self.successor_edit.ref()
        if not ref:
            raise ValidationError.single("person", "required")
        try:
            new = self._roles.take_over(self.role.uid, ref, self.date_edit.text())
        except (NotFoundError, AmbiguousError) as exc:
            raise _as_field_error(exc, "person") from exc
        return TakeOver(self.role, new)


class AddRoleDialog(EditDialog):
    """Give a person a role (title) in an organisation."""

    def __init__(self, roles: Any, suggest_person: Suggest, organisations: dict[str, str],
                 person: tuple[str, str] | None = None,
                 organisation: tuple[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._roles = roles
        self._organisations = dict(organisations)
        self.person_edit = RecordField(suggest_person, self)
        self.organisation_edit = QLineEdit(self)
        install_completer(self.organisation_edit, sorted(self._organisations))
        self.title_edit = QLineEdit(self)
        install_completer(self.title_edit, TITLE_SUGGESTIONS)
        self.since_edit = QLineEdit(self)
        self.labels = {f: QLabel(self) for f in ("person", "organisation", "title", "since")}
        widgets = {"person": self.person_edit, "organisation": self.organisation_edit,
                   "title": self.title_edit, "since": self.since_edit}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field, widget in widgets.items():
            self.labels[field].setBuddy(widget)
            form.addRow(self.labels[field], self.field_errors.attach(field, widget))
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _t, f=field: self.field_errors.clear(f))
        if person is not None:
            self.person_edit.set_record(*person)
        if organisation is not None:
            self._organisations.setdefault(*organisation)
            self.organisation_edit.setText(organisation[0])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.button_box)
        set_tab_chain([self.person_edit, self.organisation_edit, self.title_edit,
                       self.since_edit, self.save_button, self.cancel_button])
        self.resize(540, self.sizeHint().height())
        self.finish_setup()
        first = next((w for w in widgets.values() if not w.text()), self.title_edit)
        first.setFocus()

    @classmethod
    def ask(cls, app: Any, suggest: Suggest, person: tuple[str, str] | None = None,
            organisation: tuple[str, str] | None = None,
            parent: QWidget | None = None) -> Saved[RoleRow] | None:
        """Add a role; what was saved, or None if cancelled. ``person``/``organisation``
        preset the fields as (name, uid)."""
        orgs = {row.name: row.uid for row in app.organisations.list()}
        dialog = cls(app.roles, suggest, orgs, person, organisation, parent)
        try:
            return dialog.saved_result if dialog.exec() == cls.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Add role"))
        texts = {"person": _("&Person *"), "organisation": _("&Organisation *"),
                 "title": _("&Title *"), "since": _("&Since")}
        for field, text in texts.items():
            self.labels[field].setText(text)
        self.person_edit.setPlaceholderText(_("Type a name"))
        self.organisation_edit.setPlaceholderText(_("Type a name"))
        self.title_edit.setPlaceholderText(_("e.g. Integrationsbeauftragte:r"))
        self.since_edit.setPlaceholderText(date_placeholder())

    def form_state(self) -> object:
        return tuple(e.text().strip() for e in (self.person_edit, self.organisation_edit,
                                               self.title_edit, self.since_edit))

    def perform_save(self) -> Saved[RoleRow]:
        person = self.person_edit.ref()
        org_text = self.organisation_edit.text().strip()
        organisation = self._organisations.get(org_text, org_text)
        errors: dict[str, tuple[str, dict[str, Any]]] = {}
        for field, value in (("person", person), ("organisation", organisation)):
            if not value:
                errors[field] = ("required", {})
        if errors:
            raise ValidationError(errors)
        try:
            row = self._roles.add(person, organisation, self.title_edit.text(),
                                  self.since_edit.text())
        except (NotFoundError, AmbiguousError) as exc:
            raise _as_field_error(exc, exc.kind) from exc
        return Saved(None, row)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
