"""Run one real `earmark` command again and again, each time killed (SIGKILL) at another step.

    python -m tests.reliability.crash_point SPEC.json

SPEC: {"template": folder, "out": folder, "argv": [...], "max_points": N, "preload": [modules
to import before forking], "warm": run the command once unwatched first, "io": count file
writes too}.
The steps of a run are its SQL statements (sqlite3's trace callback: every statement, each
row of an executemany, each trigger and FTS5's own statements), its connects and closes,
its file operations inside the library folder (audit events "open", "os.rename", "os.link",
"os.remove"; with "io" also each write, flush, fsync and rename call) and, last, the
command's return (a kill after everything). A first run
is not killed and lists them; then, for each chosen step k, a forked child on its own copy
of `template` runs `desktop.cli.main.main(argv)` and SIGKILLs itself just before step k:
no cleanup, no flush, no rollback, as `kill -9` from outside. "{home}" in argv is the copy.

Prints a JSON report: the steps of the full run, then one entry per kill (its folder, the
step it died before, or the exit status when it got past the last step). The test reads
each folder afterwards; nothing is checked here.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import signal
import sqlite3
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE_EVENTS = ("open", "os.rename", "os.link", "os.remove")
# With "io" in the spec, also each call of these (file methods and os functions): a kill
# between a file's creation and its rename, or half-way through writing it.
IO_CALLS = frozenset({"write", "flush", "fsync", "replace", "rename", "link", "unlink"})
# Steps where the outcome can change: always among the kill points.
KEY_STEPS = ("BEGIN", "COMMIT", "ROLLBACK", "INSERT", "UPDATE", "DELETE", "close",
             *FILE_EVENTS, "os.", *IO_CALLS)  # fmt: skip


class Steps:
    """Counts a run's steps and SIGKILLs the process just before step `kill_at` (1-based)."""

    def __init__(self, home: Path, kill_at: int, note: Path) -> None:
        self.home = str(home)
        self.kill_at = kill_at
        self.note = note
        self.seen: list[str] = []

    def step(self, what: str) -> None:
        self.seen.append(what)
        if len(self.seen) == self.kill_at:
            self.note.write_text(what)  # in the page cache: survives the kill
            os.kill(os.getpid(), signal.SIGKILL)

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if event in FILE_EVENTS and args and isinstance(args[0], (str, os.PathLike)):
            path = os.fspath(args[0])
            if path.startswith(self.home):
                self.step(f"{event} {os.path.relpath(path, self.home)}")

    def profile(self, frame: Any, event: str, arg: Any) -> None:
        """sys.setprofile hook: C calls that write files (not stdout or stderr)."""
        if event != "c_call" or getattr(arg, "__name__", None) not in IO_CALLS:
            return
        owner = getattr(arg, "__self__", None)
        if getattr(owner, "__name__", None) == "posix":
            self.step(f"os.{arg.__name__}")
        elif isinstance(owner, io.IOBase):
            name = getattr(owner, "name", None)  # an int for os.fdopen's files
            if (isinstance(name, int) and name > 2) or str(name).startswith(self.home):
                self.step(f"{arg.__name__} {name}")


def install(steps: Steps, io_calls: bool) -> None:
    """Watch every connection the command opens, and its file operations."""
    real_connect: Callable[..., sqlite3.Connection] = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        steps.step("connect")
        base = kwargs.pop("factory", sqlite3.Connection)

        class Watched(base):  # type: ignore[misc, valid-type]
            def close(self) -> None:
                steps.step("close")  # a kill here: after COMMIT, before the close
                super().close()

        conn = real_connect(*args, factory=Watched, **kwargs)
        conn.set_trace_callback(lambda sql: steps.step(" ".join(sql.split())[:120]))
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    sys.addaudithook(steps.audit)
    if io_calls:
        sys.setprofile(steps.profile)


def run_child(spec: dict[str, Any], folder: Path, kill_at: int) -> int:
    """Fork; the child runs the command on its own copy of the library. Returns its pid."""
    home = folder / "home"
    shutil.copytree(spec["template"], home)
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        os.environ["EARMARK_HOME"] = str(home)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            out = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(out, fd)
        steps = Steps(home, kill_at, folder / "killed-before")
        install(steps, spec.get("io", False))
        from desktop.cli.main import main

        argv = [a.replace("{home}", str(home)) for a in spec["argv"]]
        code = main(argv)
        steps.step("returned")
        sys.stdout.flush()
        sys.stderr.flush()
        (folder / "steps.json").write_text(json.dumps(steps.seen))
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(code)


def wait(pid: int) -> dict[str, Any]:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    return {"exit": os.WEXITSTATUS(status)}


def choose(steps: list[str], most: int) -> list[int]:
    """1-based steps to die before: every one if there are few; else the first and last
    time each kind of write step happens (an executemany repeats its INSERT and trigger
    for every row), the step after each, and evenly spaced others."""
    count = len(steps)
    if count <= most:
        return list(range(1, count + 1))
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for n, step in enumerate(steps, 1):  # FTS5's own statements ("-- ...") only spaced
        if step.upper().startswith(KEY_STEPS) or step.startswith("-- TRIGGER"):
            kind = " ".join(step.split()[:4])  # "INSERT INTO segments (episode_id,": no values
            first.setdefault(kind, n)
            last[kind] = n
    keys = {*first.values(), *last.values()}
    keys |= {k + 1 for k in keys if k < count}
    spaced = {1 + round(i * (count - 1) / max(1, most - 1)) for i in range(most)}
    return sorted(keys | spaced)


def warm_up(spec: dict[str, Any], folder: Path) -> None:
    """Run the command once here, unwatched, so that every child starts with what it loads
    lazily (models, word lists) already loaded: a child then takes milliseconds."""
    home = folder / "home"
    shutil.copytree(spec["template"], home)
    os.environ["EARMARK_HOME"] = str(home)
    saved = [os.dup(1), os.dup(2)]
    log = os.open(folder / "output", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.dup2(log, 1)
        os.dup2(log, 2)
        from desktop.cli.main import main

        main([a.replace("{home}", str(home)) for a in spec["argv"]])
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    out = Path(spec["out"])
    for module in spec.get("preload", ["desktop.cli.main"]):
        importlib.import_module(module)  # once here, not in every child
    if spec.get("warm"):
        warm_up(spec, out / "warm")
    full = out / "full"
    full.mkdir(parents=True)
    outcome = wait(run_child(spec, full, kill_at=0))
    steps = json.loads((full / "steps.json").read_text())
    report: dict[str, Any] = {"full": {"folder": str(full), **outcome}, "steps": steps}
    kills = []
    for k in choose(steps, spec.get("max_points", 40)):
        folder = out / f"kill-{k:06d}"
        folder.mkdir()
        outcome = wait(run_child(spec, folder, kill_at=k))
        kills.append({"folder": str(folder), "at": k, "step": steps[k - 1], **outcome})
    report["kills"] = kills
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
