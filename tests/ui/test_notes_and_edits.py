"""Notes and corrections in the real window: add, edit, delete, correct in place, rename a
speaker, undo and redo (also across an episode switch), and what a restart finds."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QHelpEvent
from PySide6.QtWidgets import QApplication, QMenu, QToolTip

from desktop.cli.main import main
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.search import search
from desktop.core.store import Library
from desktop.core.timecode import hms, short
from desktop.services import editing
from desktop.services.exporting import export_text
from desktop.ui.insights.items import NoteWidget
from desktop.ui.notes.dialogs import NoteDialog, RenameSpeakerDialog
from desktop.ui.transcript.editor import SegmentEditor
from desktop.ui.transcript.model import word_ranges
from tests.ui.test_window import CORPUS_VTT

HOSTILE = '<b>bold</b> & <i>it</i> <a href="x">link</a>'


# --- driving the window -----------------------------------------------------------------------


def roomy(qtbot, window) -> None:
    """A window the size of a desktop's, so rows are wide enough to point at."""
    window.resize(1280, 800)
    window.main_split.setSizes([260, 640, 380])
    qtbot.waitUntil(lambda: window.transcript.list_view.viewport().width() > 400)


def open_corpus(qtbot, window) -> int:
    """Import the corpus transcript (900+ rows, two speakers); its episode id."""
    roomy(qtbot, window)
    window.open_paths([CORPUS_VTT])
    qtbot.waitUntil(lambda: window.transcript.model().rowCount() > 900, timeout=20_000)
    laid_out(qtbot, window)
    return window.session.current.id


def laid_out(qtbot, window) -> None:
    """Wait for the batched layout to reach the last row (positions are final then)."""
    view, model = window.transcript.list_view, model_of(window)
    qtbot.waitUntil(lambda: view.visualRect(model.index(model.rowCount() - 1, 0)).isValid())


def model_of(window):
    return window.transcript.model()


def note_dialog(window) -> NoteDialog:
    dialog = window.notes.dialog
    assert isinstance(dialog, NoteDialog) and dialog.isVisible()
    return dialog


def write_note(qtbot, window, text: str) -> None:
    """Type into the open note dialog and press Save."""
    dialog = note_dialog(window)
    dialog.editor.selectAll()
    qtbot.keyClicks(dialog.editor, text)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert window.notes.dialog is None


def press_n(qtbot, window) -> None:
    window.transcript.list_view.setFocus()
    qtbot.keyClick(window.transcript.list_view, Qt.Key.Key_N)


def open_editor(qtbot, window, row: int) -> SegmentEditor:
    """Select a row and press F2, as a user would."""
    view = window.transcript.list_view
    view.setCurrentIndex(model_of(window).index(row, 0))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = window.transcript.editor()
    assert isinstance(editor, SegmentEditor) and editor.isVisible()
    return editor


def correct(qtbot, window, row: int, text: str) -> None:
    editor = open_editor(qtbot, window, row)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.transcript.editor() is None


def row_menu(qtbot, window, row: int) -> QMenu:
    """Right-click the row's text: the menu the window pops up."""
    view = window.transcript.list_view
    index = model_of(window).index(row, 0)
    view.scrollTo(index)
    qtbot.waitUntil(lambda: view.indexAt(view.visualRect(index).center()) == index)
    rect = view.visualRect(index)
    pos = QPoint(rect.right() - 20, rect.center().y())
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    menu = window.notes.menu
    assert menu is not None
    return menu


def menu_action(menu: QMenu, starts: str):
    found = [a for a in menu.actions() if a.text().startswith(starts)]
    assert found, [a.text() for a in menu.actions()]
    return found[0]


def speaker_row(window, speaker: str) -> int:
    model = model_of(window)
    return next(r for r in range(model.rowCount()) if model.segment(r).speaker == speaker)


# --- tests ------------------------------------------------------------------------------------


