"""A message strip above the transcript: errors, "Resume?", "Media moved?".

Non-modal on purpose: a dialog would block drag-and-drop of the next file, and tests, and
a message naming a file is easier to act on when it stays beside the content.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from desktop.ui.colors import blend
from desktop.ui.icons import icon

_LEVEL_ICONS = {"error": "warning", "warning": "warning", "info": "info"}


class MessageBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.level = "info"
        self._icon = QLabel(self)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file names and errors are data
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton(self)
        self.action_button.setAccessibleName("Act on the message")
        self.close_button = QToolButton(self)
        self.close_button.setIcon(icon("close"))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.clicked.connect(self.hide)
        self._callback: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._act)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setAccessibleName("Message")
        self.hide()

    def show_message(
        self,
        level: str,
        text: str,
        action: str | None = None,
        callback: Callable[[], None] | None = None,
    ) -> None:
        self.level = level
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self._icon.setPixmap(icon(_LEVEL_ICONS.get(level, "info")).pixmap(16, 16))
        self._callback = callback
        self.action_button.setVisible(action is not None)
        if action is not None:
            self.action_button.setText(action)
            self.action_button.setAccessibleName(action)
        self._tint(level)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _act(self) -> None:
        callback, self._callback = self._callback, None
        self.hide()
        if callback is not None:
            callback()

    def _tint(self, level: str) -> None:
        """A background blended from the palette, so it reads in light and dark themes."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        accent = palette.color(
            QPalette.ColorRole.Highlight if level == "info" else QPalette.ColorRole.BrightText
        )
        if level == "error":
            accent = accent.fromRgb(200, 40, 40)
        elif level == "warning":
            accent = accent.fromRgb(210, 150, 20)
        palette.setColor(QPalette.ColorRole.Window, blend(accent, base, 0.18))
        self.setPalette(palette)
