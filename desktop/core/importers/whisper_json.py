"""Whisper-family JSON: openai-whisper, faster-whisper, WhisperX, whisper.cpp `-oj`,
a bare list of segments, and Earmark's own JSON export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.core.errors import TranscriptFormatError
from desktop.core.importers.raw import ParseResult, RawCue
from desktop.core.importers.timestamps import BadTimestamp, parse_clock
from desktop.core.jsonvalues import finite_number
from desktop.core.model import Chapter, Word


def load_json(text: str, path: Path | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptFormatError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    except RecursionError as exc:
        raise TranscriptFormatError(path, "invalid JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        raise TranscriptFormatError(path, f"invalid JSON: {exc}") from exc


_number = finite_number  # a finite float, or None (bools are not times)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _words(raw: Any, seg_start: float) -> list[Word] | None:
    if not isinstance(raw, list):
        return None
    words: list[Word] = []
    last_end = seg_start
    for item in raw:
        if not isinstance(item, dict):
            continue
        text = _text(item.get("word", item.get("text"))).strip()
        if not text:
            continue
        start = _number(item.get("start"))
        end = _number(item.get("end"))
        # WhisperX leaves numerals it could not align without times: pin them to their neighbour.
        start = last_end if start is None else start
        end = start if end is None or end < start else end
        prob = _number(item.get("probability", item.get("score")))
        words.append(Word(start, end, text, prob))
        last_end = end
    return words or None


def _whisper_cpp_time(item: dict[str, Any], key: str) -> float | None:
    offsets = item.get("offsets")
    if isinstance(offsets, dict):
        ms = _number(offsets.get(key))
        if ms is not None:
            return ms / 1000
    stamps = item.get("timestamps")
    if isinstance(stamps, dict) and isinstance(stamps.get(key), str):
        try:
            return parse_clock(stamps[key])
        except BadTimestamp:
            return None
    return None


def _segment(item: Any, index: int, result: ParseResult, cpp: bool) -> None:
    where = f"segment {index + 1}"
    if not isinstance(item, dict):
        result.skip(None, f"{where}: not an object, skipped")
        return
    if cpp:
        start, end = _whisper_cpp_time(item, "from"), _whisper_cpp_time(item, "to")
    else:
        start, end = _number(item.get("start")), _number(item.get("end"))
    if start is None or start < 0 or (end is not None and end < 0):
        result.skip(None, f"{where}: missing or invalid start/end time, skipped")
        return
    words = None if cpp else _words(item.get("words"), start)
    speaker = item.get("speaker")
    speaker_name = str(speaker) if isinstance(speaker, str | int) and speaker != "" else None
    text = _text(item.get("text"))
    if not text.strip() and words:
        text = " ".join(w.text for w in words)
    edited = item.get("edited") is True
    result.cues.append(
        RawCue(start, end, text, None, speaker=speaker_name, words=words, edited=edited)
    )


def parse_whisper_json(text: str, path: Path | None) -> ParseResult:
    data = load_json(text, path)
    result = ParseResult(empty_message="no segments found in the JSON")
    cpp = False
    if isinstance(data, list):
        items: Any = data
    elif isinstance(data, dict):
        if isinstance(data.get("transcription"), list):
            items, cpp = data["transcription"], True
        else:
            items = data.get("segments")
        if not isinstance(items, list):
            raise TranscriptFormatError(
                path, "JSON has no 'segments' list (not a Whisper or Earmark transcript)"
            )
        _metadata(data, result)
    else:
        raise TranscriptFormatError(path, "JSON is not a transcript (expected an object or a list)")
    for index, item in enumerate(items):
        _segment(item, index, result, cpp)
    return result


def _metadata(data: dict[str, Any], result: ParseResult) -> None:
    episode = data.get("episode") if isinstance(data.get("episode"), dict) else {}
    result.title = _text(episode.get("title")) or _text(data.get("title")) or None
    language = episode.get("language", data.get("language"))
    if not isinstance(language, str):  # whisper.cpp: {"result": {"language": "en"}}
        inner = data.get("result")
        language = inner.get("language") if isinstance(inner, dict) else None
    result.language = language if isinstance(language, str) and language else None
    chapters = data.get("chapters")
    if isinstance(chapters, list):
        for chapter in chapters:
            if not isinstance(chapter, dict):
                continue
            start = _number(chapter.get("start"))
            title = _text(chapter.get("title")).strip()
            if start is not None and start >= 0 and title:
                made = chapter.get("made") is True  # Earmark's own JSON keeps the mark
                result.chapters.append(Chapter(start, title, made))
