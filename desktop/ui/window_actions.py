"""What each of the window's actions does: the table build_actions binds (ui/actions.py
holds their text, shortcuts and menus). The controllers are reached through lambdas: some
are made after the actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from desktop.ui import dialogs, export

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


def window_handlers(window: MainWindow) -> dict[str, Callable[..., Any]]:
    player = window.player
    opener = window.opener
    return {
        "open": opener.choose_files,
        "open_sample": opener.open_sample,
        "subscribe": lambda: window.podcast_control.ask_subscribe(),
        "import_opml": lambda: window.podcast_control.ask_import(),
        "export_opml": lambda: window.podcast_control.ask_export(),
        "refresh_feeds": lambda: window.podcast_control.refresh(),
        "show_podcasts": window.show_podcasts,
        "show_queue": lambda: window.show_left(window.queue_pane),
        "open_folder": opener.choose_folder,
        "show_chapters": lambda: window.show_left(window.chapters),
        "previous_chapter": lambda: window.chapter_control.step(-1),
        "next_chapter": lambda: window.chapter_control.step(1),
        "quit": window.close,
        "play": player.toggle,
        "back5": lambda: player.skip(-5),
        "forward5": lambda: player.skip(5),
        "back15": lambda: player.skip(-15),
        "forward15": lambda: player.skip(15),
        "slower": lambda: player.step_rate(-1),
        "faster": lambda: player.step_rate(1),
        "follow": lambda: window.transcript.set_following(True),
        "undo": window.notes.undo,
        "redo": window.notes.redo,
        "add_note": window.notes.add_note_at_position,
        "edit_segment": window.edit_here,
        "add_chapter": lambda: window.chapter_control.editor.add_here(),
        "rename_chapter": lambda: window.chapter_control.editor.rename(),
        "delete_chapter": lambda: window.chapter_control.editor.delete(),
        "find": window.find_bar.open_bar,
        "find_next": lambda: window.find_step(1),
        "find_previous": lambda: window.find_step(-1),
        "cancel_job": window.session.cancel_transcription,
        "cancel_all": window.session.cancel_all_transcriptions,
        "resume": window.resume_current,
        "regenerate": lambda: window.regenerate(None),
        "show_library": window.left_tabs.setVisible,
        "search_library": window.show_search,
        "show_insights": window.insights.setVisible,
        "show_video": lambda on: window.video.set_collapsed(not on),
        "settings": lambda: window.show_settings(),
        "export": lambda: export.export_current(window),
        "copy_markdown": lambda: export.copy_current(window),
        "shortcuts": lambda: dialogs.shortcuts_dialog(
            window, list(window.actions_by_name.values())
        ).exec(),
        "about": window.show_about,
        "about_qt": lambda: QMessageBox.aboutQt(window),
    }
