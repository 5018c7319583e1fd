"""Review retention (DSGVO Art. 5(1)e): the persons nobody has had to do with for N years,
to archive or erase in bulk. Nothing happens without a click and a confirmation.

The dialog talks to the privacy service only (``app.privacy``: ``stale``,
``archive_persons``, ``erase``); erasures run off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QEvent, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _, ngettext
from crm.messages import error_message
from ui.task import TaskRunner

PrivacyService = Any  # crm.services.privacy.PrivacyService (or a fake in tests)
UID_ROLE = Qt.ItemDataRole.UserRole
NAME, LAST, REASON = range(3)


def _day(value: date | None) -> str:
    if value is None:
        return ""
    locale = QLocale()
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return locale.toString(QDate(value.year, value.month, value.day), pattern)


def _erase_all(service: PrivacyService, uids: list[str]) -> tuple[int, Exception | None]:
    """On a worker: erase one person after the other (one transaction each, each by its
    own erasure plan); stops at the first failure and says how many were erased."""
    done = 0
    for uid in uids:
        try:
            service.erase(uid)
        except Exception as exc:  # noqa: BLE001 - reported on the GUI thread
            return done, exc
        done += 1
    return done, None


class RetentionView(QDialog):
    """"Review retention": stale persons with check boxes, archive or erase the ticked."""

    def __init__(self, service: PrivacyService, parent: QWidget | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner or TaskRunner(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.years_label = QLabel()
        self.years = QSpinBox()
        self.years.setRange(1, 100)
        self.years.setValue(int(service.prefs.retention_years))
        self.years_label.setBuddy(self.years)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.header().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.select_all = QPushButton()
        self.archive_button = QPushButton()
        self.erase_button = QPushButton()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        period = QHBoxLayout()
        period.addWidget(self.years_label)
        period.addWidget(self.years)
        period.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.select_all)
        actions.addStretch(1)
        actions.addWidget(self.archive_button)
        actions.addWidget(self.erase_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(period)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        layout.addWidget(self.buttons)

        self.years.valueChanged.connect(lambda _value: self.reload())
        self.select_all.clicked.connect(self._toggle_all)
        self.archive_button.clicked.connect(lambda _checked=False: self.archive())
        self.erase_button.clicked.connect(lambda _checked=False: self.erase())
        self.tree.itemChanged.connect(lambda _item, _column: self._update_buttons())
        self.resize(720, 480)
        self.retranslate()  # also fills the list

    def reject(self) -> None:
        if self.runner.busy:  # an erasure is running: wait for its result
            return
        super().reject()

    # -- texts -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_("Review retention"))
        self.intro.setText(_(
            "Persons with no interaction, event, role or consent within the retention "
            "period. Tick those to archive or to erase."))
        self.years_label.setText(_("Retention &period (years):"))
        self.tree.setHeaderLabels([_("Name"), _("Last activity"), _("Reason")])
        self.select_all.setText(_("Tick &all"))
        self.archive_button.setText(_("&Archive"))
        self.erase_button.setText(_("&Erase …"))
        self.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _reason(self, archived: bool, last: date | None) -> str:
        years = self.years.value()
        if last is None:
            text = _("No activity recorded")
        else:
            text = ngettext("No activity for more than {n} year",
                            "No activity for more than {n} years", years).format(n=years)
        if archived:
            text = "; ".join([text, _("already archived")])
        return text

    # -- the list ----------------------------------------------------------------------------

    def reload(self) -> None:
        if not hasattr(self, "status"):
            return
        ticked = set(self.checked_uids())
        self.tree.blockSignals(True)
        self.tree.clear()
        try:
            rows = self.service.stale(self.years.value())
        except Exception as exc:  # noqa: BLE001
            rows = []
            self.status.setText(error_message(exc))
        else:
            self.status.setText(ngettext("{n} person without activity in this period.",
                                         "{n} persons without activity in this period.",
                                         len(rows)).format(n=len(rows)))
        for row in rows:
            item = QTreeWidgetItem([row.name, _day(row.last_activity),
                                    self._reason(row.archived, row.last_activity)])
            item.setData(NAME, UID_ROLE, row.uid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(NAME, Qt.CheckState.Checked if row.uid in ticked
                               else Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        self.tree.resizeColumnToContents(LAST)
        self._update_buttons()

    def items(self) -> list[QTreeWidgetItem]:
        found = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in found if item is not None]

    def uids(self) -> list[str]:
        return [item.data(NAME, UID_ROLE) for item in self.items()]

    def checked_uids(self) -> list[str]:
        return [item.data(NAME, UID_ROLE) for item in self.items()
                if item.checkState(NAME) == Qt.CheckState.Checked]

    def set_checked(self, uids: Collection[str], checked: bool = True) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for item in self.items():
            if item.data(NAME, UID_ROLE) in uids:
                item.setCheckState(NAME, state)

    def _toggle_all(self) -> None:
        everyone = self.uids()
        self.set_checked(everyone, len(self.checked_uids()) < len(everyone))

    def _update_buttons(self) -> None:
        some = bool(self.checked_uids()) and not self.runner.busy
        self.archive_button.setEnabled(some)
        self.erase_button.setEnabled(some)
        self.years.setEnabled(not self.runner.busy)

    # -- archive and erase -----------------------------------------------------------------

    def archive(self) -> None:
        uids = self.checked_uids()
        if not uids:
            return
        n = len(uids)
        answer = QMessageBox.question(
            self, _("Archive persons"),
            ngettext("Archive {n} person? Archived persons can be restored later.",
                     "Archive {n} persons? Archived persons can be restored later.",
                     n).format(n=n))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            count = self.service.archive_persons(uids)  # one transaction
        except Exception as exc:  # noqa: BLE001
            QMessageBox.warning(self, _("Archive persons"), error_message(exc))
            return
        self.reload()
        self.status.setText(ngettext("{n} person archived.", "{n} persons archived.",
                                     count).format(n=count))

    def erase(self) -> None:
        uids = self.checked_uids()
        if not uids:
            return
        n = len(uids)
        box = QMessageBox(QMessageBox.Icon.Warning, _("Erase persons"), ngettext(
            "Erase {n} person for good, with their contact details, roles, consents and "
            "the interactions with them alone?",
            "Erase {n} persons for good, with their contact details, roles, consents and "
            "the interactions with them alone?", n).format(n=n), parent=self)
        box.setInformativeText(_("This cannot be undone. Backups still contain the data "
                                 "until they are replaced."))
        erase = box.addButton(ngettext("Erase {n} person", "Erase {n} persons", n).format(n=n),
                              QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        if box.clickedButton() is not erase:
            return
        service = self.service
        self.status.setText(ngettext("Erasing {n} person …", "Erasing {n} persons …",
                                     n).format(n=n))
        task = self.runner.start(lambda: _erase_all(service, uids), self._erased,
                                 self._erase_failed)
        task.signals.finished.connect(self._update_buttons)  # after the runner let go
        self._update_buttons()

    def _erased(self, outcome: tuple[int, Exception | None]) -> None:
        done, failure = outcome
        self.reload()
        text = ngettext("{n} person erased.", "{n} persons erased.", done).format(n=done)
        self.status.setText(text)
        if failure is not None:
            QMessageBox.warning(self, _("Erase persons"),
                                "\n\n".join([text, error_message(failure)]))

    def _erase_failed(self, exc: Exception) -> None:
        self.reload()
        QMessageBox.warning(self, _("Erase persons"), error_message(exc))
