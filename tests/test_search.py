"""Library-wide and per-episode FTS5 search, and its safety against any typed string."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.model import EpisodeSource, EpisodeStatus, Segment
from desktop.core.search import MARK_CLOSE, MARK_OPEN, build_match_query, highlight, search
from desktop.core.store import Library

EPISODE_A = [
    "Welcome to the show about deep learning.",
    "Neural networks learn representations from data.",
    "We talk about reinforcement learning and self play.",
    "Deep networks generalise surprisingly well.",
    "Le café était très bon à Montréal.",
    "Пингвины живут в Антарктиде.",
    "日本語 のテキスト",
    "<script>alert('x')</script> was in the captions",
]
EPISODE_B = [
    "Cooking pasta needs salted water.",
    "Deep learning is not needed for cooking.",
    "Running late again, the runner said.",
]


@pytest.fixture
def populated(library: Library) -> tuple[Library, int, int]:
    ids = []
    for title, texts in (("AI talk", EPISODE_A), ("Kitchen", EPISODE_B)):
        episode = library.create_episode(title, EpisodeSource.IMPORTED, EpisodeStatus.DONE)
        library.append_segments(
            episode.id,
            [Segment(10.0 * i, 10.0 * i + 4.5, text) for i, text in enumerate(texts)],
        )
        ids.append(episode.id)
    return library, ids[0], ids[1]


def texts(hits: list) -> list[str]:
    return [h.text for h in hits]


def test_single_word_across_the_library_with_times_and_titles(populated) -> None:
    library, _, b = populated
    hits = search(library.conn, "cooking")
    assert {(h.title, h.text) for h in hits} == {
        ("Kitchen", "Cooking pasta needs salted water."),
        ("Kitchen", "Deep learning is not needed for cooking."),
    }
    first = next(h for h in hits if h.text.startswith("Cooking"))
    assert (first.episode_id, first.segment_idx, first.start, first.end) == (b, 0, 0.0, 4.5)


def test_results_are_ranked_best_first(populated) -> None:
    library, _, _ = populated
    hits = search(library.conn, "deep")
    assert len(hits) == 3
    ranks = [h.rank for h in hits]
    assert ranks == sorted(ranks)


def test_phrase_matches_only_adjacent_words(populated) -> None:
    library, _, _ = populated
    assert len(search(library.conn, '"deep learning"')) == 2
    assert search(library.conn, '"learning deep"') == []


def test_last_word_is_a_prefix_and_stemming_applies(populated) -> None:
    library, _, _ = populated
    assert texts(search(library.conn, "reinforc")) == [EPISODE_A[2]]
    assert texts(search(library.conn, "pas")) == [EPISODE_B[0]]
    assert EPISODE_B[2] in texts(search(library.conn, "run late"))


def test_or_and_exclusion(populated) -> None:
    library, _, _ = populated
    assert len(search(library.conn, "pasta OR penguins OR play")) == 2
    hits = search(library.conn, "deep -cooking")
    assert len(hits) == 2
    assert all("cooking" not in h.text.lower() for h in hits)


def test_episode_filter(populated) -> None:
    library, a, b = populated
    hits = search(library.conn, "deep", episode_id=b)
    assert texts(hits) == [EPISODE_B[1]]
    assert search(library.conn, "pasta", episode_id=a) == []


def test_snippet_marks_the_matching_words(populated) -> None:
    library, _, _ = populated
    (hit,) = search(library.conn, "pasta")
    assert f"{MARK_OPEN}pasta{MARK_CLOSE}" in hit.snippet
    assert highlight(hit.snippet, "<b>", "</b>") == "Cooking <b>pasta</b> needs salted water."


def test_non_latin_diacritics_and_html_text(populated) -> None:
    library, _, _ = populated
    assert texts(search(library.conn, "cafe")) == [EPISODE_A[4]]
    assert texts(search(library.conn, "Пингвины")) == [EPISODE_A[5]]
    assert texts(search(library.conn, "日本語")) == [EPISODE_A[6]]
    assert texts(search(library.conn, "<script>")) == [EPISODE_A[7]]


def test_limit_and_offset_page_through_hits(populated) -> None:
    library, _, _ = populated
    everything = search(library.conn, "deep", limit=10)
    assert search(library.conn, "deep", limit=2) == everything[:2]
    assert search(library.conn, "deep", limit=2, offset=2) == everything[2:]


DEEP = {EPISODE_A[0], EPISODE_A[3], EPISODE_B[1]}  # "deep"
DEEP_LEARNING = {EPISODE_A[0], EPISODE_B[1]}  # "deep" and "learning"
LEARNING = {EPISODE_A[0], EPISODE_A[2], EPISODE_B[1]}  # "learning"

# What each typed string means to a person: the texts it must find, exactly. FTS5 syntax
# is never obeyed (a column filter, NEAR's distance, a bare `*`), symbols and wildcards
# of other languages (`%_%`, SQL) are not words, and text without words finds nothing.
HOSTILE = [
    ("", set()),
    ("   ", set()),
    ('"', set()),
    ('""', set()),
    ('"deep', DEEP),  # an unclosed quote: the words in it
    ("*", set()),  # not "everything"
    ("deep*", DEEP),
    ("-", set()),
    ("--", set()),
    ("- deep", DEEP),  # a lone dash excludes nothing
    ("AND", {EPISODE_A[2]}),  # a lone operator is the word
    ("OR", set()),
    ("NOT", {EPISODE_B[1]}),
    ("deep AND", set()),  # ...and so is one at either end: "deep" and "and"
    ("OR deep", set()),
    # A doubled OR is one OR (the last word is a prefix, stemmed: "learn" too).
    ("deep OR OR learning", DEEP | LEARNING | {EPISODE_A[1]}),
    ("deep AND AND learning", DEEP_LEARNING),
    ("NEAR(deep learning, 2)", DEEP_LEARNING),  # FTS5's NEAR: both words, not "2"
    ("(deep", DEEP),
    ("deep)", DEEP),
    ("((()))", set()),
    ("^deep", DEEP),  # not "starts with"
    ("deep:learning", DEEP_LEARNING),
    ("text:deep", set()),  # not a column filter: the words "text" and "deep"
    ("col1 : x", set()),
    ("{deep learning}", DEEP_LEARNING),
    ("'; DROP TABLE segments; --", set()),
    ("🎉🎉", set()),
    ("deep 🎉", DEEP),
    ("\x00", set()),
    ("\\", set()),
    ("%_%", set()),  # not LIKE's "anything"
    ("a" * 5000, set()),
]


@pytest.mark.parametrize(("query", "expected"), HOSTILE)
def test_hostile_queries_find_what_a_person_means(
    populated, query: str, expected: set[str]
) -> None:
    library, _, _ = populated
    hits = search(library.conn, query)
    assert set(texts(hits)) == expected
    assert len(hits) == len(expected)  # each row once
    capped = search(library.conn, query, rank_cap=1)  # the path for very common words
    assert set(texts(capped)) <= expected and bool(capped) == bool(expected)
    assert library.row_counts()["segments"] == len(EPISODE_A) + len(EPISODE_B)


_TOKENIZER = sqlite3.connect(":memory:")
_TOKENIZER.execute(
    "CREATE VIRTUAL TABLE tok USING fts5(t, tokenize='porter unicode61 remove_diacritics 2')"
)
_TOKENIZER.execute("CREATE VIRTUAL TABLE tok_terms USING fts5vocab(tok, instance)")


def index_terms(text: str) -> list[str]:
    """The terms the library's index makes of `text` (its own tokenizer: case and accents
    folded, words stemmed)."""
    with _TOKENIZER:
        _TOKENIZER.execute("DELETE FROM tok")
        _TOKENIZER.execute("INSERT INTO tok (t) VALUES (?)", (text,))
        return [row[0] for row in _TOKENIZER.execute("SELECT term FROM tok_terms")]


def assert_means_its_words(query: str, hits: list) -> None:
    """What any query means at least: text without words finds nothing, and every hit
    holds one of the query's words (a term of the index that starts with one: the last
    word is a prefix). A hit holding none means syntax was obeyed (`*`, NEAR, a column
    filter) where a person typed characters."""
    words = re.findall(r"[^\W_]+", query)  # "_" joins no word
    if not words:
        assert hits == [], query
        return
    wanted = {term for word in words for term in index_terms(word)}
    for hit in hits:
        terms = index_terms(hit.text)
        assert any(t.startswith(w) for t in terms for w in wanted), (query, hit.text)


def test_emoji_only_query_finds_nothing_rather_than_everything(populated) -> None:
    library, _, _ = populated
    assert build_match_query("🎉") is None
    assert search(library.conn, "🎉") == []


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=60))
def test_any_unicode_string_is_a_valid_query(populated, query: str) -> None:
    library, _, _ = populated
    assert_means_its_words(query, search(library.conn, query))


SYNTAX = st.sampled_from(
    ['"', "*", "-", "(", ")", "^", ":", "+", "AND", "OR", "NOT", "NEAR", " ", "deep", "x"]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(SYNTAX, max_size=12))
def test_any_mix_of_fts_syntax_is_a_valid_query(populated, parts: list[str]) -> None:
    library, _, _ = populated
    for query in ("".join(parts), " ".join(parts)):
        assert_means_its_words(query, search(library.conn, query))


def test_common_words_are_ranked_among_the_newest_matches(populated) -> None:
    library, _, _ = populated
    exact = search(library.conn, "deep", rank_cap=None)
    capped = search(library.conn, "deep", rank_cap=2)
    # Only the two newest matching segments are candidates.
    assert len(capped) == 2
    assert {h.text for h in capped} <= {h.text for h in exact}
    newest_two = sorted(exact, key=lambda h: (h.episode_id, h.segment_idx))[-2:]
    assert {h.text for h in capped} == {h.text for h in newest_two}
    for hit in capped:
        assert MARK_OPEN in hit.snippet and MARK_CLOSE in hit.snippet
        assert highlight(hit.snippet, "", "") == hit.text


def test_capped_ranking_prefers_more_occurrences_in_shorter_text(library: Library) -> None:
    episode = library.create_episode("Echo", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
    texts = [
        "echo once in a rather long sentence with many other words around it",
        "echo echo echo",
        "echo here",
    ]
    library.append_segments(episode.id, [Segment(i, i + 1.0, t) for i, t in enumerate(texts)])
    capped = search(library.conn, "echo", rank_cap=1)
    assert [h.text for h in capped] == ["echo here"]  # only the newest candidate
    capped = search(library.conn, "echo", rank_cap=2)
    assert [h.text for h in capped] == ["echo echo echo", "echo here"]
    exact = search(library.conn, "echo", rank_cap=None)
    assert [h.text for h in exact][:2] == ["echo echo echo", "echo here"]


def test_capped_search_respects_the_episode_filter_and_paging(populated) -> None:
    library, a, _ = populated
    hits = search(library.conn, "deep", episode_id=a, rank_cap=1)
    assert [h.text for h in hits] == [EPISODE_A[3]]
    assert search(library.conn, "deep", rank_cap=1, offset=1) == []


def test_python_snippet_windows_long_text_and_folds_accents() -> None:
    from desktop.core.search.relevance import make_snippet

    text = (
        " ".join(f"w{i}" for i in range(100)) + " Montréal " + " ".join("tail" for _ in range(50))
    )
    snippet = make_snippet(text, ["montreal"], 10)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert f"{MARK_OPEN}Montréal{MARK_CLOSE}" in snippet
    assert len(highlight(snippet, "", "").split()) == 10


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=40))
def test_any_string_is_valid_on_the_capped_path_too(populated, query: str) -> None:
    library, a, _ = populated
    assert_means_its_words(query, search(library.conn, query, rank_cap=1))
    hits = search(library.conn, query, episode_id=a, rank_cap=1)
    assert_means_its_words(query, hits)
    assert all(h.episode_id == a for h in hits)


# --- what a person means --------------------------------------------------------------------

SYMBOLS = [
    "I write C++ for a living.",  # 0
    "Correct, that could be called a bug.",  # 1
    "C is older than C++17 and C#.",  # 2
    "Vitamin C and zinc.",  # 3
    "AT&T and Verizon merged? No.",  # 4
    "Open 24/7 for $100 a month.",  # 5
    "We ported it to .NET and node.js last year.",  # 6
    "To be or not to be, and that is the question.",  # 7
    "Self-driving cars and self play.",  # 8
    "ABC++ is not a language.",  # 9
]


@pytest.fixture
def symbols(library: Library) -> tuple[Library, int]:
    episode = library.create_episode("Symbols", EpisodeSource.IMPORTED, EpisodeStatus.DONE)
    library.append_segments(
        episode.id, [Segment(float(i), i + 0.9, t) for i, t in enumerate(SYMBOLS)]
    )
    return library, episode.id


def idxs(hits: list) -> set[int]:
    return {h.segment_idx for h in hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("AND", {2, 3, 4, 6, 7, 8}),
        ("and", {2, 3, 4, 6, 7, 8}),
        ("OR", {7}),
        ("NOT", {7, 9}),
        ("NOT AND", {7}),
        ("be AND", {7}),
        ("OR be", {7}),
        ("to be OR", {7}),
    ],
)
def test_lone_or_edge_operators_are_words(symbols, query: str, expected: set[int]) -> None:
    library, _ = symbols
    assert idxs(search(library.conn, query)) == expected


def test_operators_between_words_still_work(symbols) -> None:
    library, _ = symbols
    assert idxs(search(library.conn, "zinc OR verizon")) == {3, 4}
    assert idxs(search(library.conn, "play NOT driving")) == set()
    assert idxs(search(library.conn, "and NOT zinc")) == {2, 4, 6, 7, 8}
    assert idxs(search(library.conn, "cars AND play")) == {8}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("C++", {0, 2}),  # "C++17" starts with C++; ABC++ does not count
        ("c++", {0, 2}),
        ("C#", {2}),
        ("AT&T", {4}),
        ("$100", {5}),
        ("24/7", {5}),
        (".NET", {6}),
        ("node.js", {6}),
        ('"write C++"', {0}),
        ("C++ living", {0}),
        ("C++ OR zinc", {0, 2, 3}),
        ("zinc OR C#", {2, 3}),
        ('"C" -C++', {3}),
        ("-C++", {0, 2}),  # nothing to exclude from: the term itself
    ],
)
def test_terms_with_symbols_match_as_typed(symbols, query: str, expected: set[int]) -> None:
    library, _ = symbols
    assert idxs(search(library.conn, query)) == expected
    assert idxs(search(library.conn, query, rank_cap=1)) <= expected


def test_symbol_terms_are_highlighted_whole(symbols) -> None:
    library, _ = symbols
    (hit,) = search(library.conn, "C++ living")
    assert highlight(hit.snippet, "[", "]") == "I write [C++] for a [living]."
    hits = search(library.conn, "C++", rank_cap=1)
    assert all("[C++]" in highlight(h.snippet, "[", "]") for h in hits)


def test_a_query_of_exclusions_only_searches_the_words(symbols) -> None:
    library, _ = symbols
    assert idxs(search(library.conn, "-self")) == {8}
    assert idxs(search(library.conn, "-self -play")) == {8}
    assert idxs(search(library.conn, "-self play")) == set()  # a real exclusion


def test_exclusions_with_symbols_leave_other_c_words(symbols) -> None:
    library, _ = symbols
    assert idxs(search(library.conn, "Vitamin -C++")) == {3}
    assert idxs(search(library.conn, '"C" -C#')) == {0, 3}


SYMBOL_SYNTAX = st.sampled_from(
    ["C", "+", "#", "&", "$", "/", ".", "-", '"', "*", "OR", "AND", "NOT", " ", "zinc", "\\", "("]
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(SYMBOL_SYNTAX, max_size=10))
def test_any_mix_of_symbols_operators_and_notes_is_a_valid_query(symbols, parts) -> None:
    library, episode = symbols
    if not library.notes(episode):
        library.add_note(episode, "C++ and zinc, noted", time=1.0)
    for query in ("".join(parts), " ".join(parts)):
        assert_means_its_words(query, search(library.conn, query))
        assert_means_its_words(query, search(library.conn, query, rank_cap=1, episode_id=episode))


def test_search_as_you_type_expands_only_a_long_enough_last_word() -> None:
    from desktop.core.search.query import parse_query

    assert parse_query("deep le").match.endswith('"le"*')
    assert parse_query("deep le", min_prefix=3).match.endswith('"le"')
    assert parse_query("deep lea", min_prefix=3).match.endswith('"lea"*')
    assert parse_query("deep le*", min_prefix=3).match.endswith('"le"*')  # asked for
