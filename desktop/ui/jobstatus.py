"""The status bar's view of background work: what runs, how far, how long is left, Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from desktop.core.downloads import DownloadProgress
from desktop.core.timecode import short
from desktop.services.transcription import Progress
from desktop.ui.icons import icon


def describe_download(progress: DownloadProgress, title: str) -> str:
    """'Downloading “Title”: 45% · 12 of 27 MB · 0:12 left'."""
    if not progress.total:
        return f"Downloading “{title}”: {progress.done / 1e6:.0f} MB"
    parts = [f"Downloading “{title}”: {progress.done / progress.total:.0%}"]
    parts.append(f"{progress.done / 1e6:.0f} of {progress.total / 1e6:.0f} MB")
    if progress.seconds_left is not None:
        parts.append(f"{short(progress.seconds_left)} left")
    return " · ".join(parts)


def describe(progress: Progress, title: str) -> str:
    """'Transcribing “Title”: 42% · 1:10 left · 18× real time'."""
    parts = [f"Transcribing “{title}”: {progress.fraction:.0%}"]
    parts.append(f"{short(progress.eta)} left" if progress.eta is not None else "estimating…")
    if progress.speed:
        parts.append(f"{progress.speed:.0f}× real time")
    return " · ".join(parts)


def describe_many(progresses: list[Progress]) -> str:
    """Several files at once (one per engine): 'Transcribing 3 files: 45% · 2:10 left ·
    60× real time', the fraction of their audio, the longest time left, the speeds
    added."""
    duration = sum(p.duration for p in progresses)
    done = sum(p.position for p in progresses)
    parts = [f"Transcribing {len(progresses)} files: {done / duration if duration else 0:.0%}"]
    etas = [p.eta for p in progresses if p.eta is not None]
    parts.append(f"{short(max(etas))} left" if etas else "estimating…")
    speed = sum(p.speed or 0 for p in progresses)
    if speed:
        parts.append(f"{speed:.0f}× real time")
    return " · ".join(parts)


class JobStatus(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.bar.setAccessibleName("Transcription progress")
        self.cancel_button = QToolButton(self)
        self.cancel_button.setIcon(icon("cancel"))
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setToolTip("Stop transcribing; what is done is kept and can be resumed")
        self.cancel_button.setAccessibleName("Cancel transcription")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.running: dict[int, tuple[Progress, str]] = {}  # episode id -> last report
        self.hide()

    def show_progress(self, progress: Progress, title: str) -> None:
        """A transcription's report; with several running, all of them together."""
        self.running[progress.episode_id] = (progress, title)
        if len(self.running) > 1:
            reports = [p for p, _ in self.running.values()]
            self.label.setText(describe_many(reports))
            duration = sum(p.duration for p in reports)
            fraction = sum(p.position for p in reports) / duration if duration else 0.0
        else:
            self.label.setText(describe(progress, title))
            fraction = progress.fraction
        self.bar.setRange(0, 1000)
        self.bar.setValue(round(fraction * 1000))
        self.show()

    def ended(self, episode_id: int) -> None:
        """A transcription ended: the others still running stay shown."""
        self.running.pop(episode_id, None)
        if not self.running:
            self.clear()

    def show_download(self, progress: DownloadProgress, title: str) -> None:
        self.label.setText(describe_download(progress, title))
        if progress.total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(progress.done / progress.total * 1000))
        else:
            self.bar.setRange(0, 0)
        self.show()

    def show_busy(self, text: str) -> None:
        """Work without a measurable fraction (loading the model, importing)."""
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.show()

    def clear(self) -> None:
        self.running.clear()
        self.bar.setRange(0, 1000)
        self.hide()
