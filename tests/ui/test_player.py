"""The media player, its bar and the video area, with real media through Qt's FFmpeg backend.

No QAudioOutput is attached anywhere: the backend plays without one, and destroying one
crashed FFmpeg's audio thread at teardown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider

from desktop.ui.player.bar import PlayerBar
from desktop.ui.player.player import Player
from desktop.ui.player.video import VideoArea

JFK = Path(__file__).resolve().parents[1] / "data" / "audio" / "jfk.flac"  # 11.0 s, audio only
LOAD_MS = 10_000  # generous: two cores shared with other work


@pytest.fixture
def player(qtbot) -> Iterator[Player]:
    player = Player()
    yield player
    player.media_player.stop()
    player.media_player.setSource(QUrl())
    player.deleteLater()
    qtbot.wait(10)


@pytest.fixture
def bar(qtbot, player: Player) -> PlayerBar:
    bar = PlayerBar(player)
    qtbot.addWidget(bar)
    bar.resize(900, bar.sizeHint().height())
    bar.show()
    qtbot.waitExposed(bar)
    return bar


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    out = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
         "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", "3", "-shortest", str(out)],
        check=True,
    )  # fmt: skip
    return out


def loaded(qtbot, player: Player, path: Path = JFK, start: float = 0.0) -> None:
    assert player.load(str(path), start)
    qtbot.waitUntil(lambda: player.duration() > 0, timeout=LOAD_MS)


def recorder(signal) -> list:
    seen: list = []
    signal.connect(seen.append)
    return seen


# ----- Player: sources -----------------------------------------------------------------


def test_load_none_clears_and_says_why(qtbot, player: Player) -> None:
    loaded(qtbot, player)
    statuses = recorder(player.media_status_changed)
    assert player.load(None) is False
    assert statuses == ["No media for this episode"]
    assert not player.has_media()
    assert player.source_path() is None
    assert player.media_player.source().isEmpty()
    player.play()  # a no-op without media, not an error
    assert not player.is_playing()


def test_load_missing_file_names_it(qtbot, player: Player, tmp_path: Path) -> None:
    missing = tmp_path / "gone.mp3"
    statuses = recorder(player.media_status_changed)
    assert player.load(str(missing)) is False
    assert statuses == [f"Media file not found: {missing}"]
    assert not player.has_media()


def test_load_audio_reports_duration_and_no_video(qtbot, player: Player) -> None:
    durations = recorder(player.duration_changed)
    assert player.load(str(JFK)) is True
    assert player.source_path() == str(JFK)
    qtbot.waitUntil(lambda: bool(durations) and durations[-1] > 0, timeout=LOAD_MS)
    assert durations[-1] == pytest.approx(11.0, abs=0.1)
    assert player.duration() == pytest.approx(11.0, abs=0.1)
    assert player.has_video() is False
    assert not player.is_playing()  # no autoplay


def test_load_video_reports_video(qtbot, player: Player, video_file: Path) -> None:
    with qtbot.waitSignal(player.has_video_changed, timeout=LOAD_MS) as blocker:
        assert player.load(str(video_file))
    assert blocker.args == [True]
    qtbot.waitUntil(lambda: player.duration() > 0, timeout=LOAD_MS)
    assert player.duration() == pytest.approx(3.0, abs=0.2)
    assert player.has_video()


def test_load_starts_at_the_given_time(qtbot, player: Player) -> None:
    loaded(qtbot, player, start=4.0)
    qtbot.waitUntil(lambda: player.media_player.position() == 4000, timeout=LOAD_MS)
    assert player.position() == pytest.approx(4.0)


def test_corrupt_file_becomes_an_error_naming_it(qtbot, bar: PlayerBar, tmp_path) -> None:
    player = bar.player
    bad = tmp_path / "x.mp3"
    bad.write_bytes(os.urandom(20_000))
    with qtbot.waitSignal(player.error, timeout=LOAD_MS) as blocker:
        player.load(str(bad))
    assert "x.mp3" in blocker.args[0]
    assert not player.has_media()
    assert "x.mp3" in bar.message_label.text()
    assert not bar.play_button.isEnabled()


# ----- Player: seeking, rate, volume ---------------------------------------------------


def test_seek_and_skip_clamp_and_report_at_once(qtbot, player: Player) -> None:
    loaded(qtbot, player)
    positions = recorder(player.position_changed)
    player.seek(100.0)
    assert positions[-1] == pytest.approx(11.0, abs=0.1)
    player.seek(-3.0)
    assert positions[-1] == 0.0
    player.skip(3.0)
    assert positions[-1] == pytest.approx(3.0)
    player.skip(-10.0)
    assert positions[-1] == 0.0
    player.seek(6.5)
    assert positions[-1] == pytest.approx(6.5)
    assert player.position() == pytest.approx(6.5)
    assert len(positions) == 5
    qtbot.waitUntil(lambda: player.media_player.position() == 6500, timeout=LOAD_MS)


def test_seek_before_loaded_is_applied_once_loaded(qtbot, player: Player) -> None:
    positions = recorder(player.position_changed)
    player.load(str(JFK))
    player.seek(7.0)  # the media is still loading
    assert positions[-1] == 7.0
    assert player.position() == 7.0
    qtbot.waitUntil(lambda: player.media_player.position() == 7000, timeout=LOAD_MS)


def test_seek_without_media_does_nothing(player: Player) -> None:
    positions = recorder(player.position_changed)
    player.seek(5.0)
    assert positions == []


def test_rate_is_clamped_and_applied(qtbot, player: Player) -> None:
    loaded(qtbot, player)
    player.set_rate(1.5)
    assert player.rate() == 1.5
    assert player.media_player.playbackRate() == 1.5
    player.set_rate(4.0)
    assert player.rate() == 2.0
    player.set_rate(0.1)
    assert player.rate() == 0.5


def test_volume_is_remembered_without_an_audio_output(player: Player) -> None:
    assert player.media_player.audioOutput() is None
    player.set_volume(0.3)
    assert player.volume() == pytest.approx(0.3)
    player.set_volume(7.0)
    assert player.volume() == 1.0
    player.set_muted(True)
    assert player.is_muted()


# ----- Player: playing -----------------------------------------------------------------


def test_play_advances_and_pause_stops(qtbot, player: Player) -> None:
    loaded(qtbot, player)
    positions = recorder(player.position_changed)
    with qtbot.waitSignal(player.playing_changed, timeout=LOAD_MS) as started:
        player.play()
    assert started.args == [True]
    qtbot.waitUntil(lambda: player.position() > 0.3, timeout=LOAD_MS)
    qtbot.waitUntil(lambda: len(positions) >= 5, timeout=LOAD_MS)  # the timer, not one seek
    assert positions == sorted(positions)  # smooth: never runs backwards while playing
    with qtbot.waitSignal(player.playing_changed, timeout=LOAD_MS) as stopped:
        player.pause()
    assert stopped.args == [False]
    stopped_at, count = player.position(), len(positions)
    qtbot.wait(300)
    assert player.position() == pytest.approx(stopped_at, abs=0.01)
    assert len(positions) == count  # the timer stopped with playback


def test_pause_and_play_again_never_step_back(qtbot, player: Player) -> None:
    """QMediaPlayer's position at a pause lies 18-48 ms behind the extrapolated one already
    emitted: the reader must not be moved backwards by pausing, nor by playing again."""
    loaded(qtbot, player)
    positions = recorder(player.position_changed)
    for _ in range(3):
        player.play()
        qtbot.waitUntil(player.is_playing, timeout=LOAD_MS)
        count = len(positions)
        qtbot.waitUntil(lambda count=count: len(positions) >= count + 8, timeout=LOAD_MS)
        with qtbot.waitSignal(player.playing_changed, timeout=LOAD_MS):
            player.pause()
        assert player.position() >= max(positions)
    assert positions == sorted(positions)
    assert positions[-1] == player.position()  # the last report is where it stands


def test_playing_to_the_end_stops_and_replays_from_the_start(qtbot, player: Player) -> None:
    loaded(qtbot, player, start=10.6)
    qtbot.waitUntil(lambda: player.media_player.position() == 10600, timeout=LOAD_MS)
    player.play()
    qtbot.waitUntil(player.is_playing, timeout=LOAD_MS)
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=LOAD_MS)
    assert player.position() == pytest.approx(11.0, abs=0.1)
    positions = recorder(player.position_changed)
    player.play()
    assert positions[0] == 0.0
    qtbot.waitUntil(player.is_playing, timeout=LOAD_MS)
    assert player.position() < 5.0


def test_toggle_plays_and_pauses(qtbot, player: Player) -> None:
    loaded(qtbot, player)
    player.toggle()
    qtbot.waitUntil(player.is_playing, timeout=LOAD_MS)
    player.toggle()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=LOAD_MS)


# ----- PlayerBar -----------------------------------------------------------------------


def test_bar_without_media_shows_why_and_disables(qtbot, bar: PlayerBar) -> None:
    bar.player.load(None)
    assert bar.message_label.text() == "No media for this episode"
    assert bar.message_label.isVisible()
    assert not bar.slider.isVisible()
    assert not bar.time_label.isVisible()
    for control in (bar.play_button, bar.back5_button, bar.forward15_button, bar.speed_box):
        assert not control.isEnabled()
    bar.set_message("No media for this episode (imported transcript)")
    assert bar.message_label.text() == "No media for this episode (imported transcript)"


def test_bar_enables_when_media_loads(qtbot, bar: PlayerBar) -> None:
    bar.player.load(None)
    loaded(qtbot, bar.player)
    assert bar.play_button.isEnabled()
    assert bar.slider.isVisible()
    assert bar.slider.maximum() == 11_000
    assert bar.time_label.text() == "0:00 / 0:11"
    bar.player.seek(5.4)
    assert bar.time_label.text() == "0:05 / 0:11"
    assert bar.slider.value() == 5400


def _groove_x(slider, fraction: float) -> int:
    """The x of a fraction of the slider's range, as the style lays it out."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                  QStyle.SubControl.SC_SliderGroove, slider)  # fmt: skip
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                  QStyle.SubControl.SC_SliderHandle, slider)  # fmt: skip
    span = groove.width() - handle.width()
    return groove.x() + handle.width() // 2 + round(span * fraction)