def test_notes_and_a_correction_persist_are_searchable_and_exported(
    qtbot, make_window, tmp_path: Path
) -> None:
    library_path = tmp_path / "library.sqlite3"
    window = make_window(library_path)
    episode_id = open_corpus(qtbot, window)
    model = model_of(window)

    # N: a note at the reading position, shown at once in the panel and beside its row.
    window.seek(95.0)
    press_n(qtbot, window)
    assert note_dialog(window).heading.text() == f"Note at {short(95.0)}"
    write_note(qtbot, window, "Remember the reward")
    [widget] = window.insights.note_widgets()
    assert widget.texts() == ["Remember the reward"]
    assert widget.time_button is not None and widget.time_button.text() == short(95.0)
    noted_row = model.row_at_time(95.0)
    assert [n.text for n in model.data(model.index(noted_row, 0), model.NotesRole)] == [
        "Remember the reward"
    ]

    # The row's menu: a note on that segment, at its start.
    other_row = 40
    menu_action(row_menu(qtbot, window, other_row), "Add Note Here").trigger()
    write_note(qtbot, window, "Throwaway")
    assert len(window.insights.note_widgets()) == 2
    on_row = model.data(model.index(other_row, 0), model.NotesRole)
    assert [n.segment_idx for n in on_row] == [other_row]
    assert on_row[0].time == model.segment(other_row).start

    # Edit… and Delete in the Notes section.
    first = next(w for w in window.insights.note_widgets() if w.note.text.startswith("Remember"))
    qtbot.mouseClick(first.edit_button, Qt.MouseButton.LeftButton)
    assert note_dialog(window).editor.toPlainText() == "Remember the reward"
    write_note(qtbot, window, "Remember the reward signal")
    assert sorted(w.texts() for w in window.insights.note_widgets()) == [
        ["Remember the reward signal"],
        ["Throwaway"],
    ]
    throwaway = next(w for w in window.insights.note_widgets() if w.texts() == ["Throwaway"])
    qtbot.mouseClick(throwaway.delete_button, Qt.MouseButton.LeftButton)
    assert [w.texts() for w in window.insights.note_widgets()] == [["Remember the reward signal"]]
    assert model.data(model.index(other_row, 0), model.NotesRole) == []

    # A correction in place: the row changes at once and is marked edited.
    row = 12
    correct(qtbot, window, row, "Zanzibarian gradients are surprisingly effective")
    assert model.segment(row).text == "Zanzibarian gradients are surprisingly effective"
    assert model.segment(row).edited
    assert window.transcript.delegate().layout_text(model.index(row, 0)).endswith("(edited)")

    # Another window on the same library (a restart) finds all of it.
    again = make_window(library_path)
    roomy(qtbot, again)
    assert again.session.open_episode(episode_id)
    assert [w.texts() for w in again.insights.note_widgets()] == [["Remember the reward signal"]]
    stored = model_of(again).segment(row)
    assert stored.text == "Zanzibarian gradients are surprisingly effective" and stored.edited
    hits = search(again.session.library.conn, "Zanzibarian")
    assert [(h.episode_id, h.segment_idx, h.note_id) for h in hits] == [(episode_id, row, None)]
    assert search(again.session.library.conn, "signal")[0].note_id is not None
    markdown = export_text(again.session.library, episode_id, "md")
    assert f"[{hms(95.0)}] Remember the reward signal" in markdown
    assert "Throwaway" not in markdown
    assert "Zanzibarian gradients" in markdown


