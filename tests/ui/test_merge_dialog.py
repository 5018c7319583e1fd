"""The merge dialog and the duplicates list."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from crm.services.contacts import ContactInput
from crm.services.people import PersonInput
from ui.duplicates_view import DuplicatesView
from ui.merge_dialog import MergeDialog


def _pair(app: Any) -> tuple[str, str]:
    a = app.people.create(PersonInput(full_name="Mohammed Al-Hassan", notes="Vorstand",
                                      contact_points=[ContactInput("email", "m@example.org")]))
    b = app.people.create(PersonInput(full_name="Muhammad Al Hassan", salutation="herr",
                                      given_name="Muhammad", tags=["MSO"],
                                      contact_points=[ContactInput("email", "m@example.org"),
                                                      ContactInput("phone", "0361 123456")]))
    return a.uid, b.uid


def test_merge_dialog_chooses_per_field_and_keeps_all_contacts(app: Any,
                                                               qtbot: QtBot) -> None:
    keep, other = _pair(app)
    dialog = MergeDialog(app.duplicates, "person", (keep, "Mohammed Al-Hassan"),
                         (other, "Muhammad Al Hassan"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert set(dialog.groups) >= {"full_name", "given_name", "salutation"}
    assert dialog.choices()["full_name"] == "keep"
    assert dialog.choices()["given_name"] == "other"  # empty on the kept side
    if os.environ.get("BRUECKE_SCREENSHOTS"):
        Path("/tmp/screens").mkdir(exist_ok=True)
        dialog.grab().save("/tmp/screens/io_merge_dialog.png")
    dialog.merge_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    person = app.people.get(keep)
    assert person.given_name == "Muhammad" and person.salutation == "herr"
    assert sorted(c.kind for c in person.contact_points) == ["email", "phone"]
    assert person.tags == ("MSO",)


def test_duplicates_view_lists_pairs_and_merges_the_selected(app: Any, qtbot: QtBot,
                                                             monkeypatch: Any) -> None:
    keep, other = _pair(app)
    view = DuplicatesView(app.duplicates)
    qtbot.addWidget(view)
    view.show()
    assert view.table.rowCount() == 1
    assert view.table.item(0, 4).text()
    if os.environ.get("BRUECKE_SCREENSHOTS"):
        view.grab().save("/tmp/screens/io_duplicates.png")
    monkeypatch.setattr(MergeDialog, "ask", classmethod(
        lambda cls, d, kind, a, b, parent=None: d.merge(kind, a[0], b[0])))
    with qtbot.waitSignal(view.merged):
        view.merge_button.click()
    assert view.table.rowCount() == 0
