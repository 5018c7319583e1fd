"""The import wizard driven page by page on a real database (German texts)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from ui.import_wizard import ImportWizard
from ui.settings import WindowSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "io"
SCREENS = Path("/tmp/screens")


def _shot(widget: Any, name: str) -> None:
    if os.environ.get("BRUECKE_SCREENSHOTS"):
        SCREENS.mkdir(exist_ok=True)
        widget.grab().save(str(SCREENS / f"io_{name}.png"))


@pytest.fixture
def wizard(app: Any, qtbot: QtBot, tmp_path: Path) -> ImportWizard:
    wizard = ImportWizard(app.imports, WindowSettings(str(tmp_path / "state.ini")))
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _next(qtbot: QtBot, wizard: ImportWizard) -> None:
    wizard.button(QWizard.WizardButton.NextButton).click()
    qtbot.wait(10)


def test_csv_import_walks_every_page_and_can_be_undone(app: Any, qtbot: QtBot,
                                                        wizard: ImportWizard) -> None:
    before = app.people.count()
    wizard.file_page.path_edit.setText(str(FIXTURES / "outlook_de.csv"))
    _shot(wizard, "1_file")
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.detect_page
    facts = wizard.detect_page.facts.text()
    assert "cp1252" in facts and ";" in facts
    assert wizard.detect_page.table.rowCount() == 5
    _shot(wizard, "2_detect")
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.mapping_page
    assert wizard.mapping_page.preset.currentData() == "outlook"
    fields = [c.currentData() for c in wizard.mapping_page.combos]
    assert "email" in fields and "organisation" in fields
    _shot(wizard, "3_mapping")
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.plan_page
    assert wizard.plan_page.table.rowCount() == 5
    assert app.people.count() == before  # the preview writes nothing
    _shot(wizard, "4_plan")
    with qtbot.waitSignal(wizard.imported, timeout=20000):
        _next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.run_page.done)
    assert app.people.count() == before + 5
    assert wizard.run_page.undo_button.isVisibleTo(wizard)
    _shot(wizard, "5_result")
    wizard.run_page.undo_button.click()
    assert app.people.count() == before


def test_vcard_skips_the_mapping_page_and_shows_malformed_cards(qtbot: QtBot,
                                                                wizard: ImportWizard) -> None:
    wizard.file_page.path_edit.setText(str(FIXTURES / "malformed.vcf"))
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.plan_page
    texts = [wizard.plan_page.table.item(r, 3).text()
             for r in range(wizard.plan_page.table.rowCount())]
    assert any("END:VCARD" in t for t in texts)


def test_an_unreadable_file_stays_on_the_first_page(qtbot: QtBot, wizard: ImportWizard,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "blob.csv"
    path.write_bytes(bytes(range(256)) * 10)
    wizard.file_page.path_edit.setText(str(path))
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.file_page
    assert wizard.file_page.error.text()


def test_a_chosen_mapping_is_remembered(qtbot: QtBot, wizard: ImportWizard) -> None:
    wizard.file_page.path_edit.setText(str(FIXTURES / "google.csv"))
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    combo = wizard.mapping_page.combos[0]
    combo.setCurrentIndex(combo.findData("notes"))
    _next(qtbot, wizard)
    wizard.back()
    wizard.back()
    _next(qtbot, wizard)
    assert wizard.mapping_page.combos[0].currentData() == "notes"


def test_cancel_rolls_back(app: Any, qtbot: QtBot, wizard: ImportWizard,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: None)
    wizard.file_page.path_edit.setText(str(FIXTURES / "outlook_de.csv"))
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    wizard.cancelled = True
    result = app.imports.run(wizard.source, "x", cancel=lambda: wizard.cancelled)
    assert result.cancelled or result.created == 5
