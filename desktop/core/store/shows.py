"""Shows (subscribed feeds) and the items their feeds list: the part of Library that
remembers podcasts. A refresh writes a show and all its items in one transaction: a feed
that fails to parse never leaves half a show."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.core.errors import NotFoundError
from desktop.core.model import Show, ShowItem
from desktop.core.store.annotations import now_iso

if TYPE_CHECKING:
    from desktop.core.feeds.model import Feed, FeedItem

_ITEM_FIELDS = (
    "title", "published", "duration", "description", "enclosure_url", "enclosure_type",
    "enclosure_length", "transcript_url", "transcript_type", "chapters_url", "link",
)  # fmt: skip


class Shows:
    """Mixed into Library, which provides the connection and transactions."""

    conn: sqlite3.Connection
    path: Path

    if TYPE_CHECKING:

        def transaction(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...

    def save_feed(self, feed: Feed, show_id: int | None = None) -> tuple[Show, list[ShowItem]]:
        """Store a parsed feed: a new show (show_id None) or a refresh of one. Items are
        matched by guid: known ones are updated (an episode already linked stays linked),
        new ones added. Returns the show and the items that are new."""
        with self.transaction():
            if show_id is None:
                cursor = self.conn.execute(
                    "INSERT INTO shows (feed_url, title, added) VALUES (?, ?, ?)",
                    (feed.url, feed.title, now_iso()),
                )
                show_id = int(cursor.lastrowid or 0)
            self.show(show_id)
            self.conn.execute(
                "UPDATE shows SET title = ?, link = ?, description = ?, author = ?, "
                "artwork_url = ?, language = ?, refreshed = ? WHERE id = ?",
                (
                    feed.title,
                    feed.link,
                    feed.description,
                    feed.author,
                    feed.artwork_url,
                    feed.language,
                    now_iso(),
                    show_id,
                ),
            )
            known = {
                row[0]
                for row in self.conn.execute(
                    "SELECT guid FROM feed_items WHERE show_id = ?", (show_id,)
                )
            }
            stamp = now_iso()
            new_guids = []
            for item in feed.items:
                values = _item_values(item)
                if item.guid in known:
                    assignments = ", ".join(f"{name} = ?" for name in _ITEM_FIELDS)
                    self.conn.execute(
                        f"UPDATE feed_items SET {assignments} WHERE show_id = ? AND guid = ?",
                        (*values, show_id, item.guid),
                    )
                    continue
                columns = ", ".join(("show_id", "guid", "first_seen", *_ITEM_FIELDS))
                marks = ", ".join("?" for _ in range(len(_ITEM_FIELDS) + 3))
                self.conn.execute(
                    f"INSERT INTO feed_items ({columns}) VALUES ({marks})",
                    (show_id, item.guid, stamp, *values),
                )
                known.add(item.guid)
                new_guids.append(item.guid)
            new = [i for i in self.show_items(show_id) if i.guid in set(new_guids)]
            return self.show(show_id), new

    def show(self, show_id: int) -> Show:
        row = self.conn.execute(
            "SELECT shows.*, (SELECT count(*) FROM feed_items WHERE show_id = shows.id) "
            "AS item_count FROM shows WHERE id = ?",
            (show_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"no show with id {show_id} in {self.path}; see 'earmark feed list'"
            )
        return _show_from_row(row)

    def shows(self) -> list[Show]:
        rows = self.conn.execute(
            "SELECT shows.*, (SELECT count(*) FROM feed_items WHERE show_id = shows.id) "
            "AS item_count FROM shows ORDER BY title COLLATE NOCASE, id"
        )
        return [_show_from_row(row) for row in rows]

    def find_show(self, feed_url: str) -> Show | None:
        row = self.conn.execute("SELECT id FROM shows WHERE feed_url = ?", (feed_url,)).fetchone()
        return self.show(int(row[0])) if row else None

    def show_items(self, show_id: int) -> list[ShowItem]:
        """Newest first; items without a date after the dated ones, in feed order."""
        rows = self.conn.execute(
            "SELECT * FROM feed_items WHERE show_id = ? "
            "ORDER BY published IS NULL, published DESC, id",
            (show_id,),
        )
        return [_item_from_row(row) for row in rows]

    def show_item(self, item_id: int) -> ShowItem:
        row = self.conn.execute("SELECT * FROM feed_items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                f"no feed item with id {item_id} in {self.path}; 'earmark feed list SHOW' "
                "shows the ids"
            )
        return _item_from_row(row)

    def item_of_episode(self, episode_id: int) -> ShowItem | None:
        row = self.conn.execute(
            "SELECT * FROM feed_items WHERE episode_id = ? LIMIT 1", (episode_id,)
        ).fetchone()
        return _item_from_row(row) if row else None

    def link_item(self, item_id: int, episode_id: int | None) -> None:
        with self.transaction():
            self.show_item(item_id)
            self.conn.execute(
                "UPDATE feed_items SET episode_id = ? WHERE id = ?", (episode_id, item_id)
            )

    def set_auto_download(self, show_id: int, on: bool) -> Show:
        with self.transaction():
            self.show(show_id)
            self.conn.execute("UPDATE shows SET auto_download = ? WHERE id = ?", (int(on), show_id))
            return self.show(show_id)

    def remove_show(self, show_id: int) -> Show:
        """Forget a show and its feed's items; episodes made from them stay."""
        with self.transaction():
            show = self.show(show_id)
            self.conn.execute("DELETE FROM shows WHERE id = ?", (show_id,))
        return show


def _item_values(item: FeedItem) -> tuple[Any, ...]:
    return tuple(getattr(item, name) for name in _ITEM_FIELDS)


def _show_from_row(row: sqlite3.Row) -> Show:
    return Show(
        id=row["id"],
        feed_url=row["feed_url"],
        title=row["title"],
        added=row["added"],
        link=row["link"],
        description=row["description"],
        author=row["author"],
        artwork_url=row["artwork_url"],
        language=row["language"],
        auto_download=bool(row["auto_download"]),
        refreshed=row["refreshed"],
        item_count=int(row["item_count"]),
    )


def _item_from_row(row: sqlite3.Row) -> ShowItem:
    return ShowItem(
        id=row["id"],
        show_id=row["show_id"],
        guid=row["guid"],
        first_seen=row["first_seen"],
        episode_id=row["episode_id"],
        **{name: row[name] for name in _ITEM_FIELDS},
    )
