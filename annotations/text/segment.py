"""Sentence and paragraph boundaries, as spans of offsets into normalised article text.

A paragraph is one line's text, trimmed (blank lines separate too; the seed articles put
one paragraph per line). Sentences never cross a paragraph, and every span excludes
surrounding whitespace, so `text[s:e] == text[s:e].strip()` always holds.

Scanning is regex-driven: only candidate terminators (".", "?", "!", "…" followed by
whitespace, and the CJK "。！？") reach Python code, so a megabyte of prose splits in tens
of milliseconds. The span lists of the last few texts are cached, and the `*_at` look-ups
bisect them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

Span = tuple[int, int]

# A paragraph: from the first to the last non-whitespace character of a line.
_PARAGRAPH = re.compile(r"[^\s](?:[^\n]*[^\s])?")
_NONSPACE = re.compile(r"[^\s]")

_CLOSERS = "\"'”’»)\\]}"
_CJK_CLOSERS = "」』”’）】》〉\"'"
# A candidate terminator. Western punctuation only counts when whitespace (or the end of
# the paragraph) follows, so "3.5", "U.S.-China" and "example.com" are never candidates;
# closing quotes and brackets after it belong to the sentence. CJK ends need no space.
_TERMINATOR = re.compile(rf"(?P<west>[.!?‽…]+)[{_CLOSERS}]*(?=\s|$)|[。！？｡]+[{_CJK_CLOSERS}]*")

# Abbreviations that are (nearly) always followed by more of the same sentence.
_NEVER_FINAL = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "messrs",
        "dr",
        "prof",
        "rev",
        "hon",
        "st",
        "mt",
        "ft",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cmdr",
        "sgt",
        "adm",
        "pres",
        "supt",
        "insp",
        "no",
        "nos",
        "vs",
        "v",
        "cf",
        "al",
        "fig",
        "figs",
        "vol",
        "vols",
        "pp",
        "ed",
        "eds",
        "approx",
        "dept",
        "univ",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    ]
)
# Abbreviations that often end a sentence too ("... shares of Apple Inc. The ...").
_OFTEN_FINAL = frozenset(
    ["inc", "co", "corp", "ltd", "llc", "plc", "bros", "jr", "sr", "etc", "esq"]
)
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, e.g, a.m (final period removed)
# After an ambiguous abbreviation, only these words make us believe a new sentence began.
_STARTERS = frozenset(
    [
        "The",
        "A",
        "An",
        "It",
        "He",
        "She",
        "They",
        "We",
        "I",
        "You",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "His",
        "Her",
        "Its",
        "Their",
        "Our",
        "My",
        "In",
        "On",
        "At",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "However",
        "Meanwhile",
        "Also",
        "Still",
        "Then",
        "Now",
        "When",
        "While",
        "After",
        "Before",
        "As",
        "If",
        "Although",
        "Though",
        "Since",
        "Because",
        "Last",
        "Next",
        "Earlier",
        "Later",
        "Some",
        "Many",
        "Most",
        "Other",
        "Such",
        "Both",
        "Each",
        "Every",
        "No",
        "Not",
        "Neither",
        "Nor",
        "What",
        "Who",
        "Why",
        "How",
        "Where",
        "Which",
    ]
)
_OPENERS = "\"'“‘([{«"


def _previous_word(text: str, dot: int, floor: int) -> str:
    """The whitespace-delimited word ending just before `text[dot]` (opening quotes dropped)."""
    chunk = text[max(floor, dot - 40) : dot]
    if not chunk or chunk[-1].isspace():
        return ""
    return chunk.rsplit(None, 1)[-1].lstrip(_OPENERS)


def _next_word(text: str, start: int, end: int) -> str:
    chunk = text[start : min(end, start + 40)].lstrip(_OPENERS)
    return chunk.split(None, 1)[0].rstrip(".,;:!?\"'”’)") if chunk.strip() else ""


def _ends_sentence(text: str, term: str, dot: int, after: int, para: Span) -> bool:
    """Whether the terminator `term` at `dot` ends a sentence; the next sentence would begin at `after`."""
    following = text[after]
    if following.islower():  # English sentences do not start in lower case: 'U.S. dollars'
        return False
    if term != ".":  # "?", "!", "...", "…" (unless lower case follows, above)
        return True
    word = _previous_word(text, dot, para[0])
    if not word:
        return True
    bare = word.lower()
    if bare in _NEVER_FINAL:
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():  # an initial: "J. K. Rowling"
        return False
    if word.isdigit() and dot - len(word) == para[0]:  # a numbered list item: "1. Buy milk"
        return False
    if bare in _OFTEN_FINAL or _DOTTED.fullmatch(word):
        return _next_word(text, after, para[1]) in _STARTERS
    return True


def _split_paragraph(text: str, start: int, end: int, out: list[Span]) -> None:
    sentence_start = start
    for m in _TERMINATOR.finditer(text, start, end):
        stop = m.end()
        if stop >= end:
            break  # the paragraph's end closes the last sentence anyway
        west = m.group("west")
        after = _NONSPACE.search(text, stop, end)
        if after is None:
            break
        if west is not None and not _ends_sentence(
            text, west, m.start("west") + len(west) - 1, after.start(), (start, end)
        ):
            continue
        out.append((sentence_start, stop))
        sentence_start = after.start()
    out.append((sentence_start, end))


_Index = tuple[tuple[Span, ...], list[int]]  # spans, and their starts for bisect


@lru_cache(maxsize=16)
def _paragraph_index(text: str) -> _Index:
    spans = tuple((m.start(), m.end()) for m in _PARAGRAPH.finditer(text))
    return spans, [start for start, _ in spans]


@lru_cache(maxsize=16)
def _sentence_index(text: str) -> _Index:
    out: list[Span] = []
    for start, end in _paragraph_index(text)[0]:
        _split_paragraph(text, start, end, out)
    return tuple(out), [start for start, _ in out]


def paragraphs(text: str) -> list[Span]:
    """Paragraph spans in order: each line's text without surrounding whitespace."""
    return list(_paragraph_index(text)[0])


def sentences(text: str) -> list[Span]:
    """Sentence spans in order; none crosses a paragraph, none has surrounding whitespace."""
    return list(_sentence_index(text)[0])


def sentences_in(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans of `text[start:end]`, a paragraph (or a stretch of one), unlike
    `sentences` without segmenting (and caching) the whole text."""
    out: list[Span] = []
    for m in _PARAGRAPH.finditer(text, start, end):
        _split_paragraph(text, m.start(), m.end(), out)
    return out


def _at(index: _Index, offset: int) -> Span | None:
    """The span containing `offset`; between spans the next one; past the end the last one."""
    spans, starts = index
    if not spans:
        return None
    i = bisect_right(starts, offset) - 1
    if i >= 0 and offset < spans[i][1]:
        return spans[i]
    return spans[i + 1] if i + 1 < len(spans) else spans[-1]


def sentence_at(text: str, offset: int) -> Span | None:
    """The sentence containing `offset` (in whitespace: the next one, or the last one at the end)."""
    return _at(_sentence_index(text), offset)


def paragraph_at(text: str, offset: int) -> Span | None:
    """The paragraph containing `offset` (in whitespace: the next one, or the last one at the end)."""
    return _at(_paragraph_index(text), offset)


def next_sentence_after(text: str, end: int) -> Span | None:
    """The first sentence starting at or after `end`, in this paragraph or a later one."""
    spans, starts = _sentence_index(text)
    i = bisect_left(starts, end)
    return spans[i] if i < len(spans) else None