def test_undo_and_redo_of_notes(qtbot, make_window) -> None:
    window = make_window()
    open_corpus(qtbot, window)
    undo, redo = window.actions_by_name["undo"], window.actions_by_name["redo"]
    assert not undo.isEnabled() and not redo.isEnabled()

    window.seek(30.0)
    press_n(qtbot, window)
    write_note(qtbot, window, "First thought")
    [note] = model_of(window).notes()
    assert undo.text() == "&Undo Add Note"
    undo.trigger()
    assert window.insights.note_widgets() == [] and model_of(window).notes() == []
    assert redo.text() == "&Redo Add Note"
    redo.trigger()
    assert model_of(window).notes() == [note]  # the same note, under the same id

    window.notes.edit_note(note.id)
    write_note(qtbot, window, "Second thought")
    assert [w.texts() for w in window.insights.note_widgets()] == [["Second thought"]]
    undo.trigger()
    assert [n.text for n in model_of(window).notes()] == ["First thought"]
    assert [w.texts() for w in window.insights.note_widgets()] == [["First thought"]]
    redo.trigger()
    assert [n.text for n in model_of(window).notes()] == ["Second thought"]
    assert [w.texts() for w in window.insights.note_widgets()] == [["Second thought"]]

    window.notes.delete_note(note.id)
    assert model_of(window).notes() == []
    assert undo.text() == "&Undo Delete Note"
    undo.trigger()
    [back] = model_of(window).notes()
    assert (back.id, back.text, back.time) == (note.id, "Second thought", note.time)
    assert [w.note.id for w in window.insights.note_widgets()] == [note.id]

    # Without media, a row selected since the last click is where the reader is.
    row = 50
    window.transcript.list_view.setCurrentIndex(model_of(window).index(row, 0))
    press_n(qtbot, window)
    start = model_of(window).segment(row).start
    assert note_dialog(window).heading.text() == f"Note at {short(start)}"
    note_dialog(window).reject()
    assert window.notes.dialog is None and len(model_of(window).notes()) == 1


def test_undo_and_redo_of_a_correction_across_an_episode_switch(
    qtbot, make_window, tmp_path: Path
) -> None:
    library_path = tmp_path / "library.sqlite3"
    with Library.open(library_path) as library:
        other = library.create_episode(
            title="Other episode", source=EpisodeSource.IMPORTED, status=EpisodeStatus.DONE
        )
        library.append_segments(other.id, [Segment(0.0, 2.0, "Something else entirely")])
    window = make_window(library_path)
    episode_id = open_corpus(qtbot, window)
    library = window.session.library
    row = 7
    original = model_of(window).segment(row).text

    correct(qtbot, window, row, "A sentence the recogniser misheard, now right")
    undo, redo = window.actions_by_name["undo"], window.actions_by_name["redo"]
    assert undo.text() == f"&Undo Edit Segment {row}"

    # Undo in the open episode: the row changes in place.
    undo.trigger()
    assert model_of(window).segment(row).text == original
    assert not model_of(window).segment(row).edited
    redo.trigger()
    assert model_of(window).segment(row).text == "A sentence the recogniser misheard, now right"

    # Another episode is open: undo writes the library; the window says where.
    assert window.session.open_episode(other.id)
    undo.trigger()
    stored = library.segment(episode_id, row)
    assert stored.text == original and not stored.edited
    assert "Edit Segment" in window.statusBar().currentMessage()
    assert model_of(window).segment(0).text == "Something else entirely"
    assert window.session.open_episode(episode_id)
    assert model_of(window).segment(row).text == original

    assert window.session.open_episode(other.id)
    redo.trigger()
    assert window.session.open_episode(episode_id)
    shown = model_of(window).segment(row)
    assert shown.text == "A sentence the recogniser misheard, now right" and shown.edited
    hits = search(library.conn, "recogniser misheard")
    assert [(h.episode_id, h.segment_idx) for h in hits] == [(episode_id, row)]


