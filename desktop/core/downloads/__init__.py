"""The one downloader of Earmark: model files (GGUF, Whisper) and podcast media.

Standard library only. A download writes `<dest>.part` beside its destination, resumes
it with HTTP ranges (within a call after a dropped connection, and across calls after a
cancel or a restart of the app), checks size and SHA-256, and only then renames it to
`dest`. See downloader.download for the contract. fetch() is its small sibling: one GET
held in memory (a hub listing, a feed), through the same transport and error words.
"""

from desktop.core.downloads.downloader import download
from desktop.core.downloads.errors import DownloadCancelled, DownloadError
from desktop.core.downloads.fetch import Fetched, fetch
from desktop.core.downloads.headers import binary_only
from desktop.core.downloads.partial import partial_path, remove_partial
from desktop.core.downloads.progress import DownloadProgress

__all__ = [
    "DownloadCancelled",
    "DownloadError",
    "DownloadProgress",
    "Fetched",
    "binary_only",
    "download",
    "fetch",
    "partial_path",
    "remove_partial",
]
