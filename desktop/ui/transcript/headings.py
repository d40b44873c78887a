"""Chapter headings in the transcript: a band at the top of the row a chapter starts at.

The heading is painted by the row's delegate but is not part of the segment: the row's
text, its time and its note marker are laid out below the band, so find, notes,
corrections, selection and clicks only ever meet the segment.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyleOptionViewItem

from desktop.ui.colors import blend
from desktop.ui.display import shown_text

PAD_X = 8  # left and right padding of a transcript row (the delegate's too)
PAD_Y = 5  # top and bottom padding of a row
HEADING_GAP = 8  # above a chapter heading, and half of it below


def heading_font(font: QFont) -> QFont:
    heading = QFont(font)
    heading.setBold(True)
    if font.pointSizeF() > 0:
        heading.setPointSizeF(font.pointSizeF() * 1.2)
    return heading


def lay_out_headings(
    titles: list[str] | None, font: QFont, width: int
) -> tuple[list[tuple[QRect, str]], int]:
    """Where a row's chapter headings go, and the height of their band (0: none)."""
    if not titles:
        return [], 0
    metrics = QFontMetrics(heading_font(font))
    inner = width - 2 * PAD_X
    placed, y = [], PAD_Y + HEADING_GAP
    for title in titles:
        text = metrics.elidedText(shown_text(title), Qt.TextElideMode.ElideRight, inner)
        placed.append((QRect(PAD_X, y, inner, metrics.height()), text))
        y += metrics.height() + 2
    return placed, y - PAD_Y + HEADING_GAP // 2


def paint_headings(
    painter: QPainter,
    headings: list[tuple[QRect, str]],
    band: int,
    option: QStyleOptionViewItem,
    font: QFont,
) -> None:
    """The titles, and a faint rule under them, in the row at `option.rect`."""
    palette = option.palette
    text = palette.color(QPalette.ColorRole.Text)
    painter.setFont(heading_font(font))
    painter.setPen(text)
    for rect, title in headings:
        painter.drawText(
            rect.translated(option.rect.topLeft()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
    y = option.rect.top() + band - 2
    painter.setPen(blend(text, palette.color(QPalette.ColorRole.Base), 0.2))
    painter.drawLine(option.rect.left() + PAD_X, y, option.rect.right() - PAD_X, y)