def test_rename_a_speaker_for_the_whole_episode_and_undo_exactly(qtbot, make_window) -> None:
    window = make_window()
    episode_id = open_corpus(qtbot, window)
    library = window.session.library

    def speakers_by_row() -> list[str | None]:
        return [s.speaker for s in library.segments(episode_id, words=False)]

    before = speakers_by_row()
    assert {"Speaker 1", "Speaker 2"} <= set(before)
    row = speaker_row(window, "Speaker 2")

    menu_action(row_menu(qtbot, window, row), "Rename Speaker “Speaker 2”").trigger()
    dialog = window.notes.dialog
    assert isinstance(dialog, RenameSpeakerDialog)
    assert dialog.label.text().startswith("New name for “Speaker 2”")
    qtbot.keyClicks(dialog.name_edit, "Ilya <Sutskever>")  # the whole old name was selected
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    renamed = ["Ilya <Sutskever>" if s == "Speaker 2" else s for s in before]
    assert speakers_by_row() == renamed
    model = model_of(window)
    assert [model.segment(r).speaker for r in range(model.rowCount())] == renamed
    undo = window.actions_by_name["undo"]
    assert undo.text() == "&Undo Rename Speaker “Speaker 2”"
    undo.trigger()
    assert speakers_by_row() == before
    assert [model.segment(r).speaker for r in range(model.rowCount())] == before

    # Renaming into a name already used merges the two; undo splits them again exactly.
    window.notes.rename_speaker(speaker_row(window, "Speaker 2"))
    dialog = window.notes.dialog
    qtbot.keyClicks(dialog.name_edit, "Speaker 1")
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    merged = ["Speaker 1" if s == "Speaker 2" else s for s in before]
    assert speakers_by_row() == merged
    undo.trigger()
    assert speakers_by_row() == before
    window.actions_by_name["redo"].trigger()
    assert speakers_by_row() == merged


def test_markup_in_notes_and_corrections_shows_literally(qtbot, make_window) -> None:
    window = make_window()
    open_corpus(qtbot, window)
    model = model_of(window)
    row = 3
    menu_action(row_menu(qtbot, window, row), "Add Note Here").trigger()
    write_note(qtbot, window, HOSTILE)
    [widget] = window.insights.note_widgets()
    assert isinstance(widget, NoteWidget)
    assert widget.text_label.textFormat() == Qt.TextFormat.PlainText
    assert widget.text_label.text() == HOSTILE

    # The marker's tooltip: the note as the characters it is.
    view = window.transcript.list_view
    rect = view.visualRect(model.index(row, 0))
    marker = window.transcript.delegate().marker_rect(model.index(row, 0), rect)
    viewport = view.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, marker.center(), viewport.mapToGlobal(marker.center()))
    QApplication.sendEvent(viewport, event)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;it&lt;/i&gt;" in QToolTip.text()
    assert "<b>bold</b>" not in QToolTip.text()
    QToolTip.hideText()
    # ...and in the row's menu, where "&" would otherwise be a mnemonic.
    assert (
        menu_action(row_menu(qtbot, window, row), "Edit Note")
        .text()
        .startswith("Edit Note “<b>bold</b> && <i>it</i>")
    )
    window.notes.menu.close()

    correct(qtbot, window, row, "<b>not bold</b> <img src=x>")
    assert model.segment(row).text == "<b>not bold</b> <img src=x>"
    layout_text = window.transcript.delegate().layout_text(model.index(row, 0))
    assert layout_text.startswith("<b>not bold</b> <img src=x>")


def test_the_in_place_editor_saves_on_enter_and_cancels_on_escape(qtbot, make_window) -> None:
    window = make_window()
    open_corpus(qtbot, window)
    model = model_of(window)
    row = 5
    original = model.segment(row).text
    undo = window.actions_by_name["undo"]

    # F2 opens it on the current row with the row's text; Esc leaves the row as it was.
    editor = open_editor(qtbot, window, row)
    assert editor.toPlainText() == original
    qtbot.keyClicks(editor, " and more")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.transcript.editor() is None
    assert model.segment(row).text == original and not undo.isEnabled()

    # Keys that are window shortcuts elsewhere (N, F, Space) are typing here; Shift+Enter
    # adds no line break; Enter saves.
    editor = open_editor(qtbot, window, row)
    qtbot.keyClicks(editor, " fine now")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert window.transcript.editor() is editor and "\n" not in editor.toPlainText()
    assert window.notes.dialog is None  # "n" did not add a note
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.transcript.editor() is None
    assert model.segment(row).text == f"{original} fine now"
    assert model.segment(row).edited and undo.isEnabled()

    # Saving the same text again is no change and no undo step.
    correct(qtbot, window, row, f"{original} fine now")
    assert window.undo_stack.count() == 1


