"""Turning what a person types into a safe SQLite FTS5 expression.

Whatever a person types is turned into a safe FTS5 expression: words are quoted so that
FTS5 syntax characters are never interpreted, `"quoted phrases"` stay phrases, `OR` between
terms and `-word` (or `NOT word`) exclusions keep their usual meaning, and the last bare
word matches as a prefix so results appear while typing.

What FTS5 would misread does what a person means:

- `AND`, `OR` and `NOT` are operators only between two words; alone, first or last they
  are the words "and", "or" and "not" (matched whole, not as a prefix). The same operator
  typed twice (`deep OR OR learning`) is one.
- FTS5's `NEAR(a b, 2)` finds its words; the distance is not a word to look for.
- A query made only of exclusions (`-self`) searches its words: there is nothing to
  exclude them from.
- A term with symbols that the tokenizer drops (`C++`, `C#`, `AT&T`, `$100`, `.NET`,
  `24/7`) is looked up by its words in FTS5 and then must occur as typed in the raw text
  (case-insensitive, not inside a longer word): `C++` finds "C++", not "correct" or "C".
  ParsedQuery.clauses and .excluded carry those checks as regular expressions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from desktop.core.text import clean_text

# Snippet highlight markers: control characters never found in stored text, so a caller can
# escape the text first (HTML, Markdown, a terminal) and then swap the markers for styling.
MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"

_WORD = re.compile(r"\w+", re.UNICODE)
_NEAR_DISTANCE = re.compile(r"\b(NEAR\([^()\"]*?),\s*\d+\s*\)", re.IGNORECASE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_OPERATORS = {"OR": "OR", "|": "OR", "AND": "AND", "&": "AND", "+": "AND", "NOT": "NOT"}
# Punctuation that is never significant inside a search term: quotes, dashes, sentence
# punctuation and brackets (FTS5 ignores them and so does a person typing them).
_IGNORED = set(
    "'\u2018\u2019\u201b\"\u201c\u201d\u201e`"  # quotes
    "-\u2010\u2011\u2012\u2013\u2014\u2015_"  # dashes
    "^*:,;!?()[]{}«»…"  # sentence punctuation, brackets, FTS5 syntax
)
_TRAILING = _IGNORED | {"."}


@dataclass(frozen=True, slots=True)
class _Term:
    words: tuple[str, ...]
    prefix: bool = False
    raw: str | None = None  # regex the raw text must match (terms with symbols)

    def fts(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True, slots=True)
class Clause:
    """One alternative of the query (the parts between top-level ORs)."""

    match: str  # the FTS5 expression of this alternative alone
    patterns: tuple[str, ...]  # regexes (case-insensitive) its raw text must all match


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    match: str  # the FTS5 expression
    words: tuple[str, ...]  # every positive word, lower case, for highlighting and scoring
    # Set only when a term has symbols: the alternatives a hit must satisfy on its raw text
    # (empty when FTS5 alone decides), and regexes that exclude a hit.
    clauses: tuple[Clause, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def patterns(self) -> tuple[str, ...]:
        """Every positive raw-text regex, for highlighting and scoring."""
        return tuple(p for clause in self.clauses for p in clause.patterns)

    @property
    def filtered(self) -> bool:
        return bool(self.clauses or self.excluded)


def build_match_query(text: str) -> str | None:
    """The FTS5 MATCH expression for what a user typed, or None when nothing is searchable."""
    parsed = parse_query(text)
    return parsed.match if parsed else None


@dataclass(slots=True)
class _Token:
    phrase: str | None
    bare: str | None

    @property
    def operator(self) -> str | None:
        return _OPERATORS.get(self.bare) if self.bare is not None else None

    @property
    def body(self) -> str:
        """The text that holds the words (an exclusion's `-` and NEAR( taken off)."""
        if self.phrase is not None:
            return self.phrase
        bare = self.bare or ""
        if self.negated:
            bare = bare[1:]
        if bare.upper().startswith("NEAR("):
            bare = bare[5:]
        return bare

    @property
    def negated(self) -> bool:
        return self.bare is not None and self.bare.startswith("-") and len(self.bare) > 1

    def words(self) -> tuple[str, ...]:
        return tuple(w.lower() for w in _WORD.findall(self.body))


def parse_query(text: str, min_prefix: int = 1) -> ParsedQuery | None:
    """Parse once; None when the text holds no searchable word.

    The last bare word matches as a prefix when it has at least `min_prefix` characters
    (search-as-you-type passes 3: a two-letter prefix matches much of a library and costs
    ten times a word)."""
    # clean_text: `earmark search` gets argv bytes that are not UTF-8 as lone surrogates,
    # which sqlite3 cannot bind (a term with symbols carries its text into a pattern).
    tokens = [_Token(m.group(1), m.group(2)) for m in _TOKEN.finditer(_unquoted_sub(text))]
    # An operator typed twice in a row is one (`deep OR OR learning`).
    tokens = [
        token
        for i, token in enumerate(tokens)
        if not (token.operator and i and tokens[i - 1].bare == token.bare)
    ]

    def is_term(i: int) -> bool:
        return 0 <= i < len(tokens) and tokens[i].operator is None and bool(tokens[i].words())

    # (term, negated, keyword) in order, with "OR" strings between alternatives.
    items: list[tuple[_Token, bool, bool] | str] = []
    negate_next = False
    for i, token in enumerate(tokens):
        op = token.operator
        if op is not None and is_term(i - 1) and is_term(i + 1):
            if op == "OR":
                items.append("OR")
            elif op == "NOT":
                negate_next = True
            continue  # AND between two words is what every query does anyway
        if not token.words():
            continue
        keyword = op is not None  # an operator with nothing to join: the word itself
        items.append((token, (token.negated and not keyword) or negate_next, keyword))
        negate_next = False

    terms = [item for item in items if not isinstance(item, str)]
    if terms and all(negated for _, negated, _ in terms):
        # Nothing to exclude from: `-self` means the word.
        items = [item if isinstance(item, str) else (item[0], False, item[2]) for item in items]

    return _assemble(items, min_prefix)


def _unquoted_sub(text: str) -> str:
    """`text` cleaned, with NEAR's distance (`NEAR(a b, 2)`) left out where it is not
    inside a quoted phrase."""
    parts = clean_text(text).split('"')
    parts[::2] = [_NEAR_DISTANCE.sub(r"\1)", part) for part in parts[::2]]
    return '"'.join(parts)


def _assemble(
    items: list[tuple[_Token, bool, bool] | str], min_prefix: int = 1
) -> ParsedQuery | None:
    positives: list[_Term | str] = []
    negatives: list[_Term] = []
    words_seen: list[str] = []
    pending_or = False
    last_bare: tuple[int, str] | None = None  # the last positive, when a bare word
    for item in items:
        if isinstance(item, str):
            pending_or = bool(positives)
            continue
        token, negated, keyword = item
        term = _make_term(token, keyword)
        if negated:
            negatives.append(term)
            continue
        if pending_or:
            positives.append("OR")
            pending_or = False
        positives.append(term)
        if term.raw is None:
            words_seen.extend(term.words)
        last_bare = None
        if token.bare is not None and not keyword:
            last_bare = (len(positives) - 1, token.body)
    if not positives:
        return None
    if last_bare is not None:
        index, body = last_bare
        term = positives[index]
        if isinstance(term, _Term) and len(term.words[-1]) >= min_prefix:
            positives[index] = _as_prefix(term, body)

    fts_negatives = [n for n in negatives if n.raw is None]
    query = " ".join(p if isinstance(p, str) else p.fts() for p in positives)
    if fts_negatives:
        query = f"({query})" + "".join(f" NOT {n.fts()}" for n in fts_negatives)

    alternatives: list[list[_Term]] = [[]]
    for part in positives:
        if isinstance(part, str):
            alternatives.append([])
        else:
            alternatives[-1].append(part)
    clauses: tuple[Clause, ...] = ()
    if any(t.raw is not None for alt in alternatives for t in alt):
        clauses = tuple(
            Clause(
                " ".join(t.fts() for t in alt),
                tuple(t.raw for t in alt if t.raw is not None),
            )
            for alt in alternatives
        )
    excluded = tuple(n.raw for n in negatives if n.raw is not None)
    return ParsedQuery(query, tuple(words_seen), clauses, excluded)


def _as_prefix(term: _Term | str, body: str) -> _Term | str:
    """The last bare word matches as a prefix; a symbol term only when it ends in a letter."""
    if isinstance(term, str) or term.prefix:
        return term
    if term.raw is None:
        return _Term(term.words, True)
    trimmed = _trim(body.rstrip("*"))
    if not trimmed or not (trimmed[-1].isalnum() or trimmed[-1] == "_"):
        return term
    return _Term(term.words, True, _pattern(trimmed, prefix=True))


def _make_term(token: _Token, keyword: bool) -> _Term:
    words = token.words()
    if keyword:
        return _Term(words)
    body = token.body
    prefix = token.bare is not None and body.endswith("*")
    trimmed = _trim(body.rstrip("*") if token.bare is not None else body)
    if any(_significant(ch) for ch in trimmed):
        return _Term(words, prefix, _pattern(trimmed, prefix))
    return _Term(words, prefix)


def _trim(text: str) -> str:
    text = text.strip()
    start, end = 0, len(text)
    while start < end and text[start] in _IGNORED:
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return text[start:end]


def _significant(ch: str) -> bool:
    """A symbol the tokenizer drops but a person means: + # & @ $ % / = < > . and the like."""
    return ch not in _IGNORED and unicodedata.category(ch) in ("Sm", "Sc", "Po")


def _pattern(text: str, prefix: bool) -> str:
    """A regex for `text` as typed: whitespace runs match any whitespace, and a term that
    starts (or, unless a prefix, ends) with a letter does not match inside a longer word."""
    body = r"\s+".join(re.escape(part) for part in text.split())
    head = r"(?<!\w)" if text[0].isalnum() or text[0] == "_" else ""
    tail = r"(?!\w)" if not prefix and (text[-1].isalnum() or text[-1] == "_") else ""
    return head + body + tail


def highlight(snippet: str, open_mark: str, close_mark: str) -> str:
    """Replace the internal markers, e.g. with `**`/`**` or `<b>`/`</b>` after escaping."""
    return snippet.replace(MARK_OPEN, open_mark).replace(MARK_CLOSE, close_mark)
