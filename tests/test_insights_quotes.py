"""Quote checks: the same words as the transcript, whatever the case and punctuation."""

from __future__ import annotations

import pytest

from desktop.core.insights.quotes import Found, QuoteIndex, words

LINES = [
    "So I grew up in Fort Dodge, Iowa.",
    "We moved to Virginia when I was",
    "still in high school. Then I went to college.",
    "Old Dominion didn't have a biomedical program, so I made one.",
    "Yes.",
    "GPT-2 was released in stages.",
]
INDEX = QuoteIndex(LINES)


def test_words_ignore_case_punctuation_and_apostrophes() -> None:
    assert words("Didn’t  GPT-2, “work”?") == ["didnt", "gpt", "2", "work"]


@pytest.mark.parametrize(
    ("quote", "cited", "found"),
    [
        ("I grew up in Fort Dodge", 0, Found(0, 0)),
        ("i GREW up in fort-dodge iowa", 0, Found(0, 0)),
        ("“I grew up in Fort Dodge, Iowa.”", 0, Found(0, 0)),
        ("moved to Virginia when I was still in high school", 1, Found(1, 2)),
        ("moved to Virginia ... still in high school", 1, Found(1, 2)),
        ("Old Dominion didnt have a biomedical program", 3, Found(3, 3)),
        ("gpt 2 was released in stages", 5, Found(5, 5)),
        ("Yes", 4, Found(4, 4)),  # a line shorter than four words may be quoted whole
    ],
)
def test_a_faithful_quote_is_found_where_it_is_cited(quote: str, cited: int, found: Found) -> None:
    assert INDEX.find(quote, cited) == found


@pytest.mark.parametrize(
    ("quote", "cited"),
    [
        ("I grew up in Fort Worth", 0),  # a different word
        ("I grew up happily in Fort Dodge", 0),  # an added word
        ("I grew in Fort Dodge", 0),  # a dropped word
        ("Fort Dodge", 0),  # too short to prove anything
        ("moved to Virginia when I was still in high school", 0),  # not where it is cited
        ("to Virginia ... still ... school", 1),  # runs of fewer than three words
        ("", 0),
        ("I grew up in Fort Dodge", 99),
    ],
)
def test_anything_else_is_not_found(quote: str, cited: int) -> None:
    assert INDEX.find(quote, cited) is None


def test_a_quote_may_span_three_lines_but_no_more() -> None:
    three = "when I was still in high school Then I went to college Old Dominion"
    assert INDEX.find(three, 1) == Found(1, 3)
    four = "when I was still in high school Then I went to college Old Dominion didnt " + (
        "have a biomedical program so I made one Yes"
    )
    assert INDEX.find(four, 1) is None


def test_a_quote_cited_at_the_wrong_line_is_found_elsewhere() -> None:
    assert INDEX.find_anywhere("Old Dominion didnt have a biomedical") == Found(3, 3)
    assert INDEX.find_anywhere("Old Dominion didnt have a biomedical", lines=[0, 1]) is None
    assert INDEX.find_anywhere("Old Dominion had a biomedical program") is None
