"""What the window says in words it composes: its title, the transcript pane's text while
it has no rows, the read-only notice. Names and titles inside are direction-isolated
(display.isolated) so that a title in Arabic or with a stray U+202E reverses nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.model import Episode, EpisodeStatus
from desktop.ui.display import isolated, shown_text
from desktop.ui.panes import NO_EPISODE

if TYPE_CHECKING:
    from desktop.ui.session import Session


def empty_text(session: Session) -> str:
    """The transcript pane's text while it has no rows: an invitation when nothing is open,
    else what is happening to the episode that is (never "open an episode" while the
    episode just opened is being transcribed)."""
    current = session.current
    if current is None:
        job = session.transcription_job()
        if job is not None and getattr(job, "episode_id", None) is None:
            # The episode exists once the audio is read and the model is loaded.
            name = Path(str(job.subject)).name
            return f"Opening “{name}”: reading the audio and loading the model…"
        return NO_EPISODE
    if session.transcription_job(current.id) is not None:
        return "Transcribing… the first lines appear in a few seconds."
    if current.status is EpisodeStatus.DONE:
        return "No speech was found in this episode."
    if current.media_path is not None:
        return "Not transcribed yet: Episode ▸ Resume Transcription goes on."
    return NO_EPISODE


def window_title(episode: Episode) -> str:
    return f"{isolated(shown_text(episode.title, 300))} — Earmark"


def read_only_notice(path: Path) -> str:
    return (
        f"The library {path} is read-only: reading, search and playback work, but notes, "
        "corrections and new episodes cannot be saved until it is writable."
    )
