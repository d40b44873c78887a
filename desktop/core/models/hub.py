"""Where model files come from: the Hugging Face hub (or a mirror the user points at).

`HF_ENDPOINT` is the hub's own variable (huggingface_hub reads it too), so a user behind a
mirror sets it once for every tool, and the tests point it at a server on 127.0.0.1.
"""

from __future__ import annotations

import os
from urllib.parse import quote

DEFAULT_ENDPOINT = "https://huggingface.co"


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def file_url(repo: str, filename: str, revision: str = "main") -> str:
    """The hub's download address of one file of a repository at a revision."""
    return f"{endpoint()}/{repo}/resolve/{quote(revision, safe='')}/{quote(filename)}"


def page_url(repo: str) -> str:
    """The model's page, where its licence and card are (always the real hub)."""
    return f"{DEFAULT_ENDPOINT}/{repo}"
