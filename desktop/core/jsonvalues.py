"""Values read from JSON someone else wrote (transcripts, chapters, server replies): a
number is a number only when it is one, finite, and not a bool (Python counts True as 1)."""

from __future__ import annotations

import math
from typing import Any


def finite_number(value: Any) -> float | None:
    """A finite float, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond a float
        return None
    return number if math.isfinite(number) else None


def time_value(value: Any) -> float | None:
    """A time in seconds: a finite number that is not negative, or None."""
    number = finite_number(value)
    return number if number is not None and number >= 0 else None
