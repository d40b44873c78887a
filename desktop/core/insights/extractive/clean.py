"""Cleaning spoken sentences before ranking, and judging whether one can stand alone.

Cleaning removes what is never content: fillers, stutters, stage directions ("[Laughs]",
"(chuckles)"), editor notes and the discourse markers speech opens with ("So,", "Yeah,",
"I mean,"). `fault` then says why a cleaned sentence could not be read on its own in the
spotlight: a fragment that leans on what came before ("But that's also...", "He was..."),
a backchannel, a sentence broken off, a question, a sponsor read.
"""

from __future__ import annotations

import re

from desktop.core.insights.extractive.lexicon import has_verb

# Sounds that are never words; removed wherever they stand.
_SOUNDS = re.compile(r"(?:,\s*)?\b(?:uh+|um+|uhm|erm?|ah+|hmm+|mm+)\b(?:\s*[,.])?", re.IGNORECASE)
# Phrases that are fillers only when set off by commas ("you know, ..."), not in
# "you know what I did" or "what I mean is".
_PHRASES = re.compile(
    r",\s*(?:you know|i mean|kind of like|like)\b\s*,|,\s*(?:you know|i mean|kind of like)\b\s*"
    r"|\b(?:you know|i mean)\s*,",
    re.IGNORECASE,
)
_REPEATED_WORD = re.compile(r"\b([\w']+)(?:[\s,]+\1\b)+", re.IGNORECASE)
_REPEATED_PAIR = re.compile(r"\b(\w+\s+\w+)(?:[\s,]+\1\b)+", re.IGNORECASE)
# "[Laughs]", "[inaudible 00:12]", "(chuckles)", "*(Bob: the link is below)*", "(Bob: ...)".
_STAGE = re.compile(
    r"\*\([^)]*\)\*|\[[^\]]{0,60}\]|\((?:[a-z ]*?)(?:laugh|chuckl|applause|music|crosstalk|"
    r"inaudible|unintelligible|silence|pause|sigh|cough|sound|noise|beep|cross talk)[^)]{0,40}\)",
    re.IGNORECASE,
)
# A word broken off and restarted: "it- it's", "th- the", "we -- we".
_RESTART = re.compile(r"\b(\w{1,12})(?:-|\s+--?)\s+(?=\1)", re.IGNORECASE)
# What speech opens with before it says anything: removed, repeatedly ("Yeah, so, I mean").
_MARKER = re.compile(
    r"^(?:(?:yeah|yes|yep|yup|okay|ok|oh|ah|alright|all right|um|uh|well|anyway|anyways)"
    r"(?:[,.!]+\s*|\s+(?!-))"
    r"|(?:so|now|right|sure|like|no|and so|and then|but yeah|so yeah)(?:[,.!]+\s*)"
    r"|and(?: so| then| yeah)?,?\s+(?!so\b|then\b|yet\b|also\b|that\b|this\b|these\b|those\b)"
    r"|so\s+(?!many\b|much\b|far\b|long\b|few\b|called\b|to\b|that\b|is\b|was\b|are\b)"
    r"|i mean(?:[,]\s*|\s+(?!to\b))"
    r"|(?:you know|you see|look)(?:[,]\s*|\s+(?=i\b|we\b|you\b|the\b|it'?s?\b|there\b|"
    r"when\b|if\b|in\b|this\b|my\b|our\b|a\b|an\b)))",
    re.IGNORECASE,
)
_SPONSOR = re.compile(
    r"(?:brought to you by|presented by|sponsored by|our sponsors?|today'?s sponsor|"
    r"\bpromo code\b|\buse (?:the )?code\b|\bcode [A-Z0-9]{3,}\b|% off\b|\bpercent off\b|"
    r"\bfree trial\b|\bdot com slash\b|\.com/\w+|\bgo to \w+\.(?:com|io|co)\b|"
    r"\bsupport (?:for )?(?:this|the) (?:show|podcast)\b|\blink in the description\b|"
    r"\bsubscribe\b.*\b(?:channel|podcast)\b|\bpatreon\b|\bsponsors? (?:today|this)\b|"
    r"\bthanks to (?:our|today'?s) (?:sponsor|partner)s?\b)",
    re.IGNORECASE,
)
# Greetings, thanks and housekeeping are central in the similarity graph but say nothing.
BANTER = re.compile(
    r"\b(?:welcome (?:back |to )|thanks? (?:you |so much )?for (?:having|coming|joining|"
    r"listening|inviting)|thank you|great question|good question|see you next|that'?s it for|"
    r"let'?s give|(?:can|do) you hear me|bad audio|\bbreak here\b|"
    r"^let'?s (?:rewind|talk|move|go back|get|start|dive|take|begin|switch|shift|jump|turn|"
    r"tee|break|wrap|continue|come back|focus|transition|open|kick)|"
    r"\b(?:this|the|our|today'?s) (?:show|episode|podcast)\b|\blisteners?\b|"
    r"we'?ll (?:be right )?back|after the break|back from the break|(?:we'?re|we are) back\b|"
    r"good to (?:see|have) you|nice to meet|^(?:hello|hi|hey)\b|\bI am \w+ \w+ and this is\b)",
    re.IGNORECASE,
)
# A sentence opening with these leans on what was said before it.
_DEPENDENT = re.compile(
    r"^(?:but|and|or|nor|so|who|whom|because|'?cause|which|whereas|although|though|also|plus|then|"
    r"otherwise|anyway|still|however|instead|again|too|likewise|similarly|hence|thus|"
    r"therefore|meanwhile|besides|except|whereby|whose|same|such|exactly|absolutely|"
    r"totally|true|correct|definitely|sure|cool|great|wow|no|not|yeah|yes|right|"
    r"he|she|they|him|her|them|his|their|theirs|those|these|that|"
    r"it'?s also|this is also|this was also|it was also|this (?!episode|show|talk|podcast|"
    r"lecture|week|year|morning|afternoon|evening|conversation|interview|is episode)\w+|"
    r"it (?:was|is) (?:that|this|the same|similar)|like|"
    r"(?:some|one|most|all|many|few|none|each|both|any|either|neither|two|three|several|"
    r"the rest|a (?:lot|couple|few)) of (?:them|those|these|it|that|this)|"
    r"some(?:one|body) else)\b",
    re.IGNORECASE,
)
# Hedges and fillers: a sentence full of them is talk around a point, not the point.
_HEDGES = re.compile(
    r"\b(?:kind of|sort of|kinda|sorta|i don'?t know|i'?m not sure|i guess|i think|i mean|"
    r"you know|like|yeah|of course|basically|actually|really|definitely|stuff|whatever|"
    r"somehow|maybe|probably|or something|and so on|in a way|in terms of|let'?s say|"
    r"pretty much|a bit|a little bit|obviously|literally)\b",
    re.IGNORECASE,
)
# Endings that trail off: "..., yeah.", "... or whatever."
_TRAILING = re.compile(
    r",\s*(?:yeah|right|you know|i guess|i think|like|so|but|and|or)\s*[.!]*$"
    r"|\b(?:or something|or whatever|and stuff|and everything|and so on|and so forth|"
    r"kind of|sort of|or so)\s*[.!]*$",
    re.IGNORECASE,
)
# A sentence that opens with a verb form needing a subject ("Worked together...",
# "Was already...", "Hasn't been done") lost its beginning.
_SUBJECTLESS = re.compile(
    r"^(?:was|were|is|are|has|have|had|hasn'?t|haven'?t|wasn'?t|weren'?t|isn'?t|does|did|"
    r"doesn'?t|didn'?t|would|could|should|might|must|be|been|being|gets|got|went|came|"
    r"said|says|seems)\b(?!\s+(?:you|we|they|i|he|she|it|there|this|that)\b)"
    r"|^(?!(?:based|given|compared|related|supposed|used|interested|concerned)\b)\w+ed\s+"
    r"(?:together|to|on|in|at|with|for|out|up|back|and|it|the|a|that|there|as|from|by|into|"
    r"about|over|me|him|her|them|us)\b",
    re.IGNORECASE,
)
_PARTICIPLE = re.compile(
    r"^\w+ing\s+(?:at|to|on|in|with|for|about|out|up|back|into|over|through|from)\b", re.I
)
_LABEL = re.compile(r"(?:^|\s)[A-Z][\w'.-]*(?: [A-Z][\w'.-]*)?:\s")
_MARKUP = re.compile(r"\]\(|https?://|<[a-z/][^>]*>|\{%|%\}|\*\*|\\\[")
_BROKEN = re.compile(
    r"(?:\.\.\.|…|-|—|,|;|:)\s*[\"'”’)]*$|\w-\s|\s-\w|\b(?:who|which|whose|where|the|a|an|to|of|"
    r"and|but|or|with|for|from|is|was|are|were|my|your|our|their|his|her|who then)\s*[.!]$",
    re.IGNORECASE,
)
_INTERRUPTIONS = re.compile(r"\s(?:--|—|–)\s|\s-\s")
SPOTLIGHT_WORDS = (6, 50)  # a sentence worth showing on its own has this many words


