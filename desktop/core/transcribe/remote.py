"""Whisper on a server the user runs: the OpenAI-compatible `POST /v1/audio/transcriptions`
(faster-whisper-server, speaches, whisper.cpp's server, vLLM, LocalAI, OpenAI itself).

The episode is cut into the same clips as for the local engine (clips.py: the plan depends
only on the audio, so resume works the same way), and each clip is sent as a 16 kHz WAV
with the last words before it as the prompt, asking for `verbose_json` with segment and,
where the server gives them, word timings. Segments come back in the clip's time and are
moved into the episode's. A server that gives no word timings gives segments without
words: the window then marks the current segment instead of the current word.

Only the server the user configured is contacted. Its failures are one line naming it:
not reachable, an HTTP error with the server's own words, no answer in time, or a reply
that is not a transcription.
"""

from __future__ import annotations

import http.client
import io
import itertools
import json
import secrets
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from desktop.core.errors import EarmarkError
from desktop.core.jsonvalues import time_value
from desktop.core.model import Segment, Word
from desktop.core.transcribe.clips import SAMPLE_RATE, Clip, clip_plan
from desktop.core.transcribe.engine import TranscribeOptions, TranscriptionStream
from desktop.core.transcribe.prompting import Prompts
from desktop.core.transcribe.segmenting import segments_from_words, split_long_runs

CONNECT_TIMEOUT = 10.0
# A clip of 30 s on a busy CPU server with a large model can take minutes.
ANSWER_TIMEOUT = 600.0
MAX_REPLY_BYTES = 16 * 1024 * 1024


class RemoteError(EarmarkError):
    """A transcription server failed; the message names it and why."""


@dataclass(frozen=True, slots=True)
class RemoteServer:
    url: str  # "http://gpu-box:8000" or ".../v1"
    model: str = "whisper-1"  # what to ask for; single-model servers ignore it
    api_key: str | None = None
    timeout: float = ANSWER_TIMEOUT

    @property
    def name(self) -> str:
        parts = urlsplit(self.url)
        return parts.netloc or self.url


