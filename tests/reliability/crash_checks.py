"""What the crash tests share: running crash_point.py, killing a command from outside,
and the checks every restart after a kill must pass."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from desktop.core.store import Library
from tests.reliability.helpers import EARMARK, integrity

ROOT = Path(__file__).resolve().parents[2]
DB = "library.sqlite3"


def copy_of(home: Path, to: Path) -> Path:
    shutil.copytree(home, to)
    return to


def restart(home: Path) -> Library:
    """Open the library as the next start would (recovering the WAL), after checking it."""
    library = Library.open(home / DB)
    assert integrity(home / DB) == "ok"
    for table in ("segments_fts", "notes_fts"):  # index and table agree, row for row
        library.conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    return library


# --- killed at every step ---------------------------------------------------------------------


def sweep(
    template: Path,
    out: Path,
    argv: list[str],
    most: int = 40,
    preload: tuple[str, ...] = (),
    warm: bool = False,
    io_calls: bool = False,
) -> dict[str, Any]:
    """Run crash_point.py: the full run and one killed run per step (see its docstring)."""
    spec = out / "spec.json"
    out.mkdir()
    modules = ["desktop.cli.main", *preload]
    spec.write_text(
        json.dumps({"template": str(template), "out": str(out / "runs"), "argv": argv,
                    "max_points": most, "preload": modules, "warm": warm,
                    "io": io_calls})
    )  # fmt: skip
    done = subprocess.run(
        [EARMARK[0], "-m", "tests.reliability.crash_point", str(spec)],
        capture_output=True, text=True, timeout=240, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    full = Path(report["full"]["folder"])
    assert report["full"] == {"folder": str(full), "exit": 0}, (full / "stderr").read_text()
    for kill in report["kills"]:  # each one died by the signal, before its step
        assert kill.get("signal") == signal.SIGKILL, kill
    print(f"earmark {' '.join(argv)}: {len(report['steps'])} steps, killed at", end=" ")
    print(", ".join(f"{k['at']} ({k['step'][:40]})" for k in report["kills"]))
    return report


def outcomes(report: dict[str, Any], state: Callable[[Library], object]) -> list[object]:
    """What each killed run left, after a restart passed its checks."""
    found = []
    for kill in report["kills"]:
        with closing(restart(Path(kill["folder"]) / "home")) as library:
            found.append(state(library))
    return found


def full_home(report: dict[str, Any]) -> Path:
    return Path(report["full"]["folder"]) / "home"


# --- killed from outside ----------------------------------------------------------------------


def start(home: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EARMARK_HOME": str(home)}
    return subprocess.Popen(
        [*EARMARK, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool]) -> bool:
    """SIGKILL the process as soon as `ready()`; True if it died by it (False: it had
    finished first, which leaves the new state: also a valid outcome)."""
    while process.poll() is None and not ready():
        time.sleep(0.001)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    return process.returncode == -signal.SIGKILL


def cpu_seconds(pid: int) -> float:
    """CPU time a running process has used (utime + stime from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class WorkedSinceOpen:
    """Ready once the command has opened the library (its -shm file appears) and then used
    `seconds` of CPU: a point part-way through its work that a busy machine, slower by
    the clock, reaches at the same place."""

    def __init__(self, process: subprocess.Popen[bytes], home: Path, seconds: float) -> None:
        assert not (home / f"{DB}-shm").exists(), "the library must be closed to start with"
        self.process, self.home, self.seconds = process, home, seconds
        self.opened_at: float | None = None

    def __call__(self) -> bool:
        try:
            used = cpu_seconds(self.process.pid)
        except OSError:  # it is exiting
            return False
        if self.opened_at is None:
            if not (self.home / f"{DB}-shm").exists():
                return False
            self.opened_at = used
        return used >= self.opened_at + self.seconds
