"""Library search results as a Qt list model, and the painting of a result row."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QPainter, QPalette, QTextCharFormat, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.core.search import SearchHit
from desktop.core.timecode import short
from desktop.ui.display import excerpt, isolated, shown_text

_Index = QModelIndex | QPersistentModelIndex
OPEN, CLOSE = "\x02", "\x03"  # how core.search marks the matched words in a snippet
MAX_SNIPPET_CHARS = 600  # a few lines of context around the match
MAX_HEADING_CHARS = 300  # one line, elided anyway


def split_marks(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """The snippet's plain text and the (start, length) of each marked match in it.

    The markers are control characters, never HTML, so the text stays literal."""
    plain: list[str] = []
    ranges: list[tuple[int, int]] = []
    start = None
    for ch in snippet:
        if ch == OPEN:
            start = len(plain)
        elif ch == CLOSE:
            if start is not None:
                ranges.append((start, len(plain) - start))
            start = None
        else:
            plain.append(ch)
    return "".join(plain), ranges


def heading(hit: SearchHit) -> str:
    kind = "Note" if hit.kind == "note" else (hit.speaker or "")
    # The time first: a long title is cut at the right edge, the time must not be. Names
    # are isolated: an unclosed right-to-left override in one must not reverse the rest.
    names = [
        isolated(shown_text(name, MAX_HEADING_CHARS))
        for name in (kind, hit.title, hit.chapter)
        if name
    ]
    return " · ".join([short(hit.start), *names])


def result_text(hit: SearchHit) -> tuple[str, list[tuple[int, int]]]:
    """The snippet as shown: plain text around the first match, and the matches in it.

    FTS5 cuts a snippet by tokens, so one enormous token (a 1 MB line without spaces)
    made a snippet of a megabyte, which froze the pane laying it out."""
    return excerpt(*split_marks(hit.snippet), MAX_SNIPPET_CHARS)


class ResultsModel(QAbstractListModel):
    HitRole = int(Qt.ItemDataRole.UserRole) + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == self.HitRole:
            return hit
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{heading(hit)}: {result_text(hit)[0]}"
        return None

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self.endResetModel()


class ResultDelegate(QStyledItemDelegate):
    """Two lines: episode · time · speaker, then the snippet with its matches in bold."""

    PAD = 6

    def _layouts(self, index: _Index, font: QFont, width: int) -> tuple[QTextLayout, QTextLayout]:
        hit: SearchHit = index.data(ResultsModel.HitRole)
        head = QTextLayout(heading(hit), font)
        text, ranges = result_text(hit)
        body = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        body.setTextOption(option)
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        formats = []
        for start, length in ranges:
            selection = QTextLayout.FormatRange()
            selection.start, selection.length, selection.format = start, length, bold
            formats.append(selection)
        body.setFormats(formats)
        for layout in (head, body):
            layout.beginLayout()
            y = 0.0
            while (line := layout.createLine()).isValid():
                line.setLineWidth(max(40, width - 2 * self.PAD))
                line.setPosition(QPointF(0, y))
                y += line.height()
                if layout is head:  # one line: the episode title is elided by width
                    break
            layout.endLayout()
        return head, body

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        head, body = self._layouts(index, option.font, option.rect.width() or 300)
        height = head.boundingRect().height() + body.boundingRect().height() + 3 * self.PAD
        return QSize(option.rect.width(), int(height))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        head, body = self._layouts(index, option.font, option.rect.width())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setClipRect(option.rect)
        painter.setPen(
            option.palette.color(QPalette.ColorRole.PlaceholderText if not selected else role)
        )
        origin = QPointF(option.rect.left() + self.PAD, option.rect.top() + self.PAD)
        head.draw(painter, origin)
        painter.setPen(option.palette.color(role))
        body.draw(painter, origin + QPointF(0, head.boundingRect().height() + self.PAD))
        painter.restore()
