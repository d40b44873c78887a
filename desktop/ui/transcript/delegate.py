"""Paints one transcript row: a clickable time, the speaker when it changes, wrapped text.

Text is laid out with QTextLayout from the plain string, so markup in a transcript is shown
as the characters it is. One function (`_prepare`) lays a row out for both `sizeHint()` and
`paint()`, so the height the list reserves is the height that gets painted.

Beside the time, a lane holds the marker of a row with notes (its tooltip is the notes'
text); a corrected row ends with a small "(edited)" in the placeholder colour, laid out
with the text so that it wraps with it. The delegate also makes the in-place editor
(`SegmentEditor`) and lays it over the row's text.
"""

from __future__ import annotations

import html
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QIcon,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from desktop.core.model import Note, Segment
from desktop.core.timecode import short
from desktop.ui.colors import blend, readable
from desktop.ui.display import MAX_SHOWN_CHARS, shown_text
from desktop.ui.transcript.editor import SegmentEditor
from desktop.ui.transcript.headings import PAD_X, PAD_Y, lay_out_headings, paint_headings
from desktop.ui.transcript.highlights import find_selections, format_range, word_selection
from desktop.ui.transcript.model import SegmentListModel

_Index = QModelIndex | QPersistentModelIndex

GAP = 12  # between the time column and the text
MARK_GAP = 4  # between the time and the note marker
EDITED = "\u00a0(edited)"  # after a corrected segment's text (kept with its last word)
NOTE_COLOR = QColor(184, 122, 0)  # a sticky note's amber, apart from the blue of times
ACCENT = 3  # width of the bar marking the playing row
MIN_TEXT_WIDTH = 40
LAYOUT_CACHE = 300  # a few screens of rows; heights are kept for every row
# A row shows at most this much of its text, then "…" (desktop/ui/display.py says why).
MAX_ROW_CHARS = MAX_SHOWN_CHARS


@dataclass(slots=True)
class RowLayout:
    """A row laid out at the origin; `paint()` translates it to the row's rectangle."""

    key: tuple[int, int]  # (row width, time column width) it was laid out for
    height: int
    time_text: str
    time_rect: QRect
    marker_rect: QRect  # where a note marker goes, right of the time
    speaker: str | None  # shown only where the speaker changes
    speaker_rect: QRect
    text_layout: QTextLayout
    text_origin: QPointF
    text_width: int
    # Chapter headings over the row (a band at its top, not part of the segment: find,
    # notes, corrections and clicks only ever see the row below it).
    headings: list[tuple[QRect, str]] = field(default_factory=list)
    band: int = 0  # the headings' height


