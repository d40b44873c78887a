"""From a key, a click or a menu to a stored note or correction, and one undo step.

The window hands its panes and its undo stack to `NotesController`; the controller asks
the user (a dialog, the in-place editor), has the Session store the change, and pushes a
command that can take it back. The panes hear of every change, whoever made it (this
controller, an undo, a redo), through the Session's signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu

from desktop.core.model import Note
from desktop.core.timecode import short
from desktop.ui.notes.dialogs import NoteDialog, RenameSpeakerDialog
from desktop.ui.undo import (
    AddNoteCommand,
    DeleteNoteCommand,
    EditNoteCommand,
    EditSegmentCommand,
    RenameSpeakerCommand,
    SessionCommand,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from desktop.ui.main_window import MainWindow

STATUS_MS = 8000


class NotesController(QObject):
    """Notes (add at the reading position or on a row, edit, delete), in-place corrections
    and speaker renames of the open episode, each one undoable."""

    def __init__(self, window: MainWindow, stack: QUndoStack) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.stack = stack
        self.dialog: QDialog | None = None  # the note or rename dialog while it is open
        self.menu: QMenu | None = None  # the last row menu
        session, transcript = self.session, window.transcript
        session.notes_changed.connect(transcript.set_notes)
        session.notes_changed.connect(window.insights.set_notes)
        session.segments_changed.connect(transcript.replace_segments)
        session.segments_changed.connect(lambda _rows: window.find_bar.refresh())
        session.speaker_changed.connect(transcript.set_speaker)
        transcript.segment_edit_requested.connect(self.save_segment)
        transcript.row_menu_requested.connect(self.show_row_menu)
        window.insights.note_edit_requested.connect(self.edit_note)
        window.insights.note_delete_requested.connect(self.delete_note)

    # --- notes ------------------------------------------------------------------------------

    def add_note_at_position(self) -> None:
        """Add Note… (N): a note at the moment being heard, or read.

        Without media the reader may have selected another row since the last time they
        clicked: then the note goes on that row.
        """
        at = max(0.0, self.window.reading_position)
        row = self.window.transcript.model().row_at_time(at)
        selected = self.window.transcript.list_view.currentIndex()
        if not self.window.player.has_media() and selected.isValid() and selected.row() != row:
            self.add_note_on_row(selected.row())
            return
        self._ask_new_note(at, None, row)

    def add_note_on_row(self, row: int) -> None:
        """Add Note Here… (a row's menu): a note on that segment, at its start."""
        model = self.window.transcript.model()
        if 0 <= row < model.rowCount():
            self._ask_new_note(model.segment(row).start, row, row)

    def edit_note(self, note_id: int) -> None:
        note = self._note(note_id)
        if note is None:
            return
        when = f"Note at {short(note.time)}" if note.time is not None else "Note"
        dialog = NoteDialog(self.window, title="Edit Note", heading=when, text=note.text)
        dialog.accepted.connect(lambda: self._save_note_text(note, dialog.text()))
        self._open(dialog)

    def delete_note(self, note_id: int) -> None:
        note = self.session.delete_note(note_id)
        if note is not None:
            self.stack.push(DeleteNoteCommand(self.session, note))
            self._status("Note deleted. Edit ▸ Undo brings it back.")

    def _ask_new_note(self, at: float, segment_idx: int | None, row: int) -> None:
        current = self.session.current
        if current is None:
            return
        model = self.window.transcript.model()
        context = model.segment(row).text if 0 <= row < model.rowCount() else ""
        dialog = NoteDialog(
            self.window, title="Add Note", heading=f"Note at {short(at)}", context=context
        )
        dialog.accepted.connect(
            lambda: self._store_note(current.id, dialog.text(), at, segment_idx)
        )
        self._open(dialog)

    def _store_note(self, episode_id: int, text: str, at: float, segment_idx: int | None) -> None:
        note = self.session.add_note(episode_id, text, at=at, segment_idx=segment_idx)
        if note is not None:
            self.stack.push(AddNoteCommand(self.session, note))
            self.window.insights.show_note(note.id)

    def _save_note_text(self, note: Note, text: str) -> None:
        if text == note.text:
            return
        changed = self.session.edit_note(note.id, text)
        if changed is not None:
            self.stack.push(EditNoteCommand(self.session, *changed))
            self.window.insights.show_note(note.id)

    def _note(self, note_id: int) -> Note | None:
        return next((n for n in self.window.transcript.model().notes() if n.id == note_id), None)

    # --- corrections ------------------------------------------------------------------------

    def edit_current_segment(self) -> None:
        """F2: edit the selected row, else the one playing, else the one at the reading
        position."""
        transcript = self.window.transcript
        model = transcript.model()
        index = transcript.list_view.currentIndex()
        if index.isValid():
            row = index.row()
        elif model.current_row() >= 0:
            row = model.current_row()
        else:
            row = max(model.row_at_time(self.window.reading_position), 0)
        transcript.edit_row(row)

    def save_segment(self, row: int, text: str) -> None:
        """The in-place editor's text: stored, and one undo step."""
        current = self.session.current
        if current is None:
            return
        changed = self.session.edit_segment(current.id, row, text)
        if changed is not None and changed[1] is not changed[0]:
            before, after = changed
            self.stack.push(EditSegmentCommand(self.session, current.id, row, before, after))

    def rename_speaker(self, row: int) -> None:
        current = self.session.current
        model = self.window.transcript.model()
        if current is None or not 0 <= row < model.rowCount():
            return
        old = model.segment(row).speaker
        if not old:
            return
        count = len(self.session.speaker_segments(current.id, old))
        dialog = RenameSpeakerDialog(self.window, old, count)
        dialog.accepted.connect(lambda: self._store_speaker(current.id, old, dialog.name()))
        self._open(dialog)

    def _store_speaker(self, episode_id: int, old: str, new: str) -> None:
        indices = self.session.rename_speaker(episode_id, old, new)
        if indices:
            self.stack.push(RenameSpeakerCommand(self.session, episode_id, old, new, indices))

    # --- the row menu -----------------------------------------------------------------------

    def row_menu(self, row: int) -> QMenu:
        """What a right-click on a row offers."""
        model = self.window.transcript.model()
        segment = model.segment(row)
        menu = QMenu(self.window)
        menu.setAccessibleName("Segment")
        play = menu.addAction(f"Play From {short(segment.start)}")
        play.triggered.connect(lambda: self.window.seek(segment.start))
        menu.addSeparator()
        add = menu.addAction("Add Note Here…")
        add.triggered.connect(lambda: self.add_note_on_row(row))
        keys = (
            self.window.actions_by_name["edit_segment"]
            .shortcut()
            .toString(QKeySequence.SequenceFormat.NativeText)
        )
        edit = menu.addAction(f"Edit Text\t{keys}")  # shown, not a second F2 shortcut
        edit.triggered.connect(lambda: self.window.transcript.edit_row(row))
        if segment.speaker:
            # The name is data: "&" in it is a character, not a mnemonic.
            name = segment.speaker.replace("&", "&&")
            rename = menu.addAction(f"Rename Speaker “{name}”…")
            rename.triggered.connect(lambda: self.rename_speaker(row))
        for note in model.data(model.index(row, 0), model.NotesRole):
            menu.addSeparator()
            label = " ".join(note.text.split())
            label = label if len(label) <= 40 else label[:39].rstrip() + "…"
            edit_note = menu.addAction(f"Edit Note “{label.replace('&', '&&')}”…")
            edit_note.triggered.connect(lambda _=False, n=note.id: self.edit_note(n))
        return menu

    def show_row_menu(self, row: int, pos: QPoint) -> None:
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = self.row_menu(row)
        self.menu.popup(pos)

    # --- undo and redo ----------------------------------------------------------------------

    def undo(self) -> None:
        self._step(self.stack.index() - 1, self.stack.undo, "Undone")

    def redo(self) -> None:
        self._step(self.stack.index(), self.stack.redo, "Redone")

    def _step(self, index: int, move: Callable[[], None], done: str) -> None:
        command = self.stack.command(index) if 0 <= index < self.stack.count() else None
        # Read before the step: a step that fails is dropped (and deleted) by the stack.
        episode_id = command.episode_id if isinstance(command, SessionCommand) else None
        text = command.text() if command is not None else ""
        count = self.stack.count()
        move()
        if self.stack.count() < count:
            done = f"Not {done.lower()}"  # the step failed; the banner says why
        # A step in an episode that is not open changes nothing in view: say where it was.
        current = self.session.current
        if episode_id is not None and (current is None or current.id != episode_id):
            self._status(f"{done} in “{self._title(episode_id)}”: {text}")

    def _title(self, episode_id: int) -> str:
        return next(
            (e.title for e in self.session.episodes() if e.id == episode_id),
            f"episode {episode_id}",
        )

    # --- helpers ----------------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)
