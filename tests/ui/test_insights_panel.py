"""The insights panel: real payloads shown literally, seeking on a time click, regeneration."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar

from desktop.core.importers import load_transcript
from desktop.core.insights.engine import InsightInput
from desktop.core.insights.extractive import ExtractiveEngine
from desktop.core.insights.payload import Insights, KeyInsight, QuestionAnswer, Takeaway
from desktop.core.model import Note
from desktop.core.timecode import short
from desktop.ui.insights.panel import PLACEHOLDER, InsightsPanel

VTT = Path(__file__).resolve().parents[1] / "data" / "importers" / "9EN_HoEk3KY.vtt"
MARKUP = "<b>x</b> <img src=x> <a href=y>z</a>"


@pytest.fixture(scope="module")
def real_insights() -> Insights:
    transcript = load_transcript(VTT)
    return ExtractiveEngine().generate(InsightInput(transcript.title or "", transcript.segments))


@pytest.fixture
def panel(qtbot) -> InsightsPanel:
    widget = InsightsPanel()
    qtbot.addWidget(widget)
    widget.resize(400, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _markup_payload(engine: str = "openai", model: str | None = "llama3.1") -> Insights:
    return Insights(
        tldr=f"tldr {MARKUP}",
        summary=f"summary {MARKUP}",
        engine=engine,
        model=model,
        key_insights=[KeyInsight("💡", f"title {MARKUP}", f"text {MARKUP}", 12.0)],
        qa=[QuestionAnswer(f"question {MARKUP}", f"answer {MARKUP}", 75.5)],
        takeaways=[Takeaway(f"takeaway {MARKUP}", 3725.0)],
    )


def test_real_payload_fills_all_five_sections(panel: InsightsPanel, real_insights: Insights):
    assert real_insights.key_insights and real_insights.qa and real_insights.takeaways
    panel.set_insights(real_insights)
    texts = panel.section_texts()
    assert texts["tldr"] == [real_insights.tldr]
    assert texts["summary"] == [real_insights.summary]
    expected_insights = [
        t for k in real_insights.key_insights for t in (k.emoji, k.title, k.text) if t
    ]
    assert texts["key_insights"] == expected_insights
    assert texts["qa"] == [t for q in real_insights.qa for t in (q.question, q.answer)]
    assert texts["takeaways"] == [t.text for t in real_insights.takeaways]
    for section in panel.sections.values():
        assert section.isVisible()
    assert panel.engine_label.text() == "Extracted from the transcript"
    assert "AI" not in panel.engine_label.text()


def test_time_buttons_show_times_and_seek(qtbot, panel: InsightsPanel, real_insights: Insights):
    panel.set_insights(real_insights)
    buttons = panel.item_buttons()
    starts = (
        [k.start for k in real_insights.key_insights]
        + [q.start for q in real_insights.qa]
        + [t.start for t in real_insights.takeaways]
    )
    assert [start for start, _ in buttons] == starts
    for start, button in buttons:
        assert button.text() == short(start)
    # Click the last one (scrolled into view first) and one in the middle.
    for start, button in (buttons[-1], buttons[len(buttons) // 2]):
        panel.scroll.ensureWidgetVisible(button)
        with qtbot.waitSignal(panel.seek_requested) as blocker:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert blocker.args == [start]


def test_markup_in_payload_shows_literally(panel: InsightsPanel):
    payload = _markup_payload()
    panel.set_insights(payload)
    raw = {
        payload.tldr,
        payload.summary,
        payload.key_insights[0].title,
        payload.key_insights[0].text,
        payload.qa[0].question,
        payload.qa[0].answer,
        payload.takeaways[0].text,
    }
    labels = {label.text(): label for label in panel.findChildren(QLabel)}
    for text in raw:
        assert text in labels, text
        assert labels[text].textFormat() == Qt.TextFormat.PlainText
    title = payload.key_insights[0].title
    names = [b.accessibleName() for _, b in panel.item_buttons()]
    assert f"Key insight at 0:12: {title}" in names
    assert [b.text() for _, b in panel.item_buttons()] == ["0:12", "1:15", "1:02:05"]


def test_engine_label_names_the_model(panel: InsightsPanel):
    panel.set_insights(_markup_payload(engine="openai", model="llama3.1"))
    assert panel.engine_label.text() == "Written by llama3.1 on your server"
    panel.set_insights(_markup_payload(engine="extractive", model=None))
    assert panel.engine_label.text() == "Extracted from the transcript"


def test_empty_sections_are_hidden(panel: InsightsPanel):
    panel.set_insights(Insights(tldr="Only this.", summary="", engine="extractive"))
    assert panel.section_texts() == {
        "tldr": ["Only this."],
        "key_insights": [],
        "qa": [],
        "summary": [],
        "takeaways": [],
    }
    assert panel.sections["tldr"].isVisible()
    assert not panel.sections["summary"].isVisible()
    assert panel.item_buttons() == []


def test_busy_shows_progress_and_disables_regenerate(qtbot, panel: InsightsPanel):
    bar = panel.findChild(QProgressBar)
    assert not bar.isVisible()
    panel.set_busy("Making insights… 40%", 0.4)
    assert bar.isVisible() and bar.maximum() > 0
    assert bar.value() == round(0.4 * bar.maximum())
    assert panel.busy_row.label.text() == "Making insights… 40%"
    assert not panel.regenerate_button.isEnabled()
    panel.set_busy("Asking the server…")
    assert bar.minimum() == bar.maximum() == 0  # busy indicator
    with qtbot.waitSignal(panel.cancel_requested):
        qtbot.mouseClick(panel.busy_row.cancel_button, Qt.MouseButton.LeftButton)
    panel.set_busy(None)
    assert not bar.isVisible()
    assert panel.regenerate_button.isEnabled()


def test_regenerate_offers_the_llms_only_when_set_up(qtbot, panel: InsightsPanel):
    panel.set_insights(_markup_payload(engine="extractive"))
    assert panel.regenerate_button.menu() is None
    with qtbot.waitSignal(panel.regenerate_requested) as blocker:
        qtbot.mouseClick(panel.regenerate_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["extractive"]

    panel.set_engines(
        [
            ("extractive", "Extract"),
            ("openai", "Ask llama3.1 (your server)"),
            ("local", "Ask qwen.gguf on this computer"),
        ]
    )
    menu = panel.regenerate_button.menu()
    assert [a.text() for a in menu.actions()] == [
        "Extract from the transcript",
        "Ask llama3.1 (your server)",
        "Ask qwen.gguf on this computer",
    ]
    for action, engine in zip(menu.actions(), ("extractive", "openai", "local"), strict=True):
        with qtbot.waitSignal(panel.regenerate_requested) as blocker:
            action.trigger()
        assert blocker.args == [engine]

    panel.set_engines([("extractive", "Extract")])
    assert panel.regenerate_button.menu() is None


def _generated(**changes) -> Insights:
    payload = {
        "tldr": "Paper helps thinking.",
        "summary": "Why notebooks beat apps.",
        "engine": "local",
        "model": "qwen2.5-1.5b-instruct-q4_k_m.gguf",
        "key_insights": [
            {
                "emoji": "📓",
                "title": "Deciding first",
                "text": "Paper makes you decide what matters.",
                "start": 36.3,
                "end": 42.5,
                "quote": "Paper forced me to decide what mattered",
            }
        ],
        "dropped": 2,
    } | changes
    return Insights.from_dict(payload)


def test_a_generated_item_shows_its_quote_and_plays_it(qtbot, panel: InsightsPanel):
    panel.set_insights(_generated())
    assert panel.engine_label.text() == (
        "Written by qwen2.5-1.5b-instruct-q4_k_m.gguf on this computer; every item quotes "
        "the transcript (2 items left out: quotes not in the transcript)"
    )
    (item,) = panel.sections["key_insights"].items()
    assert item.toolTip() == (
        "The transcript says: “Paper forced me to decide what mattered” (0:36–0:42)"
    )
    assert item.time_button.toolTip() == "Play the quoted passage from 0:36"
    with qtbot.waitSignal(panel.play_requested) as played:
        qtbot.mouseClick(item.time_button, Qt.MouseButton.LeftButton)
    assert played.args == [36.3]


def test_sections_written_so_far_replace_the_stored_ones(panel: InsightsPanel):
    stored = _markup_payload(engine="extractive")
    panel.set_insights(stored)
    before = panel.section_texts()

    panel.set_busy("Making insights…", 0.4)
    panel.show_partial(_generated(key_insights=[], summary="", dropped=0))

    texts = panel.section_texts()
    assert texts["tldr"] == ["Paper helps thinking."]  # written: replaced
    assert texts["key_insights"] == before["key_insights"]  # not yet: the stored ones
    assert texts["qa"] == before["qa"] and texts["takeaways"] == before["takeaways"]
    assert panel.engine_label.text().endswith("still writing…")

    panel.set_busy(None)  # the run was cancelled: the stored payload comes back whole
    assert panel.section_texts() == before
    assert not panel.engine_label.text().endswith("still writing…")


def test_notice_shows_wraps_and_dismisses(qtbot, panel: InsightsPanel):
    text = "The server did not answer (timed out); showing extracted insights instead."
    panel.set_notice(text)
    assert panel.notice.isVisible()
    assert panel.notice.label.text() == text and panel.notice.label.wordWrap()
    qtbot.mouseClick(panel.notice.close_button, Qt.MouseButton.LeftButton)
    assert not panel.notice.isVisible()
    panel.set_notice(text)
    panel.set_notice(None)
    assert not panel.notice.isVisible()


def test_none_shows_placeholder(panel: InsightsPanel, real_insights: Insights):
    panel.set_insights(real_insights)
    assert panel.pages.currentWidget() is panel.scroll
    panel.set_insights(None)
    assert panel.pages.currentWidget() is panel.placeholder
    assert panel.placeholder.isVisible() and panel.placeholder.text() == PLACEHOLDER
    assert panel.item_buttons() == []
    assert all(not texts for texts in panel.section_texts().values())


def test_wrapped_labels_fit_the_viewport(qtbot, panel: InsightsPanel, real_insights: Insights):
    panel.set_insights(real_insights)
    for width in (300, 500):
        panel.resize(width, 600)
        qtbot.wait(10)  # let the layouts settle
        viewport = panel.scroll.viewport().width()
        content = panel.scroll.widget()
        assert content.width() <= viewport
        for label in content.findChildren(QLabel):
            if label.isVisible() and label.wordWrap():
                right = label.mapTo(content, label.rect().topRight()).x()
                assert right <= viewport, label.text()
                # Tall enough for its wrapped text: nothing cut off at the bottom.
                assert label.height() >= label.heightForWidth(label.width())


def test_unchanged_notes_keep_their_widgets(panel: InsightsPanel):
    """Adding, editing or deleting one note rebuilds only that note's row (a few hundred
    rebuilt rows froze the window for most of a second)."""
    notes = [Note(i, 1, f"note {i}", "2026-12-02", None, float(i)) for i in range(1, 6)]
    panel.set_notes(notes)
    before = {w.note.id: w for w in panel.note_widgets()}

    edited = Note(3, 1, "note 3, corrected", "2026-12-02", None, 3.0)
    added = Note(9, 1, "a new note", "2026-12-02", None, 2.5)
    changed = [notes[0], notes[1], added, edited, notes[4]]  # note 4 deleted
    panel.set_notes(changed)

    after = panel.note_widgets()
    assert [w.note for w in after] == changed  # in the order given
    assert [w.text_label.text() for w in after][2:4] == ["a new note", "note 3, corrected"]
    for widget in after:
        reused = widget is before.get(widget.note.id)
        assert reused == (widget.note.id in (1, 2, 5)), widget.note
    assert before[4].parent() is None  # the deleted note's row left the panel
