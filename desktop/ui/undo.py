"""Undo and redo of notes and corrections: QUndoCommands over the Session, and the stack.

Each change is made first (through the Session, which calls the services), and only a
change that was made is pushed: so a command's first `redo()` has nothing left to do. A
command keeps what it needs to go both ways (the segment before and after, the note as it
was, the indices a renamed speaker had) and the episode it belongs to, and calls Session
methods, never widgets: undoing an edit of an episode that is no longer open writes the
library, and the episode shows the restored text when it is opened again.

A step writes only over what the change it undoes (or redoes) left in the library: each
command hands the Session the value it expects to find. A row or note that another program
changed since (`earmark edit` in a terminal, a second window) is left alone, and the
window's banner says so ("Not undone: segment 41 was changed elsewhere since").

A step that fails (the row changed elsewhere, the episode was deleted meanwhile) says why
through the Session's message and is dropped from the stack, so Undo moves on to the step
before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from desktop.core.model import Note, Segment
from desktop.ui.session import Session

UNDO_LIMIT = 500


class SessionCommand(QUndoCommand):
    """A change already made in `episode_id`; subclasses say how to make and unmake it."""

    def __init__(self, session: Session, episode_id: int, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.episode_id = episode_id
        self._made = True  # pushed right after the change was made

    def redo(self) -> None:
        if self._made:
            self._made = False
            return
        if not self.apply():
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.revert():
            self.setObsolete(True)

    def apply(self) -> bool:
        raise NotImplementedError

    def revert(self) -> bool:
        raise NotImplementedError


class EditSegmentCommand(SessionCommand):
    def __init__(
        self, session: Session, episode_id: int, idx: int, before: Segment, after: Segment
    ) -> None:
        super().__init__(session, episode_id, f"Edit Segment {idx}")
        self.idx, self.before, self.after = idx, before, after

    def apply(self) -> bool:
        restored = self.session.restore_segment(
            self.episode_id, self.idx, self.after, self.before, "redone"
        )
        return restored is not None

    def revert(self) -> bool:
        restored = self.session.restore_segment(
            self.episode_id, self.idx, self.before, self.after, "undone"
        )
        return restored is not None


class RenameSpeakerCommand(SessionCommand):
    def __init__(
        self, session: Session, episode_id: int, old: str, new: str, indices: Sequence[int]
    ) -> None:
        super().__init__(session, episode_id, f"Rename Speaker “{old}”")
        self.old, self.new, self.indices = old, new, list(indices)

    def apply(self) -> bool:
        indices = self.session.rename_speaker(self.episode_id, self.old, self.new, "redone")
        if indices is None:
            return False
        self.indices = indices  # what this redo renamed, read in its own transaction
        return True

    def revert(self) -> bool:
        # Exactly the segments the speaker had: a merge into an existing name is undone too.
        return self.session.set_speaker(self.episode_id, self.indices, self.old, self.new, "undone")


class AddNoteCommand(SessionCommand):
    def __init__(self, session: Session, note: Note) -> None:
        super().__init__(session, note.episode_id, "Add Note")
        self.note = note

    def apply(self) -> bool:
        return self.session.restore_note(self.note, None, "redone") is not None

    def revert(self) -> bool:
        return self.session.delete_note(self.note.id, self.note, "undone") is not None


class EditNoteCommand(SessionCommand):
    def __init__(self, session: Session, before: Note, after: Note) -> None:
        super().__init__(session, after.episode_id, "Edit Note")
        self.before, self.after = before, after

    def apply(self) -> bool:
        return self.session.restore_note(self.after, self.before, "redone") is not None

    def revert(self) -> bool:
        return self.session.restore_note(self.before, self.after, "undone") is not None


class DeleteNoteCommand(SessionCommand):
    def __init__(self, session: Session, note: Note) -> None:
        super().__init__(session, note.episode_id, "Delete Note")
        self.note = note

    def apply(self) -> bool:
        return self.session.delete_note(self.note.id, self.note, "redone") is not None

    def revert(self) -> bool:
        return self.session.restore_note(self.note, None, "undone") is not None


def make_stack(parent: QWidget) -> QUndoStack:
    stack = QUndoStack(parent)
    stack.setUndoLimit(UNDO_LIMIT)
    return stack


def bind_actions(stack: QUndoStack, undo: QAction, redo: QAction) -> None:
    """Keep the window's Undo and Redo actions (from the action table) in step with the
    stack: enabled when there is a step, and named after it ("Undo Edit Segment 12")."""
    bases = {undo: undo.text(), redo: redo.text()}
    # What each signal last said: the stack is not asked back (it may be going away).
    state = {undo: [stack.canUndo(), stack.undoText()], redo: [stack.canRedo(), stack.redoText()]}

    def update(action: QAction, can: bool | None = None, text: str | None = None) -> None:
        if can is not None:
            state[action][0] = can
        if text is not None:
            state[action][1] = text
        can, text = state[action]
        base = bases[action]
        step = text if can else ""
        action.setEnabled(bool(can))
        # "&" in a speaker's name is a character, not a menu mnemonic.
        action.setText(f"{base} {step.replace('&', '&&')}" if step else base)
        plain = f"{base.replace('&', '')} {step}".strip()
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{plain} ({keys})" if keys else plain)

    stack.canUndoChanged.connect(lambda can: update(undo, can=can))
    stack.undoTextChanged.connect(lambda text: update(undo, text=text))
    stack.canRedoChanged.connect(lambda can: update(redo, can=can))
    stack.redoTextChanged.connect(lambda text: update(redo, text=text))
    update(undo)
    update(redo)
