"""Building blocks of the insights panel: plain-text labels, time links and one widget per item.

Every string here comes from an insight payload, so it is data: labels are PlainText and
accessible names are plain strings (never interpreted as markup).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.insights.payload import KeyInsight, QuestionAnswer, Takeaway
from desktop.core.model import Note
from desktop.core.timecode import short
from desktop.ui.display import shown_text


def text_label(text: str, *, bold: bool = False, name: str = "") -> QLabel:
    """A wrapped, mouse-selectable label that shows `text` literally."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # before setText: data is never markup
    label.setText(text)
    # Expanding width lets the label follow the scroll area's viewport; the policy's
    # height-for-width flag (which setWordWrap turns on) makes its height fit the wrapped text.
    policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name or text)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def heading_label(text: str) -> QLabel:
    """A section heading: bold and a little larger than body text."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setAccessibleName(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


class TimeButton(QToolButton):
    """A flat, link-coloured "m:ss" button; clicking asks to seek to `start`."""

    seek = Signal(float)

    def __init__(self, start: float, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start = start
        self.setText(short(start))
        self.setAutoRaise(True)  # flat until hovered, like a link
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setToolTip(f"Play from {short(start)}")
        self.setAccessibleName(description)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._use_link_colour()
        self.clicked.connect(lambda: self.seek.emit(self.start))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._use_link_colour()

    def _use_link_colour(self) -> None:
        # The palette's Link role keeps the "this is a link" cue in light and dark themes.
        palette = self.palette()
        link = palette.color(QPalette.ColorRole.Link)
        if palette.color(QPalette.ColorRole.ButtonText) != link:
            palette.setColor(QPalette.ColorRole.ButtonText, link)
            self.setPalette(palette)
        font = self.font()
        font.setUnderline(True)
        self.setFont(font)


class ItemWidget(QFrame):
    """One timed item; emits `seek` when its time button is clicked. A generated item
    shows the transcript's words that prove it (its quote) when hovered, and a click on
    its time plays that passage (`play`) instead of only moving there."""

    seek = Signal(float)
    play = Signal(float)

    def __init__(
        self,
        start: float,
        description: str,
        parent: QWidget | None = None,
        quote: str = "",
        end: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.start = start
        self.quote = quote
        self.setAccessibleName(description)
        self.time_button = TimeButton(start, description, self)
        self.time_button.seek.connect(self.play if quote else self.seek)
        if quote:
            span = f"{short(start)}–{short(end)}" if end is not None else short(start)
            said = f"“{shown_text(quote)}” ({span})"
            self.setToolTip(f"The transcript says: {said}")
            self.time_button.setToolTip(f"Play the quoted passage from {short(start)}")
            self.setAccessibleDescription(f"Quoted from the transcript: {said}")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 2, 0, 2)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(1)

    def texts(self) -> list[str]:
        """The item's visible texts, in reading order (for tests and accessibility checks)."""
        return [label.text() for label in self.findChildren(QLabel) if label.text()]