class RemoteTranscriber:
    engine = "remote"
    # The server's model decides; a language it cannot do comes back as its error.
    multilingual = True

    def __init__(self, server: RemoteServer) -> None:
        parts = urlsplit(server.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteError(f"{server.url}: a transcription server is an http(s) URL")
        self.server = server
        self.model = f"{server.model} at {server.name}"
        base = parts.path.rstrip("/")
        self._path = (base if base.endswith("/v1") else f"{base}/v1") + "/audio/transcriptions"

    def stream(
        self, audio: np.ndarray, options: TranscribeOptions, resume_at: float = 0.0
    ) -> TranscriptionStream:
        clips = clip_plan(audio, options.vad_filter, resume_at)
        first = next(clips, None)
        if first is None:
            return TranscriptionStream(options.language, iter(()))
        prompts = Prompts(options.previous_text, options.prompt)
        # The first clip is asked now: its reply says the language when none was given.
        segments, heard = self.transcribe_clip(audio, first, options.language, prompts.next())
        prompts.heard(segments)
        language = options.language or heard
        rest = self._batches(audio, clips, language, prompts)
        return TranscriptionStream(language, itertools.chain([segments], rest))

    def _batches(
        self, audio: np.ndarray, clips: Iterator[Clip], language: str | None, prompts: Prompts
    ) -> Iterator[list[Segment]]:
        for clip in clips:
            batch, _ = self.transcribe_clip(audio, clip, language, prompts.next())
            prompts.heard(batch)
            yield batch

    def transcribe_clip(
        self, audio: np.ndarray, clip: Clip, language: str | None, prompt: str | None
    ) -> tuple[list[Segment], str | None]:
        """One clip's segments in episode time, and the language the server heard."""
        piece = audio[round(clip.start * SAMPLE_RATE) : round(clip.end * SAMPLE_RATE)]
        fields = {
            "model": self.server.model,
            "response_format": "verbose_json",
            "temperature": "0",
        }
        if language:
            fields["language"] = language
        if prompt:
            fields["prompt"] = prompt
        reply = self._post(fields, wav_bytes(piece), clip)
        return segments_from_reply(reply, clip, self.server.name), _text(reply.get("language"))

    def _post(self, fields: dict[str, str], wav: bytes, clip: Clip) -> dict[str, Any]:
        boundary = f"earmark-{secrets.token_hex(12)}"
        body = multipart(boundary, fields, wav)
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Accept": "application/json",
        }
        if self.server.api_key:
            headers["Authorization"] = f"Bearer {self.server.api_key}"
        where = f"the transcription server {self.server.name}"
        span = f"{clip.start:.1f}-{clip.end:.1f} s"
        parts = urlsplit(self.server.url)
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(parts.hostname or "", parts.port, timeout=CONNECT_TIMEOUT)
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(self.server.timeout)
            # timestamp_granularities[] is repeated: segments always, words where given.
            connection.request("POST", self._path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read(MAX_REPLY_BYTES + 1)
        except TimeoutError:
            raise RemoteError(
                f"{where} did not answer within {self.server.timeout:.0f} s ({span})"
            ) from None
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise RemoteError(f"cannot reach {where}: {reason}") from None
        except http.client.HTTPException as exc:
            raise RemoteError(f"{where} broke off its answer ({type(exc).__name__})") from None
        finally:
            connection.close()
        if response.status != 200:
            raise RemoteError(
                f"{where} answered HTTP {response.status} for {span}: {_server_words(data)}"
            )
        if len(data) > MAX_REPLY_BYTES:
            raise RemoteError(f"{where} sent over 16 MB for {span}; not a transcription")
        try:
            reply = json.loads(data)
        except ValueError:
            raise RemoteError(f"{where} sent something that is not JSON for {span}") from None
        if not isinstance(reply, dict):
            raise RemoteError(f"{where} sent JSON that is not a transcription for {span}")
        return reply


def clip_words(reply: dict[str, Any], clip: Clip) -> list[Word]:
    """Word timings, where the server sent them (OpenAI: a top-level "words" list;
    others: inside each segment)."""
    raw = reply.get("words")
    if not isinstance(raw, list):
        raw = [w for s in _list(reply.get("segments")) for w in _list(s.get("words"))]
    words = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        start, end = _number(item.get("start")), _number(item.get("end"))
        text = _text(item.get("word"))
        if start is None or end is None or text is None:
            continue
        words.append(Word(_inside(clip, start), _inside(clip, end), _spaced(text), _prob(item)))
    return words


def segments_from_reply(reply: dict[str, Any], clip: Clip, server: str) -> list[Segment]:
    """A verbose_json reply as segments in episode time (words when sent)."""
    if "segments" not in reply and "text" in reply:
        raise RemoteError(
            f"the transcription server {server} sent text without times; it needs to "
            "support response_format=verbose_json"
        )
    words = clip_words(reply, clip)
    if words:
        return split_long_runs(segments_from_words(words))
    segments = []
    for item in _list(reply.get("segments")):
        start, end, text = (
            _number(item.get("start")),
            _number(item.get("end")),
            _text(item.get("text")),
        )
        if start is None or end is None or not text or not text.strip():
            continue
        begin = _inside(clip, start)
        segments.append(Segment(begin, max(begin, _inside(clip, end)), " ".join(text.split())))
    return segments


def wav_bytes(samples: np.ndarray) -> bytes:
    """16 kHz mono 16-bit PCM WAV: what every server reads, 4x smaller than float."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def multipart(boundary: str, fields: dict[str, str], wav: bytes) -> bytes:
    lines: list[bytes] = []
    items = [*fields.items(), ("timestamp_granularities[]", "segment"),
             ("timestamp_granularities[]", "word")]  # fmt: skip
    for name, value in items:
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value.encode("utf-8"),
        ]
    lines += [
        f"--{boundary}".encode(),
        b'Content-Disposition: form-data; name="file"; filename="clip.wav"',
        b"Content-Type: audio/wav",
        b"",
        wav,
        f"--{boundary}--".encode(),
        b"",
    ]
    return b"\r\n".join(lines)


def _inside(clip: Clip, seconds: float) -> float:
    return round(min(max(clip.start + seconds, clip.start), clip.end), 3)


def _spaced(text: str) -> str:
    """Word text as faster-whisper gives it (a leading space), whatever the server sends."""
    return text if text.startswith((" ", "'", "’")) else f" {text}"


def _prob(item: dict[str, Any]) -> float | None:
    value = _number(item.get("probability"))
    return round(value, 4) if value is not None else None


_number = time_value  # seconds or a probability: finite, not negative


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _server_words(data: bytes) -> str:
    """The server's own error message, short: OpenAI's {"error": {"message"}} or
    FastAPI's {"detail": ...}, else the start of the body."""
    try:
        reply = json.loads(data)
    except ValueError:
        return " ".join(data[:200].decode("utf-8", "replace").split()) or "(no body)"
    if isinstance(reply, dict):
        for key in ("error", "detail"):
            value = reply.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("error") or value
                if isinstance(value, dict):
                    value = value.get("message", value)
            if value:
                return " ".join(str(value).split())[:200]
    return " ".join(str(reply).split())[:200]
