"""Small widgets more than one pane builds the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QToolButton, QWidget


def search_box(parent: QWidget, placeholder: str, name: str) -> QLineEdit:
    """A line edit with a clear button, both named for screen readers."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.setAccessibleName(name)
    for clear in edit.findChildren(QToolButton):  # Qt's own clear button has no name
        clear.setAccessibleName("Clear the search")
    return edit