class KeyInsightWidget(ItemWidget):
    """Emoji, bold title, one sentence, and the time it came from."""

    def __init__(self, item: KeyInsight, parent: QWidget | None = None) -> None:
        description = f"Key insight at {short(item.start)}: {item.title}"
        super().__init__(item.start, description, parent, item.quote, item.end)
        emoji = QLabel()
        emoji.setTextFormat(Qt.TextFormat.PlainText)
        emoji.setText(item.emoji)
        emoji.setAccessibleName(item.emoji)
        emoji.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        font = emoji.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        emoji.setFont(font)
        emoji.setMinimumWidth(emoji.fontMetrics().height() + 4)
        self.grid.addWidget(emoji, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(text_label(item.title, bold=True), 0, 1)
        self.grid.addWidget(self.time_button, 0, 2, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(text_label(item.text), 1, 1, 1, 2)
        self.grid.setColumnStretch(1, 1)


class QuestionAnswerWidget(ItemWidget):
    """A bold question with its answer below and the time it came from."""

    def __init__(self, item: QuestionAnswer, parent: QWidget | None = None) -> None:
        description = f"Question at {short(item.start)}: {item.question}"
        super().__init__(item.start, description, parent, item.quote, item.end)
        self.grid.addWidget(text_label(item.question, bold=True), 0, 0)
        self.grid.addWidget(self.time_button, 0, 1, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(text_label(item.answer), 1, 0, 1, 2)
        self.grid.setColumnStretch(0, 1)


class TakeawayWidget(ItemWidget):
    """A bulleted takeaway with the time it came from."""

    def __init__(self, item: Takeaway, parent: QWidget | None = None) -> None:
        description = f"Takeaway at {short(item.start)}: {item.text}"
        super().__init__(item.start, description, parent, item.quote, item.end)
        bullet = QLabel("•")
        bullet.setAccessibleName("Bullet")
        self.grid.addWidget(bullet, 0, 0, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(text_label(item.text), 0, 1)
        self.grid.addWidget(self.time_button, 0, 2, Qt.AlignmentFlag.AlignTop)
        self.grid.setColumnStretch(1, 1)

    def texts(self) -> list[str]:
        return [t for t in super().texts() if t != "•"]


class NoteWidget(QFrame):
    """One of the user's notes: its text, its time (a seek button) and Edit… / Delete."""

    seek = Signal(float)
    edit_requested = Signal(int)  # note id
    delete_requested = Signal(int)  # note id

    def __init__(self, note: Note, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = note
        when = f" at {short(note.time)}" if note.time is not None else ""
        self.setAccessibleName(f"Note{when}: {shown_text(note.text)}")
        shown = shown_text(note.text)  # the whole note is in its editor
        self.text_label = text_label(shown, name=f"Note{when}: {shown}")
        self.time_button: TimeButton | None = None
        self.edit_button = self._button("Edit…", f"Edit the note{when}")
        self.delete_button = self._button("Delete", f"Delete the note{when} (Undo brings it back)")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.note.id))
        self.delete_button.clicked.connect(lambda: self.delete_requested.emit(self.note.id))
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        grid.addWidget(self.text_label, 0, 0)
        if note.time is not None:
            self.time_button = TimeButton(note.time, f"Note at {short(note.time)}", self)
            self.time_button.seek.connect(self.seek)
            grid.addWidget(self.time_button, 0, 1, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(2)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    def _button(self, text: str, description: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setAutoRaise(True)
        button.setToolTip(description)
        button.setAccessibleName(description)
        button.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return button

    def texts(self) -> list[str]:
        """What the widget shows of the note (its label), not the stored note."""
        return [
            label.text()
            for label in self.findChildren(QLabel)
            if label.text() and not label.isHidden()
        ]


class Section(QWidget):
    """A heading over a column of bodies; hidden while it has nothing to show."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(title)
        self.heading = heading_label(title)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addLayout(self.body)
        self.setVisible(False)

    def clear(self) -> None:
        for widget in self.take_all():
            discard(widget)

    def add(self, widget: QWidget) -> None:
        self.body.addWidget(widget)
        self.setVisible(True)

    def take_all(self) -> list[QWidget]:
        """Remove every body from the column without deleting it (to be placed again)."""
        widgets = self.items()
        while self.body.takeAt(0) is not None:
            pass
        self.setVisible(False)
        return widgets

    def items(self) -> list[QWidget]:
        return [w for i in range(self.body.count()) if (w := self.body.itemAt(i).widget())]

    def texts(self) -> list[str]:
        texts: list[str] = []
        for widget in self.items():
            if isinstance(widget, ItemWidget):
                texts.extend(widget.texts())
            elif isinstance(widget, QLabel):
                texts.append(widget.text())
        return texts


def discard(widget: QWidget) -> None:
    """Delete a widget that left its layout."""
    widget.setParent(None)  # gone from findChildren now, not at the next event loop
    widget.deleteLater()