def test_double_click_edits_the_text_but_not_the_time(qtbot, make_window) -> None:
    window = make_window()
    open_corpus(qtbot, window)
    model = model_of(window)
    view = window.transcript.list_view
    row = 4
    index = model.index(row, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    delegate = window.transcript.delegate()
    time = delegate.time_rect(index, rect).center()
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=time)
    assert window.transcript.editor() is None
    text_rect = delegate.text_rect(index, rect)
    first_word = QPoint(text_rect.left() + 3, text_rect.top() + 4)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first_word)
    editor = window.transcript.editor()
    assert isinstance(editor, SegmentEditor)
    # The word under the pointer is selected, so typing replaces just that word.
    assert editor.textCursor().selectedText() == model.segment(row).text.split()[0].strip(",.")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)


def test_word_highlight_follows_the_words_an_edit_kept(qtbot, make_window, sample_copy) -> None:
    window = make_window(sample_copy)
    roomy(qtbot, window)
    assert window.session.open_episode(1)
    laid_out(qtbot, window)
    model = model_of(window)
    row = next(r for r in range(model.rowCount()) if len(model.words(r) or []) >= 4)
    words = model.words(row)
    tokens = model.segment(row).text.split()
    tokens[0] = "Replaced"
    correct(qtbot, window, row, " ".join(tokens))
    kept = model.words(row)  # read again through the loader
    assert kept is not None and len(kept) < len(words)
    last = kept[-1]
    assert (last.start, last.end) == (words[-1].start, words[-1].end)
    window.transcript.set_position((last.start + last.end) / 2)
    assert model.current_row() == row
    word = model.current_word()
    assert word == len(kept) - 1
    ranges = word_ranges(model.segment(row).text, kept)
    start, end = ranges[word]
    assert model.segment(row).text[start:end] == last.text.strip()


# --- undo never overwrites what another program wrote since ----------------------------------


def cli(*argv: str) -> None:
    """`earmark ...` in a terminal beside the window (same library, its own connection)."""
    assert main(list(argv)) == 0


def test_undo_and_redo_leave_a_change_made_elsewhere_alone(
    qtbot, make_window, earmark_home: Path
) -> None:
    earmark_home.mkdir(parents=True, exist_ok=True)
    window = make_window(earmark_home / "library.sqlite3")  # the library `earmark` opens
    episode_id = open_corpus(qtbot, window)
    library, model = window.session.library, model_of(window)
    undo, redo = window.actions_by_name["undo"], window.actions_by_name["redo"]
    row = 41
    original = model.segment(row).text

    # The window corrects a row; then the same row is corrected with `earmark edit`.
    correct(qtbot, window, row, "What the window wrote")
    cli("edit", str(episode_id), "--segment", str(row), "--text", "What the terminal wrote")
    undo.trigger()
    assert library.segment(episode_id, row).text == "What the terminal wrote"
    assert window.banner.text() == (
        f"Not undone: segment {row} was changed elsewhere since (by `earmark edit`?)"
    )
    assert model.segment(row).text == "What the terminal wrote"  # the row shows the library
    # The step is gone: nothing left to undo or redo that could write over it later.
    assert not undo.isEnabled() and not redo.isEnabled()
    assert original != "What the terminal wrote"

    # Redo too: undone in the window, then corrected in the terminal.
    other_row = 42
    correct(qtbot, window, other_row, "A window correction")
    undo.trigger()
    cli("edit", str(episode_id), "--segment", str(other_row), "--text", "Terminal again")
    redo.trigger()
    assert library.segment(episode_id, other_row).text == "Terminal again"
    assert window.banner.text().startswith(f"Not redone: segment {other_row} was changed")
    assert not redo.isEnabled()

    # A note edited in the window, then in the terminal: undo keeps the terminal's text.
    window.seek(30.0)
    press_n(qtbot, window)
    write_note(qtbot, window, "First thought")
    [note] = model.notes()
    window.notes.edit_note(note.id)
    write_note(qtbot, window, "Second thought")
    cli("note", "edit", str(note.id), "Third", "thought")
    window.banner.hide()
    undo.trigger()
    assert library.note(note.id).text == "Third thought"
    assert window.banner.text() == (
        "Not undone: the note “Second thought” was changed elsewhere since "
        "(by `earmark note edit`?)"
    )
    assert [n.text for n in model.notes()] == ["Third thought"]
    assert [w.texts() for w in window.insights.note_widgets()] == [["Third thought"]]

    # A note added in the window, edited in the terminal: undoing the add keeps it...
    undo.trigger()  # the Add Note step, below the dropped Edit Note one
    assert [n.text for n in library.notes(episode_id)] == ["Third thought"]
    assert window.banner.text().startswith("Not undone: the note “First thought” was changed")
    assert not undo.isEnabled()

    # ...and a note deleted in the terminal is not brought back by a redo of its edit.
    window.notes.edit_note(note.id)
    write_note(qtbot, window, "Fourth thought")
    undo.trigger()
    assert library.note(note.id).text == "Third thought"
    cli("note", "delete", str(note.id))
    redo.trigger()
    assert library.notes(episode_id) == []
    assert window.banner.text().startswith("Not redone: the note “Third thought” was deleted")
    assert model.notes() == [] and window.insights.note_widgets() == []


