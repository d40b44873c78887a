"""Does a payload tell a reader what the episode covered? Recall of hand-written key points.

The form rules (tests/insight_rules.py) pass any payload of well-formed transcript sentences;
this module measures meaning. For each real transcript a person read end to end and wrote
6-10 key points (tests/data/insights/references/*.json): what a listener would list as the
episode's main topics and claims. Each point has a label and 2-4 concept slots; a slot is
a set of alternative words or phrases that a summary of the point would have to contain.

The rule, precisely:

* Text is cut into tokens: casefold; "c++" becomes "cpp"; curly apostrophes become
  straight; a token is a run of letters and digits, with inner apostrophes kept ("don't")
  and a final possessive "'s" dropped; every other character (hyphens included) separates
  tokens, so "go-ethereum" is the two tokens "go ethereum".
* A token's forms are the token itself plus its dictionary lemmas (lemminflect's
  getAllLemmas, every part of speech: "stored" -> store, "grew" -> grow). A token the
  dictionary does not know gets a simple stem instead: "-ies"/"-ied" -> "-y", "-sses" ->
  "-ss", a plural "-s" dropped (not after s, u or i), else "-ing" or "-ed" dropped when 3
  letters remain, with a doubled final consonant undoubled (not l, s or z). Tokens of 3
  characters or fewer, or with digits, are not stemmed.
* Two tokens match when their forms share one. A one-word alternative matches a token of
  the item; a phrase alternative ("yellow paper") matches consecutive tokens.
* A slot is matched by an item when any of its alternatives matches in the item's text.
* A point is recalled by a list of items when ONE item matches every slot of the point (the
  slots may be matched anywhere in that item: a TL;DR of several sentences is one item).
* Recall is the fraction of the reference's points recalled.

The engine's items are its TL;DR and each Key Insight's title + text (`engine_items`); the
Summary is scored on its own as one item (`summary_items`), never mixed into the rule.

Baselines and controls, all deterministic:

* random: as many items as the engine produced, each made of as many randomly chosen
  well-formed transcript sentences (>= 8 words, ending in . ! or ? when the transcript is
  punctuated) as the engine item has sentences (the TL;DR's count, 1 per Key Insight);
  10 seeds, mean and max.
* least central: the same shape filled with the well-formed sentences least similar to the
  transcript as a whole (TF-IDF cosine to the centroid of all its sentences); must be low.
* other episode: the same shape filled with random well-formed sentences of a different
  episode, mean over the seeds, the highest over the other episodes; must be low.
* positive: the reference labels themselves as items; about 1.0 (the matcher works).
"""

from __future__ import annotations

import json
import random
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lemminflect import getAllLemmas

from desktop.core.errors import EarmarkError
from desktop.core.importers import load_transcript
from desktop.core.insights.payload import Insights
from desktop.core.model import Chapter, Segment
from tests import insight_rules as rules

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "tests" / "data" / "insights" / "references"
REFERENCE_SUFFIX = ".references.json"  # a reference next to a transcript: <stem>.references.json
SEEDS = tuple(range(10))
MIN_SENTENCE_WORDS = 8

Phrase = tuple[str, ...]  # tokens of one alternative
Slot = tuple[Phrase, ...]  # alternatives


@dataclass(frozen=True)
class Point:
    label: str
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Reference:
    name: str
    episode: str  # references of one episode (excerpt and full) share it
    description: str
    provenance: str
    applies_to: tuple[str, ...]  # transcript paths, relative to the repository root
    points: tuple[Point, ...]


# --- text --------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokens(text: str) -> list[str]:
    text = text.casefold().replace("c++", "cpp").replace("’", "'").replace("‘", "'")
    found = []
    for token in _TOKEN.findall(text):
        if token.endswith("'s"):
            token = token[:-2]
        found.append(token.replace("'", ""))
    return found


