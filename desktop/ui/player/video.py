"""The video of a video episode, above the transcript, behind a header that collapses it.

The window hides the whole area for audio-only episodes; collapsing is the reader's choice
to give the transcript the room while the sound keeps playing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from desktop.ui import icons


class VideoArea(QWidget):
    """A QVideoWidget (`video_widget`) under a header button that collapses it."""

    collapsed_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Video")
        self.toggle_button = QToolButton(self)
        self.toggle_button.setAutoRaise(True)
        self.toggle_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle_button.setText("Video")
        self.toggle_button.clicked.connect(lambda: self.set_collapsed(not self._collapsed))

        self.video_widget = QVideoWidget(self)
        self.video_widget.setAccessibleName("Video picture")
        self.video_widget.setMinimumHeight(120)
        self.video_widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.toggle_button)
        header.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.video_widget, 1)
        self._collapsed = False
        self._describe()

    def set_collapsed(self, collapsed: bool) -> None:
        if collapsed == self._collapsed:
            return
        self._collapsed = collapsed
        self.video_widget.setVisible(not collapsed)
        self._describe()
        # Collapsed, the area is only its header: let the layout give the room away.
        policy = QSizePolicy.Policy.Maximum if collapsed else QSizePolicy.Policy.Expanding
        self.setSizePolicy(QSizePolicy.Policy.Preferred, policy)
        self.collapsed_changed.emit(collapsed)

    def is_collapsed(self) -> bool:
        return self._collapsed

    def _describe(self) -> None:
        action = "Show video" if self._collapsed else "Hide video"
        self.toggle_button.setToolTip(action)
        self.toggle_button.setAccessibleName(action)
        self.toggle_button.setIcon(icons.icon("expand" if self._collapsed else "collapse"))

    def changeEvent(self, event: QEvent) -> None:
        # Icons are drawn in the palette's text colour: redraw them for a new palette.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._describe()
        super().changeEvent(event)
