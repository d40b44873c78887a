"""Models to download and use, one row each: Download (Resume), Cancel, Remove, Use.

Fed by plain callables (what the rows are, how to fetch, remove and use one), so the
Insights page's GGUF models and a Whisper model manager share this widget. A grid of real
widgets rather than an item view: every button is in the Tab order, has its own
accessible name, and a row's progress bar and error line sit under the row they belong to.

Each download is a thread `Job` (the work only waits on the network and the disk) in the
dialog's JobRunner, one per model at a time; Cancel keeps the partial file, so the row then
offers Resume.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QWidget,
)

from desktop.core.downloads import DownloadProgress
from desktop.core.downloads.errors import human_size
from desktop.core.errors import EarmarkError
from desktop.ui.jobs import Job, JobContext, JobRunner
from desktop.ui.settings.common import ask, plain_label

DOWNLOAD_JOB = "model-download"
_PERMILLE = 1000  # QProgressBar counts in int: a 4 GB file in bytes overflows it


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One model as the table shows it."""

    key: str  # what the callables get (the model's name)
    title: str
    detail: str  # the line under the title: licence, what it is good for
    cells: tuple[str, ...]  # the short columns after the title (size, memory)
    size: int  # bytes a full download takes
    disk_bytes: int  # bytes it takes on disk now (file and partial): what Remove frees
    installed: bool
    partial_bytes: int  # a download to resume
    in_use: bool
    tooltip: str = ""

    @property
    def status(self) -> str:
        if self.in_use:
            return "in use"
        if self.installed:
            return "downloaded"
        if self.partial_bytes:
            return f"{human_size(self.partial_bytes)} so far"
        return "not downloaded"


def progress_text(progress: DownloadProgress) -> str:
    """Like "120/1100 MB · 4.2 MB/s · 3:10 left", leaving out what is not known yet."""
    done = progress.done / 1e6
    parts = [f"{done:.0f}/{progress.total / 1e6:.0f} MB" if progress.total else f"{done:.0f} MB"]
    if progress.speed > 0:
        parts.append(f"{progress.speed / 1e6:.1f} MB/s")
    if progress.seconds_left is not None:
        parts.append(f"{clock(progress.seconds_left)} left")
    return " · ".join(parts)


def clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ModelTable(QScrollArea):
    """The rows of `rows()`; `fetch(key, context)` runs on a job thread (report progress
    with context.report, stop when context.cancelled()); `remove(key)` and `use(key)` run
    on the UI thread and may raise EarmarkError, shown in the row. `kind` names this
    table's download jobs, so two tables may share one runner."""

    def __init__(
        self,
        headers: Sequence[str],
        rows: Callable[[], list[ModelRow]],
        fetch: Callable[[str, JobContext], Any],
        remove: Callable[[str], Any],
        use: Callable[[str], Any],
        runner: JobRunner,
        parent: QWidget | None = None,
        kind: str = DOWNLOAD_JOB,
    ) -> None:
        super().__init__(parent)
        self._rows, self._fetch, self._remove, self._use = rows, fetch, remove, use
        self.runner = runner
        self.kind = kind
        # Replaceable so a caller (or a test) may answer differently; the default asks.
        self.confirm: Callable[[QWidget, str, str, str, str], bool] = ask
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the rows' buttons, which
        # the scroll area scrolls into view as they take focus
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        self._grid = QGridLayout(body)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(2)  # a row's lines together; rows apart (below)
        self._columns = len(headers)
        for column, text in enumerate(headers):
            header = QLabel(text, body)
            font = QFont(header.font())
            font.setBold(True)
            header.setFont(font)
            self._grid.addWidget(header, 0, column)
        self._grid.setColumnStretch(0, 1)
        self.setWidget(body)
        # The rows sit on the page's own background, not the lighter one of a view.
        body.setAutoFillBackground(False)
        self.viewport().setAutoFillBackground(False)
        self.row_widgets: dict[str, RowWidgets] = {}
        self.refresh()

    def refresh(self) -> None:
        """Show the rows as they are now (after a download, a removal, a new choice)."""
        for row in self._rows():
            widgets = self.row_widgets.get(row.key)
            if widgets is None:
                widgets = RowWidgets(self, row, 1 + 3 * len(self.row_widgets))
                self.row_widgets[row.key] = widgets
            widgets.show_row(row)

    def row(self, key: str) -> RowWidgets:
        return self.row_widgets[key]

    def downloads(self) -> list[Job]:
        """The downloads still running (one that just ended may still be in the runner
        until its `finished` is delivered)."""
        return [job for job in self.runner.jobs(self.kind) if job.is_running()]

    # What the rows call back -------------------------------------------------------------

    def _start(self, key: str) -> Job | None:
        # One download per model: a second would write the same partial. The row knows
        # when its download ended; the runner may hear of it a moment later (each slot of
        # a queued signal is its own event), and a Resume clicked between the two counts.
        if self.row_widgets[key].job is not None:
            return None
        ended = self.runner.find(self.kind, key)
        if ended is not None:
            ended.wait(5.0)
            self.runner.forget(ended)
        fetch = self._fetch
        job = Job(self.kind, lambda context: fetch(key, context), subject=key)
        self.row_widgets[key].follow(job)  # connected before the thread can report
        return self.runner.start(job)