def stem(token: str) -> str:
    """Plural, -ing and -ed endings off a word the dictionary does not know."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith(("ies", "ied")) and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("sses"):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    for suffix in ("ing", "ed"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            base = token[: -len(suffix)]
            if base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    return token


@cache
def forms(token: str) -> frozenset[str]:
    lemmas = {lemma.casefold() for found in getAllLemmas(token).values() for lemma in found}
    return frozenset({token, *lemmas} if lemmas else {token, stem(token)})


def _phrase_at(item: Sequence[str], start: int, phrase: Phrase) -> bool:
    if start + len(phrase) > len(item):
        return False
    return all(forms(item[start + i]) & forms(word) for i, word in enumerate(phrase))


def slot_matched(slot: Slot, item: Sequence[str]) -> bool:
    return any(_phrase_at(item, i, phrase) for phrase in slot for i in range(len(item)))


def point_recalled(point: Point, texts: Iterable[str]) -> bool:
    """True when one text matches every slot of the point."""
    return any(all(slot_matched(slot, tokens(text)) for slot in point.slots) for text in texts)


def recall(points: Sequence[Point], items: Sequence[str]) -> float:
    if not points:
        return 0.0
    return sum(point_recalled(point, items) for point in points) / len(points)


# --- references --------------------------------------------------------------------------


def make_point(label: str, words: Sequence[Sequence[str]]) -> Point:
    """A point from its label and slots of alternatives (as written in the JSON files)."""
    slots = tuple(tuple(tuple(tokens(alt)) for alt in slot if tokens(alt)) for slot in words)
    if not slots or not all(slots):
        raise ValueError(f"point {label!r} has an empty slot")
    return Point(label, slots)


def load_references(name: str | Path) -> Reference:
    """The reference named `name` in tests/data/insights/references, or the file at a path."""
    path = Path(name) if Path(name).suffix == ".json" else REFERENCES / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    stem_name = path.name.removesuffix(REFERENCE_SUFFIX).removesuffix(".json")
    return Reference(
        name=stem_name,
        episode=data.get("episode", stem_name),
        description=data["transcript"],
        provenance=data["provenance"],
        applies_to=tuple(data.get("applies_to", ())),
        points=tuple(make_point(p["point"], p["words"]) for p in data["points"]),
    )


def all_references() -> list[Reference]:
    return [load_references(p) for p in sorted(REFERENCES.glob("*.json"))]


def reference_for(transcript: Path) -> Reference | None:
    """The reference that names this transcript, or one beside it (<stem>.references.json)."""
    beside = transcript.with_name(transcript.stem + REFERENCE_SUFFIX)
    if beside.exists():
        return load_references(beside)
    target = transcript.resolve()
    for reference in all_references():
        if any((ROOT / p).resolve() == target for p in reference.applies_to):
            return reference
    return None


# --- transcripts -------------------------------------------------------------------------


@dataclass
class Source:
    path: Path
    title: str
    segments: list[Segment]
    chapters: list[Chapter]


def load_source(path: Path) -> Source:
    """A transcript Earmark imports, or a human reference of "Name: what they said" lines
    (no timestamps: each line becomes a segment timed at 0.4 s a word)."""
    try:
        transcript = load_transcript(path)
        title = transcript.title or path.stem
        return Source(path, title, transcript.segments, transcript.chapters)
    except EarmarkError:
        segments = _speaker_lines(path.read_text(encoding="utf-8"))
        if not segments:
            raise
        return Source(path, path.stem, segments, [])


def _speaker_lines(text: str) -> list[Segment]:
    segments: list[Segment] = []
    clock = 0.0
    for line in text.splitlines():
        name, sep, said = line.partition(": ")
        if not sep or not said.strip() or len(name.split()) > 3:
            continue
        length = 0.4 * len(said.split())
        segments.append(Segment(round(clock, 3), round(clock + length, 3), said.strip(), name))
        clock += length
    return segments


def transcript_sentences(segments: Sequence[Segment]) -> list[str]:
    """Well-formed sentences: >= 8 words, ending in . ! or ? when the transcript is
    punctuated (the text of each speaker's turn, split at sentence ends)."""
    punctuated = rules.is_punctuated(list(segments))
    found = []
    for _, turn in _turns(segments):
        for sentence in rules.sentences(turn) if punctuated else [turn]:
            if len(rules.words(sentence)) < MIN_SENTENCE_WORDS:
                continue
            if punctuated and not re.search(r"[.!?][\"'”’)]*$", sentence):
                continue
            found.append(sentence)
    return found


def _turns(segments: Sequence[Segment]) -> list[tuple[str | None, str]]:
    turns: list[tuple[str | None, list[str]]] = []
    for segment in segments:
        if turns and turns[-1][0] == segment.speaker:
            turns[-1][1].append(segment.text)
        else:
            turns.append((segment.speaker, [segment.text]))
    return [(speaker, " ".join(texts)) for speaker, texts in turns]


# --- items -------------------------------------------------------------------------------


def engine_items(insights: Insights) -> list[str]:
    """What a reader sees first: the TL;DR, and each Key Insight's title with its text."""
    items = [insights.tldr] if insights.tldr.strip() else []
    return items + [f"{k.title}. {k.text}" for k in insights.key_insights]


def summary_items(insights: Insights) -> list[str]:
    return [insights.summary] if insights.summary.strip() else []


def item_shape(insights: Insights) -> list[int]:
    """Sentences per engine item: the TL;DR's count, then 1 per Key Insight."""
    shape = [max(1, len(rules.sentences(insights.tldr)))] if insights.tldr.strip() else []
    return shape + [1] * len(insights.key_insights)


def _grouped(sentences: Sequence[str], shape: Sequence[int]) -> list[str]:
    items, at = [], 0
    for size in shape:
        items.append(" ".join(sentences[at : at + size]))
        at += size
    return items


def random_items(sentences: Sequence[str], shape: Sequence[int], seed: int) -> list[str]:
    """Random well-formed sentences in the engine's shape (without repeats while they last)."""
    rng = random.Random(seed)
    needed = sum(shape)
    if not sentences:
        return [""] * len(shape)
    picked = rng.sample(list(sentences), min(needed, len(sentences)))
    picked += rng.choices(list(sentences), k=needed - len(picked))
    return _grouped(picked, shape)


def least_central_items(sentences: Sequence[str], shape: Sequence[int]) -> list[str]:
    """The sentences least like the transcript as a whole (TF-IDF cosine to the centroid)."""
    if not sentences:
        return [""] * len(shape)
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(sentences)
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()) + 1e-12
    cosine = (matrix @ centroid) / (norms * (np.linalg.norm(centroid) + 1e-12))
    order = sorted(range(len(sentences)), key=lambda i: (cosine[i], i))
    needed = sum(shape)
    return _grouped([sentences[i] for i in order[:needed]], shape)


