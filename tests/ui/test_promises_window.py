"""What README's "The window" promises, pressed as a user presses it (issue 19).

Every shortcut here goes through real key events on the focused widget (the shortcut map,
the menu bar's mnemonics, the menus' own keys), never through an action's slot or
`trigger()`: a shortcut that is unbound, shadowed or bound to the wrong thing fails.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QPalette, QStyleHints
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QTableWidget, QWidget

from desktop.core.insights.payload import Insights
from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.store import Library
from desktop.ui.app import make_application
from desktop.ui.main_window import MainWindow
from desktop.ui.opening import sample_path
from desktop.ui.settings_dialog import SettingsDialog
from tests import media_fixtures as media
from tests.ui.conftest import DATA, ROOT

JFK = DATA / "audio" / "jfk.flac"
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NATIVE = QKeySequence.SequenceFormat.NativeText
PLACEHOLDER_TLDR = "Stored before the test: anything made by Ctrl+R differs."
# README's key table, every key it lists (F1: "every shortcut").
README_KEYS = (
    "Space", "Left", "Right", "Shift+Left", "Shift+Right", "[", "]", "F", "N", "F2",
    "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+F", "F3", "Shift+F3", "Ctrl+Shift+F", "Ctrl+E",
    "Ctrl+Shift+C", "Ctrl+O", "Ctrl+Q", "Ctrl+R", "Ctrl+,", "F1",
)  # fmt: skip


# --- helpers ------------------------------------------------------------------------------


def press(qtbot, window: MainWindow, key: Qt.Key, modifier=NO_MODIFIER) -> None:
    """A key as the user presses it: to the widget with the keyboard focus."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def ready(qtbot, window: MainWindow) -> None:
    """Shown, active, the transcript holding the focus (as after a click in it)."""
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    window.transcript.list_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.transcript.list_view)


def modal_from(qtbot, keys: Callable[[], None], look: Callable[[QWidget], object]) -> object:
    """Press `keys`; `look` at the modal dialog they open (inside its own event loop), then
    close it. Returns what `look` returned; fails when no dialog opened."""
    seen: dict[str, object] = {}
    poll = QTimer()
    poll.setInterval(20)

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or "what" in seen:
            return
        poll.stop()
        seen["what"] = look(dialog)
        dialog.close()

    poll.timeout.connect(check)
    poll.start()
    try:
        keys()
        qtbot.waitUntil(lambda: "what" in seen, timeout=10_000)
    finally:
        poll.stop()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5_000)
    return seen["what"]


def table_rows(table: QTableWidget) -> list[tuple[str, str]]:
    return [
        (table.item(row, 0).text(), table.item(row, 1).text()) for row in range(table.rowCount())
    ]


@pytest.fixture
def jfk_library(tmp_path: Path) -> Path:
    """One short episode with media (JFK's 11 s), three segments and stored insights."""
    path = tmp_path / "jfk" / "library.sqlite3"
    path.parent.mkdir()
    with Library.open(path) as library:
        episode = library.create_episode(
            title="JFK inaugural", source=EpisodeSource.TRANSCRIBED, status=EpisodeStatus.DONE,
            media_path=str(JFK), duration=11.0,
        )  # fmt: skip
        library.append_segments(
            episode.id,
            [
                Segment(0.0, 3.3, "And so, my fellow Americans,"),
                Segment(3.3, 7.9, "ask not what your country can do for you,"),
                Segment(7.9, 11.0, "ask what you can do for your country."),
            ],
        )
        library.save_insights(
            episode.id, Insights(tldr=PLACEHOLDER_TLDR, summary="Placeholder.", engine="extractive")
        )
    return path


def open_jfk(qtbot, make_window, jfk_library: Path) -> MainWindow:
    window = make_window(jfk_library)
    assert window.session.open_episode(1)
    qtbot.waitUntil(lambda: window.player.duration() > 10, timeout=20_000)
    ready(qtbot, window)
    return window


