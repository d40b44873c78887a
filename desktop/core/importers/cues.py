"""SubRip and WebVTT: one line scanner for both, since real files mix their conventions
(SRT with "." decimals, VTT without hours, files without blank lines between cues)."""

from __future__ import annotations

import itertools
import re

from desktop.core.importers.cuespeakers import Cue, to_raw_cues
from desktop.core.importers.cuetext import clean_line, has_karaoke, voice_of
from desktop.core.importers.raw import ParseResult
from desktop.core.importers.timestamps import BadTimestamp, parse_clock

_TIMING_RE = re.compile(r"^\s*(\S*)\s*-->\s*(\S*)")
_VTT_BLOCK_RE = re.compile(r"^(?:NOTE|STYLE|REGION)(?:\s|$)")
# "WEBVTT - Title" (Earmark and most tools), "WEBVTT: Title": only the one separator goes,
# so a title that itself starts or ends with a dash or a colon keeps it.
_SIGNATURE_SEPARATOR_RE = re.compile(r"^[ \t]*(?:[-–—:][ \t]+)?")
_LANGUAGE_RE = re.compile(r"^Language:\s*(\S+)\s*$", re.IGNORECASE)
# A cue shorter than this that only repeats the previous cue is a YouTube "hold" cue.
_FLASH_CUE_SECONDS = 0.05


def parse_cues(text: str, fmt: str) -> ParseResult:
    """Parse SubRip (fmt "srt") or WebVTT (fmt "vtt") text whose newlines are already LF."""
    result = ParseResult(empty_message="no cues found (no 'start --> end' timing lines)")
    lines = text.split("\n")
    cues: list[Cue] = []
    karaoke = False
    last_kept = False  # whether the latest timing line gave a cue (stray text may join it)
    i = 0
    n = len(lines)
    if fmt == "vtt" and lines and lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        # Text after "WEBVTT" on the signature line is the file's own title.
        title = _SIGNATURE_SEPARATOR_RE.sub("", lines[0].lstrip("\ufeff")[len("WEBVTT") :], 1)
        result.title = title.strip() or None
        # The header block may carry "Kind:" and "Language:" lines (YouTube writes both).
        while i < n and lines[i].strip():
            found = _LANGUAGE_RE.match(lines[i].strip())
            if found:
                result.language = found.group(1)
            i += 1
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if "-->" not in line:
            if fmt == "vtt" and _VTT_BLOCK_RE.match(line):
                while i < n and lines[i].strip():  # NOTE/STYLE/REGION run to the blank line
                    i += 1
                continue
            if fmt == "srt" and last_kept and not _is_identifier(lines, i):
                # A blank line inside SubRip cue text: the text goes on after it.
                cleaned = clean_line(line)
                if cleaned:
                    cues[-1].lines.append(cleaned)
            i += 1  # cue identifier, or stray text between VTT cues
            continue
        timing_line = i + 1
        payload: list[str] = []
        i += 1
        # YouTube writes a whitespace-only line right after the timing line; it is not the end.
        while i < n and lines[i] != "" and lines[i].strip() == "" and not payload:
            i += 1
        while i < n and lines[i].strip() and "-->" not in lines[i]:
            payload.append(lines[i])
            i += 1
        if i < n and "-->" in lines[i] and payload and payload[-1].strip().isdigit():
            payload.pop()  # missing blank line: that number is the next cue's identifier
        karaoke = karaoke or any(has_karaoke(p) for p in payload)
        times = _parse_timing(line, timing_line, result)
        last_kept = times is not None
        if times is None:
            continue
        speaker = next((v for v in map(voice_of, payload) if v), None)
        cleaned = [c for c in map(clean_line, payload) if c]
        cues.append(Cue(times[0], times[1], cleaned, speaker, timing_line))
    result.cues.extend(to_raw_cues(_drop_rolling_repeats(cues, karaoke)))
    return result


def _is_identifier(lines: list[str], i: int) -> bool:
    # Any line right before a timing line names the cue ("12", "intro"), in either format.
    return i + 1 < len(lines) and "-->" in lines[i + 1]


def _parse_timing(line: str, line_no: int, result: ParseResult) -> tuple[float, float] | None:
    match = _TIMING_RE.match(line)
    if match is None or not match.group(1) or not match.group(2):
        result.skip(line_no, f"malformed timing line '{line.strip()[:80]}', cue skipped")
        return None
    try:
        # Cue settings ("align:start position:0%") after the end time are ignored.
        return parse_clock(match.group(1)), parse_clock(match.group(2))
    except BadTimestamp as exc:
        result.skip(line_no, f"{exc.reason} timestamp '{exc.token[:40]}', cue skipped")
        return None


def _overlap(prev: list[str], cur: list[str]) -> int:
    """How many leading lines of `cur` repeat the trailing lines of `prev`."""
    for size in range(min(len(prev), len(cur)), 0, -1):
        if prev[-size:] == cur[:size]:
            return size
    return 0


def _drop_rolling_repeats(cues: list[Cue], karaoke: bool) -> list[Cue]:
    """Remove YouTube auto-caption repeats so that each spoken word appears once.

    Rolling captions show two lines: the previous cue's last line again, then the new words;
    between them sit ~10 ms cues that only repeat what was just shown. Hand-made captions
    sometimes repeat a line on purpose, so the line-level trimming happens only when the
    file clearly rolls (karaoke stamps, or most multi-line cues start with a repeat).
    """
    repeats = sum(1 for prev, cur in itertools.pairwise(cues) if _overlap(prev.lines, cur.lines))
    multi_line = sum(1 for cue in cues if len(cue.lines) > 1)
    # Rolling captions are two-line cues; in one-line captions (Earmark's own export among
    # them) a repeated line is someone saying "Yes." twice, which must not be dropped.
    rolling = karaoke or (multi_line >= 2 and repeats >= 2 and repeats * 2 >= multi_line)
    kept: list[Cue] = []
    prev_lines: list[str] = []
    prev_voice: str | None = None
    for cue in cues:
        shown = cue.lines
        # A different voice saying the same words is a new line, not a repeat.
        size = _overlap(prev_lines, shown) if cue.speaker == prev_voice else 0
        flash = cue.end - cue.start <= _FLASH_CUE_SECONDS
        prev_lines, prev_voice = shown, cue.speaker
        if size == len(shown) and size and (rolling or flash):
            continue  # a pure repeat: nothing new was said
        if rolling and size:
            cue.lines = shown[size:]
        kept.append(cue)
    return kept
