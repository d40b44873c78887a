"""Chapter headings in the transcript view (real widgets, a real transcript): placed by the
Markdown export's rule, correct while rows stream in, and never part of a segment: the
heading band pushes the row's time and text down, clicks on it play nothing, find does
not match its title."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.core.chapters import heading_rows
from desktop.core.importers import load_transcript
from desktop.core.model import Chapter, Segment
from desktop.ui.transcript.delegate import PAD_X, PAD_Y
from desktop.ui.transcript.find import FindBar
from desktop.ui.transcript.view import TranscriptView

VTT = Path(__file__).resolve().parents[1] / "data" / "importers" / "9EN_HoEk3KY.vtt"


@pytest.fixture(scope="module")
def segments() -> list[Segment]:
    return load_transcript(VTT).segments[:60]


@pytest.fixture
def view(qtbot) -> TranscriptView:
    widget = TranscriptView()
    qtbot.addWidget(widget)
    widget.resize(600, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def chapters_for(segments: list[Segment]) -> list[Chapter]:
    """Three chapters: at the start, mid-way into segment 10, and at segment 40's start."""
    mid = segments[10]
    return [
        Chapter(segments[0].start, "Opening"),
        Chapter(mid.start + (mid.end - mid.start) * 0.4, "Zanzibar Middle"),
        Chapter(segments[40].start, "Closing"),
    ]


def test_the_placement_rule_is_the_markdown_exports(segments: list[Segment]) -> None:
    rows = heading_rows(chapters_for(segments), segments)
    # A chapter starting before a segment's middle claims that segment.
    titles = {row: [c.title for c in chapters] for row, chapters in rows.items()}
    assert titles == {0: ["Opening"], 10: ["Zanzibar Middle"], 40: ["Closing"]}
    late = Chapter(segments[10].start + (segments[10].end - segments[10].start) * 0.6, "Late")
    assert list(heading_rows([late], segments)) == [11]


def test_headings_appear_as_rows_stream_in(qtbot, view: TranscriptView, segments) -> None:
    view.set_segments(segments[:5])
    view.set_chapters(chapters_for(segments))
    model = view.model()
    assert model.index(0, 0).data(model.HeadingRole) == ["Opening"]
    for start in range(5, 60, 7):  # a transcription delivering clips
        view.append_segments(segments[start : start + 7])
    headed = {r: model.index(r, 0).data(model.HeadingRole) for r in range(model.rowCount())}
    assert {r: t for r, t in headed.items() if t} == {
        0: ["Opening"], 10: ["Zanzibar Middle"], 40: ["Closing"],
    }  # fmt: skip


def test_a_heading_is_not_part_of_its_segment(qtbot, view: TranscriptView, segments) -> None:
    view.set_segments(segments[:20])
    view.set_chapters(chapters_for(segments))
    index = view.model().index(10, 0)
    layout = view.delegate().layout_for(index)
    assert layout.band > 0 and layout.time_rect.top() == PAD_Y + layout.band
    assert layout.text_layout.text().startswith(segments[10].text[:20])  # no title in it
    view.list_view.scrollTo(index)
    qtbot.wait(50)
    rect = view.list_view.visualRect(index)
    seeks: list[float] = []
    view.seek_requested.connect(seeks.append)
    viewport = view.list_view.viewport()
    band_pos = QPoint(rect.left() + 12, rect.top() + PAD_Y + 4)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=band_pos)
    assert seeks == []  # the heading band plays nothing
    time_pos = QPoint(rect.left() + PAD_X + 4, rect.top() + layout.time_rect.top() + 4)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=time_pos)
    assert seeks == [segments[10].start]

    bar = FindBar(view)
    bar.open_bar()
    bar.edit.setText("Zanzibar")
    bar.search()
    assert view.model().index(10, 0).data(view.model().FindRole) == []
    assert bar.count_label.text() == "No matches"  # the title is not transcript text
