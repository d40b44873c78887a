"""Open → transcribe → insights → search → export, recording every outgoing connection.

Run by tests/test_offline.py in a fresh process (inside a network namespace with no way
out when the machine allows one). A guard on socket.connect refuses, and records, any
address that is not this machine; another on name lookups (socket.getaddrinfo,
gethostbyname, gethostbyname_ex, gethostbyaddr) records every name looked up and refuses
any that is not this machine, before a DNS query could leave it (a lookup reveals a name
even when the connection never follows, and code that swallows the error would hide it).
At the end the script prints one JSON line with what it did, every address it tried to
reach, every name it looked up, and the lookups refused.

    python tests/offline_run.py MEDIA OUT_DIR [--llm URL MODEL] [--stt URL]
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Whisper runs in a child process by default, outside these guards: here it runs in this
# process, so that whatever the speech stack tries to reach is recorded too.
os.environ["EARMARK_TRANSCRIBE_IN_PROCESS"] = "1"

attempts: list[str] = []
_connect = socket.socket.connect


def _is_local(address: object) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX
        return True
    host = str(address[0]) if isinstance(address, tuple) else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def guarded_connect(self: socket.socket, address: object) -> None:
    attempts.append(repr(address))
    if not _is_local(address):
        raise OSError(f"offline guard: refused a connection to {address!r}")
    return _connect(self, address)


socket.socket.connect = guarded_connect  # type: ignore[method-assign]

lookups: list[str] = []
refused_lookups: list[str] = []
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_loopback_name(host: object) -> bool:
    if host is None:  # a passive (bind) address: no lookup at all
        return True
    name = host.decode("idna") if isinstance(host, bytes) else str(host)
    name = name.strip().rstrip(".").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard_lookup(real):  # type: ignore[no-untyped-def]
    def lookup(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        lookups.append(f"{real.__name__}({host!r})")
        if not _is_loopback_name(host):
            refused_lookups.append(f"{real.__name__}({host!r})")
            raise socket.gaierror(socket.EAI_NONAME, f"offline guard: refused to look up {host!r}")
        return real(host, *args, **kwargs)

    return lookup


for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
    setattr(socket, _name, _guard_lookup(getattr(socket, _name)))


def main() -> int:
    from desktop.core.search import search
    from desktop.core.store import Library
    from desktop.services.exporting import export_to_path
    from desktop.services.insights import generate_insights
    from desktop.services.llm_settings import llm_config
    from desktop.services.opening import engine_choice, open_path

    media, out = Path(sys.argv[1]), Path(sys.argv[2])
    if "--stt" in sys.argv:  # a Whisper server the user configured: it transcribes
        os.environ["EARMARK_STT_SERVERS"] = sys.argv[sys.argv.index("--stt") + 1]
    llm = None
    engine = "extractive"
    if "--llm" in sys.argv:
        at = sys.argv.index("--llm")
        llm = llm_config(sys.argv[at + 1], sys.argv[at + 2], timeout=10.0)
        engine = "openai"
    with Library.open(out / "library.sqlite3") as library:
        episode = open_path(library, media, engine_choice)
        result = generate_insights(library, episode.id, engine, llm)
        hits = search(library.conn, "country")
        written = export_to_path(library, episode.id, "md", out)
    print(
        json.dumps(
            {
                "segments": episode.segment_count,
                "engine": episode.engine,
                "insights_engine": result.insights.engine,
                "warnings": result.warnings,
                "hits": len(hits),
                "exported": str(written),
                "attempts": attempts,
                "lookups": lookups,
                "refused_lookups": refused_lookups,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