def test_slider_drag_seeks_once_on_release(qtbot, bar: PlayerBar) -> None:
    player = bar.player
    loaded(qtbot, player)
    positions = recorder(player.position_changed)
    slider, y = bar.slider, bar.slider.height() // 2
    QTest.mousePress(slider, Qt.MouseButton.LeftButton, pos=QPoint(_groove_x(slider, 0.25), y))
    assert slider.isSliderDown()
    assert slider.value() == pytest.approx(2750, abs=300)  # jumped to the click
    QTest.mouseMove(slider, QPoint(_groove_x(slider, 0.5), y))
    assert slider.value() == pytest.approx(5500, abs=300)
    assert bar.time_label.text() == "0:05 / 0:11"  # previews the drag
    assert positions == []  # no seek while held
    player.seek(1.0)  # a position update while held must not move the handle
    assert slider.value() == pytest.approx(5500, abs=300)
    positions.clear()
    QTest.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(_groove_x(slider, 0.5), y))
    assert len(positions) == 1
    assert positions[0] == pytest.approx(5.5, abs=0.3)
    assert player.position() == pytest.approx(5.5, abs=0.3)


def test_slider_keyboard_seeks(qtbot, bar: PlayerBar) -> None:
    loaded(qtbot, bar.player)
    bar.slider.setFocus()
    QTest.keyClick(bar.slider, Qt.Key.Key_Right)
    assert bar.player.position() == pytest.approx(5.0)


