"""The insights panel: TL;DR, key insights, Q&A, summary and takeaways, linked to their moments.

Above them, the user's own notes on the episode (a Notes section: time, text, Edit… and
Delete); the panel shows them even when there are no insights yet.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.insights.payload import Insights
from desktop.core.model import Note
from desktop.ui import icons
from desktop.ui.insights.items import (
    ItemWidget,
    KeyInsightWidget,
    NoteWidget,
    QuestionAnswerWidget,
    Section,
    TakeawayWidget,
    discard,
    text_label,
)

# Section keys (used by section_texts) and their headings, in the order the web summarisers use.
SECTIONS = (
    ("tldr", "TL;DR"),
    ("key_insights", "Key Insights"),
    ("qa", "Questions & Answers"),
    ("summary", "Summary"),
    ("takeaways", "Key Takeaways"),
)
PLACEHOLDER = "No insights yet"
EXTRACT_LABEL = "Extract from the transcript"


def engine_text(insights: Insights) -> str:
    """Who made these insights, honestly: extraction is never called "AI-generated"."""
    if insights.engine == "extractive":
        return "Extracted from the transcript"
    where = {"local": "on this computer", "openai": "on your server"}.get(insights.engine)
    who = insights.model or "a language model"
    text = f"Written by {who} {where}" if where else f"Written by {who} ({insights.engine})"
    items = [*insights.key_insights, *insights.qa, *insights.takeaways]
    if items and all(item.quote for item in items):  # payloads before version 2 have none
        text += "; every item quotes the transcript"
    if insights.dropped:
        left = "1 item" if insights.dropped == 1 else f"{insights.dropped} items"
        text += f" ({left} left out: quotes not in the transcript)"
    return text


def _blend(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` (0..1) of the way towards `b`: tints that follow any palette."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


class NoticeBar(QFrame):
    """A dismissable, wrapped warning line (for example why the language model failed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Notice")
        icon = QLabel()
        size = self.fontMetrics().height()
        icon.setPixmap(icons.icon("warning").pixmap(size, size))
        icon.setAccessibleName("Warning")
        self.label = text_label("")
        self.close_button = QToolButton()
        self.close_button.setIcon(icons.icon("close"))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss this notice")
        self.close_button.setAccessibleName("Dismiss notice")
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 4, 6)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_text(self, text: str | None) -> None:
        self.label.setText(text or "")
        self.label.setAccessibleName(text or "")
        self.setVisible(bool(text))

    def paintEvent(self, event) -> None:
        # Tinted from the palette at paint time, so a theme switch needs no restyling.
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        accent = palette.color(QPalette.ColorRole.Highlight)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(_blend(base, accent, 0.5))
        painter.setBrush(_blend(base, accent, 0.14))
        painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 4, 4)


