"""What text may be stored: the one clean-up applied wherever text enters the library.

Text reaches the library from transcript files, command-line arguments and the window's
editors. Two kinds of character in it cause harm and carry no meaning a person could want:

- Lone surrogates (U+D800..U+DFFF on their own). A command-line argument with bytes that
  are not UTF-8 arrives in Python as lone surrogates (surrogateescape), and so does a JSON
  "\\ud800" escape; sqlite3 refuses to bind such a str (UnicodeEncodeError, a traceback).
  Each becomes U+FFFD, the replacement character, which is what any decoder shows for
  undecodable input. A well-formed surrogate pair is joined into the character it encodes.
- Control characters (Unicode category Cc) other than tab and newline: NUL, BEL, ESC
  (which makes a terminal obey what follows), DEL and the C1 controls. They are invisible
  or harmful in a window, a terminal and an exported file. The ones Python counts as
  whitespace (vertical tab, form feed, the file/group/record/unit separators, NEL) become
  a space, since they separate words; a carriage return becomes a newline; the rest are
  dropped.

Everything else is kept as written, right-to-left marks and overrides (U+200F, U+202E)
included: they belong to real Arabic and Hebrew text, and the places where they could
mislead (file names) deal with them there.
"""

from __future__ import annotations

import re

__all__ = ["clean_line", "clean_text"]

_SURROGATE = re.compile("[\ud800-\udfff]")
# Cc except tab and newline; carriage returns are handled first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE_CONTROLS = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85")


def clean_text(text: str | None) -> str:
    """`text` as it may be stored: lone surrogates replaced, control characters dropped.

    Newlines (CRLF and CR made LF) and tabs stay; nothing else about the text changes.
    """
    if not text:
        return ""
    if _SURROGATE.search(text):
        # UTF-16 joins well-formed pairs and replaces each lone half with U+FFFD.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(_control, text)


def clean_line(text: str | None) -> str:
    """clean_text, then every run of whitespace (newlines too) as one space, trimmed."""
    return " ".join(clean_text(text).split())


def _control(match: re.Match[str]) -> str:
    return " " if match.group() in _SPACE_CONTROLS else ""
