"""Writing export files safely: atomic replace (or never replace) and file names valid on
every OS."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
import unicodedata
from pathlib import Path

from desktop.core.errors import EarmarkError

MAX_STEM_CHARS = 120
# Most file systems cap a name at 255 bytes; leave room for the extension and a temp prefix.
MAX_STEM_BYTES = 200

_FORBIDDEN = set('/\\:*?"<>|')
# Bidirectional overrides/isolates: legal, but used to disguise a file's real extension.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
    "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³", "CONIN$", "CONOUT$",
}  # fmt: skip
# A temp file this old beside the target was left by an export killed before its rename
# (one being written is seconds old): the next export to that name removes it.
STALE_TEMP_SECONDS = 600
# Characters that must not be left dangling at the end of a truncated name.
_DANGLING = re.compile(r"[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]+$")


class TargetExistsError(EarmarkError):
    """The export target exists and the caller did not allow replacing it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path} already exists")


def safe_stem(title: str | None, fallback: str, reserve: str = "") -> str:
    """`title` reduced to a file name stem that Windows, macOS and Linux all accept.

    `reserve` is text that will follow the stem (" (episode 12)"): the title is cut so that
    the two together stay within the limits.
    """
    text = unicodedata.normalize("NFC", title or "")
    chars: list[str] = []
    for ch in text:
        if ch in _FORBIDDEN or ch.isspace():
            chars.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        else:
            chars.append(ch)
    # Windows drops trailing dots and spaces; a leading dot hides the file on Unix.
    stem = _unreserved(" ".join("".join(chars).split()).strip(" ."))
    stem = _truncate(stem, MAX_STEM_CHARS - len(reserve), MAX_STEM_BYTES - len(reserve.encode()))
    return stem.strip(" .") or fallback


def _unreserved(stem: str) -> str:
    """Windows reserves device names also before an extension ("nul.txt", "com1.tar.gz"):
    the name before the first dot gets a marker, "nul (episode).txt"."""
    base = stem.split(".")[0]
    if base.strip().upper() not in _WINDOWS_RESERVED:
        return stem
    return f"{base.rstrip()} (episode){stem[len(base) :]}"


def _truncate(stem: str, max_chars: int, max_bytes: int) -> str:
    if len(stem) <= max_chars and len(stem.encode("utf-8")) <= max_bytes:
        return stem
    cut = stem[:max_chars]
    while len(cut.encode("utf-8")) > max_bytes:
        cut = cut[:-1]
    # Prefer ending at a word boundary when one is reasonably close.
    space = cut.rfind(" ")
    if space >= len(cut) * 2 // 3:
        cut = cut[:space]
    # Do not leave a half emoji sequence (joiner, variation selector, skin tone) or accent.
    cut = _DANGLING.sub("", cut)
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    return cut.rstrip()


def write_atomic(path: Path, text: str, overwrite: bool = True) -> None:
    """Write `text` as UTF-8 to `path` so that readers see the old file or the new one, never
    a partial one. On failure the temporary file is removed and an existing target is kept.

    With overwrite=False an existing `path` is never replaced, not even one that appears
    while the file is written: TargetExistsError instead.
    """
    path = Path(path)
    if not overwrite and os.path.lexists(path):
        raise TargetExistsError(path)
    data = text.encode("utf-8", errors="replace")  # lone surrogates must not abort an export
    tmp = _open_temp(path)
    fd, tmp_path = tmp
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if overwrite:
                _copy_mode(path, tmp_path)
                os.replace(tmp_path, path)
            else:
                _move_no_clobber(tmp_path, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_path)
            raise
    except FileExistsError as exc:
        raise TargetExistsError(path) from exc
    except OSError as exc:
        raise EarmarkError(f"cannot write {path}: {_reason(exc)}") from exc
    _fsync_dir(path.parent)
    _remove_stale_temps(path)


def _move_no_clobber(tmp_path: Path, path: Path) -> None:
    """Rename `tmp_path` to `path` only if `path` does not exist, atomically where possible.

    A hard link fails with FileExistsError when the target exists (POSIX); on Windows a
    rename does. A file system without hard links (FAT, some network shares) gets a check
    and a rename, which leaves a moment for a race.
    """
    if os.name == "nt":
        os.rename(tmp_path, path)
        return
    try:
        os.link(tmp_path, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (
            errno.EPERM,
            errno.ENOTSUP,
            errno.EOPNOTSUPP,
            errno.EXDEV,
            errno.EMLINK,
        ):
            raise
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "exists", str(path)) from exc
        os.rename(tmp_path, path)
        return
    os.unlink(tmp_path)


def _open_temp(path: Path) -> tuple[int, Path]:
    """Create a fresh temp file beside `path` (same file system, so os.replace is atomic).

    os.open with mode 0o666 lets the umask decide permissions, as for any new file
    (tempfile.mkstemp would leave an export readable by its owner only).
    """
    base = path.name[:80]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp_path = path.with_name(f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp_path, flags, 0o666), tmp_path
        except FileExistsError:
            continue
        except OSError as exc:
            if not path.parent.is_dir():
                raise EarmarkError(
                    f"cannot write {path}: folder {path.parent} does not exist"
                ) from exc
            raise EarmarkError(f"cannot write {path}: {_reason(exc)}") from exc
    raise EarmarkError(f"cannot write {path}: could not create a temporary file")


def _remove_stale_temps(path: Path) -> None:
    """Remove the hidden temp files (`_open_temp`'s names) of earlier exports to `path` that
    were killed before their rename; they would otherwise stay in the user's folder."""
    name = re.compile(re.escape(f".{path.name[:80]}.") + r"[0-9a-f]{8}\.tmp")
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if not (name.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)


def _copy_mode(target: Path, tmp_path: Path) -> None:
    """Keep the permissions of the file being replaced."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return
    with contextlib.suppress(OSError):
        os.chmod(tmp_path, mode)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows (not on Windows)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)