def seeded_recall(
    points: Sequence[Point], make: Callable[[int], list[str]], seeds: Sequence[int] = SEEDS
) -> list[float]:
    return [recall(points, make(seed)) for seed in seeds]


# --- one transcript, all columns ---------------------------------------------------------


@dataclass
class Scores:
    engine: float
    summary: float
    random_mean: float
    random_max: float
    least_central: float
    other_episode: float
    positive: float
    missed: list[str]  # labels of the points the engine's items do not recall

    @property
    def margin(self) -> float:
        return self.engine - self.random_mean


def score(
    reference: Reference,
    insights: Insights,
    sentences: Sequence[str],
    others: Sequence[Sequence[str]],
) -> Scores:
    """Every column for one payload: `sentences` are this transcript's well-formed
    sentences, `others` those of each other episode."""
    points = reference.points
    items = engine_items(insights)
    shape = item_shape(insights)
    randoms = seeded_recall(points, lambda seed: random_items(sentences, shape, seed))
    other = [
        statistics.mean(seeded_recall(points, lambda seed, s=s: random_items(s, shape, seed)))
        for s in others
    ]
    return Scores(
        engine=recall(points, items),
        summary=recall(points, summary_items(insights)),
        random_mean=statistics.mean(randoms),
        random_max=max(randoms),
        least_central=recall(points, least_central_items(sentences, shape)),
        other_episode=max(other, default=0.0),
        positive=recall(points, [p.label for p in points]),
        missed=[p.label for p in points if not point_recalled(p, items)],
    )
