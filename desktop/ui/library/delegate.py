"""Paints a library row: source icon, bold elided title, details line and a thin progress bar.

Titles are data: they are painted with QPainter.drawText (never parsed as markup).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.core.model import Episode
from desktop.ui import icons
from desktop.ui.library.model import LibraryModel, Progress, details_parts

PAD = 8  # around the row's content
GAP = 2  # between the title and the details line
BAR = 3  # progress bar thickness, drawn in the bottom padding
ICON = 20  # source icon size
MARK = 3  # width of the "open episode" mark at the left edge
ALIGN = Qt.AlignmentFlag
SINGLE_LINE = ALIGN.AlignLeft | ALIGN.AlignVCenter | Qt.TextFlag.TextSingleLine
SINGLE_LINE_RIGHT = ALIGN.AlignRight | ALIGN.AlignVCenter | Qt.TextFlag.TextSingleLine


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` (0..1) towards `b`: secondary colours that follow any palette."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def _title_font(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def _details_font(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(font.pointSizeF() * 0.9)
    return small


class LibraryDelegate(QStyledItemDelegate):
    """Every row has the same height, so the view can use uniform item sizes at any library size."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        title = QFontMetrics(_title_font(option.font)).height()
        details = QFontMetrics(_details_font(option.font)).height()
        return QSize(200, PAD + title + GAP + details + PAD + BAR)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget: QWidget | None = opt.widget
        style = widget.style() if widget else None
        painter.save()
        # Background, hover and selection exactly as the style draws its own items.
        opt.text = ""
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Active
            if opt.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        palette = opt.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        back_role = QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base
        text = palette.color(group, text_role)
        back = palette.color(group, back_role)
        rect = opt.rect
        if index.data(LibraryModel.CurrentRole):
            mark_role = text_role if selected else QPalette.ColorRole.Highlight
            self._paint_current_mark(painter, rect, palette.color(group, mark_role))
        content = rect.adjusted(PAD + MARK, PAD, -PAD, -PAD - BAR)
        kind = index.data(LibraryModel.KindRole)
        self._paint_icon(painter, content, kind, text if selected else None)
        text_rect = content.adjusted(ICON + PAD, 0, 0, 0)
        self._paint_texts(painter, opt, text_rect, index, text, blend(text, back, 0.35))
        progress = index.data(LibraryModel.ProgressRole)
        if isinstance(progress, Progress):
            self._paint_bar(painter, rect, progress, palette, group, selected)
        painter.restore()

    # -- pieces --------------------------------------------------------------------

    def _paint_current_mark(self, painter: QPainter, rect: QRect, colour: QColor) -> None:
        painter.fillRect(QRect(rect.left(), rect.top() + 4, MARK, rect.height() - 8), colour)

    def _paint_icon(
        self, painter: QPainter, content: QRect, kind: object, colour: QColor | None
    ) -> None:
        """The source icon; on a selected row recoloured to the selection's text colour."""
        if not isinstance(kind, str):
            return
        target = QRect(content.left(), content.center().y() - ICON // 2, ICON, ICON)
        if colour is None:
            icons.icon(kind).paint(painter, target, Qt.AlignmentFlag.AlignCenter)
            return
        ratio = painter.device().devicePixelRatioF()
        pixmap = icons.icon(kind).pixmap(QSize(ICON, ICON), ratio)
        tint = QPainter(pixmap)
        # Keep the glyph's shape (alpha), replace its colour.
        tint.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        tint.fillRect(pixmap.rect(), colour)
        tint.end()
        painter.drawPixmap(target, pixmap)

    def _paint_texts(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        rect: QRect,
        index: QModelIndex | QPersistentModelIndex,
        colour: QColor,
        dim: QColor,
    ) -> None:
        title_font = _title_font(opt.font)
        title_metrics = QFontMetrics(title_font)
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        # Newlines in a title would break the row; show them as spaces.
        title = " ".join(title.split())
        elided = title_metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
        painter.setFont(title_font)
        painter.setPen(colour)
        title_rect = QRect(rect.left(), rect.top(), rect.width(), title_metrics.height())
        painter.drawText(title_rect, SINGLE_LINE, elided)
        self._paint_details(painter, opt, rect, index, dim, title_rect.bottom() + 1 + GAP)

    def _paint_details(
        self,
        painter: QPainter,
        opt: QStyleOptionViewItem,
        rect: QRect,
        index: QModelIndex | QPersistentModelIndex,
        colour: QColor,
        top: int,
    ) -> None:
        """Duration and status at the left; live progress at the right, above the bar's end.

        In a narrow panel the left part is elided first: "42% · 1:10 left" matters more.
        """
        font = _details_font(opt.font)
        metrics = QFontMetrics(font)
        episode = index.data(LibraryModel.EpisodeRole)
        if not isinstance(episode, Episode):
            return
        left, right = details_parts(episode, index.data(LibraryModel.ProgressRole))
        line = QRect(rect.left(), top, rect.width(), metrics.height())
        painter.setFont(font)
        painter.setPen(colour)
        right = metrics.elidedText(right, Qt.TextElideMode.ElideRight, line.width())
        gap = metrics.averageCharWidth() * 2 if right else 0
        right_width = metrics.horizontalAdvance(right) + gap
        left = metrics.elidedText(left, Qt.TextElideMode.ElideRight, line.width() - right_width)
        painter.drawText(line, SINGLE_LINE, left)
        if right:
            painter.drawText(line, SINGLE_LINE_RIGHT, right)

    def _paint_bar(
        self,
        painter: QPainter,
        rect: QRect,
        progress: Progress,
        palette: QPalette,
        group: QPalette.ColorGroup,
        selected: bool,
    ) -> None:
        left = rect.left() + PAD + MARK + ICON + PAD
        track = QRect(left, rect.bottom() - PAD - BAR + 2, rect.right() - PAD - left, BAR)
        if track.width() <= 0:
            return
        role = QPalette.ColorRole
        fill_colour = palette.color(group, role.HighlightedText if selected else role.Highlight)
        base = palette.color(group, role.Highlight if selected else role.Base)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(blend(base, fill_colour, 0.25))
        painter.drawRoundedRect(track, BAR / 2, BAR / 2)
        done = QRect(track)
        done.setWidth(round(track.width() * max(0.0, min(1.0, progress.fraction))))
        if done.width() > 0:
            painter.setBrush(fill_colour)
            painter.drawRoundedRect(done, BAR / 2, BAR / 2)
