"""What is painted over a row's cached text layout: find matches and the playing word.

Format ranges only colour text; nothing is laid out again, so marking them is cheap.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextLayout

from desktop.core.model import Segment
from desktop.ui.colors import blend
from desktop.ui.transcript.model import SegmentListModel, word_ranges

_Index = QModelIndex | QPersistentModelIndex
FIND_TINT = QColor(255, 200, 0)  # a highlighter's yellow, blended into the base colour


def format_range(start: int, end: int, fmt: QTextCharFormat) -> QTextLayout.FormatRange:
    selection = QTextLayout.FormatRange()
    selection.start, selection.length, selection.format = start, end - start, fmt
    return selection


def find_selections(index: _Index, palette: QPalette) -> list[QTextLayout.FormatRange]:
    """Find matches: all in a soft tint, the current one in the selection colours."""
    base = palette.color(QPalette.ColorRole.Base)
    ranges = []
    for start, end, is_current in index.data(SegmentListModel.FindRole) or []:
        fmt = QTextCharFormat()
        if is_current:
            fmt.setBackground(palette.color(QPalette.ColorRole.Highlight))
            fmt.setForeground(palette.color(QPalette.ColorRole.HighlightedText))
        else:
            fmt.setBackground(blend(FIND_TINT, base, 0.45))
            fmt.setForeground(palette.color(QPalette.ColorRole.Text))
        ranges.append(format_range(start, end, fmt))
    return ranges


def word_selection(index: _Index, palette: QPalette) -> list[QTextLayout.FormatRange]:
    """The playing word, from the row's word timings placed in its text."""
    word = index.data(SegmentListModel.CurrentWordRole)
    segment: Segment = index.data(SegmentListModel.SegmentRole)
    if word is None or word < 0:
        return []
    ranges = word_ranges(segment.text, index.data(SegmentListModel.WordsRole))
    if word >= len(ranges) or ranges[word] is None:
        return []
    start, end = ranges[word]
    fmt = QTextCharFormat()
    base = palette.color(QPalette.ColorRole.Base)
    fmt.setBackground(blend(palette.color(QPalette.ColorRole.Highlight), base, 0.55))
    fmt.setForeground(palette.color(QPalette.ColorRole.Text))
    return [format_range(start, end, fmt)]
