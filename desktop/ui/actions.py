"""The window's actions: one table of text, shortcut and icon, feeding menus and tooltips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from desktop.ui.icons import icon


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    text: str
    shortcut: str | None = None
    icon: str | None = None
    tip: str | None = None


SPECS = (
    ActionSpec("open", "&Open…", "Ctrl+O", "open",
               "Open audio, video or a transcript"),
    ActionSpec("open_folder", "Open Fol&der…", None, "open",
               "Transcribe every audio and video file in a folder, one after another"),
    ActionSpec("open_sample", "Open the S&ample Episode", None, "sample"),
    ActionSpec("subscribe", "Su&bscribe to a Podcast…", None, "subscribe",
               "Follow a show by its feed address: its episodes appear under Podcasts"),
    ActionSpec("import_opml", "&Import Subscriptions (OPML)…"),
    ActionSpec("export_opml", "E&xport Subscriptions (OPML)…"),
    ActionSpec("refresh_feeds", "Re&fresh Podcasts", "F5", "refresh",
               "Look for new episodes of every show"),
    ActionSpec("export", "&Export…", "Ctrl+E", "export",
               "Export as Markdown, SRT, VTT, TXT or JSON"),
    ActionSpec("copy_markdown", "Copy as &Markdown", "Ctrl+Shift+C"),
    ActionSpec("quit", "&Quit", "Ctrl+Q"),
    ActionSpec("play", "&Play/Pause", "Space", "play"),
    ActionSpec("back5", "Back 5 Seconds", "Left", "back5"),
    ActionSpec("forward5", "Forward 5 Seconds", "Right", "forward5"),
    ActionSpec("back15", "Back 15 Seconds", "Shift+Left", "back15"),
    ActionSpec("forward15", "Forward 15 Seconds", "Shift+Right", "forward15"),
    ActionSpec("slower", "S&lower", "[", None),
    ActionSpec("faster", "&Faster", "]", None),
    ActionSpec("previous_chapter", "Pre&vious Chapter", "Ctrl+Left", None,
               "Back to the start of this chapter, or the one before"),
    ActionSpec("next_chapter", "&Next Chapter", "Ctrl+Right", None, "On to the next chapter"),
    ActionSpec("follow", "F&ollow Playback", "F", "follow",
               "Keep the playing segment in view"),
    ActionSpec("undo", "&Undo", "Ctrl+Z"),
    ActionSpec("redo", "&Redo", "Ctrl+Shift+Z"),
    ActionSpec("add_note", "Add &Note…", "N", None,
               "Add a note at the moment being heard"),
    ActionSpec("add_chapter", "Add C&hapter Here…", "C", None,
               "Start a chapter at the moment being heard or read"),
    ActionSpec("rename_chapter", "Rena&me Chapter…", None, None,
               "Rename the chapter selected in the Chapters tab, else the one being read"),
    ActionSpec("delete_chapter", "&Delete Chapter", None, None,
               "Delete the chapter selected in the Chapters tab, else the one being read"),
    ActionSpec("edit_segment", "&Edit Segment Text", "F2", None,
               "Correct the selected segment's text in place (Enter saves, Esc cancels)"),
    ActionSpec("find", "&Find in Episode…", "Ctrl+F", "find",
               "Find words in this episode"),
    ActionSpec("search_library", "&Search the Library…", "Ctrl+Shift+F", "find",
               "Search every transcript and note"),
    ActionSpec("show_chapters", "&Chapters", "Ctrl+Shift+O", None,
               "The episode's outline: jump to a chapter"),
    ActionSpec("show_podcasts", "&Podcasts", "Ctrl+Shift+P", "subscribe",
               "Your shows and their episodes"),
    ActionSpec("show_queue", "&Queue", "Ctrl+Shift+Q", None,
               "What is waiting to be transcribed: reorder, pause, cancel, retry"),
    ActionSpec("find_next", "Find Ne&xt", "F3"),
    ActionSpec("find_previous", "Find Pre&vious", "Shift+F3"),
    ActionSpec("cancel_job", "&Cancel Transcription", None, "cancel",
               "Stop the transcription running now; files waiting after it go on"),
    ActionSpec("cancel_all", "Cancel A&ll Transcriptions", None, None,
               "Stop the running transcription and every one waiting"),
    ActionSpec("resume", "&Resume Transcription", None, "resume"),
    ActionSpec("regenerate", "Re&generate Insights", "Ctrl+R", "regenerate"),
    ActionSpec("show_library", "&Library", "Ctrl+1"),
    ActionSpec("show_insights", "&Insights", "Ctrl+2"),
    ActionSpec("show_video", "&Video", "Ctrl+3"),
    ActionSpec("settings", "&Settings…", "Ctrl+,", None, "Model, language, insight engine"),
    ActionSpec("shortcuts", "&Keyboard Shortcuts", "F1"),
    ActionSpec("about", "&About Earmark"),
    ActionSpec("about_qt", "About &Qt"),
)  # fmt: skip

CHECKABLE = {"show_library", "show_insights", "show_video"}

# The menu bar: action names in order; None is a separator, "@name" a submenu given by
# the window (Open Recent, whose entries change).
MENUS = (
    ("&File", ("open", "open_folder", "@recent", "open_sample", None, "subscribe", "import_opml",
               "export_opml", "refresh_feeds", None, "export", "copy_markdown", None,
               "settings", None, "quit")),
    ("&Edit", ("undo", "redo", None, "add_note", "edit_segment", None, "add_chapter",
               "rename_chapter", "delete_chapter", None, "find", "find_next", "find_previous",
               None, "search_library")),
    ("&Playback", ("play", None, "back5", "forward5", "back15", "forward15", None, "slower",
                   "faster", None, "previous_chapter", "next_chapter", None, "follow")),
    ("&Episode", ("resume", "cancel_job", "cancel_all", None, "@again", None, "regenerate")),
    ("&View", ("show_library", "show_insights", "show_video", None, "show_chapters",
               "show_podcasts", "show_queue")),
    ("&Help", ("shortcuts", "about", "about_qt")),
)  # fmt: skip


def build_actions(window: QWidget, handlers: dict[str, Callable[[], None]]) -> dict[str, QAction]:
    """Every action, with its shortcut shown in menus and tooltips and active window-wide."""
    actions: dict[str, QAction] = {}
    for spec in SPECS:
        action = QAction(spec.text, window)
        action.setObjectName(spec.name)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if spec.icon:
            action.setIcon(icon(spec.icon))
        tip = spec.tip or spec.text.replace("&", "").rstrip("…")
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setCheckable(spec.name in CHECKABLE)
        if spec.name in handlers:
            signal = action.toggled if action.isCheckable() else action.triggered
            signal.connect(handlers[spec.name])
        window.addAction(action)  # shortcuts work even with the menu bar hidden
        actions[spec.name] = action
    return actions


def build_menus(bar: QMenuBar, actions: dict[str, QAction], submenus: dict[str, QMenu]) -> None:
    for title, names in MENUS:
        menu = bar.addMenu(title)
        for name in names:
            if name is None:
                menu.addSeparator()
            elif name.startswith("@"):
                menu.addMenu(submenus[name[1:]])
            else:
                menu.addAction(actions[name])
