"""The confirmation before an erasure (Art. 17): what goes, what stays, which notes of other
records name the person (ticked ones are redacted), and a deliberate last step."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm.i18n import _, ngettext
from crm.privacy.erasure import ErasurePlan, mention_text
from ui.detail.html import esc


def plan_lines(plan: ErasurePlan) -> list[str]:
    """What the erasure removes or changes, one sentence each (counts of zero left out)."""
    items = [
        (len(plan.contact_points), ngettext("{n} contact detail", "{n} contact details",
                                            len(plan.contact_points))),
        (len(plan.roles), ngettext("{n} role", "{n} roles", len(plan.roles))),
        (plan.consents, ngettext("{n} consent", "{n} consents", plan.consents)),
        (len(plan.tags), ngettext("{n} tag", "{n} tags", len(plan.tags))),
        (len(plan.attendances), ngettext("{n} event attendance", "{n} event attendances",
                                         len(plan.attendances))),
        (len(plan.interactions_deleted), ngettext(
            "{n} interaction with this person alone", "{n} interactions with this person alone",
            len(plan.interactions_deleted))),
        (plan.follow_ups, ngettext("{n} link of a follow-up", "{n} links of follow-ups",
                                   plan.follow_ups)),
    ]
    lines = [text.format(n=n) for n, text in items if n]
    lines.append(_("the name in the search index"))
    if plan.interactions_kept:
        n = len(plan.interactions_kept)
        lines.append(ngettext(
            "in {n} interaction with others the person appears as “deleted person”",
            "in {n} interactions with others the person appears as “deleted person”",
            n).format(n=n))
    if plan.audit_entries or plan.history_entries:
        n = plan.audit_entries + plan.history_entries
        lines.append(ngettext(
            "{n} entry of the change log keeps only a pseudonym instead of the name",
            "{n} entries of the change log keep only a pseudonym instead of the name",
            n).format(n=n))
    return lines


class EraseDialog(QDialog):
    def __init__(self, plan: ErasurePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.mentions_label = QLabel()
        self.mentions_label.setWordWrap(True)
        self.mentions = QListWidget()
        self.mentions.setWordWrap(True)
        self.mentions.setAlternatingRowColors(True)
        for mention in plan.mentions:
            item = QListWidgetItem()
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if mention.full_name
                               else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, mention.key)
            self.mentions.addItem(item)
        self.backups_note = QLabel()
        self.backups_note.setWordWrap(True)
        self.backups_note.setStyleSheet("color: palette(placeholder-text);")
        self.confirm = QCheckBox()
        self.buttons = QDialogButtonBox()
        self.erase_button = QPushButton()
        self.erase_button.setStyleSheet("QPushButton:enabled { color: white; "
                                        "background: #b3261e; }")
        self.buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.erase_button.setEnabled(False)
        self.confirm.toggled.connect(self.erase_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.mentions_label)
        layout.addWidget(self.mentions, 1)
        layout.addWidget(self.backups_note)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        self.mentions.setVisible(bool(plan.mentions))
        self.resize(680, 500 if plan.mentions else 400)
        self.retranslate()

    def retranslate(self) -> None:
        plan = self.plan
        self.setWindowTitle(_("Erase person (Art. 17 GDPR)"))
        self.heading.setText("<h3>{}</h3>".format(esc(
            _("Erase {name} for good?").format(name=plan.name))))
        bullets = "".join(f"<li>{esc(line)}</li>" for line in plan_lines(plan))
        self.summary.setText("<p>{}</p><ul>{}</ul>".format(
            esc(_("The erasure removes:")), bullets))
        if plan.mentions:
            self.mentions_label.setText(_("These texts of other records mention the name. "
                                          "Ticked ones are changed to “{marker}”:").format(
                                              marker=_("[deleted person]")))
        else:
            self.mentions_label.setText(_("No other record mentions the name."))
        for row, mention in enumerate(plan.mentions):
            self.mentions.item(row).setText(mention_text(mention))
        self.backups_note.setText(_("Backups made before the erasure still contain the "
                                    "person until they are rotated out."))
        self.confirm.setText(_("I have checked the list. The erasure cannot be undone."))
        self.erase_button.setText(_("Erase for good"))
        metrics = self.erase_button.fontMetrics()
        self.erase_button.setMinimumWidth(metrics.horizontalAdvance(self.erase_button.text())
                                          + 32)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def redactions(self) -> set[str]:
        keys = set()
        for row in range(self.mentions.count()):
            item = self.mentions.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                keys.add(str(item.data(Qt.ItemDataRole.UserRole)))
        return keys

    @classmethod
    def ask(cls, plan: ErasurePlan, parent: QWidget | None = None) -> set[str] | None:
        """The mentions to redact when the user confirms, None when they cancel."""
        dialog = cls(plan, parent)
        return dialog.redactions() if dialog.exec() == QDialog.DialogCode.Accepted else None