def test_skip_buttons(qtbot, bar: PlayerBar) -> None:
    loaded(qtbot, bar.player)
    qtbot.mouseClick(bar.forward5_button, Qt.MouseButton.LeftButton)
    assert bar.player.position() == pytest.approx(5.0)
    qtbot.mouseClick(bar.forward15_button, Qt.MouseButton.LeftButton)
    assert bar.player.position() == pytest.approx(11.0, abs=0.1)
    qtbot.mouseClick(bar.back5_button, Qt.MouseButton.LeftButton)
    assert bar.player.position() == pytest.approx(6.0, abs=0.1)
    qtbot.mouseClick(bar.back15_button, Qt.MouseButton.LeftButton)
    assert bar.player.position() == 0.0


def test_speed_box_sets_rate_and_follows_it(qtbot, bar: PlayerBar) -> None:
    loaded(qtbot, bar.player)
    assert bar.speed_box.currentText() == "1×"
    bar.speed_box.setFocus()
    QTest.keyClick(bar.speed_box, Qt.Key.Key_Down)  # as the user picks the next speed
    assert bar.player.rate() == 1.25
    bar.player.set_rate(2.0)  # e.g. from a menu
    assert bar.speed_box.currentText() == "2×"
    assert [bar.speed_box.itemText(i) for i in range(bar.speed_box.count())] == [
        "0.5×", "0.75×", "1×", "1.25×", "1.5×", "1.75×", "2×",
    ]  # fmt: skip


