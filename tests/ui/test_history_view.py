"""The history (Verlauf): paging, filters, the full entry as text, edit with conflicts,
delete with undo, and the history section of the detail panes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crm.errors import NotFoundError
from crm.services.activity_rows import LogInput, TimelineFilter
from crm.services.people import PersonInput
from ui.detail.activity import interaction_html, last_contact_text, load_recent, recent_html
from ui.dialogs.conflict_dialog import ConflictChoice, ConflictDialog
from ui.history_view import EntryDialog, HistoryView, TimelineModel, TimelineWidget
from ui.main_window import MainWindow
from ui.quick_log import QuickLogDialog
from ui.settings import WindowSettings

SCREENS = Path("/tmp/screens")
NASTY = "<script>alert('x')</script> Müller & Söhne <b>fett</b>"



@pytest.fixture
def demo_app(app: Any) -> Any:
    from crm.demo import build_demo

    build_demo(app.db.sessions, seed=1)
    return app


@pytest.fixture
def person(app: Any) -> Any:
    return app.people.create(PersonInput(full_name="Олена Шевченко"))


def loaded(qtbot: QtBot, widget: TimelineWidget) -> None:
    qtbot.waitUntil(lambda: not widget.loading, timeout=5000)
    QApplication.processEvents()


def make_view(qtbot: QtBot, app: Any) -> HistoryView:
    view = HistoryView(app)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    loaded(qtbot, view.timeline)
    return view


# -- the model -----------------------------------------------------------------------------------

def test_the_timeline_model_pages_and_passes_the_model_tester(qtmodeltester: Any,
                                                              demo_app: Any) -> None:
    model = TimelineModel(demo_app.interactions, page_size=50)
    model.reload()
    assert model.rowCount() == 50 and model.total > 3000
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 100
    dates = [model.entry_at(r).occurred_at for r in range(100)]
    assert dates == sorted(dates, reverse=True)  # newest first
    qtmodeltester.check(model)


def test_a_row_shows_date_kind_participants_with_their_role_subject_and_notes(
        qtbot: QtBot, app: Any, person: Any) -> None:
    from crm.services.organisations import OrganisationInput

    org = app.organisations.create(OrganisationInput(name="Migrationsbeirat Jena",
                                                     kind="council", municipality="16053"))
    app.roles.add(person.uid, org.uid, "Vorsitzende:r", since="2021-01-01")
    app.interactions.log(LogInput(kind="call", subject="Wahl zum Beirat",
                                  participants=[person.uid], occurred_at="12.03.2026 10:15",
                                  notes="Termine für die Wahl besprochen. " * 20))
    model = TimelineModel(app.interactions)
    model.reload()
    texts = [model.index(0, c).data() for c in range(model.columnCount())]
    assert texts[0].endswith("12.03.2026, 10:15")
    assert texts[1] == "Telefonat"
    assert texts[2] == "Олена Шевченко (Vorsitzende:r)"
    assert texts[3] == "Wahl zum Beirat"
    assert texts[4].startswith("Termine für die Wahl") and len(texts[4]) <= 200


# -- filters -------------------------------------------------------------------------------------

def test_the_filters_narrow_the_timeline(qtbot: QtBot, demo_app: Any) -> None:
    view = make_view(qtbot, demo_app)
    bar = view.filter_bar
    total = view.timeline.model.total
    bar.kind_combo.setCurrentIndex(bar.kind_combo.findData("call"))
    bar.kind_combo.activated.emit(bar.kind_combo.currentIndex())
    loaded(qtbot, view.timeline)
    calls = view.timeline.model
    assert 0 < calls.total < total
    assert all(calls.entry_at(r).kind == "call" for r in range(calls.rowCount()))

    bar.staff_combo.setCurrentIndex(bar.staff_combo.findData("AH"))
    bar.staff_combo.activated.emit(bar.staff_combo.currentIndex())
    loaded(qtbot, view.timeline)
    assert all(view.timeline.model.entry_at(r).logged_by == "AH"
               for r in range(view.timeline.model.rowCount()))
    bar.reset()
    bar.from_edit.setText("01.10.2026")
    bar.to_edit.setText("31.10.2026")
    bar.tag_combo.setCurrentIndex(bar.tag_combo.findText("Vorstand"))
    bar.project_combo.setCurrentIndex(1)
    bar.text_edit.setText("Förder")
    bar._emit()
    loaded(qtbot, view.timeline)
    flt = view.timeline.timeline_filter
    assert flt.date_from == date(2026, 10, 1) and flt.date_to == date(2026, 10, 31)
    assert flt.tag == "Vorstand" and flt.project and flt.text == "Förder"
    rows = [view.timeline.model.entry_at(r) for r in range(view.timeline.model.rowCount())]
    assert rows == demo_app.interactions.timeline(flt)[:len(rows)]
    assert all(date(2026, 10, 1) <= e.date <= date(2026, 10, 31) for e in rows)


def test_a_date_the_filter_cannot_read_is_marked_not_guessed(qtbot: QtBot, app: Any) -> None:
    view = make_view(qtbot, app)
    view.filter_bar.from_edit.setText("31.02.2026")
    assert view.filter_bar.current_filter().date_from is None
    assert view.filter_bar.from_edit.property("invalid") is True


def test_the_history_of_one_person(qtbot: QtBot, demo_app: Any) -> None:
    entry = demo_app.interactions.timeline(limit=1, events=False)[0]
    someone = entry.participants[0]
    view = make_view(qtbot, demo_app)
    view.show_timeline_of("person", someone.person.uid, someone.name)
    loaded(qtbot, view.timeline)
    assert view.scope_label.text().endswith(someone.name)
    expected = demo_app.interactions.timeline_count(TimelineFilter(person=someone.person.uid))
    assert view.timeline.model.total == expected
    view.clear_scope()
    loaded(qtbot, view.timeline)
    assert view.timeline.model.total > expected


# -- the full entry ------------------------------------------------------------------------------

def test_notes_with_markup_are_shown_as_text(qtbot: QtBot, app: Any, person: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    logged = app.interactions.log(LogInput(kind="meeting", subject="A & B <i>", notes=NASTY,
                                           participants=[person.uid]))
    view = make_view(qtbot, app)
    view.timeline.select_uid(logged.uid)
    qtbot.waitUntil(lambda: "Söhne" in view.entry_view.toPlainText(), timeout=5000)
    text = view.entry_view.toPlainText()
    assert NASTY in text and "A & B <i>" in text
    dialog = EntryDialog(interaction_html(app.interactions.get(logged.uid)), editable=True)
    qtbot.addWidget(dialog)
    assert NASTY in dialog.browser.toPlainText()

    shown: list[str] = []

    def ask(parent: Any, html_text: str, editable: bool) -> None:
        shown.append(html_text)
        return None

    monkeypatch.setattr(EntryDialog, "ask", ask)
    view.timeline.view.setFocus()
    qtbot.keyClick(view.timeline.view, Qt.Key.Key_Return)  # Enter opens the full entry
    assert shown and "&lt;script&gt;" in shown[0] and "<script>" not in shown[0]


def test_the_entry_dialog_screenshot(qtbot: QtBot, demo_app: Any) -> None:
    entry = demo_app.interactions.timeline(TimelineFilter(events=False), limit=40)
    chosen = max(entry, key=lambda e: len(e.participants))
    dialog = EntryDialog(interaction_html(demo_app.interactions.get(chosen.uid)), editable=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    SCREENS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SCREENS / "log_history_entry.png"))


# -- editing and deleting ------------------------------------------------------------------------

def test_an_entry_is_edited_and_a_conflict_shows_both_values(
        qtbot: QtBot, app: Any, person: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    logged = app.interactions.log(LogInput(kind="call", subject="Erster Anruf",
                                           participants=[person.uid]))
    dialog = QuickLogDialog(app, existing=logged)
    qtbot.addWidget(dialog)
    assert dialog.draft is None  # editing keeps no draft
    dialog.subject_edit.setText("Mein Betreff")
    app.interactions.update(logged.uid, {"subject": "Ihr Betreff"})  # someone else
    seen: list[Any] = []

    def ask(parent: Any, error: Any, *, name: str = "", report_only: bool = False) -> Any:
        seen.append(error)
        return None  # back to editing

    monkeypatch.setattr(ConflictDialog, "ask", ask)
    dialog.save()
    assert dialog.saved_result is None and dialog.subject_edit.text() == "Mein Betreff"
    (error,) = seen
    assert list(error.mine.values()) == ["Mein Betreff"]
    assert list(error.theirs.values()) == ["Ihr Betreff"]
    monkeypatch.setattr(ConflictDialog, "ask", lambda *a, **k: ConflictChoice.OVERWRITE)
    dialog.save()
    assert dialog.saved_result is not None
    assert app.interactions.get(logged.uid).subject == "Mein Betreff"


def test_an_edit_from_the_view_updates_the_row(qtbot: QtBot, app: Any, person: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    logged = app.interactions.log(LogInput(kind="call", subject="Alt",
                                           participants=[person.uid]))
    view = make_view(qtbot, app)

    def ask(app_: Any, parent: Any, context: Any = None, *, existing: Any = None) -> Any:
        return app_.interactions.update(existing.uid, {"subject": "Neu", "kind": "visit"},
                                        expected_version=existing.version)

    monkeypatch.setattr(QuickLogDialog, "ask", ask)
    view.timeline.select_uid(logged.uid)
    view.timeline.view.setFocus()
    qtbot.keyClick(view.timeline.view, Qt.Key.Key_F2)
    loaded(qtbot, view.timeline)
    entry = view.timeline.model.entry_at(0)
    assert (entry.subject, entry.kind) == ("Neu", "visit")


def test_delete_then_undo_brings_the_entry_back(qtbot: QtBot, app: Any, person: Any) -> None:
    logged = app.interactions.log(LogInput(
        kind="meeting", subject="Zu löschen", participants=[person.uid],
        follow_ups=[("morgen", "Nachfassen", None)]))
    view = make_view(qtbot, app)
    view.timeline.select_uid(logged.uid)
    view.timeline.view.setFocus()
    qtbot.keyClick(view.timeline.view, Qt.Key.Key_Delete)
    with pytest.raises(NotFoundError):
        app.interactions.get(logged.uid)
    loaded(qtbot, view.timeline)
    assert view.timeline.model.total == 0
    assert view.notice.isVisible() and view.notice.undo_button.isVisible()
    view.notice.undo_button.click()
    restored = app.interactions.get(logged.uid)
    assert restored.subject == "Zu löschen" and len(restored.follow_ups) == 1
    loaded(qtbot, view.timeline)
    assert view.timeline.model.total == 1
    view.undo_stack.redo()  # and deleted again
    with pytest.raises(NotFoundError):
        app.interactions.get(logged.uid)


def test_deleting_uses_the_window_undo_stack_when_there_is_one(
        qtbot: QtBot, app: Any, person: Any, tmp_path: Path) -> None:
    from ui.app import connect_editing

    window = MainWindow(app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(window)
    editing = connect_editing(window, app)
    logged = app.interactions.log(LogInput(kind="call", subject="Weg damit",
                                           participants=[person.uid]))
    assert window.activity.history.delete_entry(logged.uid)
    assert editing.undo_stack.count() == 1
    window.undo_action.trigger()
    assert app.interactions.get(logged.uid).subject == "Weg damit"
    editing.undo_stack.clear()  # ui/editing.py's slots must not run while the stack dies
    window.shutdown()


# -- detail panes and last contact --------------------------------------------------------------

def test_the_detail_panes_get_recent_entries_and_the_last_contact(
        app: Any, person: Any) -> None:
    today = date.today()
    app.interactions.log(LogInput(kind="visit", subject="Besuch <vor Ort> & mehr",
                                  participants=[person.uid],
                                  occurred_at=(today - timedelta(days=3)).isoformat()))
    entries, total, last = load_recent(app, "person", person.uid)
    assert total == 1 and last == today - timedelta(days=3)
    html_text = recent_html(entries, total, last, "bruecke:history/person/x")
    assert "Besuch &lt;vor Ort&gt; &amp; mehr" in html_text
    assert "(vor 3 Tagen)" in html_text or "(3 days ago)" in html_text
    assert last_contact_text(None) != ""


def test_verlauf_section_screenshot(qtbot: QtBot, demo_app: Any, tmp_path: Path) -> None:
    window = MainWindow(demo_app, settings=WindowSettings(str(tmp_path / "w.ini")))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.show_section("history")
    history = window.activity.history
    loaded(qtbot, history.timeline)
    row = next(r for r in range(history.timeline.model.rowCount())
               if history.timeline.model.entry_at(r).source == "interaction")
    history.timeline.view.selectRow(row)
    qtbot.waitUntil(lambda: "Beteiligte" in history.entry_view.toPlainText()
                    or "Participants" in history.entry_view.toPlainText(), timeout=5000)
    QThreadPool.globalInstance().waitForDone(3000)
    QApplication.processEvents()
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENS / "log_history_section.png"))
    window.shutdown()