class TranscriptDelegate(QStyledItemDelegate):
    """Draws segment rows for `SegmentListModel`; caches layouts per row and width."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._layouts: OrderedDict[int, RowLayout] = OrderedDict()
        self._heights: dict[int, tuple[tuple[int, int], int]] = {}  # row -> (key, height)
        self._time_widths: dict[str, int] = {}  # "0:00" pattern -> pixels
        self._marker_icons: dict[str, QIcon] = {}  # colour -> note glyph
        self.pending_cursor: int | None = None  # where a double-click put the editor's caret

    # Cache

    def clear_cache(self) -> None:
        """Forget every layout: the rows, the font or the palette changed."""
        self._layouts.clear()
        self._heights.clear()
        self._time_widths.clear()

    def forget_rows(self, rows: Iterable[int]) -> None:
        """Forget these rows' layouts and heights: their text or speaker changed."""
        for row in rows:
            self._layouts.pop(row, None)
            self._heights.pop(row, None)

    def layout_for(self, index: _Index, width: int | None = None) -> RowLayout:
        """The row's layout at `width` (default: the view's), from the cache when it fits."""
        key = self._key(index, width)
        cached = self._layouts.get(index.row())
        if cached is not None and cached.key == key:
            self._layouts.move_to_end(index.row())
            return cached
        row = self._prepare(index, key, self._view.font())
        self._layouts[index.row()] = row
        self._heights[index.row()] = (key, row.height)
        while len(self._layouts) > LAYOUT_CACHE:
            self._layouts.popitem(last=False)
        return row

    def layout_text(self, index: _Index) -> str:
        """The exact string the row's text layout paints (tests pin that markup stays text)."""
        return self.layout_for(index).text_layout.text()

    def time_rect(self, index: _Index, row_rect: QRect) -> QRect:
        """Where the clickable time of the row at `row_rect` lies, in the same coordinates."""
        return self.layout_for(index, row_rect.width()).time_rect.translated(row_rect.topLeft())

    def marker_rect(self, index: _Index, row_rect: QRect) -> QRect:
        """Where the row's note marker is (or would be), in `row_rect`'s coordinates."""
        layout = self.layout_for(index, row_rect.width())
        return layout.marker_rect.translated(row_rect.topLeft())

    def text_rect(self, index: _Index, row_rect: QRect) -> QRect:
        """The row's text area (below the speaker), in `row_rect`'s coordinates."""
        layout = self.layout_for(index, row_rect.width())
        top = int(layout.text_origin.y())
        return QRect(
            int(layout.text_origin.x()) + row_rect.left(),
            top + row_rect.top(),
            layout.text_width,
            max(layout.height - top - PAD_Y, 1),
        )

    def char_at(self, index: _Index, row_rect: QRect, pos: QPoint) -> int | None:
        """The character of the row's text under `pos` (viewport coordinates), or None."""
        layout = self.layout_for(index, row_rect.width())
        local = QPointF(pos - row_rect.topLeft()) - layout.text_origin
        text = layout.text_layout
        for n in range(text.lineCount()):
            line = text.lineAt(n)
            if line.y() <= local.y() < line.y() + line.height():
                segment: Segment = index.data(SegmentListModel.SegmentRole)
                at = line.xToCursor(local.x())
                return at if at <= len(segment.text) else None
        return None

    # Editing in place

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        editor = SegmentEditor(parent)
        editor.setFont(self._view.font())
        editor.submitted.connect(lambda: self._submit(editor))
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        # Called again whenever the row's data changes: the user's typing stays.
        if isinstance(editor, SegmentEditor) and not editor.loaded:
            editor.load(index.data(Qt.ItemDataRole.EditRole), self.pending_cursor)
            self.pending_cursor = None

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _Index) -> None:
        if isinstance(editor, SegmentEditor):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> None:
        if isinstance(editor, SegmentEditor):
            editor.place(self.text_rect(index, option.rect))

    def _submit(self, editor: SegmentEditor) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    # QStyledItemDelegate

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        key = self._key(index, option.rect.width() or None)
        known = self._heights.get(index.row())
        if known is not None and known[0] == key:
            return QSize(key[0], known[1])
        # Measuring every row of a long episode: keep only the height, not the layout.
        height = self._prepare(index, key, self._view.font()).height
        self._heights[index.row()] = (key, height)
        return QSize(key[0], height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect = option.rect
        layout = self.layout_for(index, rect.width())
        palette = option.palette
        current = bool(index.data(SegmentListModel.IsCurrentRole))
        painter.save()
        origin = rect.topLeft()
        if layout.headings:
            paint_headings(painter, layout.headings, layout.band, option, self._view.font())
        # The row's own background starts below its headings: they are not the segment.
        body = QStyleOptionViewItem(option)
        body.rect = rect.adjusted(0, layout.band, 0, 0)
        self._paint_background(painter, body, current)
        base = palette.color(QPalette.ColorRole.Base)
        text_color = palette.color(QPalette.ColorRole.Text)
        link = readable(palette.color(QPalette.ColorRole.Link), base, text_color)
        painter.setFont(self._view.font())
        painter.setPen(link)
        painter.drawText(
            layout.time_rect.translated(origin),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
            layout.time_text,
        )
        if layout.speaker:
            painter.setFont(self._speaker_font(self._view.font()))
            painter.setPen(text_color)
            painter.drawText(
                layout.speaker_rect.translated(origin),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                layout.speaker,
            )
        notes = index.data(SegmentListModel.NotesRole)
        if notes:
            marker = self._marker_icon(readable(NOTE_COLOR, base, text_color))
            marker.paint(painter, layout.marker_rect.translated(origin))
        painter.setPen(text_color)
        selections = find_selections(index, palette)
        selections += word_selection(index, palette) if current else []
        # Marks past a capped row's end (find matches in its hidden part) are not drawn.
        selections = [s for s in selections if s.start < MAX_ROW_CHARS]
        layout.text_layout.draw(painter, layout.text_origin + QPointF(origin), selections)
        painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        """Tooltips over the time (play from) and the note marker (the notes) only; the
        rest of the row is reading space."""
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            notes: list[Note] = index.data(SegmentListModel.NotesRole)
            if notes and self.marker_rect(index, option.rect).contains(event.pos()):
                QToolTip.showText(event.globalPos(), notes_tooltip(notes), view)
                return True
            time_rect = self.time_rect(index, option.rect)
            if time_rect.contains(event.pos()):
                segment: Segment = index.data(SegmentListModel.SegmentRole)
                QToolTip.showText(
                    event.globalPos(), f"Play from {short(segment.start)} (Enter)", view
                )
                return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().helpEvent(event, view, option, index)

    # Layout

    def _key(self, index: _Index, width: int | None) -> tuple[int, int]:
        """What a row's layout depends on besides its text: row and time column widths."""
        # QListView asks sizeHint without a rect; rows span the viewport.
        width = max(width or self._view.viewport().width(), PAD_X * 2 + MIN_TEXT_WIDTH)
        return width, self._time_column_width(index)

    def _time_column_width(self, index: _Index) -> int:
        # Wide enough for the latest start in the episode, so every row's text lines up; it
        # grows when a running transcription passes 10:00 or 1:00:00.
        model = index.model()
        last: Segment = model.index(model.rowCount() - 1, 0).data(SegmentListModel.SegmentRole)
        pattern = "".join("0" if c.isdigit() else c for c in short(last.start if last else 0))
        width = self._time_widths.get(pattern)
        if width is None:
            width = QFontMetrics(self._view.font()).horizontalAdvance(pattern) + 2
            self._time_widths[pattern] = width
        return width

    def _prepare(self, index: _Index, key: tuple[int, int], font: QFont) -> RowLayout:
        """Lay the row out for `key`: the one place that decides where everything goes."""
        width, time_width = key
        segment: Segment = index.data(SegmentListModel.SegmentRole)
        metrics = QFontMetrics(font)
        headings, band = lay_out_headings(index.data(SegmentListModel.HeadingRole), font, width)
        time_rect = QRect(PAD_X, PAD_Y + band, time_width, metrics.height())
        mark = self._marker_size(metrics)
        marker_rect = QRect(
            time_rect.right() + 1 + MARK_GAP,
            PAD_Y + band + (metrics.height() - mark) // 2,
            mark,
            mark,
        )
        text_x = marker_rect.right() + 1 + GAP - MARK_GAP
        text_width = max(width - text_x - PAD_X, MIN_TEXT_WIDTH)
        speaker = self._speaker_to_show(index, segment)
        top = PAD_Y + band
        speaker_rect = QRect()
        if speaker:
            bold = QFontMetrics(self._speaker_font(font))
            speaker = bold.elidedText(speaker, Qt.TextElideMode.ElideRight, text_width)
            speaker_rect = QRect(text_x, top, text_width, bold.height())
            top += bold.height() + 1
        shown = shown_text(segment.text)
        if segment.edited:
            formats = [self._edited_format(len(shown), font)]
            text_layout, text_height = self._text_layout(shown + EDITED, font, text_width, formats)
        else:
            text_layout, text_height = self._text_layout(shown, font, text_width)
        height = max(top + text_height, PAD_Y + band + metrics.height()) + PAD_Y
        return RowLayout(
            key=key,
            height=height,
            time_text=short(segment.start),
            time_rect=time_rect,
            marker_rect=marker_rect,
            speaker=speaker,
            speaker_rect=speaker_rect,
            text_layout=text_layout,
            text_origin=QPointF(text_x, top),
            text_width=text_width,
            headings=headings,
            band=band,
        )

    @staticmethod
    def _marker_size(metrics: QFontMetrics) -> int:
        return max(9, round(metrics.height() * 0.8))

    def _edited_format(self, start: int, font: QFont) -> QTextLayout.FormatRange:
        """The "(edited)" after the text: smaller, italic, in the placeholder colour."""
        fmt = QTextCharFormat()
        fmt.setFontItalic(True)
        if font.pointSizeF() > 0:
            fmt.setFontPointSize(font.pointSizeF() * 0.85)
        fmt.setForeground(self._view.palette().color(QPalette.ColorRole.PlaceholderText))
        return format_range(start, start + len(EDITED), fmt)

    def _marker_icon(self, color: QColor) -> QIcon:
        icon = self._marker_icons.get(color.name())
        if icon is None:
            import qtawesome  # loads its fonts on first use

            icon = qtawesome.icon("fa5s.sticky-note", color=color.name())
            self._marker_icons[color.name()] = icon
        return icon

    @staticmethod
    def _text_layout(
        text: str, font: QFont, width: int, formats: list[QTextLayout.FormatRange] | None = None
    ) -> tuple[QTextLayout, int]:
        layout = QTextLayout(text, font)
        if formats:
            layout.setFormats(formats)
        option = QTextOption()
        # Long tokens (URLs) break anywhere rather than run past the edge.
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.setCacheEnabled(True)
        y = 0.0
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height()
        layout.endLayout()
        return layout, math.ceil(y)

    @staticmethod
    def _speaker_to_show(index: _Index, segment: Segment) -> str | None:
        # A name repeated on every row is noise; show it where a new speaker begins.
        if not segment.speaker:
            return None
        if index.row() == 0:
            return segment.speaker
        previous: Segment = index.siblingAtRow(index.row() - 1).data(SegmentListModel.SegmentRole)
        return None if previous.speaker == segment.speaker else segment.speaker

    @staticmethod
    def _speaker_font(font: QFont) -> QFont:
        bold = QFont(font)
        bold.setBold(True)
        return bold

    # Painting helpers

    @staticmethod
    def _paint_background(painter: QPainter, option: QStyleOptionViewItem, current: bool) -> None:
        palette = option.palette
        base = palette.color(QPalette.ColorRole.Base)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect
        if current:
            painter.fillRect(rect, blend(highlight, base, 0.22))
            painter.fillRect(QRect(rect.left(), rect.top(), ACCENT, rect.height()), highlight)
        elif selected:
            painter.fillRect(rect, blend(highlight, base, 0.10))
        if selected and option.state & QStyle.StateFlag.State_HasFocus:
            # A thin outline, so keyboard users see the row Enter would play.
            painter.setPen(blend(highlight, base, 0.7))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))


def notes_tooltip(notes: list[Note]) -> str:
    """The notes on a row as a tooltip: rich text only to escape the notes, which are data."""
    parts = []
    for note in notes:
        when = f"{short(note.time)} · " if note.time is not None else ""
        body = html.escape(note.text).replace("\n", "<br>")
        parts.append(f"<p><b>{when}Note</b><br>{body}</p>")
    return "<qt>" + "".join(parts) + "</qt>"
