"""Cleaning spoken sentences before ranking: fillers, stutters, and sponsor reads."""

from __future__ import annotations

import re

# Sounds that are never words; removed wherever they stand.
_SOUNDS = re.compile(r"(?:,\s*)?\b(?:uh+|um+|uhm|erm?|ah+|hmm+|mm+)\b(?:\s*[,.])?", re.IGNORECASE)
# Phrases that are fillers only when set off by commas ("you know, ..."), not in
# "you know what I did" or "what I mean is".
_PHRASES = re.compile(
    r",\s*(?:you know|i mean|kind of like)\b\s*,?|\b(?:you know|i mean)\s*,", re.IGNORECASE
)
_REPEATED_WORD = re.compile(r"\b([\w']+)(?:[\s,]+\1\b)+", re.IGNORECASE)
_REPEATED_PAIR = re.compile(r"\b(\w+\s+\w+)(?:[\s,]+\1\b)+", re.IGNORECASE)
_SPONSOR = re.compile(
    r"(?:brought to you by|presented by|sponsored by|our sponsors?|today'?s sponsor|"
    r"\bpromo code\b|\buse (?:the )?code\b|\bcode [A-Z0-9]{3,}\b|% off\b|\bpercent off\b|"
    r"\bfree trial\b|\bdot com slash\b|\.com/\w+|\bgo to \w+\.(?:com|io|co)\b|"
    r"\bsupport (?:for )?(?:this|the) (?:show|podcast)\b|\blink in the description\b|"
    r"\bsubscribe\b.*\b(?:channel|podcast)\b|\bpatreon\b)",
    re.IGNORECASE,
)


def clean_sentence(text: str) -> str:
    """The sentence without fillers and stutters, with its first letter capitalised."""
    cleaned = _PHRASES.sub(" ", _SOUNDS.sub(" ", text))
    cleaned = _REPEATED_PAIR.sub(r"\1", cleaned)
    cleaned = _REPEATED_WORD.sub(r"\1", cleaned)
    cleaned = re.sub(r"\s+([,.!?;:])", r"\1", cleaned)
    cleaned = re.sub(r"^[\s,.;:]+|\s{2,}", lambda m: "" if m.start() == 0 else " ", cleaned)
    cleaned = re.sub(r",\s*,", ",", cleaned).strip(" ,")
    return cleaned[:1].upper() + cleaned[1:] if cleaned else cleaned


def is_sponsor_read(text: str) -> bool:
    return bool(_SPONSOR.search(text))
