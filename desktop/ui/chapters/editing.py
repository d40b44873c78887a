"""A reader's edits of the open episode's chapters, each one undo step.

Add Chapter Here (C, the Edit menu, the tab's menu) starts a chapter at the reading
position; Rename (F2 in the tab), Move Start Here and Delete (Del in the tab) act on the
chapter selected in the tab, else the one being read. The change is made through
services/chapters (one transaction), then pushed as a command holding the chapters before
and after it: undo and redo write one list back only when the library still holds the
other (another program's change since is left alone, and the banner says so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu

from desktop.core.chapters import chapter_at
from desktop.core.chapters.edit import MAX_TITLE
from desktop.core.model import Chapter
from desktop.core.timecode import short
from desktop.services import chapters as service
from desktop.ui.undo import SessionCommand

if TYPE_CHECKING:
    from desktop.ui.chapters.controller import ChaptersController

STATUS_MS = 8000


class ChapterCommand(SessionCommand):
    """An edit already made: the episode's chapters before and after it."""

    def __init__(
        self,
        editor: ChapterEditor,
        episode_id: int,
        text: str,
        before: list[Chapter],
        after: list[Chapter],
    ) -> None:
        super().__init__(editor.session, episode_id, text)
        self.editor, self.before, self.after = editor, before, after

    def apply(self) -> bool:
        return self.editor.restore(self.episode_id, self.after, self.before, "redone")

    def revert(self) -> bool:
        return self.editor.restore(self.episode_id, self.before, self.after, "undone")


class ChapterEditor(QObject):
    def __init__(self, control: ChaptersController, stack: QUndoStack) -> None:
        super().__init__(control)
        self.control = control
        self.window = control.window
        self.session = control.window.session
        self.stack = stack
        self.dialog: QInputDialog | None = None  # the title dialog while it is open
        self.menu: QMenu | None = None
        control.pane.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        control.pane.list.customContextMenuRequested.connect(self.show_menu)
        control.pane.delete_requested.connect(lambda: self.delete())
        control.pane.add_requested.connect(self.add_here)

    # --- the edits --------------------------------------------------------------------------

    def add_here(self) -> None:
        """A new chapter at the reading position, titled by the reader."""
        episode_id = self.control.episode_id
        if episode_id is None:
            return
        at = max(0.0, self.window.reading_position)
        self._ask_title(
            "Add Chapter",
            f"Title of the chapter starting at {short(at)}:",
            "",
            lambda title: self._edit(
                episode_id, "Add Chapter", service.add_chapter, at, title, select=at
            ),
        )

    def rename(self, number: int | None = None) -> None:
        target = self._target(number)
        if target is None:
            return
        episode_id, number, chapter = target
        self._ask_title(
            "Rename Chapter",
            f"Chapter {number} at {short(chapter.start)}:",
            chapter.title,
            lambda title: self._edit(
                episode_id, "Rename Chapter", service.rename_chapter, number, title,
                select=chapter.start, unchanged=title.strip() == chapter.title,
            ),
        )  # fmt: skip

    def delete(self, number: int | None = None) -> None:
        target = self._target(number)
        if target is not None:
            episode_id, number, chapter = target
            if self._edit(episode_id, "Delete Chapter", service.delete_chapter, number):
                self._status(f"Chapter “{chapter.title}” deleted. Edit ▸ Undo brings it back.")

    def move_here(self, number: int | None = None) -> None:
        target = self._target(number)
        if target is not None:
            episode_id, number, _chapter = target
            at = max(0.0, self.window.reading_position)
            self._edit(episode_id, "Move Chapter", service.move_chapter, number, at, select=at)

    def restore(
        self, episode_id: int, chapters: list[Chapter], expected: list[Chapter], step: str
    ) -> bool:
        """An undo or redo: `chapters` back, only over `expected`."""
        done = self.session.attempt(
            service.restore_chapters, self.session.library, episode_id, chapters, expected,
            step=step,
        )  # fmt: skip
        if done is None:
            return False
        self.control.changed(episode_id)
        return True

    # --- the tab's menu ---------------------------------------------------------------------

    def show_menu(self, pos: QPoint) -> None:
        pane = self.control.pane
        item = pane.list.itemAt(pos)
        number = pane.list.row(item) + 1 if item is not None else None
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = self.chapter_menu(number)
        self.menu.popup(pane.list.viewport().mapToGlobal(pos))

    def chapter_menu(self, number: int | None) -> QMenu:
        menu = QMenu(self.control.pane)
        at = short(max(0.0, self.window.reading_position))
        menu.addAction(f"Add Chapter at {at}…", self.add_here)
        if number is not None:
            menu.addSeparator()
            menu.addAction("Rename…", lambda: self.rename(number))
            menu.addAction(f"Move Start to {at}", lambda: self.move_here(number))
            menu.addAction("Delete", lambda: self.delete(number))
        return menu

    # --- helpers ----------------------------------------------------------------------------

    def _target(self, number: int | None) -> tuple[int, int, Chapter] | None:
        """(episode, number, chapter): `number`, else the tab's selection, else the
        chapter being read."""
        episode_id = self.control.episode_id
        if episode_id is None or not self.control.entries:
            return None
        entries = self.control.entries
        if number is None:
            row = self.control.pane.list.currentRow()
            if row < 0:
                at = chapter_at(entries, self.window.reading_position)
                row = at if at is not None else -1
            number = row + 1
        if not 1 <= number <= len(entries):
            self._status("No chapter here: select one in the Chapters tab.")
            return None
        entry = entries[number - 1]
        return episode_id, number, Chapter(entry.start, entry.title, entry.made)

    def _edit(
        self,
        episode_id: int,
        text: str,
        call: Callable[..., tuple[list[Chapter], list[Chapter]]],
        *args: object,
        select: float | None = None,
        unchanged: bool = False,
    ) -> bool:
        if unchanged:
            return False
        result = self.session.attempt(call, self.session.library, episode_id, *args)
        if result is None:
            return False
        before, after = result
        self.stack.push(ChapterCommand(self, episode_id, text, before, after))
        self.control.changed(episode_id, select)
        return True

    def _ask_title(self, title: str, label: str, text: str, done: Callable[[str], object]) -> None:
        """A window-modal title dialog; `done(title)` when the reader saves one."""
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setOkButtonText("Save")
        line = dialog.findChild(QLineEdit)
        if line is not None:
            line.setMaxLength(MAX_TITLE)
            line.setAccessibleName("Chapter title")
        dialog.textValueSelected.connect(done)
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: QInputDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)
