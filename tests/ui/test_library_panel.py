"""The library panel: episode rows, live progress, activation, and the empty state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from desktop.core.model import Episode, EpisodeSource, EpisodeStatus
from desktop.ui.library.delegate import BAR, PAD, LibraryDelegate
from desktop.ui.library.model import LibraryModel, Progress, source_kind, status_text
from desktop.ui.library.panel import LibraryPanel

MARKUP = "<b>x</b> <img src=x> <a href=y>z</a>"


def episode(
    episode_id: int,
    title: str = "",
    status: EpisodeStatus = EpisodeStatus.DONE,
    media_path: str | None = "/media/episode.mp3",
    duration: float | None = 754.0,
    segment_count: int = 10,
) -> Episode:
    return Episode(
        id=episode_id,
        title=title or f"Episode {episode_id}",
        status=status,
        source=EpisodeSource.TRANSCRIBED if media_path else EpisodeSource.IMPORTED,
        created="2026-01-01T00:00:00",
        updated="2026-01-01T00:00:00",
        media_path=media_path,
        duration=duration,
        segment_count=segment_count,
    )


@pytest.fixture
def panel(qtbot) -> LibraryPanel:
    widget = LibraryPanel()
    qtbot.addWidget(widget)
    widget.resize(360, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_empty_state_follows_the_rows(qtbot, panel: LibraryPanel):
    assert panel.is_empty_state_shown()
    assert panel.empty.isVisible() and not panel.list_view.isVisible()
    panel.model.upsert_episode(episode(1))
    assert not panel.is_empty_state_shown()
    assert panel.list_view.isVisible()
    panel.model.remove_episode(1)
    assert panel.is_empty_state_shown()
    panel.set_episodes([episode(2), episode(3)])
    assert not panel.is_empty_state_shown()
    panel.set_episodes([])
    assert panel.is_empty_state_shown()


def test_empty_state_buttons(qtbot, panel: LibraryPanel):
    assert "Ctrl+O" in panel.empty.open_button.toolTip()
    with qtbot.waitSignal(panel.open_requested):
        qtbot.mouseClick(panel.empty.open_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.sample_requested):
        qtbot.mouseClick(panel.empty.sample_button, Qt.MouseButton.LeftButton)


def test_set_progress_changes_one_row(qtbot, panel: LibraryPanel):
    model = panel.model
    panel.set_episodes([episode(3), episode(2, status=EpisodeStatus.TRANSCRIBING), episode(1)])
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row())))
    model.set_progress(2, 0.42, 70.0)
    assert changed == [(1, 1)]
    index = model.index(1, 0)
    assert index.data(LibraryModel.ProgressRole) == Progress(0.42, 70.0)
    assert index.data(LibraryModel.DetailsRole) == "12:34 · Transcribing · 42% · 1:10 left"
    assert model.index(0, 0).data(LibraryModel.ProgressRole) is None
    model.set_progress(2, 0.5, None)
    assert index.data(LibraryModel.DetailsRole) == "12:34 · Transcribing · 50% · estimating…"
    model.set_progress(2, None, None)
    assert changed == [(1, 1)] * 3
    assert index.data(LibraryModel.ProgressRole) is None
    assert index.data(LibraryModel.DetailsRole) == "12:34 · Unfinished"


def test_upsert_updates_in_place_or_inserts_at_top(qtbot, panel: LibraryPanel):
    model = panel.model
    panel.set_episodes([episode(2), episode(1)])
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.upsert_episode(episode(1, title="Renamed"))
    assert blocker.args[0].row() == 1
    assert model.rowCount() == 2
    assert model.episode_at(1).title == "Renamed"
    with qtbot.waitSignal(model.rowsInserted):
        model.upsert_episode(episode(7, title="Newest"))
    assert [model.episode_at(r).id for r in range(3)] == [7, 2, 1]
    assert model.row_of(7) == 0 and model.row_of(99) == -1
    model.remove_episode(2)
    assert [model.episode_at(r).id for r in range(2)] == [7, 1]


def _row_centre(panel: LibraryPanel, row: int) -> QPoint:
    return panel.list_view.visualRect(panel.model.index(row, 0)).center()


def test_double_click_and_enter_activate(qtbot, panel: LibraryPanel):
    panel.set_episodes([episode(5), episode(4), episode(3)])
    viewport = panel.list_view.viewport()
    centre = _row_centre(panel, 1)
    # A real double-click arrives as press, release, double-click, release; QTest's
    # mouseDClick sends only the double-click event, so the first click goes before it.
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    with qtbot.waitSignal(panel.episode_activated) as blocker:
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [4]
    panel.list_view.setFocus()
    panel.list_view.setCurrentIndex(panel.model.index(2, 0))
    with qtbot.waitSignal(panel.episode_activated) as blocker:
        qtbot.keyClick(panel.list_view, Qt.Key.Key_Return)
    assert blocker.args == [3]


def test_set_current_selects_and_marks(qtbot, panel: LibraryPanel):
    panel.set_episodes([episode(5), episode(4), episode(3)])
    panel.set_current(3)
    assert panel.list_view.currentIndex().row() == 2
    assert panel.list_view.selectionModel().isSelected(panel.model.index(2, 0))
    assert panel.model.index(2, 0).data(LibraryModel.CurrentRole) is True
    panel.set_episodes([episode(9), episode(5), episode(4), episode(3)])  # a refresh keeps it
    assert panel.list_view.currentIndex().row() == 3
    panel.set_current(None)
    assert not panel.list_view.selectionModel().hasSelection()
    assert not any(panel.model.index(r, 0).data(LibraryModel.CurrentRole) for r in range(4))


def test_status_kind_and_tooltip():
    done = episode(1)
    assert status_text(done, None) == ""
    assert status_text(episode(2, status=EpisodeStatus.TRANSCRIBING), None) == "Unfinished"
    assert status_text(episode(2, status=EpisodeStatus.TRANSCRIBING), Progress(0.1, None)) == (
        "Transcribing"
    )
    assert status_text(episode(3, status=EpisodeStatus.FAILED, segment_count=0), None) == "Failed"
    assert status_text(episode(3, status=EpisodeStatus.FAILED, segment_count=5), None) == (
        "Unfinished"
    )
    assert source_kind(episode(1, media_path="/a/b.MKV")) == "video"
    assert source_kind(episode(1, media_path="/a/b.m4a")) == "audio"
    assert source_kind(episode(1, media_path=None)) == "transcript"
    model = LibraryModel()
    model.set_episodes([episode(1, title=MARKUP, duration=3725.0)])
    index = model.index(0, 0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == MARKUP
    assert index.data(LibraryModel.DetailsRole) == "1:02:05"
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;x&lt;/b&gt;" in tooltip and "<b>x</b>" not in tooltip
    assert "/media/episode.mp3" in tooltip


def _paint_row(panel: LibraryPanel, row: int, width: int) -> QImage:
    """Paint one row through the real delegate into an image."""
    view = panel.list_view
    index = panel.model.index(row, 0)
    option = QStyleOptionViewItem()
    option.initFrom(view.viewport())
    option.widget = view
    option.font = view.font()
    delegate = view.itemDelegate()
    assert isinstance(delegate, LibraryDelegate)
    height = delegate.sizeHint(option, index).height()
    option.rect = QRect(0, 0, width, height)
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    return image


def _dark_pixels(image: QImage) -> set[int]:
    """Columns that hold dark (text-coloured) pixels."""
    return {
        x
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).lightness() < 100
    }


def test_delegate_paints_markup_title_as_plain_text(panel: LibraryPanel):
    """A title with tags is drawn character for character: as wide as its plain text."""
    panel.set_episodes([episode(1, title=MARKUP), episode(2, title="x")])
    literal = _dark_pixels(_paint_row(panel, 0, 1200))
    short_title = _dark_pixels(_paint_row(panel, 1, 1200))
    # Rendered as HTML the title would be about "x z" wide; literally it is far wider.
    assert max(literal) - max(short_title) > 150


def test_progress_bar_is_painted_only_with_progress(panel: LibraryPanel):
    panel.set_episodes([episode(1, status=EpisodeStatus.TRANSCRIBING)])
    before = _paint_row(panel, 0, 400)
    panel.model.set_progress(1, 0.5, 30.0)
    after = _paint_row(panel, 0, 400)
    bottom = before.height() - 1 - PAD - BAR // 2  # the bar sits in the bottom padding
    colours_before = {before.pixelColor(x, bottom).name() for x in range(60, 390)}
    colours_after = {after.pixelColor(x, bottom).name() for x in range(60, 390)}
    assert len(colours_before) == 1  # plain background
    assert len(colours_after) > 1  # track and fill


def test_a_row_names_the_episodes_language() -> None:
    from desktop.ui.library.model import details_text

    def episode(language: str | None) -> Episode:
        return Episode(
            id=1, title="Folge 12", source=EpisodeSource.TRANSCRIBED,
            status=EpisodeStatus.DONE, created="2026-12-07", updated="2026-12-07",
            duration=754.0, language=language,
        )  # fmt: skip

    assert details_text(episode("de"), None) == "12:34 · German"
    assert details_text(episode("ja"), None) == "12:34 · Japanese"
    assert details_text(episode(None), None) == "12:34"
