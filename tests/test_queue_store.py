"""The window's transcription queue in the library (schema v7): order, states, moves,
no work queued twice, and an entry left running by a killed Earmark waiting again."""

from __future__ import annotations

import pytest

from desktop.core.errors import NotFoundError
from desktop.core.model import QueueState
from desktop.core.store import Library


def test_the_queue_keeps_order_and_states(library: Library) -> None:
    a, new = library.queue_add("media", "/music/a.mp3", "a.mp3")
    assert new and a.state is QueueState.WAITING
    b, _ = library.queue_add("media", "/music/b.mp3", "b.mp3")
    c, _ = library.queue_add("again", '{"episode_id": 3, "model": "base"}', "Talk (base)")
    again, new = library.queue_add("media", "/music/a.mp3", "a.mp3")
    assert again.id == a.id and not new  # never queued twice while unfinished
    assert library.queue_next() == a

    assert library.queue_move(c.id, -1) and library.queue_move(c.id, -1)
    assert [e.id for e in library.queue_entries()] == [c.id, a.id, b.id]
    assert not library.queue_move(c.id, -1)  # first already
    library.queue_set(c.id, QueueState.HELD)
    assert library.queue_next() == library.queue_entry(a.id)  # a held entry is skipped

    running = library.queue_set(a.id, QueueState.RUNNING, episode_id=None, engine="tiny.en")
    assert running.engine == "tiny.en" and running.ended is None
    failed = library.queue_set(a.id, QueueState.FAILED, error="not a media file")
    assert failed.error == "not a media file" and failed.ended and not failed.active
    assert library.queue_add("media", "/music/a.mp3", "a.mp3")[1]  # finished: may come again
    library.queue_remove([a.id])
    with pytest.raises(NotFoundError):
        library.queue_entry(a.id)


def test_an_entry_left_running_is_waiting_again(library: Library, tmp_path) -> None:  # type: ignore[no-untyped-def]
    entry, _ = library.queue_add("media", "/music/a.mp3", "a.mp3")
    library.queue_set(entry.id, QueueState.RUNNING)
    path = library.path
    library.close()
    with Library.open(path) as reopened:  # as after a kill -9: the row says running
        assert reopened.queue_entry(entry.id).state is QueueState.RUNNING
        (recovered,) = reopened.recover_queue()
        assert recovered.id == entry.id
        assert reopened.queue_next() == reopened.queue_entry(entry.id)
