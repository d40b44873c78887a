"""The Podcasts tab: each show with its episodes newest first, and what can be done with one.

A tree: shows at the top level, their feed's episodes below, each a title with a line of
details under it (a side pane is too narrow for columns): date, length and state (in the
library, downloaded, not downloaded, no media). Enter or a double-click on an episode
opens it, fetching it first when needed; the context menu has the rest.
Show notes are plain text in the tooltip: feed HTML is never rendered.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import Show, ShowItem
from desktop.core.timecode import short
from desktop.ui import icons
from desktop.ui.display import shown_text
from desktop.ui.widgets import empty_label

EMPTY_TEXT = (
    "No podcasts yet. Subscribe with a show's feed address, or import the OPML file your "
    "podcast app exports, to see its episodes here, get them, and read them."
)
NOTES_SHOWN = 600  # characters of show notes in a tooltip
KIND, ID = Qt.ItemDataRole.UserRole, Qt.ItemDataRole.UserRole + 1


class PodcastsPane(QWidget):
    subscribe_requested = Signal()
    refresh_requested = Signal(object)  # list[int] | None: these shows, or all
    open_requested = Signal(int)  # a feed item: open it, fetching it when needed
    transcribe_requested = Signal(int)  # a feed item: fetch it and read or transcribe it
    download_requested = Signal(int)  # a feed item: its media only
    auto_requested = Signal(int, bool)  # a show: get new episodes at each refresh
    remove_requested = Signal(int)  # a show: unsubscribe

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Podcasts")
        self.subscribe_button = QPushButton(icons.icon("subscribe"), "Subscribe…")
        self.subscribe_button.setToolTip("Subscribe to a podcast by its feed address or OPML")
        self.subscribe_button.clicked.connect(self.subscribe_requested)
        self.refresh_button = QPushButton(icons.icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Look for new episodes of every show (F5)")
        self.refresh_button.clicked.connect(lambda: self.refresh_requested.emit(None))
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 6, 6, 0)
        bar.addWidget(self.subscribe_button)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        self.tree = self._make_tree()
        self.empty = empty_label(EMPTY_TEXT)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tree)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self._shows: dict[int, Show] = {}
        self._items: dict[int, ShowItem] = {}
        self.set_shows([])

    def _make_tree(self) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setAccessibleName("Shows and their episodes")
        tree.setColumnCount(1)
        tree.setHeaderHidden(True)  # one column: a title and a line of details under it
        tree.setWordWrap(True)
        tree.setIndentation(12)  # the details line needs the width more than the tree does
        tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._menu_at)
        tree.itemActivated.connect(self._activated)
        return tree

    # -- content ---------------------------------------------------------------------

    def set_shows(self, shows: list[tuple[Show, list[tuple[ShowItem, str]]]]) -> None:
        """Every show with its items and their states, keeping expanded shows expanded."""
        expanded = {
            self.tree.topLevelItem(n).data(0, ID)
            for n in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(n).isExpanded()
        }
        self.tree.clear()
        self._shows = {show.id: show for show, _ in shows}
        self._items = {item.id: item for _, items in shows for item, _ in items}
        for show, items in shows:
            auto = " · new ones automatically" if show.auto_download else ""
            top = QTreeWidgetItem([f"{shown_text(show.title)}\n{len(items)} episodes{auto}"])
            top.setData(0, KIND, "show")
            top.setData(0, ID, show.id)
            top.setToolTip(0, _notes(show.title, show.description, show.feed_url))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for item, state in items:
                top.addChild(_item_row(item, state))
            self.tree.addTopLevelItem(top)
            top.setExpanded(show.id in expanded or len(shows) == 1)
        self.pages.setCurrentWidget(self.tree if shows else self.empty)

    def item_row(self, item_id: int) -> QTreeWidgetItem | None:
        for n in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(n)
            for m in range(top.childCount()):
                if top.child(m).data(0, ID) == item_id:
                    return top.child(m)
        return None

    # -- actions ---------------------------------------------------------------------

    def _activated(self, row: QTreeWidgetItem, _column: int) -> None:
        if row.data(0, KIND) == "item":
            self.open_requested.emit(int(row.data(0, ID)))

    def _menu_at(self, pos: QPoint) -> None:
        row = self.tree.itemAt(pos)
        if row is not None:
            self.menu_for(row).popup(self.tree.viewport().mapToGlobal(pos))

    def menu_for(self, row: QTreeWidgetItem) -> QMenu:
        menu = QMenu(self)
        ident = int(row.data(0, ID))
        if row.data(0, KIND) == "item":
            item = self._items[ident]
            has_media = item.enclosure_url is not None
            opened = menu.addAction("&Open" if item.episode_id else "Get and &Open")
            opened.setEnabled(has_media or item.episode_id is not None)
            opened.triggered.connect(lambda: self.open_requested.emit(ident))
            transcribe = menu.addAction("&Transcribe")
            transcribe.setToolTip(
                "Download it, then use the publisher's transcript or transcribe it"
            )
            transcribe.setEnabled(has_media and item.episode_id is None)
            transcribe.triggered.connect(lambda: self.transcribe_requested.emit(ident))
            download = menu.addAction("&Download Only")
            download.setEnabled(has_media and item.episode_id is None)
            download.triggered.connect(lambda: self.download_requested.emit(ident))
            return menu
        show = self._shows[ident]
        menu.addAction("&Refresh").triggered.connect(lambda: self.refresh_requested.emit([ident]))
        auto = menu.addAction("Get New Episodes &Automatically")
        auto.setCheckable(True)
        auto.setChecked(show.auto_download)
        auto.setToolTip("At each refresh, download new episodes and read or transcribe them")
        auto.toggled.connect(lambda on: self.auto_requested.emit(ident, on))
        menu.addSeparator()
        menu.addAction("&Unsubscribe…").triggered.connect(lambda: self.remove_requested.emit(ident))
        return menu


def _item_row(item: ShowItem, state: str) -> QTreeWidgetItem:
    details = [(item.published or "")[:10], short(item.duration) if item.duration else "", state]
    line = " · ".join(part for part in details if part)
    row = QTreeWidgetItem([f"{shown_text(item.title)}\n{line}"])
    row.setData(0, KIND, "item")
    row.setData(0, ID, item.id)
    transcript = "\nThe publisher offers a transcript." if item.transcript_url else ""
    row.setToolTip(0, _notes(item.title, item.description, None) + transcript)
    if item.episode_id is None and item.enclosure_url is None:
        row.setDisabled(True)
    return row


def _notes(title: str, text: str, url: str | None) -> str:
    notes = text if len(text) <= NOTES_SHOWN else text[:NOTES_SHOWN].rstrip() + "…"
    parts = [title, notes] + ([url] if url else [])
    return "\n\n".join(p for p in parts if p)