class RowWidgets(QObject):
    """The widgets of one row, and the slots of its download. A QObject child of the
    table, so a download that ends after the dialog is gone has no slot left to call."""

    def __init__(self, table: ModelTable, row: ModelRow, first: int) -> None:
        super().__init__(table)
        self.table = table
        self.key = row.key
        self.row = row
        self.job: Job | None = None
        body = table.widget()
        grid = table._grid
        status_column = table._columns - 2  # title, cells, status, buttons
        span = table._columns - 1  # title to status: everything but the buttons
        self.title = plain_label(row.title, body)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.title.setToolTip(row.tooltip)
        grid.addWidget(self.title, first, 0)
        self.cells = [plain_label(text, body) for text in row.cells]
        for column, cell in enumerate(self.cells, start=1):
            grid.addWidget(cell, first, column)
        self.status = plain_label("", body)
        self.status.setAccessibleName(f"Status of {row.title}")
        grid.addWidget(self.status, first, status_column)
        self.detail = plain_label(row.detail, body)
        self.detail.setToolTip(row.tooltip)
        grid.addWidget(self.detail, first + 1, 0, 1, span)
        self.progress = QProgressBar(body)
        self.progress.setRange(0, _PERMILLE)
        self.progress.setTextVisible(True)
        self.progress.setAccessibleName(f"Download of {row.title}")
        self.progress.hide()
        grid.addWidget(self.progress, first + 2, 0, 1, span)
        self.error = plain_label("", body, selectable=True)
        self.error.setAccessibleName(f"Problem with {row.title}")
        self.error.hide()
        grid.addWidget(self.error, first + 2, 0, 1, span)
        grid.setRowMinimumHeight(first + 2, 12)  # the gap to the next row when empty

        buttons = QWidget(body)
        line = QHBoxLayout(buttons)
        line.setContentsMargins(0, 0, 0, 0)
        self.download_button = self._button("Download", buttons, self.download)
        self.cancel_button = self._button("Cancel", buttons, self.cancel)
        self.cancel_button.setAccessibleName(f"Cancel the download of {row.title}")
        self.cancel_button.setToolTip("Stop downloading; what came is kept and resumes later")
        self.cancel_button.hide()
        self.remove_button = self._button("Remove", buttons, self.remove)
        self.use_button = self._button("Use", buttons, self.use)
        self.use_button.setAccessibleName(f"Use {row.title}")
        for button in (self.download_button, self.cancel_button, self.remove_button):
            line.addWidget(button)
        line.addWidget(self.use_button)
        grid.addWidget(buttons, first, span + 1, 2, 1, Qt.AlignmentFlag.AlignTop)

    @staticmethod
    def _button(text: str, parent: QWidget, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, parent)
        button.clicked.connect(slot)
        return button

    def show_row(self, row: ModelRow) -> None:
        self.row = row
        running = self.job is not None
        self.status.setText("downloading" if running else row.status)
        self.title.setText(row.title)
        self.detail.setText(row.detail)
        for cell, text in zip(self.cells, row.cells, strict=True):
            cell.setText(text)
        verb = "Resume" if row.partial_bytes and not row.installed else "Download"
        self.download_button.setText(verb)
        left = row.size - row.partial_bytes
        self.download_button.setAccessibleName(f"{verb} {row.title}")
        self.download_button.setToolTip(
            f"{verb} {row.title}: {human_size(max(left, 0))} to fetch"
            if row.partial_bytes
            else f"Download {row.title} ({human_size(row.size)})"
        )
        self.download_button.setVisible(not running)
        self.download_button.setEnabled(not row.installed)
        self.cancel_button.setVisible(running)
        self.remove_button.setEnabled(not running and row.disk_bytes > 0)
        self.remove_button.setAccessibleName(f"Remove {row.title}")
        self.remove_button.setToolTip(
            f"Delete {row.title} from this computer ({human_size(row.disk_bytes)})"
            if row.disk_bytes
            else "Nothing of this model is on this computer"
        )
        self.use_button.setEnabled(row.installed and not row.in_use and not running)
        self.use_button.setToolTip(
            f"Make {row.title} the model Earmark runs for insights"
            if row.installed
            else "Download it first"
        )
        self.progress.setVisible(running)

    # Actions ----------------------------------------------------------------------------

    def download(self) -> None:
        had_focus = self.download_button.hasFocus()
        self._set_error("")
        self.table._start(self.key)
        if had_focus:  # the button the keyboard was on is hidden now: stay in the row
            self.cancel_button.setFocus()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("stopping…")

    def remove(self) -> None:
        row = self.row
        question = (
            f"Remove {row.title}? This frees {human_size(row.disk_bytes)}; "
            "downloading it again takes as long as the first time."
        )
        if not self.table.confirm(self.table, "Remove the Model", question, "Remove", "Keep"):
            return
        self._act(self.table._remove)

    def use(self) -> None:
        self._act(self.table._use)

    def _act(self, action: Callable[[str], Any]) -> None:
        try:
            action(self.key)
        except EarmarkError as exc:
            self._set_error(str(exc))
        else:
            self._set_error("")
        self.table.refresh()

    # The download's signals ---------------------------------------------------------------

    def follow(self, job: Job) -> None:
        self.job = job
        job.progress.connect(self.on_progress)
        job.failed.connect(self.on_failed)
        job.finished.connect(self.on_finished)
        self.progress.setRange(0, 0)  # busy until the size is known
        self.progress.setFormat("connecting…")
        self.cancel_button.setEnabled(True)
        self.show_row(self.row)

    def on_progress(self, progress: object) -> None:
        if not isinstance(progress, DownloadProgress):
            return
        if progress.total:
            self.progress.setRange(0, _PERMILLE)
            self.progress.setValue(int(_PERMILLE * min(progress.done / progress.total, 1.0)))
        self.progress.setFormat(progress_text(progress))

    def on_failed(self, message: str) -> None:
        # A cancel is the user's own doing: the row says what is kept ("N MB so far").
        if self.job is not None and not self.job.cancelled:
            self._set_error(message)

    def on_finished(self) -> None:
        self.job = None
        self.table.refresh()

    def _set_error(self, message: str) -> None:
        lines = message.splitlines()
        self.error.setText(lines[0] if lines else "")
        self.error.setToolTip(message)
        self.error.setVisible(bool(message))
