"""Parsing of clock strings (`hh:mm:ss.mmm`, `mm:ss`, `1:02:03,5`) shared by the parsers."""

from __future__ import annotations

import re

# Digit counts are bounded so that a hostile file cannot produce ints too big for a float.
CLOCK_RE = re.compile(
    r"(?P<neg>-)?(?:(?P<h>\d{1,6}):)?(?P<m>\d{1,6}):(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,9}))?"
)
# The pattern without groups, for embedding in bigger expressions.
CLOCK = r"(?:\d{1,6}:)?\d{1,6}:\d{1,2}(?:[.,]\d{1,9})?"


class BadTimestamp(ValueError):
    """A timestamp-shaped token that is not a valid time; `reason` is user-facing."""

    def __init__(self, token: str, reason: str) -> None:
        super().__init__(f"{reason} timestamp '{token}'")
        self.token = token
        self.reason = reason


def parse_clock(token: str, *, minutes_bounded: bool | None = None) -> float:
    """Seconds for a clock token; raises BadTimestamp (never a bare ValueError).

    Minutes above 59 are accepted only in the two-field `mm:ss` form, where "75:10" is a
    common way to write 1:15:10; with an hour field they must be below 60.
    """
    match = CLOCK_RE.fullmatch(token.strip())
    if match is None:
        raise BadTimestamp(token.strip(), "malformed")
    hours = int(match["h"]) if match["h"] is not None else 0
    minutes = int(match["m"])
    seconds = int(match["s"])
    bounded = match["h"] is not None if minutes_bounded is None else minutes_bounded
    if seconds >= 60 or (bounded and minutes >= 60):
        raise BadTimestamp(token.strip(), "malformed")
    if match["neg"]:
        raise BadTimestamp(token.strip(), "negative")
    fraction = float("0." + match["f"]) if match["f"] else 0.0
    return hours * 3600 + minutes * 60 + seconds + fraction