class BusyRow(QWidget):
    """Progress of insight generation, with a way to stop it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = text_label("")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(self.fontMetrics().height() // 2 + 2)
        self.bar.setAccessibleName("Insight progress")
        self.cancel_button = QPushButton(icons.icon("cancel"), "Cancel")
        self.cancel_button.setToolTip("Stop making insights")
        self.cancel_button.setAccessibleName("Cancel making insights")
        text_column = QVBoxLayout()
        text_column.setSpacing(2)
        text_column.addWidget(self.label)
        text_column.addWidget(self.bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(text_column, 1)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_progress(self, text: str, fraction: float | None) -> None:
        self.label.setText(text)
        self.label.setAccessibleName(text)
        if fraction is None:
            self.bar.setRange(0, 0)  # Qt's busy (indeterminate) bar
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        self.show()


class InsightsPanel(QWidget):
    """Shows one episode's insights; a click on any item's time asks the player to seek."""

    seek_requested = Signal(float)
    play_requested = Signal(float)  # a generated item's quoted passage
    regenerate_requested = Signal(str)  # engine name: "extractive", "openai" or "local"
    cancel_requested = Signal()
    note_edit_requested = Signal(int)  # note id
    note_delete_requested = Signal(int)  # note id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Insights")
        self._insights: Insights | None = None
        self._partial = False  # sections of a run still writing are on screen
        self._notes: list[Note] = []
        self._busy = False
        self._build_header()
        self.notice = NoticeBar()
        self.busy_row = BusyRow()
        self.busy_row.cancel_button.clicked.connect(self.cancel_requested)
        self.sections = {key: Section(title) for key, title in SECTIONS}
        self.notes_section = Section("Notes")
        self._build_pages()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._header)
        layout.addWidget(self.notice)
        layout.addWidget(self.busy_row)
        layout.addWidget(self.pages, 1)
        self.set_engines([])
        self.set_insights(None)

    # -- construction ---------------------------------------------------------------

    def _build_header(self) -> None:
        self.engine_label = text_label("")
        self.engine_label.setAccessibleName("Insight source")
        self.engine_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # A push button draws its menu arrow beside the text (a tool button's overlaps it).
        self.regenerate_button = QPushButton(icons.icon("regenerate"), "Regenerate")
        self.regenerate_button.setAccessibleName("Regenerate insights")
        self.regenerate_button.clicked.connect(self._on_regenerate_clicked)
        self._header = QHBoxLayout()
        self._header.addWidget(self.engine_label, 1)
        self._header.addWidget(self.regenerate_button, 0, Qt.AlignmentFlag.AlignTop)

    def _build_pages(self) -> None:
        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAccessibleName(PLACEHOLDER)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        content = QWidget()
        content.setAccessibleName("Insight sections")
        column = QVBoxLayout(content)
        column.setContentsMargins(2, 2, 8, 8)
        column.setSpacing(16)
        column.addWidget(self.notes_section)
        self.no_insights_label = text_label(PLACEHOLDER)
        self.no_insights_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.no_insights_label.hide()
        column.addWidget(self.no_insights_label)
        for section in self.sections.values():
            column.addWidget(section)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setAccessibleName("Insights")
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The content follows the viewport's width, so wrapped labels re-flow instead of clipping.
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)
        content.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(self.scroll)

    # -- public API ----------------------------------------------------------------

    def set_insights(self, insights: Insights | None) -> None:
        """Show `insights`, or the "No insights yet" placeholder for None."""
        self._insights = insights
        self._partial = False
        for section in self.sections.values():
            section.clear()
        if insights is None:
            self.engine_label.setText("")  # stays in the layout, keeping the button at the right
        else:
            self.engine_label.setText(engine_text(insights))
            self._fill(insights)
        self._update_page()
        self.scroll.verticalScrollBar().setValue(0)
        self._update_regenerate()

    def set_notes(self, notes: list[Note]) -> None:
        """The open episode's notes, in time order, in the Notes section."""
        self._notes = list(notes)
        # Unchanged notes keep their widgets: rebuilding all of them on every edit froze the
        # window for most of a second on an episode with a few hundred notes.
        kept = {w.note.id: w for w in self.notes_section.take_all() if isinstance(w, NoteWidget)}
        for note in self._notes:
            widget = kept.pop(note.id, None)
            if widget is None or widget.note != note:
                if widget is not None:
                    discard(widget)
                widget = self._note_widget(note)
            self.notes_section.add(widget)
        for widget in kept.values():
            discard(widget)
        self._update_page()

    def _note_widget(self, note: Note) -> NoteWidget:
        widget = NoteWidget(note)
        widget.seek.connect(self.seek_requested)
        widget.edit_requested.connect(self.note_edit_requested)
        widget.delete_requested.connect(self.note_delete_requested)
        return widget

    def note_widgets(self) -> list[NoteWidget]:
        return [w for w in self.notes_section.items() if isinstance(w, NoteWidget)]

    def show_note(self, note_id: int) -> None:
        """Bring a note into view (one just added or edited)."""
        for widget in self.note_widgets():
            if widget.note.id == note_id:
                self.scroll.widget().layout().activate()  # place the new row before scrolling
                self.scroll.ensureWidgetVisible(widget)

    def set_busy(self, text: str | None, fraction: float | None = None) -> None:
        """Show progress (busy bar when `fraction` is None) with Cancel; None ends it."""
        self._busy = text is not None
        if text is None:
            self.busy_row.hide()
            if self._partial:  # the run ended without a payload: the stored one is back
                self.set_insights(self._insights)
        else:
            self.busy_row.show_progress(text, fraction)
        self.regenerate_button.setEnabled(not self._busy)

    def set_notice(self, text: str | None) -> None:
        """A wrapped, dismissable warning above the insights; None hides it."""
        self.notice.show_text(text)

    def set_engines(self, options: list[tuple[str, str]]) -> None:
        """Offer each (engine, label) the user has set up beside extraction; with only
        extraction there is no menu (a click extracts)."""
        extra = [(engine, label) for engine, label in options if engine != "extractive"]
        if not extra:
            self.regenerate_button.setMenu(None)
            return
        menu = QMenu(self.regenerate_button)
        menu.setAccessibleName("Regenerate with")
        for engine, label in [("extractive", EXTRACT_LABEL), *extra]:
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, e=engine: self.regenerate_requested.emit(e))
            menu.addAction(action)
        self.regenerate_button.setMenu(menu)

    def show_partial(self, partial: Insights) -> None:
        """Sections an LLM has finished while it writes the rest: each replaces the one on
        screen; sections not written yet keep showing the stored insights."""
        written = {
            "tldr": bool(partial.tldr.strip()),
            "summary": bool(partial.summary.strip()),
            "key_insights": bool(partial.key_insights),
            "qa": bool(partial.qa),
            "takeaways": bool(partial.takeaways),
        }
        for key, done in written.items():
            if done:
                self.sections[key].clear()
                self._fill_section(key, partial)
        if any(written.values()):
            self.engine_label.setText(f"{engine_text(partial)} — still writing…")
            self._partial = True
            self._update_page()

    def item_buttons(self) -> list[tuple[float, QAbstractButton]]:
        """Each timed item's "m:ss" button with its time, in display order."""
        return [
            (item.start, item.time_button)
            for section in self.sections.values()
            for item in section.items()
            if isinstance(item, ItemWidget)
        ]

    def section_texts(self) -> dict[str, list[str]]:
        """The texts each section shows (empty for a hidden section)."""
        return {
            key: section.texts() if not section.isHidden() else []
            for key, section in self.sections.items()
        }

    # -- internals -----------------------------------------------------------------

    def _fill(self, insights: Insights) -> None:
        for key, _title in SECTIONS:
            self._fill_section(key, insights)

    def _fill_section(self, key: str, insights: Insights) -> None:
        if key == "tldr" and insights.tldr.strip():
            self.sections["tldr"].add(text_label(insights.tldr, name=f"TL;DR: {insights.tldr}"))
        elif key == "key_insights":
            for insight in insights.key_insights:
                self._add_item("key_insights", KeyInsightWidget(insight))
        elif key == "qa":
            for qa in insights.qa:
                self._add_item("qa", QuestionAnswerWidget(qa))
        elif key == "summary" and insights.summary.strip():
            summary = text_label(insights.summary, name=f"Summary: {insights.summary}")
            self.sections["summary"].add(summary)
        elif key == "takeaways":
            for takeaway in insights.takeaways:
                self._add_item("takeaways", TakeawayWidget(takeaway))

    def _add_item(self, key: str, widget: ItemWidget) -> None:
        widget.seek.connect(self.seek_requested)
        widget.play.connect(self.play_requested)
        self.sections[key].add(widget)

    def _update_page(self) -> None:
        """The placeholder only when there is nothing at all: notes show without insights."""
        has_notes = bool(self._notes)
        shown = self._insights is not None or self._partial
        self.no_insights_label.setVisible(has_notes and not shown)
        showing = shown or has_notes
        self.pages.setCurrentWidget(self.scroll if showing else self.placeholder)

    def _update_regenerate(self) -> None:
        making = self._insights is None
        self.regenerate_button.setText("Make insights" if making else "Regenerate")
        self.regenerate_button.setToolTip(
            "Make insights for this episode" if making else "Make this episode's insights again"
        )

    def _on_regenerate_clicked(self) -> None:
        # With a menu a click only opens it; without one, extraction is the choice.
        if self.regenerate_button.menu() is None:
            self.regenerate_requested.emit("extractive")
