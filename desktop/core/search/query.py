"""Turning what a person types into a safe SQLite FTS5 expression.

Whatever a person types is turned into a safe FTS5 expression: words are quoted so that
FTS5 syntax characters are never interpreted, `"quoted phrases"` stay phrases, `OR` between
terms and `-word` exclusions keep their usual meaning, and the last bare word matches as
a prefix so results appear while typing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Snippet highlight markers: control characters never found in stored text, so a caller can
# escape the text first (HTML, Markdown, a terminal) and then swap the markers for styling.
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True, slots=True)
class _Term:
    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


def build_match_query(text: str) -> str | None:
    """The FTS5 MATCH expression for what a user typed, or None when nothing is searchable."""
    parsed = parse_query(text)
    return parsed.match if parsed else None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    match: str  # the FTS5 expression
    words: tuple[str, ...]  # every positive word, lower case, for highlighting and scoring


def parse_query(text: str) -> ParsedQuery | None:
    """Parse once; None when the text holds no searchable word."""
    positives: list[str] = []
    words_seen: list[str] = []
    negatives: list[_Term] = []
    pending_or = False
    last_bare: int | None = None
    for match in _TOKEN.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        if bare in ("OR", "|"):
            pending_or = bool(positives)
            continue
        if bare in ("AND", "NOT", "NEAR", "+", "&"):
            continue
        negate = bare is not None and bare.startswith("-") and len(bare) > 1
        if bare is not None and bare.upper().startswith("NEAR("):
            bare = bare[5:]
        words = tuple(w.lower() for w in _WORD.findall(phrase if phrase is not None else bare))
        if not words:
            continue
        term = _Term(words, prefix=bare is not None and bare.endswith("*"))
        if negate:
            negatives.append(term)
            continue
        if pending_or:
            positives.append("OR")
            pending_or = False
        positives.append(term.fts())
        words_seen.extend(words)
        last_bare = len(positives) - 1 if bare is not None else None
    if not positives:
        return None
    if last_bare is not None and not positives[last_bare].endswith("*"):
        positives[last_bare] += "*"
    query = " ".join(positives)
    if negatives:
        query = f"({query})" + "".join(f" NOT {n.fts()}" for n in negatives)
    return ParsedQuery(query, tuple(words_seen))


def highlight(snippet: str, open_mark: str, close_mark: str) -> str:
    """Replace the internal markers, e.g. with `**`/`**` or `<b>`/`</b>` after escaping."""
    return snippet.replace(MARK_OPEN, open_mark).replace(MARK_CLOSE, close_mark)
