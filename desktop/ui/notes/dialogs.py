"""The small dialogs of notes and corrections: a note's text, a speaker's new name.

Both open window-modal without blocking (`open()`), so the window's flow continues in a
slot when they are accepted. Everything they show is data: plain-text labels only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

CONTEXT_CHARS = 160  # of the segment's text shown above a new note


def plain_label(text: str, *, muted: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # before setText: data is never markup
    label.setText(text)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    if muted:
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class NoteDialog(QDialog):
    """A note's text (plain, several lines); Save is offered once there is some text."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        heading: str,
        context: str = "",
        text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.heading = plain_label(heading)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        if len(context) > CONTEXT_CHARS:
            context = context[: CONTEXT_CHARS - 1].rstrip() + "…"
        self.context = plain_label(f"“{context}”" if context else "", muted=True)
        self.context.setVisible(bool(context))
        self.editor = QPlainTextEdit()
        self.editor.setPlainText(text)
        self.editor.setPlaceholderText("Write your note")
        self.editor.setAccessibleName("Note text")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.editor.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Save the note (Ctrl+Enter)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.editor.textChanged.connect(self._update)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.context)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.buttons)
        self._update()
        self.editor.setFocus()
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)

    def text(self) -> str:
        return self.editor.toPlainText().strip()

    def _update(self) -> None:
        self.save_button.setEnabled(bool(self.text()))

    def _save(self) -> None:
        if self.save_button.isEnabled():
            self.accept()


class RenameSpeakerDialog(QDialog):
    """A speaker's new name for the whole episode."""

    def __init__(self, parent: QWidget | None, old: str, count: int) -> None:
        super().__init__(parent)
        self.old = old
        self.setWindowTitle("Rename Speaker")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        rows = f"{count} segment" + ("" if count == 1 else "s")
        self.label = plain_label(f"New name for “{old}” throughout this episode ({rows}):")
        self.name_edit = QLineEdit(old)
        self.name_edit.setAccessibleName("New speaker name")
        self.name_edit.selectAll()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.rename_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.rename_button.setText("Rename")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 44)
        self._update()

    def name(self) -> str:
        return " ".join(self.name_edit.text().split())

    def _update(self) -> None:
        self.rename_button.setEnabled(bool(self.name()) and self.name() != self.old)
