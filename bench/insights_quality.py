"""Insight quality on real transcripts: what a reader would call junk, counted per file.

Runs the extractive engine over every real transcript in the repository and in
../shared/corpus (interviews, lecture captions), and over Earmark's own transcription of
the real NASA interview (no speakers, ASR errors, word probabilities; transcribed once and
cached in bench/.cache/), and prints a Markdown table of the faults tests/insight_rules.py
defines: whether the TL;DR says who talks about three themes or more, whether the Summary is
one timed line per section, titles that name nothing, fragments, doubtful words. Add more
files (or folders) on the command line; `-v` prints each payload and the fault found in
each item.

    .venv/bin/python bench/insights_quality.py [-v] [PATH ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.errors import EarmarkError  # noqa: E402
from desktop.core.importers import load_transcript  # noqa: E402
from desktop.core.insights.engine import InsightInput  # noqa: E402
from desktop.core.insights.extractive import ExtractiveEngine  # noqa: E402
from desktop.core.insights.payload import Insights  # noqa: E402
from desktop.core.model import Chapter, Segment, Word  # noqa: E402
from tests import insight_rules as rules  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
CACHE = ROOT / "bench" / ".cache"
NASA = ROOT / "resources" / "sample" / "nasa-hwhap414-science-in-space.mp3"
NASA_REFERENCE = CORPUS / "audio" / "nasa_hwhap414_science_in_space.reference.txt"
REPOSITORY_FILES = [
    ROOT / "tests" / "data" / "importers" / "9EN_HoEk3KY.vtt",
    ROOT / "tests" / "data" / "importers" / "9EN_HoEk3KY.srt",
    ROOT / "tests" / "data" / "importers" / "9EN_HoEk3KY.txt",
    ROOT / "tests" / "data" / "espeak" / "field-notes-back-to-paper.vtt",
]
SUFFIXES = {".md", ".vtt", ".srt", ".txt", ".json"}


@dataclass
class Source:
    name: str
    segments: list[Segment]
    chapters: list[Chapter] = field(default_factory=list)
    title: str = "Episode"
    note: str = ""
    # (speaker, text) turns of a human reference, for transcripts without speakers
    reference: list[tuple[str, str]] = field(default_factory=list)


# --- sources -------------------------------------------------------------------------


def corpus_files(extra: list[Path]) -> list[Path]:
    found = [p for p in REPOSITORY_FILES if p.exists()]
    roots = [CORPUS / "transcripts", *extra]
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found += sorted(
                p for p in root.rglob("*") if p.suffix in SUFFIXES and p.name != "SOURCE.txt"
            )
    unique: dict[str, Path] = {}
    for path in found:  # the repository keeps byte-exact copies of some corpus files
        unique.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return list(unique.values())


def load_source(path: Path) -> Source | None:
    name = _display(path)
    try:
        transcript = load_transcript(path)
    except EarmarkError as exc:
        print(f"skipped {name}: {exc}", file=sys.stderr)
        return None
    if not transcript.segments:
        return None
    return Source(name, transcript.segments, transcript.chapters, transcript.title or path.stem)


def _display(path: Path) -> str:
    for base in (ROOT, CORPUS.parent):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


def nasa_source() -> Source | None:
    """Earmark's own transcription of the NASA interview, made once and cached."""
    if not NASA.exists():
        return None
    digest = hashlib.sha256(NASA.read_bytes()).hexdigest()[:16]
    cached = CACHE / f"nasa-hwhap414-{digest}.json"
    if not cached.exists():
        rows = _transcribe(NASA)
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(rows), encoding="utf-8")
    rows = json.loads(cached.read_text(encoding="utf-8"))
    segments = [
        Segment(
            r["start"], r["end"], r["text"], r["speaker"], [Word(**w) for w in r["words"] or []]
        )
        for r in rows
    ]
    reference = []
    if NASA_REFERENCE.exists():
        for line in NASA_REFERENCE.read_text(encoding="utf-8").splitlines():
            name, _, said = line.partition(": ")
            if said:
                reference.append((name.strip(), said))
    return Source(
        "Earmark transcription of " + _display(NASA),
        segments,
        title="Science in Space",
        note="tiny.en, no speakers",
        reference=reference,
    )