# --- shortcuts ----------------------------------------------------------------------------


def test_brackets_change_the_speed_of_the_player_and_the_box(
    qtbot, make_window, jfk_library
) -> None:
    window = open_jfk(qtbot, make_window, jfk_library)
    player, box = window.player, window.player_bar.speed_box

    def speed() -> tuple[float, float, float]:
        return player.rate(), player.media_player.playbackRate(), box.currentData()

    assert speed() == (1.0, 1.0, 1.0)
    press(qtbot, window, Qt.Key.Key_BracketRight)
    assert speed() == (1.25, 1.25, 1.25) and box.currentText() == "1.25×"
    press(qtbot, window, Qt.Key.Key_BracketRight)
    assert speed() == (1.5, 1.5, 1.5)
    for _ in range(4):
        press(qtbot, window, Qt.Key.Key_BracketLeft)
    assert speed() == (0.5, 0.5, 0.5) and box.currentText() == "0.5×"
    press(qtbot, window, Qt.Key.Key_BracketLeft)  # the slowest stays the slowest
    assert speed() == (0.5, 0.5, 0.5)
    for _ in range(8):
        press(qtbot, window, Qt.Key.Key_BracketRight)
    assert speed() == (2.0, 2.0, 2.0) and box.currentText() == "2×"


def test_ctrl_r_regenerates_the_insights(qtbot, make_window, jfk_library) -> None:
    window = open_jfk(qtbot, make_window, jfk_library)
    assert window.insights.section_texts()["tldr"] == [PLACEHOLDER_TLDR]
    with qtbot.waitSignal(window.session.insights_changed, timeout=60_000):
        press(qtbot, window, Qt.Key.Key_R, CTRL)
    made = window.session.library.insights(1)
    assert made is not None and made.tldr != PLACEHOLDER_TLDR
    assert window.insights.section_texts()["tldr"] == [made.tldr]


def test_regenerate_right_as_a_run_hands_over_is_not_lost(qtbot, make_window, jfk_library) -> None:
    """Ctrl+R pressed the moment a run's answer arrives (its job not yet ended) starts a
    new run; it was once dropped without a word (a CI run under load caught it)."""
    window = open_jfk(qtbot, make_window, jfk_library)
    answers: list[object] = []

    def again(insights: object) -> None:
        answers.append(insights)
        if len(answers) == 1:  # inside the first run's hand-over, before its job ends
            press(qtbot, window, Qt.Key.Key_R, CTRL)

    window.session.insights_changed.connect(again)
    press(qtbot, window, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=60_000)
    assert all(a is not None for a in answers)


def test_ctrl_comma_opens_settings(qtbot, make_window) -> None:
    window = make_window()
    ready(qtbot, window)
    kind = modal_from(qtbot, lambda: press(qtbot, window, Qt.Key.Key_Comma, CTRL), type)
    assert kind is SettingsDialog


def test_f1_lists_every_shortcut(qtbot, make_window) -> None:
    window = make_window()
    ready(qtbot, window)

    def look(dialog: QWidget) -> tuple[str, list[tuple[str, str]]]:
        return dialog.windowTitle(), table_rows(dialog.findChild(QTableWidget))

    title, rows = modal_from(qtbot, lambda: press(qtbot, window, Qt.Key.Key_F1), look)
    assert title == "Keyboard Shortcuts"
    listed = {keys for _text, keys in rows}
    assert {QKeySequence(k).toString(NATIVE) for k in README_KEYS} <= listed
    bound = {
        (a.text().replace("&", "").rstrip("…"), a.shortcut().toString(NATIVE))
        for a in window.actions_by_name.values()
        if not a.shortcut().isEmpty()
    }
    assert set(rows) == bound


