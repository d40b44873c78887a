"""Library-wide and per-episode FTS5 search, and its safety against any typed string."""

from __future__ import annotations

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


HOSTILE = [
    "",
    "   ",
    '"',
    '""',
    '"deep',
    "*",
    "deep*",
    "-",
    "--",
    "- deep",
    "AND",
    "OR",
    "NOT",
    "deep AND",
    "OR deep",
    "deep OR OR learning",
    "NEAR(deep learning, 2)",
    "(deep",
    "deep)",
    "((()))",
    "^deep",
    "deep:learning",
    "text:deep",
    "col1 : x",
    "{deep learning}",
    "'; DROP TABLE segments; --",
    "🎉🎉",
    "deep 🎉",
    "\x00",
    "\\",
    "%_%",
    "a" * 5000,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(populated, query: str) -> None:
    library, _, _ = populated
    hits = search(library.conn, query)
    assert isinstance(hits, list)
    assert library.row_counts()["segments"] == len(EPISODE_A) + len(EPISODE_B)


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
    search(library.conn, query)


SYNTAX = st.sampled_from(
    ['"', "*", "-", "(", ")", "^", ":", "+", "AND", "OR", "NOT", "NEAR", " ", "deep", "x"]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(SYNTAX, max_size=12))
def test_any_mix_of_fts_syntax_is_a_valid_query(populated, parts: list[str]) -> None:
    library, _, _ = populated
    search(library.conn, "".join(parts))
    search(library.conn, " ".join(parts))


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
    search(library.conn, query, rank_cap=1)
    search(library.conn, query, episode_id=a, rank_cap=1)


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
        search(library.conn, query)
        search(library.conn, query, rank_cap=1, episode_id=episode)


def test_search_as_you_type_expands_only_a_long_enough_last_word() -> None:
    from desktop.core.search.query import parse_query

    assert parse_query("deep le").match.endswith('"le"*')
    assert parse_query("deep le", min_prefix=3).match.endswith('"le"')
    assert parse_query("deep lea", min_prefix=3).match.endswith('"lea"*')
    assert parse_query("deep le*", min_prefix=3).match.endswith('"le"*')  # asked for
