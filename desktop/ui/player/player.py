"""The window's one media player, behind Earmark's own signals in seconds.

QMediaPlayer reports its position only a few times a second, too coarse to highlight the
word being spoken, so while playing a 25 Hz timer emits `position_changed`, extrapolating
from the last reported position with a monotonic clock. A seek is remembered until the
media has loaded, because QMediaPlayer drops a setPosition() made before that.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget

MIN_RATE = 0.5
MAX_RATE = 2.0
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)  # the speed menu's steps
TICK_MS = 40  # 25 Hz: smooth enough for word highlighting, cheap enough for 2 cores
# Never extrapolate further than this past QMediaPlayer's last report, so a stalled
# decoder does not make the highlight run ahead of the sound.
MAX_EXTRAPOLATION_MS = 500

NO_MEDIA = "No media for this episode"
LOADING = "Loading…"

Status = QMediaPlayer.MediaStatus
State = QMediaPlayer.PlaybackState


class Player(QObject):
    """One QMediaPlayer for the window's lifetime behind Earmark's own signals (seconds, not ms)."""

    position_changed = Signal(float)
    duration_changed = Signal(float)
    playing_changed = Signal(bool)
    has_video_changed = Signal(bool)
    media_status_changed = Signal(str)
    error = Signal(str)
    # Beyond the window's needs, so the bar can follow changes made by shortcuts or menus.
    has_media_changed = Signal(bool)  # a source is set and has not failed
    rate_changed = Signal(float)
    volume_changed = Signal(float)
    muted_changed = Signal(bool)

    def __init__(
        self, audio_output: QAudioOutput | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        # The audio output comes from outside: a QAudioOutput created and destroyed in
        # tests crashed FFmpeg's audio thread, and without one the backend still plays.
        self.media_player = QMediaPlayer(self)
        self._audio_output = audio_output
        if audio_output is not None:
            self.media_player.setAudioOutput(audio_output)
        self._path: str | None = None
        self._has_media = False
        self._pending_seek: float | None = None
        self._volume = 1.0
        self._muted = False
        self._rate = 1.0
        self._anchor_ms = 0  # last position QMediaPlayer reported (or we seeked to)
        self._floor_ms = 0  # the furthest position emitted since the last seek, load or stop
        self._anchor_clock = QElapsedTimer()
        self._anchor_clock.start()
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._connect()

    def _connect(self) -> None:
        mp = self.media_player
        mp.positionChanged.connect(self._on_position)
        mp.durationChanged.connect(lambda ms: self.duration_changed.emit(ms / 1000.0))
        mp.playbackStateChanged.connect(self._on_state)
        mp.mediaStatusChanged.connect(self._on_status)
        mp.hasVideoChanged.connect(self.has_video_changed.emit)
        mp.errorOccurred.connect(self._on_error)

    # ----- source -----------------------------------------------------------------

    def load(self, path: str | None, start: float = 0.0) -> bool:
        """Set the episode's media (no autoplay); False, with the reason emitted, if none."""
        self._clear()
        reason = NO_MEDIA if path is None else f"Media file not found: {path}"
        if path is None or not Path(path).is_file():
            self._set_has_media(False)
            self.media_status_changed.emit(reason)
            return False
        self._path = path
        self._pending_seek = max(0.0, start)
        self._set_has_media(True)
        self.media_player.setSource(QUrl.fromLocalFile(str(Path(path).resolve())))
        self.media_player.setPlaybackRate(self._rate)
        self.position_changed.emit(self._pending_seek)
        return True

    def _clear(self) -> None:
        self.media_player.stop()
        self.media_player.setSource(QUrl())
        self._path = None
        self._pending_seek = None
        self._set_anchor(0)
        self.position_changed.emit(0.0)

    def _set_has_media(self, value: bool) -> None:
        if value != self._has_media:
            self._has_media = value
            self.has_media_changed.emit(value)

    def source_path(self) -> str | None:
        return self._path

    def has_media(self) -> bool:
        return self._has_media

    def has_video(self) -> bool:
        return self.media_player.hasVideo()

    def set_video_output(self, widget: QVideoWidget | None) -> None:
        self.media_player.setVideoOutput(widget)

    # ----- transport ----------------------------------------------------------------

    def play(self) -> None:
        if not self._has_media:
            return
        if 0 < self.duration() <= self.position():
            self.seek(0.0)  # at the end: play again from the start, as players do
        self.media_player.play()

    def pause(self) -> None:
        if self._has_media:
            self.media_player.pause()

    def toggle(self) -> None:
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def is_playing(self) -> bool:
        return self.media_player.playbackState() == State.PlayingState

    def seek(self, seconds: float) -> None:
        """Jump to `seconds`, clamped to the media; applied once loaded if still loading."""
        if not self._has_media:
            return
        seconds = max(0.0, seconds)
        if self.duration() > 0:
            seconds = min(seconds, self.duration())
        if self._loaded():
            self._pending_seek = None
            self.media_player.setPosition(round(seconds * 1000))
        else:
            self._pending_seek = seconds
        self._set_anchor(round(seconds * 1000))
        self.position_changed.emit(seconds)

    def skip(self, delta: float) -> None:
        self.seek(self.position() + delta)

    def position(self) -> float:
        """Seconds; between QMediaPlayer's reports, extrapolated at the playback rate."""
        if self._pending_seek is not None:
            return self._pending_seek
        ms = self._anchor_ms
        if self.is_playing():
            elapsed = min(self._anchor_clock.elapsed() * self._rate, MAX_EXTRAPOLATION_MS)
            ms += round(elapsed)
        # A report a little behind what was already emitted (QMediaPlayer's position at a
        # pause or a new start lags 18-48 ms) must not step the highlight back.
        ms = self._floor_ms = max(ms, self._floor_ms)
        duration = self.media_player.duration()
        if duration > 0:
            ms = min(ms, duration)
        return ms / 1000.0

    def duration(self) -> float:
        return self.media_player.duration() / 1000.0

    def _loaded(self) -> bool:
        return self.media_player.mediaStatus() in (
            Status.LoadedMedia,
            Status.BufferingMedia,
            Status.BufferedMedia,
            Status.EndOfMedia,
        )

    # ----- rate and volume ----------------------------------------------------------

    def set_rate(self, rate: float) -> None:
        # Re-anchor first, so the extrapolated position does not jump at the change.
        self._set_anchor(round(self.position() * 1000))
        rate = min(max(rate, MIN_RATE), MAX_RATE)
        if rate != self._rate:
            self._rate = rate
            self.media_player.setPlaybackRate(rate)
            self.rate_changed.emit(rate)

    def rate(self) -> float:
        return self._rate

    def step_rate(self, step: int) -> None:
        """The next speed up (or down, for a negative step) from the nearest listed one."""
        self.set_rate(SPEEDS[max(0, min(len(SPEEDS) - 1, nearest_speed(self._rate) + step))])

    def set_volume(self, volume: float) -> None:
        volume = min(max(volume, 0.0), 1.0)
        if self._audio_output is not None:
            self._audio_output.setVolume(volume)
        if volume != self._volume:
            self._volume = volume
            self.volume_changed.emit(volume)

    def volume(self) -> float:
        return self._volume

    def set_muted(self, muted: bool) -> None:
        if self._audio_output is not None:
            self._audio_output.setMuted(muted)
        if muted != self._muted:
            self._muted = muted
            self.muted_changed.emit(muted)

    def is_muted(self) -> bool:
        return self._muted

    # ----- QMediaPlayer's signals ---------------------------------------------------

    def _set_anchor(self, ms: int) -> None:
        """Position from a seek, load or state change: it may move backwards."""
        self._floor_ms = 0
        self._report(ms)

    def _report(self, ms: int) -> None:
        self._anchor_ms = ms
        self._anchor_clock.restart()

    def _on_position(self, ms: int) -> None:
        if self._pending_seek is not None:
            return
        self._report(ms)
        duration = self.media_player.duration()
        if 0 < duration <= ms and self.is_playing():
            # Without an audio output the FFmpeg backend never reaches EndOfMedia: it
            # stays "playing" at the end. Stop there, so the bar offers Play again.
            self.media_player.pause()

    def _tick(self) -> None:
        self.position_changed.emit(self.position())

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == State.PlayingState
        if state == State.StoppedState:
            self._set_anchor(self.media_player.position())
        else:
            # Play and pause keep the floor: only a seek, a load or a stop moves back.
            self._report(self.media_player.position())
        if playing:
            self._ticker.start()
        else:
            self._ticker.stop()
        self.playing_changed.emit(playing)
        if self._has_media:
            # One last report, so a pause or the end shows where playback really stopped.
            self.position_changed.emit(self.position())

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == Status.LoadingMedia:
            self.media_status_changed.emit(LOADING)
        elif status == Status.LoadedMedia:
            self._apply_pending_seek()
            self.media_status_changed.emit("")

    def _apply_pending_seek(self) -> None:
        if self._pending_seek is None:
            return
        seconds, self._pending_seek = self._pending_seek, None
        seconds = min(seconds, self.duration()) if self.duration() > 0 else seconds
        self.media_player.setPosition(round(seconds * 1000))
        self._set_anchor(round(seconds * 1000))
        self.position_changed.emit(seconds)

    def _on_error(self, _error: QMediaPlayer.Error, text: str) -> None:
        name = Path(self._path).name if self._path else "the media file"
        message = f"Cannot play {name}: {text or 'unknown error'}"
        if self._path:
            message += f" ({self._path})"
        self._pending_seek = None
        self._set_has_media(False)
        self.error.emit(message)
        self.media_status_changed.emit(message)


def nearest_speed(rate: float) -> int:
    """Index of the listed speed nearest to `rate`."""
    return min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - rate))
