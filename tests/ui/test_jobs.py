"""Jobs: background work reporting by queued signals, in a thread or a child process."""

from __future__ import annotations

import os
import threading
import time

import pytest

from desktop.core.errors import EarmarkError
from desktop.ui.jobs import Job, JobContext, JobRunner, ProcessJob


def count_to(context: JobContext, n: int) -> dict:
    for i in range(n):
        context.report(i)
    return {"pid": os.getpid(), "n": n}


def refuse(context: JobContext, text: str) -> None:
    raise EarmarkError(text)


def crash(context: JobContext) -> None:
    raise ZeroDivisionError("boom")


def wait_for_cancel(context: JobContext) -> str:
    context.report("started")
    while not context.cancelled():
        threading.Event().wait(0.01)
    return "stopped"


def make_job(kind: type[Job], work, *args) -> Job:
    """The same work as a thread Job (a closure) or a ProcessJob (function and arguments)."""
    if kind is ProcessJob:
        return ProcessJob(work.__name__, work, args)
    return Job(work.__name__, lambda context: work(context, *args))


def run(qtbot, job: Job) -> dict:
    seen: dict = {"progress": [], "threads": set()}
    main = threading.get_ident()
    job.progress.connect(lambda v: seen["progress"].append(v))
    job.succeeded.connect(lambda v: seen.update(result=v))
    job.failed.connect(lambda text: seen.update(error=text))
    for signal in (job.progress, job.succeeded, job.failed):
        signal.connect(lambda *_: seen["threads"].add(threading.get_ident() == main))
    runner = JobRunner()
    with qtbot.waitSignal(job.finished, timeout=60_000):
        runner.start(job)
    qtbot.waitUntil(lambda: runner.jobs() == [], timeout=5_000)
    assert seen["threads"] <= {True}, "slots run on the UI thread"
    return seen


@pytest.mark.parametrize("make", [Job, ProcessJob], ids=["thread", "process"])
def test_progress_then_result(qtbot, make) -> None:
    job = (
        make("count", count_to, (5,))
        if make is ProcessJob
        else make("count", lambda ctx: count_to(ctx, 5))
    )
    seen = run(qtbot, job)
    assert seen["progress"] == [0, 1, 2, 3, 4]
    assert seen["result"]["n"] == 5
    in_child = seen["result"]["pid"] != os.getpid()
    assert in_child is (make is ProcessJob)


@pytest.mark.parametrize("make", [Job, ProcessJob], ids=["thread", "process"])
def test_user_errors_and_bugs_become_messages(qtbot, make) -> None:
    job = (
        make("refuse", refuse, ("x.srt: no cues",))
        if make is ProcessJob
        else make("refuse", lambda ctx: refuse(ctx, "x.srt: no cues"))
    )
    assert run(qtbot, job)["error"] == "x.srt: no cues"
    job = make_job(make, crash)
    error = run(qtbot, job)["error"]
    assert error.startswith("Unexpected error (ZeroDivisionError)") and "Traceback" not in error


def test_cancel_reaches_the_work(qtbot) -> None:
    job = make_job(Job, wait_for_cancel)
    job.progress.connect(lambda _: job.cancel())
    assert run(qtbot, job)["result"] == "stopped"
    assert job.cancelled


def busy_for_minutes(context: JobContext) -> str:
    context.report("started")
    time.sleep(120)  # like an import that cannot look at the cancel flag
    return "not stopped"


def test_cancel_ends_a_child_process_that_is_busy(qtbot) -> None:
    """A closing window does not wait for a child busy in a long call: cancel ends it
    (each of its writes is one transaction, so nothing is left half written)."""
    job = make_job(ProcessJob, busy_for_minutes)
    job.progress.connect(lambda _: job.cancel())
    seen = run(qtbot, job)  # fails after 60 s if the child is left to finish
    assert seen.get("error") == "busy_for_minutes cancelled" and "result" not in seen
    assert job.cancelled
