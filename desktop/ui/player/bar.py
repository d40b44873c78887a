"""The player bar at the bottom of the window: transport, seek slider, time, speed, volume.

The slider and the playback position never feed each other: position updates move the
slider only while the user is not holding it, and the slider asks for a seek only when it
is released or moved by keyboard or wheel, never from `valueChanged`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QProxyStyle,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QStyle,
    QStyleHintReturn,
    QStyleOption,
    QStyleOptionSlider,
    QToolButton,
    QToolTip,
    QWidget,
)
from superqt import QElidingLabel

from desktop.core import timecode
from desktop.core.chapters import OutlineEntry, chapter_at
from desktop.ui import icons
from desktop.ui.player.player import NO_MEDIA, SPEEDS, Player, nearest_speed


class _JumpToClickStyle(QProxyStyle):
    """A left click on the groove puts the handle there and starts a drag (as media players do)."""

    def styleHint(
        self,
        hint: QStyle.StyleHint,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
        returnData: QStyleHintReturn | None = None,  # Qt's name
    ) -> int:
        if hint == QStyle.StyleHint.SH_Slider_AbsoluteSetButtons:
            return Qt.MouseButton.LeftButton.value
        return super().styleHint(hint, option, widget, returnData)


class SeekSlider(QSlider):
    """A millisecond slider asking for a seek on release, keyboard or wheel; not while dragged."""

    seek_requested = Signal(int)  # milliseconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._jump_style = _JumpToClickStyle()  # kept referenced: setStyle does not own it
        self.setStyle(self._jump_style)
        self._pressing = False
        self.setSingleStep(5000)
        self.setPageStep(15000)
        self.setMinimumWidth(80)
        self.sliderReleased.connect(self._on_released)
        self.actionTriggered.connect(self._on_action)
        self._marks: list[tuple[int, str]] = []  # chapter starts (ms) and titles
        self.setMouseTracking(True)  # a chapter's title when hovering its tick

    def set_marks(self, marks: list[tuple[int, str]]) -> None:
        """Ticks at these positions (ms), each with the title shown when hovered."""
        self._marks = sorted(marks)
        self.update()

    def mark_x(self, ms: int, track: tuple[int, int] | None = None) -> int:
        """Where the handle's centre is at `ms`: where a tick for it goes."""
        left, span = track or self._track()
        return left + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), ms, span)

    def _track(self) -> tuple[int, int]:
        """(x of the handle's centre at the minimum, pixels to its centre at the maximum),
        from the style: asked once per paint or hover, not once per tick."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        return groove.x() + handle.width() // 2, max(1, groove.width() - handle.width())

    def mark_near(self, x: int, reach: int = 4) -> str | None:
        """The title of the tick within `reach` pixels of `x`, if any."""
        if self.maximum() <= 0:
            return None
        track = self._track()
        near = [(abs(self.mark_x(ms, track) - x), title) for ms, title in self._marks]
        best = min(near, default=None)
        return best[1] if best is not None and best[0] <= reach else None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._marks or self.maximum() <= 0:
            return
        painter = QPainter(self)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Text), 1))
        bottom = self.height() - 2
        track = self._track()
        for ms, _title in self._marks:
            x = self.mark_x(ms, track)
            painter.drawLine(x, bottom - 4, x, bottom)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        title = self.mark_near(round(event.position().x()))
        if title is not None:
            QToolTip.showText(event.globalPosition().toPoint(), title, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # The jump to the click is itself an action; it must not seek before the release.
        self._pressing = True
        try:
            super().mousePressEvent(event)
        finally:
            self._pressing = False

    def _on_released(self) -> None:
        self.seek_requested.emit(self.sliderPosition())

    def _on_action(self, _action: int) -> None:
        if not self._pressing and not self.isSliderDown():
            self.seek_requested.emit(self.sliderPosition())

    def changeEvent(self, event: QEvent) -> None:
        # An application style change would otherwise leave this slider on the old one.
        if event.type() == QEvent.Type.StyleChange and self.style() is not self._jump_style:
            self._jump_style = _JumpToClickStyle()
            self.setStyle(self._jump_style)
        super().changeEvent(event)


def _tool_button(parent: QWidget, name: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setAutoRaise(True)
    button.setToolTip(tip)
    button.setAccessibleName(name)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keep Space for the window's Play/Pause
    return button


class PlayerBar(QWidget):
    """Bottom bar: play/pause, back 15 s, back 5 s, forward 5 s, forward 15 s, seek slider,
    elapsed / total (m:ss / m:ss), speed, volume (mute button + slider)."""

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._message = NO_MEDIA
        self.setAccessibleName("Player")
        self._build()
        self._connect()
        self._sync_from_player()

    # ----- construction -------------------------------------------------------------

    def _build(self) -> None:
        self.play_button = _tool_button(self, "Play", "Play/Pause (Space)")
        self.back15_button = _tool_button(self, "Back 15 seconds", "Back 15 s (Shift+←)")
        self.back5_button = _tool_button(self, "Back 5 seconds", "Back 5 s (←)")
        self.forward5_button = _tool_button(self, "Forward 5 seconds", "Forward 5 s (→)")
        self.forward15_button = _tool_button(self, "Forward 15 seconds", "Forward 15 s (Shift+→)")

        self.slider = SeekSlider(self)
        self.slider.setAccessibleName("Playback position")
        self.slider.setToolTip("Playback position")
        self.message_label = QElidingLabel(self)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)  # may carry a file name
        self.message_label.setAccessibleName("Player status")
        # A status, not content: the palette's muted text colour.
        self.message_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._centre = QStackedWidget(self)
        self._centre.addWidget(self.slider)
        self._centre.addWidget(self.message_label)
        self._centre.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.chapter_label = QElidingLabel(self)
        self.chapter_label.setTextFormat(Qt.TextFormat.PlainText)  # titles are data
        self.chapter_label.setAccessibleName("Current chapter")
        self.chapter_label.setMaximumWidth(220)
        self.chapter_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.chapter_label.hide()
        self._outline: list[OutlineEntry] = []

        self.time_label = QElidingLabel(self)
        self.time_label.setTextFormat(Qt.TextFormat.PlainText)
        self.time_label.setElideMode(Qt.TextElideMode.ElideNone)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.time_label.setAccessibleName("Elapsed and total time")

        self.speed_box = QComboBox(self)
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setToolTip("Playback speed")
        self.speed_box.setAccessibleName("Playback speed")
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.TabFocus)

        self.mute_button = _tool_button(self, "Mute", "Mute")
        self.mute_button.setCheckable(True)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setSingleStep(5)
        self.volume_slider.setPageStep(10)
        self.volume_slider.setFixedWidth(80)
        self.volume_slider.setToolTip("Volume")
        self.volume_slider.setAccessibleName("Volume")
        self.volume_slider.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._lay_out()
        self._set_icons()

    def _lay_out(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(2)
        for button in (
            self.play_button,
            self.back15_button,
            self.back5_button,
            self.forward5_button,
            self.forward15_button,
        ):
            layout.addWidget(button)
        layout.addSpacing(6)
        layout.addWidget(self._centre, 1)
        layout.addSpacing(6)
        layout.addWidget(self.chapter_label)
        layout.addWidget(self.time_label)
        layout.addSpacing(6)
        layout.addWidget(self.speed_box)
        layout.addSpacing(6)
        layout.addWidget(self.mute_button)
        layout.addWidget(self.volume_slider)

    def _connect(self) -> None:
        p = self.player
        self.play_button.clicked.connect(p.toggle)
        self.back15_button.clicked.connect(lambda: p.skip(-15.0))
        self.back5_button.clicked.connect(lambda: p.skip(-5.0))
        self.forward5_button.clicked.connect(lambda: p.skip(5.0))
        self.forward15_button.clicked.connect(lambda: p.skip(15.0))
        self.slider.seek_requested.connect(lambda ms: p.seek(ms / 1000.0))
        self.slider.sliderMoved.connect(self._show_time)  # preview while dragging
        self.speed_box.activated.connect(lambda i: p.set_rate(self.speed_box.itemData(i)))
        self.mute_button.toggled.connect(p.set_muted)
        self.volume_slider.valueChanged.connect(lambda v: p.set_volume(v / 100.0))
        p.position_changed.connect(self._on_position)
        p.duration_changed.connect(self._on_duration)
        p.playing_changed.connect(self._on_playing)
        p.has_media_changed.connect(self._on_has_media)
        p.media_status_changed.connect(self._on_status)
        p.rate_changed.connect(self._on_rate)
        p.volume_changed.connect(self._on_volume)
        p.muted_changed.connect(self._on_muted)

    def _sync_from_player(self) -> None:
        p = self.player
        self._on_duration(p.duration())
        self._on_position(p.position())
        self._on_rate(p.rate())
        self._on_volume(p.volume())
        self._on_muted(p.is_muted())
        self._on_playing(p.is_playing())
        self._on_has_media(p.has_media())

    # ----- public -------------------------------------------------------------------

    def set_chapters(self, entries: list[OutlineEntry]) -> None:
        """Ticks at the chapters' starts and the playing one's title beside the time."""
        self._outline = entries
        self.slider.set_marks([(round(e.start * 1000), e.title) for e in entries])
        self.chapter_label.setVisible(bool(entries) and self.player.has_media())
        self._show_chapter(self.slider.sliderPosition())

    def _show_chapter(self, ms: int) -> None:
        at = chapter_at(self._outline, ms / 1000.0)
        title = self._outline[at].title if at is not None else ""
        if self.chapter_label.text() != title:
            self.chapter_label.setText(title)
            self.chapter_label.setToolTip(title)

    def set_message(self, text: str) -> None:
        """A short status shown in place of the slider while nothing can play."""
        self._message = text
        self.message_label.setText(text)
        self.message_label.setToolTip(text)

    # ----- the player's signals -----------------------------------------------------

    def _on_position(self, seconds: float) -> None:
        if self.slider.isSliderDown():
            return  # the user is dragging: their position wins until release
        self.slider.setValue(round(seconds * 1000))
        self._show_time(round(seconds * 1000))

    def _on_duration(self, seconds: float) -> None:
        self.slider.setRange(0, max(0, round(seconds * 1000)))
        self._reserve_time_width(seconds)
        self._show_time(self.slider.sliderPosition())

    def _show_time(self, ms: int) -> None:
        total = self.player.duration()
        self.time_label.setText(f"{timecode.short(ms / 1000.0)} / {timecode.short(total)}")
        self._show_chapter(ms)

    def _reserve_time_width(self, seconds: float) -> None:
        # Wide enough for any time of this media, so the slider does not twitch as the
        # digits change; "8" stands for the widest digit.
        sample = "".join("8" if c.isdigit() else c for c in timecode.short(seconds))
        width = self.time_label.fontMetrics().horizontalAdvance(f"{sample} / {sample}")
        self.time_label.setMinimumWidth(width + 4)

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setIcon(icons.icon("pause" if playing else "play"))
        self.play_button.setAccessibleName("Pause" if playing else "Play")

    def _on_has_media(self, has_media: bool) -> None:
        for widget in self._controls():
            widget.setEnabled(has_media)
        self._centre.setCurrentWidget(self.slider if has_media else self.message_label)
        self.time_label.setVisible(has_media)  # "0:00 / 0:00" says nothing; give the room
        self.chapter_label.setVisible(has_media and bool(self._outline))
        if has_media:
            self._on_duration(self.player.duration())

    def _on_status(self, text: str) -> None:
        # Only reasons why nothing plays go in the bar; "" and "Loading…" pass by.
        if text and not self.player.has_media():
            self.set_message(text)

    def _on_rate(self, rate: float) -> None:
        index = self.speed_box.findData(rate)
        if index < 0:  # a rate set elsewhere that the list lacks: show the nearest
            index = nearest_speed(rate)
        self.speed_box.setCurrentIndex(index)

    def _on_volume(self, volume: float) -> None:
        self.volume_slider.blockSignals(True)  # no echo back into the player
        self.volume_slider.setValue(round(volume * 100))
        self.volume_slider.blockSignals(False)
        self._set_volume_icon()

    def _on_muted(self, muted: bool) -> None:
        self.mute_button.blockSignals(True)
        self.mute_button.setChecked(muted)
        self.mute_button.blockSignals(False)
        self.mute_button.setToolTip("Unmute" if muted else "Mute")
        self.mute_button.setAccessibleName("Unmute" if muted else "Mute")
        self._set_volume_icon()

    # ----- look ---------------------------------------------------------------------

    def _controls(self) -> tuple[QWidget, ...]:
        return (
            self.play_button,
            self.back15_button,
            self.back5_button,
            self.forward5_button,
            self.forward15_button,
            self.slider,
            self.time_label,
            self.speed_box,
            self.mute_button,
            self.volume_slider,
        )

    def _set_icons(self) -> None:
        self._on_playing(self.player.is_playing())
        self.back15_button.setIcon(icons.icon("back15"))
        self.back5_button.setIcon(icons.icon("back5"))
        self.forward5_button.setIcon(icons.icon("forward5"))
        self.forward15_button.setIcon(icons.icon("forward15"))
        self._set_volume_icon()

    def _set_volume_icon(self) -> None:
        silent = self.player.is_muted() or self.player.volume() == 0
        self.mute_button.setIcon(icons.icon("mute" if silent else "volume"))

    def changeEvent(self, event: QEvent) -> None:
        # Icons are drawn in the palette's text colour: redraw them for a new palette.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._set_icons()
        super().changeEvent(event)
