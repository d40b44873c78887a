"""How much faster a backlog goes over several Whisper servers: the queue of
`earmark transcribe DIR` (desktop/services/queue.py) over the same files, in one run,

1. on this computer only (the baseline), then with one and with two real
   faster-whisper-servers on 127.0.0.1 beside it (tiny.en, one thread each). Here they
   share this machine's cores with the local engine, so little is gained: the table
   says how much.
2. over 1, 2 and 4 simulated servers and no local engine: each answers a clip after a
   fixed time (a GPU box's latency, --clip-seconds), so the queue's own overhead and
   scheduling are measured; the speed-up must approach the number of servers.

Files: twelve distinct 24-second cuts of the bundled NASA sample (real speech), made
once with ffmpeg into bench/.cache. Each configuration gets a fresh library.

    .venv/bin/python bench/queue_speed.py [--clip-seconds 0.5]

(Not bench/queue.py: a file of that name beside the other benchmarks would stand in for
Python's own `queue` module in every one of them.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "bench" / ".cache" / "queue"
CUTS = 12
CUT_SECONDS = 24


def cuts() -> list[Path]:
    from desktop.core.resources import resources_dir

    sample = resources_dir() / "sample" / "nasa-hwhap414-science-in-space.mp3"
    CACHE.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(CUTS):
        path = CACHE / f"nasa-{n:02d}.mp3"
        if not path.exists():
            subprocess.run(
                ["ffmpeg", "-v", "error", "-ss", str(n * CUT_SECONDS), "-t", str(CUT_SECONDS),
                 "-i", str(sample), "-c", "copy", str(path)],
                check=True,
            )  # fmt: skip
        files.append(path)
    return files


def run_queue(files: list[Path], engines: list) -> tuple[float, list]:  # type: ignore[type-arg]
    from desktop.services.queue import transcribe_queue

    with tempfile.TemporaryDirectory() as scratch:
        began = time.perf_counter()
        results = transcribe_queue(Path(scratch) / "library.sqlite3", files, engines)
        return time.perf_counter() - began, results


class SimulatedServer(BaseHTTPRequestHandler):
    """An OpenAI-compatible transcription endpoint that answers every clip after a fixed
    time with one segment: a model of a server, for the queue's scheduling only."""

    delay = 0.5

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.delay)
        body = json.dumps(
            {"text": "simulated", "language": "en",
             "segments": [{"start": 0.0, "end": 1.0, "text": "simulated clip"}]}
        ).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def simulated(delay: float) -> Iterator[str]:
    handler = type("Handler", (SimulatedServer,), {"delay": delay})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip-seconds", type=float, default=0.5)
    args = parser.parse_args()
    from desktop.core.media import probe_media
    from desktop.services.opening import engine_choice
    from desktop.services.queue import queue_engines
    from tests.whisper_server import whisper_server

    files = cuts()
    audio = sum(probe_media(f).duration for f in files)
    choice = engine_choice(local=True)
    print(f"{len(files)} files, {audio:.0f} s of audio; tiny.en everywhere\n")
    print("| engines | wall | audio s per wall s | vs this computer alone | files per engine |")
    print("|---|---|---|---|---|")
    base = None
    with ExitStack() as stack:
        urls = [stack.enter_context(whisper_server())[0] for _ in range(2)]
        for label, servers in (
            ("this computer", []),
            ("this computer + 1 server", urls[:1]),
            ("this computer + 2 servers", urls),
        ):
            wall, results = run_queue(files, queue_engines(choice, servers))
            base = base or wall
            by = {}
            for r in results:
                by[r.engine] = by.get(r.engine, 0) + 1
            share = ", ".join(f"{n}" for n in by.values())
            print(f"| {label} | {wall:.1f} s | {audio / wall:.1f} | {base / wall:.2f}x | {share} |")
    print(f"\nSimulated servers, {args.clip_seconds} s per clip, no local engine:\n")
    print("| servers | wall | vs 1 server | ideal |")
    print("|---|---|---|---|")
    one = None
    for count in (1, 2, 4):
        with ExitStack() as stack:
            urls = [stack.enter_context(simulated(args.clip_seconds)) for _ in range(count)]
            wall, results = run_queue(files, queue_engines(choice, urls, local=False))
        assert all(r.episode is not None for r in results), [r.error for r in results]
        one = one or wall
        print(f"| {count} | {wall:.2f} s | {one / wall:.2f}x | {count}x |")


if __name__ == "__main__":
    main()
