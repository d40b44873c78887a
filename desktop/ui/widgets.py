"""Small widgets more than one pane builds the same way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QToolButton, QWidget


def search_box(parent: QWidget, placeholder: str, name: str) -> QLineEdit:
    """A line edit with a clear button, both named for screen readers."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.setAccessibleName(name)
    for clear in edit.findChildren(QToolButton):  # Qt's own clear button has no name
        clear.setAccessibleName("Clear the search")
    return edit


def empty_label(text: str) -> QLabel:
    """What a pane shows when it has nothing to list: wrapped, centred, muted."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setMargin(16)
    return label