_NOTE = re.compile(r"\*?\((?:[A-Z][\w.]*\s?){1,3}(?::|\s-)\s")


def _drop_notes(text: str) -> str:
    """Without editor notes: "(Bob: the team was 1) Alex, 2) Viktor.)", nested brackets
    and all."""
    while found := _NOTE.search(text):
        if not text[: found.start()].strip() and text.rstrip().endswith((")", ")*")):
            return ""  # the whole sentence is a note ("1) Alex, 2) Viktor" unbalance it)
        depth, end = 0, len(text)
        for k in range(found.start(), len(text)):
            depth += {"(": 1, ")": -1}.get(text[k], 0)
            if depth == 0:
                end = k + 1
                break
        text = text[: found.start()] + text[end:].lstrip("*")
    return text


def clean_sentence(text: str) -> str:
    """The sentence without fillers, stutters, stage directions and opening discourse
    markers, with its first letter capitalised."""
    cleaned = _STAGE.sub(" ", _drop_notes(text))
    cleaned = _PHRASES.sub(" ", _SOUNDS.sub(" ", cleaned))
    cleaned = _RESTART.sub("", cleaned)
    cleaned = _REPEATED_PAIR.sub(r"\1", cleaned)
    cleaned = _REPEATED_WORD.sub(r"\1", cleaned)
    cleaned = re.sub(r"\s+([,.!?;:])", r"\1", cleaned)
    cleaned = re.sub(r"^[\s,.;:]+|\s{2,}", lambda m: "" if m.start() == 0 else " ", cleaned)
    cleaned = re.sub(r",\s*,", ",", cleaned).strip(" ,")
    cleaned = strip_markers(cleaned)
    return cleaned[:1].upper() + cleaned[1:] if cleaned else cleaned