def test_undo_of_a_rename_leaves_a_speaker_renamed_elsewhere_alone(
    qtbot, make_window, earmark_home: Path
) -> None:
    earmark_home.mkdir(parents=True, exist_ok=True)
    window = make_window(earmark_home / "library.sqlite3")
    episode_id = open_corpus(qtbot, window)
    library = window.session.library
    window.notes.rename_speaker(speaker_row(window, "Speaker 2"))
    qtbot.keyClicks(window.notes.dialog.name_edit, "Ilya")
    qtbot.mouseClick(window.notes.dialog.rename_button, Qt.MouseButton.LeftButton)
    cli("speaker", "rename", str(episode_id), "Ilya", "Ilya Sutskever")
    window.actions_by_name["undo"].trigger()
    assert "Speaker 2" not in {s.speaker for s in library.segments(episode_id, words=False)}
    assert window.banner.text().startswith("Not undone: segments ")
    assert window.banner.text().endswith(
        "were given another speaker elsewhere since (by `earmark speaker rename`?)"
    )
    model = model_of(window)
    assert [model.segment(r).speaker for r in range(model.rowCount())] == [
        s.speaker for s in library.segments(episode_id, words=False)
    ]


def test_a_rename_and_its_undo_cover_exactly_the_rows_it_renamed(
    qtbot, make_window, monkeypatch
) -> None:
    """Another program gives a row to the speaker just before the rename writes (where the
    window used to read which rows the speaker had): that row is renamed too, so its undo
    must give it back as well."""
    window = make_window()
    episode_id = open_corpus(qtbot, window)
    library = window.session.library
    moved = speaker_row(window, "Speaker 1")
    rename = editing.rename_speaker

    def another_writer_first(*args):
        with Library.open(library.path) as other:
            other.set_speaker(episode_id, [moved], "Speaker 2")
        return rename(*args)

    monkeypatch.setattr(editing, "rename_speaker", another_writer_first)
    window.notes.rename_speaker(speaker_row(window, "Speaker 2"))
    qtbot.keyClicks(window.notes.dialog.name_edit, "Ilya")
    qtbot.mouseClick(window.notes.dialog.rename_button, Qt.MouseButton.LeftButton)
    monkeypatch.setattr(editing, "rename_speaker", rename)
    renamed = [s.speaker for s in library.segments(episode_id, words=False)]
    assert renamed[moved] == "Ilya"
    [step] = [window.undo_stack.command(i) for i in range(window.undo_stack.count())]
    assert step.indices == [i for i, s in enumerate(renamed) if s == "Ilya"]
    model = model_of(window)
    assert [model.segment(r).speaker for r in range(model.rowCount())] == renamed

    window.actions_by_name["undo"].trigger()
    restored = [s.speaker for s in library.segments(episode_id, words=False)]
    assert "Ilya" not in restored
    assert restored[moved] == "Speaker 2"  # as the other program left it before the rename
    assert [model.segment(r).speaker for r in range(model.rowCount())] == restored