@pytest.mark.parametrize(
    ("name", "key"),
    [("show_library", Qt.Key.Key_1), ("show_insights", Qt.Key.Key_2)],
)
def test_view_shortcuts_hide_and_show_the_panes(qtbot, make_window, name, key) -> None:
    window = make_window()
    ready(qtbot, window)
    pane = {"show_library": window.left_tabs, "show_insights": window.insights}[name]
    action = window.actions_by_name[name]
    view_menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View")
    assert action in view_menu.actions()
    assert pane.isVisible() and action.isChecked()
    press(qtbot, window, key, CTRL)
    assert not pane.isVisible() and not action.isChecked()
    press(qtbot, window, key, CTRL)
    assert pane.isVisible() and action.isChecked()


def test_search_shows_the_hidden_library_and_view_says_so(qtbot, make_window) -> None:
    window = make_window()
    ready(qtbot, window)
    press(qtbot, window, Qt.Key.Key_1, CTRL)
    assert not window.left_tabs.isVisible()
    press(qtbot, window, Qt.Key.Key_F, CTRL | SHIFT)  # search the library: the pane comes back
    assert window.left_tabs.isVisible()
    assert window.actions_by_name["show_library"].isChecked()


def test_video_shortcut_and_header_collapse_the_video_and_view_follows(
    qtbot, make_window, tmp_path: Path
) -> None:
    video = media.tone_video(tmp_path / "clip.mp4")
    with Library.open(tmp_path / "library.sqlite3") as library:
        episode = library.create_episode(
            title="Clip", source=EpisodeSource.TRANSCRIBED, status=EpisodeStatus.DONE,
            media_path=str(video),
        )  # fmt: skip
        library.append_segments(episode.id, [Segment(0.0, 2.0, "A tone.")])
        library.save_insights(episode.id, Insights(tldr="A tone.", summary="", engine="extractive"))
    window = make_window()
    window.session.open_episode(episode.id)
    qtbot.waitUntil(lambda: window.video.isVisible(), timeout=20_000)
    ready(qtbot, window)
    action, picture = window.actions_by_name["show_video"], window.video.video_widget
    split, button = window.center_split, window.video.toggle_button
    assert picture.isVisible() and action.isChecked()
    header = button.sizeHint().height()
    qtbot.waitUntil(lambda: split.sizes()[0] > 3 * header, timeout=5_000)  # laid out
    shown = split.sizes()

    def collapsed() -> bool:
        """The picture gone, the area down to its header, the transcript given the room."""
        video, transcript = split.sizes()
        return not picture.isVisible() and video <= header + 4 and video + transcript == sum(shown)

    press(qtbot, window, Qt.Key.Key_3, CTRL)
    qtbot.waitUntil(collapsed, timeout=2_000)
    assert not action.isChecked()
    press(qtbot, window, Qt.Key.Key_3, CTRL)
    qtbot.waitUntil(lambda: picture.isVisible() and split.sizes() == shown, timeout=2_000)
    assert action.isChecked()
    # The area's own header button collapses it too: the View menu says so.
    qtbot.waitUntil(lambda: not button.rect().isEmpty(), timeout=2_000)  # laid out again
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(collapsed, timeout=2_000)
    assert not action.isChecked()
    press(qtbot, window, Qt.Key.Key_3, CTRL)  # and one press brings it back
    qtbot.waitUntil(lambda: picture.isVisible() and split.sizes() == shown, timeout=2_000)
    assert action.isChecked()


# --- File menu, by keyboard ---------------------------------------------------------------


def open_by_dialog(qtbot, window: MainWindow, path: Path) -> None:
    """Ctrl+O, the file's path typed into the dialog, Enter."""

    def look(dialog: QWidget) -> str:
        assert isinstance(dialog, QFileDialog)
        qtbot.keyClicks(QApplication.focusWidget(), str(path))
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        return "typed"

    modal_from(qtbot, lambda: press(qtbot, window, Qt.Key.Key_O, CTRL), look)


def file_menu(window: MainWindow) -> QMenu:
    return next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&File")