def test_play_button_toggles_and_changes_icon(qtbot, bar: PlayerBar) -> None:
    loaded(qtbot, bar.player)
    play_icon = bar.play_button.icon().cacheKey()
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(bar.player.is_playing, timeout=LOAD_MS)
    assert bar.play_button.accessibleName() == "Pause"
    assert bar.play_button.icon().cacheKey() != play_icon
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bar.player.is_playing(), timeout=LOAD_MS)
    assert bar.play_button.accessibleName() == "Play"


def test_volume_controls(qtbot, bar: PlayerBar) -> None:
    loaded(qtbot, bar.player)
    bar.volume_slider.setValue(40)
    assert bar.player.volume() == pytest.approx(0.4)
    qtbot.mouseClick(bar.mute_button, Qt.MouseButton.LeftButton)
    assert bar.player.is_muted()
    assert bar.mute_button.accessibleName() == "Unmute"
    bar.player.set_volume(0.8)
    assert bar.volume_slider.value() == 80


def test_tooltips_name_shortcuts_and_controls_have_names(bar: PlayerBar) -> None:
    assert bar.play_button.toolTip() == "Play/Pause (Space)"
    assert bar.back5_button.toolTip() == "Back 5 s (←)"
    assert bar.forward5_button.toolTip() == "Forward 5 s (→)"
    assert bar.back15_button.toolTip() == "Back 15 s (Shift+←)"
    assert bar.forward15_button.toolTip() == "Forward 15 s (Shift+→)"
    controls = (bar.play_button, bar.back15_button, bar.back5_button, bar.forward5_button,
                bar.forward15_button, bar.slider, bar.time_label, bar.speed_box,
                bar.mute_button, bar.volume_slider, bar.message_label)  # fmt: skip
    assert all(control.accessibleName() for control in controls)


def test_icons_follow_the_palette(qtbot, bar: PlayerBar) -> None:
    app = QApplication.instance()
    before = bar.back5_button.icon().cacheKey()
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.ButtonText, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.Button, QColor("#333333"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: bar.back5_button.icon().cacheKey() != before, timeout=2000)
    finally:
        app.setPalette(old)


# ----- VideoArea -----------------------------------------------------------------------


def test_video_area_collapses(qtbot) -> None:
    area = VideoArea()
    qtbot.addWidget(area)
    area.show()
    assert not area.is_collapsed()
    assert area.video_widget.isVisible()
    with qtbot.waitSignal(area.collapsed_changed) as blocker:
        qtbot.mouseClick(area.toggle_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]
    assert area.is_collapsed()
    assert not area.video_widget.isVisible()
    assert area.toggle_button.accessibleName() == "Show video"
    area.set_collapsed(False)
    assert area.video_widget.isVisible()
    assert area.toggle_button.accessibleName() == "Hide video"


def test_video_plays_into_the_area(qtbot, player: Player, video_file: Path) -> None:
    area = VideoArea()
    qtbot.addWidget(area)
    area.show()
    player.set_video_output(area.video_widget)
    assert player.media_player.videoOutput() is area.video_widget
    frames = recorder(area.video_widget.videoSink().videoFrameChanged)
    loaded(qtbot, player, video_file)
    assert player.has_video()
    player.play()
    qtbot.waitUntil(lambda: any(frame.isValid() for frame in frames), timeout=LOAD_MS)
    assert frames[-1].size().width() == 160
