"""Long episodes made from real transcripts, for bench/scale.py and tests/reliability.

Nothing here is invented text: real interviews and lecture captions are parsed by
Earmark's own importer, laid end to end (each part starts where the one before ended)
until the wanted length, and written back out as a caption file (WebVTT with voice tags,
or SubRip with "Name:" prefixes). Paragraph-long segments of the interviews are cut into
caption-sized cues, about as long as the real lecture captions' (~10 words), so a
10-hour file has the cue count a real 10-hour caption track has (~9,000).

`long_markdown` instead concatenates the Markdown pages themselves, their stamps shifted
by each part's offset, so the Markdown importer sees real page structure at length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from desktop.core.importers import load_transcript
from desktop.core.timecode import clock

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "transcripts"
DATA = ROOT / "tests" / "data" / "importers"
CUE_WORDS = 12  # interview paragraphs are cut into cues of at most this many words
GAP = 2.0  # seconds of silence between two parts


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    speaker: str | None
    text: str


def caption_sources() -> list[Path]:
    """The long real transcripts: the shared corpus when present, else the repository's."""
    corpus = [
        CORPUS / "scribesalad" / "vtt" / "9EN_HoEk3KY.vtt",
        CORPUS / "interviews" / "early-days-of-ethereum-ep010-viktor-tron.md",
        CORPUS / "interviews" / "the-changelog-213-guillermo-rauch.md",
    ]
    if all(p.is_file() for p in corpus):
        return corpus
    return [DATA / "9EN_HoEk3KY.vtt", DATA / "ethereum_ep010_excerpt.md",
            DATA / "changelog_213_excerpt.md"]  # fmt: skip


def markdown_sources() -> list[Path]:
    corpus = [p for p in caption_sources() if p.suffix == ".md"]
    return corpus or [DATA / "ethereum_ep010_excerpt.md", DATA / "changelog_213_excerpt.md"]


def long_cues(hours: float, sources: list[Path] | None = None) -> list[Cue]:
    """Caption cues of the sources in turn, repeated, until `hours` are covered."""
    parts = [_caption_cues(path) for path in sources or caption_sources()]
    cues: list[Cue] = []
    offset, n = 0.0, 0
    while offset < hours * 3600:
        part = parts[n % len(parts)]
        cues += [Cue(c.start + offset, c.end + offset, c.speaker, c.text) for c in part]
        offset = cues[-1].end + GAP
        n += 1
    return [c for c in cues if c.start < hours * 3600]


def _caption_cues(path: Path) -> list[Cue]:
    cues: list[Cue] = []
    for segment in load_transcript(path).segments:
        words = segment.text.split()
        pieces = max(1, -(-len(words) // CUE_WORDS))
        size = -(-len(words) // pieces)
        chunks = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
        total = sum(len(c) for c in chunks)
        start, span = segment.start, segment.end - segment.start
        for chunk in chunks:
            end = start + span * len(chunk) / total  # time shared out by text length
            cues.append(Cue(round(start, 3), round(end, 3), segment.speaker, chunk))
            start = end
    return cues


def write_vtt(path: Path, cues: list[Cue]) -> None:
    """WebVTT as YouTube writes it: CRLF, numbered cues, `<v Name>` voice tags."""
    lines = ["WEBVTT", ""]
    for n, cue in enumerate(cues, 1):
        text = f"<v {cue.speaker}>{cue.text}</v>" if cue.speaker else cue.text
        lines += [str(n), f"{_vtt(cue.start)} --> {_vtt(cue.end)}", text, ""]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")


def write_srt(path: Path, cues: list[Cue]) -> None:
    """SubRip with the speaker as a "Name:" prefix on every cue."""
    lines: list[str] = []
    for n, cue in enumerate(cues, 1):
        text = f"{cue.speaker}: {cue.text}" if cue.speaker else cue.text
        lines += [str(n), f"{_srt(cue.start)} --> {_srt(cue.end)}", text, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _vtt(seconds: float) -> str:
    return clock(seconds, ".")


def _srt(seconds: float) -> str:
    return clock(seconds, ",")


# --- one long Markdown page ----------------------------------------------------------------

# "[[01:55]](https://youtube.com/...)" (Jekyll) or "\[01:03:57.26\]" (escaped brackets)
_STAMP = re.compile(
    r"\[\[(\d{1,2}(?::\d\d){1,2})\]\]\([^()\s]*\)|\\\[(\d{1,2}(?::\d\d){1,2})(?:\.\d+)?\\\]"
)


def long_markdown(path: Path, hours: float, sources: list[Path] | None = None) -> int:
    """The Markdown pages' transcripts in turn for `hours`; returns how many parts.

    Each part is the page after its front matter (after "## Transcript" where it has
    one) under a "## Part N" heading, every stamp shifted by where the part starts and
    written as `\\[H:MM:SS\\]`. Parts start where the importer says the one before ended;
    the last is cut before its first paragraph stamped at or after `hours`.
    """
    pages = [(p, load_transcript(p).duration or 0.0) for p in sources or markdown_sources()]
    out = ["# Interviews, back to back", ""]
    offset, n = 0.0, 0
    while offset < hours * 3600:
        page, duration = pages[n % len(pages)]
        out += [f"## Part {n + 1}: {page.stem}", "", _shifted(_body(page), offset), ""]
        offset += duration + GAP
        n += 1
    path.write_text(_cut("\n".join(out), hours * 3600), encoding="utf-8")
    return n


def _cut(text: str, limit: float) -> str:
    for stamp in re.finditer(r"^.*?\\\[(\d+):(\d\d):(\d\d)\\\]", text, re.MULTILINE):
        hours, minutes, seconds = (int(g) for g in stamp.groups())
        if hours * 3600 + minutes * 60 + seconds >= limit:
            return text[: stamp.start()]
    return text


def _body(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("\n---", 2)[-1].split("\n", 1)[-1]
    marker = "\n## Transcript"
    if marker in text:
        text = text.split(marker, 1)[1].split("\n", 1)[1]
    return text.strip()


def _shifted(text: str, offset: float) -> str:
    def shift(match: re.Match[str]) -> str:
        seconds = 0
        for part in (match.group(1) or match.group(2)).split(":"):
            seconds = seconds * 60 + int(part)
        total = int(seconds + offset)
        return f"\\[{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}\\]"

    return _STAMP.sub(shift, text)  # one pass: a shifted stamp is never shifted again
