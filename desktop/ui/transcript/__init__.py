"""The transcript pane: segment rows that follow playback and seek on a click of the time."""

from desktop.ui.transcript.delegate import TranscriptDelegate
from desktop.ui.transcript.model import SegmentListModel
from desktop.ui.transcript.view import TranscriptView

__all__ = ["SegmentListModel", "TranscriptDelegate", "TranscriptView"]
