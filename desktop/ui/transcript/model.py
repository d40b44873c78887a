"""Qt list model over transcript segments, with the playhead's current row and word.

The segments stay plain `desktop.core.model.Segment` values; this class only adapts them to
Qt's model interface and keeps track of which row and word are playing, so the view repaints
exactly the rows whose highlight changed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop.core.chapters import heading_rows
from desktop.core.model import Chapter, Note, Segment, Word
from desktop.core.timecode import short

_Index = QModelIndex | QPersistentModelIndex


def accessible_text(segment: Segment) -> str:
    """What a screen reader says for a row: "m:ss, Speaker: text" (", edited" once corrected)."""
    who = f"{segment.speaker}: " if segment.speaker else ""
    edited = ", edited" if segment.edited else ""
    return f"{short(segment.start)}, {who}{segment.text}{edited}"


def word_ranges(text: str, words: Sequence[Word] | None) -> list[tuple[int, int] | None]:
    """Character range of each word inside `text`, or None where a word cannot be placed.

    Words come from the recogniser and usually repeat the segment text piece by piece (often
    with a leading space), so a forward search from the end of the previous match places them.
    A word that is not found is skipped without moving the search on, so one odd word does not
    lose the rest of the sentence.
    """
    if not words:
        return []
    folded = text.casefold()
    # casefold can change the length ("ß" -> "ss"); then indexes would not match the text.
    fold_ok = len(folded) == len(text)
    ranges: list[tuple[int, int] | None] = []
    pos = 0
    for word in words:
        needle = (word.text or "").strip()
        if not needle:
            ranges.append(None)
            continue
        at = text.find(needle, pos)
        if at < 0 and fold_ok:
            at = folded.find(needle.casefold(), pos)
            if at >= 0 and len(needle.casefold()) != len(needle):
                at = -1
        if at < 0:
            ranges.append(None)
            continue
        ranges.append((at, at + len(needle)))
        pos = at + len(needle)
    return ranges


def word_at_time(words: Sequence[Word] | None, seconds: float) -> int:
    """Index of the word sounding at `seconds`, or -1 before, after or between words."""
    if not words:
        return -1
    for i, word in enumerate(words):
        if word.start > seconds:
            return -1
        if seconds < word.end:
            return i
    return -1


WordsLoader = Callable[[int], list[Word] | None]  # row -> its word timings


class Match(Protocol):
    row: int
    start: int
    end: int


class SegmentListModel(QAbstractListModel):
    """One row per segment; knows the playing row and word, and the rows with notes.

    Rows are edited in place (`setData` with the new text) by asking, not by changing:
    `text_edit_requested` goes out, and the row changes when the edit is stored and comes
    back through `replace_segments` (so undo, redo and the library agree on every row).
    """

    text_edit_requested = Signal(int, str)  # row, its new text as typed

    SegmentRole = int(Qt.ItemDataRole.UserRole) + 1  # -> Segment
    IsCurrentRole = SegmentRole + 1  # -> bool: this row is playing
    CurrentWordRole = SegmentRole + 2  # -> int: word index playing in this row, -1 if none
    WordsRole = SegmentRole + 3  # -> list[Word] | None: the row's word timings
    FindRole = SegmentRole + 4  # -> list[(start, end, is_current)]: find matches in the row
    NotesRole = SegmentRole + 5  # -> list[Note]: the notes on this row (empty if none)
    HeadingRole = SegmentRole + 6  # -> list[str]: chapter titles heading this row

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._load_words: WordsLoader | None = None
        self._words: dict[int, list[Word] | None] = {}  # rows whose words were loaded
        self._segments: list[Segment] = []
        self._found: dict[int, list[tuple[int, int, int]]] = {}  # row -> (start, end, n)
        self._current_find = -1
        self._starts: list[float] = []
        self._row = -1
        self._word = -1
        self._seconds: float | None = None  # the playhead's last position
        self._notes: list[Note] = []
        self._note_rows: dict[int, list[Note]] = {}
        self._chapters: list[Chapter] = []
        self._headings: dict[int, list[str]] = {}

    # Qt model interface

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._segments)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._segments):
            return None
        row = index.row()
        segment = self._segments[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return segment.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return accessible_text(segment)
        if role == self.SegmentRole:
            return segment
        if role == self.IsCurrentRole:
            return row == self._row
        if role == self.CurrentWordRole:
            return self._word if row == self._row else -1
        if role == self.WordsRole:
            return self.words(row)
        if role == self.FindRole:
            return [(a, b, n == self._current_find) for a, b, n in self._found.get(row, ())]
        if role == self.HeadingRole:
            return self._headings.get(index.row(), [])
        if role == self.NotesRole:
            return list(self._note_rows.get(row, ()))
        if role == Qt.ItemDataRole.EditRole:
            return segment.text
        return None

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """An edit of the row's text: asked for (see the class), not made here."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not isinstance(value, str):
            return False
        if " ".join(value.split()) == self._segments[index.row()].text:
            return False  # nothing changed: no edit, no undo step
        self.text_edit_requested.emit(index.row(), value)
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flag = Qt.ItemFlag
        return (
            flag.ItemIsEnabled
            | flag.ItemIsSelectable
            | flag.ItemIsEditable
            | flag.ItemNeverHasChildren
        )

    # Segments

    def set_segments(self, segments: list[Segment], load_words: WordsLoader | None = None) -> None:
        """Replace every row (a new episode); the playhead is forgotten.

        Segments may come without their word timings (reading 10,000 rows of word JSON
        costs a third of a second); `load_words(row)` then supplies a row's on demand,
        which in practice means the playing row's.
        """
        self.beginResetModel()
        self._load_words = load_words
        self._words = {}
        self._found = {}
        self._current_find = -1
        self._segments = list(segments)
        self._starts = [s.start for s in self._segments]
        self._row = -1
        self._word = -1
        self._seconds = None
        self._notes = []
        self._note_rows = {}
        self._chapters = []
        self._headings = {}
        self.endResetModel()

    def append_segments(self, segments: list[Segment]) -> None:
        """Add rows at the end in one insertion, as a running transcription delivers them."""
        if not segments:
            return
        first = len(self._segments)
        self.beginInsertRows(QModelIndex(), first, first + len(segments) - 1)
        self._segments.extend(segments)
        self._starts.extend(s.start for s in segments)
        self.endInsertRows()
        if self._notes:  # notes on rows that were not there yet
            self.set_notes(self._notes)
        if self._chapters:  # chapters that start in the rows just come
            self.set_chapters(self._chapters)

    def replace_segments(self, changed: Iterable[tuple[int, Segment]]) -> list[int]:
        """Put new values in rows (an edit, its undo, a renamed speaker); returns the rows.

        Times never change, so the rows stay where they are. With a words loader the row's
        word timings are read through it again (an edit keeps only the words that still fit).
        """
        rows: list[int] = []
        for row, segment in changed:
            if not 0 <= row < len(self._segments):
                continue
            if self._load_words is not None:
                self._words.pop(row, None)
                segment = replace(segment, words=None)
            self._segments[row] = segment
            rows.append(row)
        if not rows:
            return rows
        if self._row in rows and self._seconds is not None:
            self._word = word_at_time(self.words(self._row), self._seconds)
        self.dataChanged.emit(
            self.index(min(rows), 0),
            self.index(max(rows), 0),
            [Qt.ItemDataRole.DisplayRole, self.SegmentRole, self.WordsRole],
        )
        return rows

    def segment(self, row: int) -> Segment:
        return self._segments[row]

    def words(self, row: int) -> list[Word] | None:
        words = self._segments[row].words
        if words is not None or self._load_words is None:
            return words
        if row not in self._words:
            self._words[row] = self._load_words(row)
        return self._words[row]

    def segments(self) -> list[Segment]:
        """The rows' segments (a copy of the list; the segments themselves are shared)."""
        return list(self._segments)

    def notes(self) -> list[Note]:
        return list(self._notes)

    def note_row(self, note: Note) -> int:
        """The row a note's marker stands beside: its segment, else the one at its time."""
        if note.segment_idx is not None:
            return note.segment_idx if 0 <= note.segment_idx < len(self._segments) else -1
        if note.time is not None:
            return self.row_at_time(note.time)
        return -1  # a note on the whole episode

    def set_notes(self, notes: Sequence[Note]) -> None:
        """The open episode's notes; rows whose markers change are repainted, not laid out."""
        touched = set(self._note_rows)
        self._notes = list(notes)
        self._note_rows = {}
        for note in self._notes:
            row = self.note_row(note)
            if row >= 0:
                self._note_rows.setdefault(row, []).append(note)
        touched |= set(self._note_rows)
        if touched:
            top, bottom = self.index(min(touched), 0), self.index(max(touched), 0)
            self.dataChanged.emit(top, bottom, [self.NotesRole])

    def set_chapters(self, chapters: Sequence[Chapter]) -> list[int]:
        """Chapter headings over the rows they start at; returns the rows whose heading
        changed (their height changes: the view lays them out again)."""
        self._chapters = list(chapters)
        before = self._headings
        self._headings = {
            row: [c.title for c in chapters]
            for row, chapters in heading_rows(self._chapters, self._segments).items()
        }
        changed = sorted(r for r in set(before) | set(self._headings)
                         if before.get(r) != self._headings.get(r))  # fmt: skip
        if changed:
            self.dataChanged.emit(
                self.index(changed[0], 0), self.index(changed[-1], 0), [self.HeadingRole]
            )
        return changed

    def row_at_time(self, seconds: float) -> int:
        """The row playing at `seconds`: the last segment starting at or before it, else -1."""
        return bisect_right(self._starts, seconds) - 1

    # Find

    def set_find(self, matches: Sequence[Match], current: int) -> None:
        """Mark find matches (objects with row, start, end) and which one is current."""
        touched = set(self._found)
        self._found = {}
        for n, match in enumerate(matches):
            self._found.setdefault(match.row, []).append((match.start, match.end, n))
        self._current_find = current
        touched |= set(self._found)
        if touched:  # one signal: the view repaints, nothing is laid out again
            top, bottom = self.index(min(touched), 0), self.index(max(touched), 0)
            self.dataChanged.emit(top, bottom, [self.FindRole])

    # Playhead

    def set_playhead(self, seconds: float) -> None:
        """Move the playing row and word; only rows whose highlight changed are reported."""
        self._seconds = seconds
        row = self.row_at_time(seconds)
        word = word_at_time(self.words(row), seconds) if row >= 0 else -1
        old_row, old_word = self._row, self._word
        if (row, word) == (old_row, old_word):
            return
        self._row, self._word = row, word
        if old_row != row and old_row >= 0:
            self._row_changed(old_row)
        if row >= 0:
            self._row_changed(row)

    def current_row(self) -> int:
        return self._row

    def current_word(self) -> int:
        return self._word

    def _row_changed(self, row: int) -> None:
        # One row per signal: a range from the old to the new row would repaint everything
        # in between after a seek.
        index = self.index(row, 0)
        self.dataChanged.emit(index, index, [self.IsCurrentRole, self.CurrentWordRole])
