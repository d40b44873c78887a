"""Icons for the window's controls: Font Awesome glyphs drawn in the palette's text colour.

qtawesome ships the fonts in its wheel, so icons stay crisp at any scale and follow the
light or dark palette without image files of our own. The application icon is an SVG
under resources/icons.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QGuiApplication, QIcon, QPalette

from desktop.core.resources import resources_dir

# What each control shows; one place, so the look stays consistent.
GLYPHS = {
    "play": "fa5s.play",
    "pause": "fa5s.pause",
    "back5": "fa5s.undo-alt",
    "forward5": "fa5s.redo-alt",
    "back15": "fa5s.backward",
    "forward15": "fa5s.forward",
    "volume": "fa5s.volume-up",
    "mute": "fa5s.volume-mute",
    "open": "fa5s.folder-open",
    "follow": "fa5s.crosshairs",
    "regenerate": "fa5s.sync-alt",
    "cancel": "fa5s.times",
    "resume": "fa5s.play-circle",
    "video": "fa5s.film",
    "audio": "fa5s.headphones",
    "transcript": "fa5s.file-alt",
    "warning": "fa5s.exclamation-triangle",
    "info": "fa5s.info-circle",
    "close": "fa5s.times",
    "sample": "fa5s.star",
    "relink": "fa5s.link",
    "find": "fa5s.search",
    "previous": "fa5s.chevron-up",
    "next": "fa5s.chevron-down",
    "export": "fa5s.file-export",
    "expand": "fa5s.chevron-right",
    "collapse": "fa5s.chevron-down",
    "subscribe": "fa5s.rss",
    "refresh": "fa5s.sync",
}


def icon(name: str) -> QIcon:
    """The named control icon in the current palette's colours."""
    palette = QGuiApplication.palette()
    return _icon(
        GLYPHS[name],
        palette.color(QPalette.ColorRole.ButtonText).name(),
        palette.color(QPalette.ColorRole.Highlight).name(),
    )


@cache
def _icon(glyph: str, color: str, active: str) -> QIcon:
    import qtawesome  # loads its fonts on first use, not at import of the window

    return qtawesome.icon(glyph, color=color, color_active=active)


def app_icon() -> QIcon:
    return QIcon(str(resources_dir() / "icons" / "earmark.svg"))