def test_open_recent_lists_what_was_opened_and_reopens_it(qtbot, make_window) -> None:
    first, second = DATA / "importers" / "features.vtt", DATA / "importers" / "blog.md"
    window = make_window()
    ready(qtbot, window)
    open_by_dialog(qtbot, window, first)
    qtbot.waitUntil(lambda: window.session.current is not None, timeout=20_000)
    first_id = window.session.current.id
    window.open_paths([second])  # (as a drop would)
    qtbot.waitUntil(lambda: window.session.current.id != first_id, timeout=20_000)
    ready(qtbot, window)
    menu = file_menu(window)
    press(qtbot, window, Qt.Key.Key_F, ALT)
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    qtbot.keyClick(menu, Qt.Key.Key_R)  # Open &Recent
    recent = window.recent_menu
    qtbot.waitUntil(recent.isVisible, timeout=5_000)
    names = [a.text() for a in recent.actions()]
    assert names == [second.name, first.name]  # the newest first
    assert recent.activeAction() is recent.actions()[0]
    qtbot.keyClick(recent, Qt.Key.Key_Down)
    qtbot.keyClick(recent, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.current.id == first_id, timeout=20_000)
    assert not menu.isVisible()
    assert window.transcript.model().segment(0).text.startswith("Hello there")


def test_open_sample_opens_the_bundled_sample(qtbot, make_window) -> None:
    window = make_window()
    ready(qtbot, window)
    menu = file_menu(window)
    press(qtbot, window, Qt.Key.Key_F, ALT)
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    qtbot.keyClick(menu, Qt.Key.Key_A)  # Open the S&ample Episode
    assert not menu.isVisible(), "the mnemonic chose one item and ran it"
    qtbot.waitUntil(lambda: window.session.current is not None, timeout=30_000)
    assert window.session.current.media_path == str(sample_path().resolve())
    window.session.cancel_transcription()


def test_no_menu_has_two_items_on_one_mnemonic(make_window) -> None:
    window = make_window()
    for menu in window.menuBar().findChildren(QMenu):
        keys = [
            m.group(1).lower()
            for a in menu.actions()
            if (m := re.search(r"&([^&])", a.text().replace("&&", "")))
        ]
        assert len(keys) == len(set(keys)), f"{menu.title()}: {keys}"


# --- library search -----------------------------------------------------------------------


@pytest.mark.parametrize("play", [True, False])
def test_enter_on_a_result_opens_its_moment_and_plays_when_ticked(
    qtbot, make_window, jfk_library, play: bool
) -> None:
    window = make_window(jfk_library)
    ready(qtbot, window)
    assert window.session.current is None
    press(qtbot, window, Qt.Key.Key_F, CTRL | SHIFT)
    pane = window.search_pane
    assert QApplication.focusWidget() is pane.edit
    if play:
        qtbot.mouseClick(pane.play_box, Qt.MouseButton.LeftButton)
        assert pane.play_box.isChecked()
        qtbot.mouseClick(pane.edit, Qt.MouseButton.LeftButton)  # back to typing
    qtbot.keyClicks(QApplication.focusWidget(), '"for your country"')
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1 and pane.idle(), timeout=10_000)
    press(qtbot, window, Qt.Key.Key_Return)  # to the first result
    assert QApplication.focusWidget() is pane.list_view
    press(qtbot, window, Qt.Key.Key_Return)  # open it
    assert window.session.current is not None and window.session.current.id == 1
    assert window.transcript.model().current_row() == 2
    assert window.player.position() == pytest.approx(7.9, abs=0.05)
    if not play:
        qtbot.wait(300)
        assert not window.player.is_playing()
        return
    qtbot.waitUntil(window.player.is_playing, timeout=10_000)
    moved: list[float] = []
    window.player.position_changed.connect(moved.append)
    qtbot.waitUntil(lambda: any(p > 7.95 for p in moved), timeout=10_000)
    window.player.pause()
    assert all(7.9 - 0.05 <= p <= 11.0 for p in moved)  # from the result on, not from 0


# --- theme --------------------------------------------------------------------------------


def is_dark(widget: QWidget | QApplication) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