def _transcribe(path: Path) -> list[dict]:
    from desktop.core.store import Library
    from desktop.services.opening import engine_choice
    from desktop.services.transcription import transcribe_media

    print(f"transcribing {path.name} once (cached in {_display(CACHE)})...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder:
        library = Library.open(Path(folder) / "library.sqlite3")
        try:
            choice = engine_choice()
            result = transcribe_media(library, path, choice.loader(), choice.options)
            return [asdict(s) for s in library.segments(result.episode.id)]
        finally:
            library.close()


# --- judging -------------------------------------------------------------------------


@dataclass
class Verdict:
    shape: str
    tldr: str
    summary: str
    chapters: str
    name_titles: list[str]
    bad_titles: list[str]
    fragments: list[str]
    spotlight: int
    doubtful: list[str] | None
    repeated: list[str]
    holding: list[str]
    past_turn: list[str]
    host_questions: tuple[int, int]
    seconds: float


def judge(source: Source, insights: Insights, seconds: float) -> Verdict:
    segments = source.segments
    punctuated = rules.is_punctuated(segments)
    names = rules.speaker_names(segments) | rules.addressed_names(segments)
    names |= {w for name, _ in source.reference for w in rules.words(name)}
    name_titles, bad_titles = [], []
    titles_seen: set[str] = set()
    episode = rules.EpisodeWords.of(segments)
    for item in insights.key_insights:
        problem = rules.title_problem(item.title, item.text, names, episode)
        if item.title.lower() in titles_seen:
            problem = problem or "repeated"
        titles_seen.add(item.title.lower())
        if problem == "name":
            name_titles.append(item.title)
        elif problem:
            bad_titles.append(f"{item.title} ({problem})")
    spotlight = rules.spotlight_sentences(insights)
    fragments = []
    for section, sentence in spotlight:
        problem = rules.fragment_problem(sentence, punctuated)
        if problem:
            fragments.append(f"{section}: {sentence[:70]!r} ({problem})")
    doubtful = None
    if any(s.words for s in segments):
        doubtful = [
            f"{label}: {text[:70]!r}"
            for label, text, start in _timed_spotlight(insights)
            if rules.doubtful_sentence(text, start, segments)
        ]
    holding, past, real = [], [], 0
    for item in insights.qa:
        verdict = rules.judge_question(item.question, item.answer, item.start, segments, punctuated)
        if source.reference:
            verdict.asked_by_host = _reference_asker(item.question, source.reference) == (
                source.reference[0][0]
            ) and any(rules.INTERROGATIVE.match(q) for q in rules.sentences(item.question))
        if verdict.holds_answer:
            holding.append(f"{item.question[:70]!r}: {'; '.join(verdict.notes)}")
        if verdict.answer_past_turn:
            past.append(f"{item.question[:50]!r}: {'; '.join(verdict.notes)}")
        real += verdict.asked_by_host
    end = segments[-1].end
    covered, total = rules.chapter_coverage(insights, source.chapters, end)
    speakers = len({s.speaker for s in segments if s.speaker})
    shape = ", ".join(
        part
        for part in (
            f"{end / 60:.0f} min",
            f"{speakers} speakers" if speakers else "no speakers",
            f"{len(source.chapters)} chapters" if source.chapters else "",
            "" if punctuated else "unpunctuated",
        )
        if part
    )
    said = rules.words(" ".join(s.text for s in segments))
    themes = rules.tldr_themes(insights.tldr, said, set(rules.words(source.title)))
    tldr_fault = rules.tldr_problem(insights.tldr, segments, source.title, source.chapters)
    summary_faults = rules.summary_problems(insights.summary, segments, source.chapters)
    lines = rules.summary_lines(insights.summary) or []
    return Verdict(
        shape=shape,
        tldr=tldr_fault or f"ok, {len(themes)} themes",
        summary="; ".join(summary_faults) or f"ok, {len(lines)} lines",
        chapters=f"{covered}/{total}" if total else "–",
        name_titles=name_titles,
        bad_titles=bad_titles,
        fragments=fragments,
        spotlight=len(spotlight),
        doubtful=doubtful,
        repeated=rules.repeated_sentences(insights),
        holding=holding,
        past_turn=past,
        host_questions=(real, len(insights.qa)),
        seconds=seconds,
    )


def _timed_spotlight(insights: Insights):
    for k in insights.key_insights:
        yield "insight", k.text, k.start
    for t in insights.takeaways:
        yield "takeaway", t.text, t.start
    for q in insights.qa:
        for s in rules.sentences(q.answer):
            yield "answer", s, -1.0
    for s in rules.summary_sentences(insights.summary):
        yield "summary", s, -1.0


def _reference_asker(question: str, reference: list[tuple[str, str]]) -> str:
    asked = set(rules.words(question))
    return max(reference, key=lambda turn: len(asked & set(rules.words(turn[1]))))[0]


COLUMNS = (
    "transcript",
    "shape",
    "TL;DR",
    "Summary",
    "chapters with an insight",
    "name titles",
    "filler/generic titles",
    "fragments in spotlight",
    "doubtful ASR in spotlight",
    "repeated sentences",
    "questions holding answers",
    "answers past the reply",
    "real host questions",
)


def row(source: Source, v: Verdict) -> list[str]:
    return [
        source.name + (f" ({source.note})" if source.note else ""),
        v.shape,
        v.tldr,
        v.summary,
        v.chapters,
        str(len(v.name_titles)),
        str(len(v.bad_titles)),
        f"{len(v.fragments)}/{v.spotlight}",
        "–" if v.doubtful is None else str(len(v.doubtful)),
        str(len(v.repeated)),
        str(len(v.holding)),
        str(len(v.past_turn)),
        f"{v.host_questions[0]}/{v.host_questions[1]}",
    ]


def show(source: Source, insights: Insights, v: Verdict) -> None:
    print(f"\n### {source.name}\nTL;DR: {insights.tldr}")
    for k in insights.key_insights:
        print(f"  {k.emoji} [{k.start:7.1f}] {k.title}: {k.text}")
    for q in insights.qa:
        print(f"  Q [{q.start:7.1f}] {q.question}\n    A: {q.answer}")
    for t in insights.takeaways:
        print(f"  T [{t.start:7.1f}] {t.text}")
    print("  Summary:\n" + "\n".join(f"    {line}" for line in insights.summary.splitlines()))
    for label, items in (
        ("name title", v.name_titles),
        ("bad title", v.bad_titles),
        ("fragment", v.fragments),
        ("doubtful", v.doubtful or []),
        ("repeated", v.repeated),
        ("question holds answer", v.holding),
        ("answer past the reply", v.past_turn),
    ):
        for item in items:
            print(f"  !! {label}: {item}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="more transcripts or folders")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every payload")
    parser.add_argument(
        "--no-recall", action="store_true", help="skip the recall table (bench/insights_recall.py)"
    )
    args = parser.parse_args()
    sources = [s for p in corpus_files(args.paths) if (s := load_source(p)) is not None]
    nasa = nasa_source()
    if nasa is not None:
        sources.append(nasa)
    table = []
    for source in sources:
        started = time.perf_counter()
        insights = ExtractiveEngine().generate(
            InsightInput(source.title, source.segments, source.chapters)
        )
        verdict = judge(source, insights, time.perf_counter() - started)
        if args.verbose:
            show(source, insights, verdict)
        table.append(row(source, verdict))
    print()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for cells in table:
        print("| " + " | ".join(cells) + " |")
    if not args.no_recall:
        # Form above, meaning below: recall of hand-written key points against random
        # sentences of the same transcript (bench/insights_recall.py).
        import insights_recall

        sys.argv = [sys.argv[0]]
        insights_recall.main()


if __name__ == "__main__":
    main()