def strip_markers(text: str) -> str:
    """The text without the discourse markers it opens with."""
    for _ in range(6):
        shorter = _MARKER.sub("", text, count=1).lstrip(" ,")
        if shorter == text or not re.search(r"\w", shorter):
            break
        text = shorter
    return text


def is_sponsor_read(text: str) -> bool:
    return bool(_SPONSOR.search(text))


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def hedging(text: str) -> float:
    """1 for a plain statement, less the more it hedges and fills (0.75 per hedge)."""
    return 0.75 ** len(_HEDGES.findall(text))


def fault(cleaned: str, original: str, punctuated: bool) -> str | None:
    """Why a cleaned sentence cannot stand alone in the spotlight (None when it can)."""
    n = word_count(cleaned)
    if n < SPOTLIGHT_WORDS[0]:
        return "too short"
    if is_sponsor_read(original):
        return "sponsor read"
    if BANTER.search(cleaned):
        return "banter"
    if _MARKUP.search(cleaned) or _LABEL.search(cleaned[:40]):
        return "markup or speaker label"
    if cleaned.rstrip().endswith("?"):
        return "a question"
    if not punctuated:  # runs of caption words: no sentence to judge the structure of
        return "too long" if n > SPOTLIGHT_WORDS[1] else None
    if _DEPENDENT.match(cleaned):
        return "depends on what came before"
    if _SUBJECTLESS.match(cleaned) or (_PARTICIPLE.match(cleaned) and "," not in cleaned):
        return "no subject"
    if not has_verb(cleaned):
        return "no verb"
    if _BROKEN.search(cleaned) or not re.search(r"[.!][\"'”’)]*$", cleaned):
        return "broken off"
    if _TRAILING.search(cleaned):
        return "trails off"
    if len(_INTERRUPTIONS.findall(cleaned)) >= 2 or re.search(r"\b(\w+) \1\b", cleaned):
        return "stutters"
    if n > SPOTLIGHT_WORDS[1]:
        return "too long"
    return None
