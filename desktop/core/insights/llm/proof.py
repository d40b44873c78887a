"""Every generated item proves itself: its quote must be in the lines it cites.

An item's "segment" is the id of the transcript line its "quote" starts in. `prove`
checks each item of a reply against the transcript (insights/quotes.py) and sorts them:

- proven: the quote is in the cited line (running on into the next ones at most);
- re-cited: the quote is verbatim elsewhere in what the model was shown, the citation
  was off; the item is kept and points where the quote really is;
- unproven: the quote is nowhere. The engine asks the model once more for these, showing
  the lines around each citation, then drops what still fails and counts it;
- uncited: the quote is nowhere and the line cited does not exist (or is outside what
  the model was shown): there is no passage to show it, so it is dropped at once;
- repeated: the same quote as an item already kept in the same section (a small model
  may write one item over and over): dropped without a word, it is not evidence of more.

Proven items get "segment" (first line) and "last" (last line of the quote) so the
payload can say where the evidence starts and ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.insights.quotes import QuoteIndex

# Lines shown around a citation when asking for a quote again.
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 4


@dataclass(slots=True)
class Unproven:
    key: str  # which list: "key_insights", "qa", ...
    item: dict[str, Any]


@dataclass(slots=True)
class Proof:
    proven: int = 0
    recited: int = 0
    uncited: int = 0
    repeated: int = 0
    unproven: list[Unproven] = field(default_factory=list)


def prove(
    data: dict[str, Any],
    keys: Sequence[str],
    index: QuoteIndex,
    scope: Sequence[int] | None,
) -> Proof:
    """Check the items of `data[key]` for each key; unproven items are taken out of
    `data` (and returned), proven ones get their "segment" and "last" set."""
    proof = Proof()
    allowed = None if scope is None else set(scope)
    for key in keys:
        kept: list[dict[str, Any]] = []
        quotes: set[tuple[int, int]] = set()
        for item in data.get(key, []):
            if check_item(item, index, allowed, proof):
                span = (int(item["segment"]), int(item["last"]))
                if span in quotes:
                    proof.repeated += 1
                    continue
                quotes.add(span)
                kept.append(item)
            elif _cites_a_line(item, index.count, allowed):
                proof.unproven.append(Unproven(key, item))
            else:
                proof.uncited += 1
        data[key] = kept
    return proof


def _cites_a_line(item: dict[str, Any], count: int, allowed: set[int] | None) -> bool:
    cited = int(item["segment"])
    return 0 <= cited < count and (allowed is None or cited in allowed)


def check_item(
    item: dict[str, Any], index: QuoteIndex, scope: set[int] | None, proof: Proof
) -> bool:
    """Whether the item's quote is in the transcript (in `scope`, the lines the model
    was shown, when given); if so, its "segment" and "last" say where."""
    quote = str(item.get("quote") or "")
    cited = int(item["segment"])
    found = index.find(quote, cited) if scope is None or cited in scope else None
    if found is None:
        found = index.find_anywhere(quote, scope)
        if found is None:
            return False
        proof.recited += 1
    else:
        proof.proven += 1
    item["segment"], item["last"] = found.first, found.last
    return True


def describe(key: str, item: dict[str, Any]) -> str:
    """One line saying what the item claims, for the re-ask prompt."""
    if key in ("qa", "questions"):
        return f"question: {item.get('question', '')} answer: {item.get('answer', '')}"
    title = f"{item['title']}: " if item.get("title") else ""
    return f"{title}{item.get('text', '')}"


def context_ids(cited: int, count: int) -> list[int]:
    """The ids of the lines shown with an item asked again."""
    return list(range(max(0, cited - CONTEXT_BEFORE), min(count, cited + CONTEXT_AFTER + 1)))