@pytest.fixture
def system_scheme() -> Iterator[Callable[[Qt.ColorScheme], None]]:
    """What the system says (the offscreen platform always says Unknown); afterwards the
    palette is put back as the real system and environment have it."""
    scheme = {"now": Qt.ColorScheme.Unknown}

    def say(value: Qt.ColorScheme) -> None:
        scheme["now"] = value
        QGuiApplication.styleHints().colorSchemeChanged.emit(value)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QStyleHints, "colorScheme", lambda _self: scheme["now"])
        yield say
    wanted = os.environ.pop("EARMARK_THEME", None)  # the test's own, undone after this
    make_application()
    if wanted is not None:
        os.environ["EARMARK_THEME"] = wanted


@pytest.mark.parametrize(
    ("system", "override", "dark"),
    [
        (Qt.ColorScheme.Dark, None, True),
        (Qt.ColorScheme.Light, None, False),
        (Qt.ColorScheme.Unknown, None, False),
        (Qt.ColorScheme.Dark, "light", False),
        (Qt.ColorScheme.Light, "dark", True),
        (Qt.ColorScheme.Unknown, "DARK", True),
    ],
)
def test_light_or_dark_follows_the_system_unless_earmark_theme_says(
    qtbot, make_window, system_scheme, monkeypatch, system, override, dark
) -> None:
    monkeypatch.delenv("EARMARK_THEME", raising=False)
    system_scheme(system)
    if override:
        monkeypatch.setenv("EARMARK_THEME", override)
    app = make_application()  # what the window's start-up runs
    window = make_window()
    assert is_dark(app) is dark and is_dark(window) is dark
    assert is_dark(window.transcript.list_view.viewport()) is dark


def test_a_system_switch_while_running_is_followed(
    qtbot, make_window, system_scheme, monkeypatch
) -> None:
    monkeypatch.delenv("EARMARK_THEME", raising=False)
    system_scheme(Qt.ColorScheme.Light)
    make_application()
    window = make_window()
    assert not is_dark(window)
    system_scheme(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: is_dark(window), timeout=5_000)
    system_scheme(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: not is_dark(window), timeout=5_000)


def test_earmark_theme_holds_when_the_system_switches(
    qtbot, make_window, system_scheme, monkeypatch
) -> None:
    monkeypatch.setenv("EARMARK_THEME", "dark")
    system_scheme(Qt.ColorScheme.Light)
    make_application()
    window = make_window()
    assert is_dark(window)
    system_scheme(Qt.ColorScheme.Dark)
    system_scheme(Qt.ColorScheme.Light)
    qtbot.wait(50)
    assert is_dark(window)


# --- the command line ---------------------------------------------------------------------


def test_transcribe_on_a_terminal_shows_a_bar_with_the_time_left(tmp_path: Path) -> None:
    """`earmark transcribe` under a pseudo-terminal of 100 columns, as a shell runs it."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop", "transcribe", str(JFK)],
            stdin=terminal, stdout=subprocess.PIPE, stderr=terminal, cwd=ROOT,
            env={**os.environ, "EARMARK_HOME": str(tmp_path / "home")},
        )  # fmt: skip
    finally:
        os.close(terminal)
    shown, ended = b"", False
    try:
        while not ended and select.select([controller], [], [], 120)[0]:  # else: stuck
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end closed: the command ended
                chunk = b""
            shown += chunk
            ended = not chunk
    finally:
        os.close(controller)
        if not ended:
            process.kill()
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, shown.decode(errors="replace")
    assert out.decode().startswith("#1 ")
    frames = shown.decode(errors="replace").replace("\r\n", "\r").split("\r")
    bars = [f for f in frames if re.search(r"\b\d{1,3}%\|", f)]
    assert bars, shown
    assert any(re.search(r"\d+:\d\d left", f) for f in bars), bars
    assert re.search(r"100%\|.*\b0:11/0:11, 0:00 left", bars[-1]), bars[-1]
