"""Use case: the Whisper models that transcribe — list, fetch, remove, use, and their speed.

Nothing is downloaded unless the user asks (`earmark model pull`, or Download in
Settings). A model is a folder of a few files; a pull lists the hub repository at its
current commit, downloads each file faster-whisper needs (through the one downloader:
each resumes from its own .part, checked against the hub's SHA-256 where it has one)
into `<name>.partial/`, checks that the folder is a model, and only then renames it to
`<name>/`. So a half model is never seen under its name, and a pull after Cancel, Ctrl+C
or a dropped connection goes on file by file where it stopped.

The `model_dir` setting holds a listed model's NAME (`base`), or the path of a folder of
the user's own; `earmark config` then shows "model_dir = base". `model_folder()` turns a
name into its folder for the transcription (services/opening.engine_choice); no setting
(or `tiny.en`) is the embedded model. A name wins over a folder in the current directory
with the same name: such a folder is named with a path (`./base`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.downloads import DownloadError, DownloadProgress, binary_only, download
from desktop.core.downloads.checks import short_of_space
from desktop.core.downloads.errors import human_size
from desktop.core.downloads.partial import SIDECAR_SUFFIX, fsync_dir
from desktop.core.downloads.progress import ProgressMeter
from desktop.core.errors import EarmarkError, ModelError
from desktop.core.exporters.files import write_atomic
from desktop.core.models.hub import HubFile, Listing, file_url, repo_listing
from desktop.core.models.whisper_catalog import (
    WHISPER_MODELS,
    WhisperModel,
    find_whisper_model,
    wanted_file,
)
from desktop.core.paths import data_dir
from desktop.core.settings import Settings, load_settings, save_settings
from desktop.core.transcribe import check_model_dir, embedded_model_dir

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"
SOURCE_FILE = "earmark-source.json"  # inside a model folder: repository and commit
SPEEDS_FILE = "speeds.json"
# A speed measured on less audio than this is replaced by a longer measurement: loading
# the model and the first clip dominate a few seconds of audio.
SPEED_MIN_AUDIO = 60.0


def models_dir() -> Path:
    return data_dir() / "models" / "whisper"


def installed_folder(model: WhisperModel) -> Path:
    """Where a listed model lives once downloaded (the package's folder when embedded)."""
    return embedded_model_dir() if model.embedded else models_dir() / model.name


def partial_folder(model: WhisperModel) -> Path:
    return models_dir() / f"{model.name}{PARTIAL_SUFFIX}"


@dataclass(frozen=True, slots=True)
class ModelState:
    """A listed model as the user sees it."""

    model: WhisperModel
    path: Path
    installed: bool
    partial_bytes: int  # downloaded so far towards a pull to resume (0: none)
    in_use: bool
    speed: float | None  # times real time, measured here the first time it was used
    disk_bytes: int  # what Remove frees (0 for the embedded model: it cannot be removed)


def model_states(settings: Settings | None = None) -> list[ModelState]:
    settings = settings or load_settings()
    chosen = _chosen_folder(settings.model_dir)
    speeds = measured_speeds()
    states = []
    for model in WHISPER_MODELS:
        path = installed_folder(model)
        installed = model.embedded or _is_model(path)
        partial = 0 if installed else _bytes_in(partial_folder(model))
        in_use = _same(chosen, path) if chosen is not None else model.embedded
        disk = 0 if model.embedded else partial + (_bytes_in(path) if installed else 0)
        speed = speeds.get(model.name)
        states.append(ModelState(model, path, installed, partial, in_use, speed, disk))
    return states


def unknown_model(name: str) -> EarmarkError:
    names = ", ".join(m.name for m in WHISPER_MODELS)
    return EarmarkError(f"no Whisper model called {name!r}; the models are: {names}")


def _listed(name: str) -> WhisperModel:
    model = find_whisper_model(name)
    if model is None:
        raise unknown_model(name)
    return model


# -- pull ------------------------------------------------------------------------------------


def pull_model(
    name: str,
    progress: Callable[[DownloadProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Download a listed model (resuming a partial pull); its folder once complete.

    `progress` gets the whole model's bytes, speed and time left across its files.
    DownloadError (DownloadCancelled on cancel: what came is kept) or ModelError.
    """
    model = _listed(name)
    dest = installed_folder(model)
    if model.embedded or _is_model(dest):
        return dest
    listing = repo_listing(model.repo)
    files = [f for f in listing.files if wanted_file(f.name)]
    if not any(f.name == "model.bin" for f in files):
        raise ModelError(f"{model.repo} on the hub has no model.bin: not a faster-whisper model")
    work = partial_folder(model)
    _start_partial(work, listing)
    todo = [f for f in files if not _complete(work / f.name, f)]
    # The small files first: the bar's speed then comes from model.bin, the long part.
    todo.sort(key=lambda f: (f.size or 0, f.name))
    have = sum(f.size or 0 for f in files if f not in todo)
    total = sum(f.size or 0 for f in files)
    _check_space(model, work, total, _bytes_in(work))
    meter = ProgressMeter(progress)
    meter.total, meter.resumed_from = total, have
    meter.start()
    for hub_file in todo:
        _fetch_file(listing, hub_file, work, meter, have, cancelled)
        have += hub_file.size or (work / hub_file.name).stat().st_size
    _finish(model, work, dest)
    meter.update(total, final=True)
    return dest


def _start_partial(work: Path, listing: Listing) -> None:
    """Make `work` the partial of this commit: files of another commit are dropped, as
    a model mixed from two revisions may not load (or worse, load and be wrong)."""
    source = {"repo": listing.repo, "revision": listing.sha}
    try:
        known = json.loads((work / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = None
    try:
        if known != source and work.exists():
            log.info("%s holds files of another revision: starting over", work)
            shutil.rmtree(work)
        work.mkdir(parents=True, exist_ok=True)
        if known != source:
            write_atomic(work / SOURCE_FILE, json.dumps(source) + "\n")
    except OSError as exc:
        raise EarmarkError(f"cannot write {work}: {exc.strerror or exc}") from exc


def _complete(path: Path, hub_file: HubFile) -> bool:
    """A file finished by an earlier pull: download() only names it after its checks."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return hub_file.size is None or size == hub_file.size


def _check_space(model: WhisperModel, work: Path, total: int, have: int) -> None:
    """Refuse before the first byte when the whole model cannot fit (download() checks
    each file, which would only find out at model.bin, after the small files)."""
    if reason := short_of_space(work, total, keep=have, freed=0):
        raise DownloadError(f"Cannot download {model.name}: {reason}", path=work)


def _fetch_file(
    listing: Listing,
    hub_file: HubFile,
    work: Path,
    meter: ProgressMeter,
    before: int,
    cancelled: Callable[[], bool] | None,
) -> None:
    """One file into `work`, its progress counted into the whole model's."""
    received = 0  # bytes of this file fetched over the network in this pull

    def report(update: DownloadProgress) -> None:
        nonlocal received
        fresh = update.done - update.resumed_from
        meter.received(max(0, fresh - received))
        received = max(received, fresh)
        meter.update(before + update.done)

    download(
        file_url(listing.repo, hub_file.name, revision=listing.sha),
        work / hub_file.name,
        sha256=hub_file.sha256,
        expected_size=hub_file.size,
        progress=report,
        cancelled=cancelled,
        accept=binary_only,
    )


def _finish(model: WhisperModel, work: Path, dest: Path) -> None:
    """Check the folder is a model, then give it its name in one rename."""
    try:
        check_model_dir(work)
    except ModelError as exc:
        _remove_tree(work)
        raise ModelError(
            f"the files of {model.name} do not make a model ({exc}); removed them"
        ) from exc
    try:
        if dest.exists():  # a broken folder under the name (not a model: checked above)
            _remove_tree(dest)
        os.replace(work, dest)
    except OSError as exc:
        raise EarmarkError(f"cannot move {work} to {dest}: {exc.strerror or exc}") from exc
    fsync_dir(dest.parent)


# -- remove, use ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Removed:
    paths: list[Path]
    was_in_use: bool  # the setting now names the embedded model again


def remove_model(name: str) -> Removed:
    """Delete a downloaded model and any partial pull of it. Removing the model in use
    makes the embedded one the choice again (rather than failing every transcription)."""
    model = _listed(name)
    if model.embedded:
        raise EarmarkError(f"{model.label} is built into Earmark and cannot be removed")
    targets = [p for p in (installed_folder(model), partial_folder(model)) if p.exists()]
    if not targets:
        raise EarmarkError(f"{model.name} is not downloaded")
    settings = load_settings()
    in_use = _same(_chosen_folder(settings.model_dir), installed_folder(model))
    for path in targets:
        _remove_tree(path)
    if in_use:
        settings.model_dir = None
        save_settings(settings)
    return Removed(targets, in_use)


def use_model(name_or_dir: str) -> tuple[Settings, Path]:
    """Make a listed model (downloaded) or a model folder the transcription's, saved."""
    value, path = model_setting(name_or_dir)
    settings = load_settings()
    settings.model_dir = value
    save_settings(settings)
    return settings, path


def model_setting(name_or_dir: str) -> tuple[str | None, Path]:
    """What `use_model` saves as model_dir (a listed name; a folder's resolved path; None
    for the embedded model) and the folder it loads, checked but not saved: the settings
    dialog saves on OK. EarmarkError when not downloaded or not a model folder."""
    model = find_whisper_model(name_or_dir)
    if model is not None:
        return (None if model.embedded else model.name), _downloaded(model)
    path = Path(os.path.expanduser(name_or_dir))
    if not path.exists() and os.sep not in name_or_dir and "/" not in name_or_dir:
        raise unknown_model(name_or_dir)
    folder = path.resolve()
    check_model_dir(folder)
    return str(folder), folder


def model_folder(value: str | None) -> str | None:
    """The folder to load for a model choice (flag, EARMARK_MODEL or the setting): a
    listed name becomes its folder (None for the embedded model), anything else is a
    folder path, returned as given for resolve_model to check."""
    if value is None:
        return None
    model = find_whisper_model(value)
    if model is None:
        return value
    return None if model.embedded else str(_downloaded(model))


def _downloaded(model: WhisperModel) -> Path:
    path = installed_folder(model)
    if not model.embedded and not _is_model(path):
        raise EarmarkError(
            f"{model.name} is not downloaded yet: earmark model pull {model.name} "
            f"(about {human_size(model.size)})"
        )
    return path


def _chosen_folder(value: str | None) -> Path | None:
    """The folder a model_dir value names, without checking it (None: embedded)."""
    if value is None:
        return None
    model = find_whisper_model(value)
    if model is not None:
        return installed_folder(model)
    return Path(os.path.expanduser(value)).resolve()


# -- speed ---------------------------------------------------------------------------------


def record_speed(model_name: str, audio_seconds: float, wall_seconds: float) -> None:
    """Remember how fast `model_name` (a ModelSpec.name: "base", "tiny.en") transcribed
    here: the first time it is used, or a longer run when the first was under a minute.
    Never raises: a speed note must not fail the transcription that measured it."""
    if audio_seconds <= 0 or wall_seconds <= 0:
        return
    path = models_dir() / SPEEDS_FILE
    try:
        speeds = _read_speeds(path)
        old = speeds.get(model_name, {}).get("audio_seconds", 0.0)
        if old and (old >= SPEED_MIN_AUDIO or old >= audio_seconds):
            return
        speeds[model_name] = {"audio_seconds": audio_seconds, "wall_seconds": wall_seconds}
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(speeds, indent=2, sort_keys=True) + "\n")
    except (OSError, EarmarkError) as exc:
        log.warning("could not record the speed of %s: %s", model_name, exc)


def measured_speeds() -> dict[str, float]:
    """Times real time per model name, as measured here (models never used: absent)."""
    speeds = _read_speeds(models_dir() / SPEEDS_FILE)
    return {name: s["audio_seconds"] / s["wall_seconds"] for name, s in speeds.items()}


def _read_speeds(path: Path) -> dict[str, dict[str, float]]:
    """The speeds file; a missing or damaged one is empty (it is only a note)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    good = {}
    for name, entry in data.items():
        try:
            audio, wall = float(entry["audio_seconds"]), float(entry["wall_seconds"])
        except (TypeError, KeyError, ValueError):
            continue
        if audio > 0 and wall > 0:
            good[str(name)] = {"audio_seconds": audio, "wall_seconds": wall}
    return good


# -- small helpers -------------------------------------------------------------------------


def _same(a: Path | None, b: Path) -> bool:
    return a is not None and a.resolve() == b.resolve()


def _is_model(folder: Path) -> bool:
    try:
        check_model_dir(folder)
    except ModelError:
        return False
    return True


def _bytes_in(folder: Path) -> int:
    """Bytes of model data in a partial folder: finished files and .part files, not the
    small JSON notes beside them (resume facts, the source)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    total = 0
    for entry in entries:
        if entry.name == SOURCE_FILE or entry.name.endswith(SIDECAR_SUFFIX):
            continue
        try:
            total += entry.stat().st_size
        except OSError:
            continue
    return total


def _remove_tree(path: Path) -> None:
    """Delete a model folder: first renamed aside, so that an interrupted delete never
    leaves a half model under the model's name."""
    aside = path.with_name(f".{path.name}.removing-{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise EarmarkError(f"cannot remove {path}: {exc.strerror or exc}") from exc
    shutil.rmtree(aside, ignore_errors=True)
