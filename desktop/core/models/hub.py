"""Where model files come from: the Hugging Face hub (or a mirror the user points at).

`HF_ENDPOINT` is the hub's own variable (huggingface_hub reads it too), so a user behind a
mirror sets it once for every tool, and the tests point it at a server on 127.0.0.1.
A repository's listing (`repo_listing`) names its files at one commit, with sizes and,
for large files, SHA-256s, so a model of several files is fetched and checked whole.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from urllib.parse import quote

from desktop.core.downloads import binary_only, fetch
from desktop.core.downloads.errors import failure

DEFAULT_ENDPOINT = "https://huggingface.co"


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def file_url(repo: str, filename: str, revision: str = "main") -> str:
    """The hub's download address of one file of a repository at a revision."""
    return f"{endpoint()}/{repo}/resolve/{quote(revision, safe='')}/{quote(filename)}"


def page_url(repo: str) -> str:
    """The model's page, where its licence and card are (always the real hub)."""
    return f"{DEFAULT_ENDPOINT}/{repo}"


# A repository's listing is a few kilobytes even for hundreds of files.
LISTING_MAX_BYTES = 4 * 1024 * 1024
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class HubFile:
    """One file of a repository as the hub lists it."""

    name: str  # path inside the repository ("model.bin", "onnx/encoder.onnx")
    size: int | None
    sha256: str | None  # LFS files only: small git files carry a git blob id, not this


@dataclass(frozen=True, slots=True)
class Listing:
    """A repository at one commit: download its files at `sha`, so a model made of
    several files is never a mix of two revisions."""

    repo: str
    sha: str  # the commit `revision` pointed at when asked
    files: list[HubFile]


def listing_url(repo: str, revision: str = "main") -> str:
    return (
        f"{endpoint()}/api/models/{quote(repo, safe='/')}/revision/"
        f"{quote(revision, safe='')}?blobs=true"
    )


def repo_listing(repo: str, revision: str = "main", *, timeout: float = 30.0) -> Listing:
    """The files of `repo` at `revision`, from the hub's own API (`?blobs=true` adds each
    file's size and, for LFS files, its SHA-256). DownloadError, in the downloader's
    words, when the hub cannot be reached or answers with something else."""
    url = listing_url(repo, revision)
    answer = fetch(url, max_bytes=LISTING_MAX_BYTES, timeout=timeout, accept=binary_only)
    try:
        data = json.loads(answer.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        kind = answer.content_type.split(";")[0].strip() or "no content type"
        raise failure(url, f"the hub's answer is not JSON ({kind}: {exc})") from None
    try:
        return _listing(repo, data)
    except KeyError as exc:
        raise failure(url, f"the hub's answer is not a repository listing (no {exc})") from None
    except (TypeError, ValueError) as exc:
        raise failure(url, f"the hub's answer is not a repository listing ({exc})") from None


def _listing(repo: str, data: object) -> Listing:
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    sha = data["sha"]
    if not isinstance(sha, str) or not _COMMIT.match(sha):
        raise ValueError(f"no commit id: {sha!r}")
    files = []
    for sibling in data["siblings"]:
        name = sibling["rfilename"]
        if not isinstance(name, str) or not name:
            raise ValueError(f"a file without a name: {sibling!r}")
        lfs = sibling.get("lfs") if isinstance(sibling.get("lfs"), dict) else {}
        size = sibling.get("size", lfs.get("size"))
        digest = str(lfs.get("sha256") or "").lower()
        files.append(
            HubFile(
                name,
                size if isinstance(size, int) and size >= 0 else None,
                digest if _SHA256.match(digest) else None,
            )
        )
    return Listing(repo, sha, files)
