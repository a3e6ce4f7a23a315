"""Offset units other tools count in, and conversion to Tagline's `str` indices (code points).

doccano's front end counts JavaScript string length, i.e. UTF-16 code units (an emoji
outside the Basic Multilingual Plane is 2), or grapheme clusters when its project
setting "Count grapheme clusters as one character" is on (doccano #2290, #2484);
REFI-QDA, spaCy and Python count code points.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

UNITS = ("utf16", "codepoints", "graphemes")
_CLUSTER = regex.compile(r"\X")


def lengths(text: str, unit: str) -> list[int]:
    """Code points per unit step: the text cut into the pieces `unit` counts as 1."""
    if unit == "graphemes":
        return [len(m) for m in _CLUSTER.findall(text)]
    return [1] * len(text)


def to_units(text: str, unit: str) -> list[int]:
    """For each `str` index 0..len(text), its offset in `unit`, or -1 if `unit` cannot express it."""
    if unit == "codepoints":
        return list(range(len(text) + 1))
    out = [-1] * (len(text) + 1)
    if unit == "utf16":
        units = 0
        for i, ch in enumerate(text):
            out[i] = units
            units += 2 if ord(ch) > 0xFFFF else 1
        out[len(text)] = units
        return out
    i = 0
    for n, size in enumerate(lengths(text, unit)):
        out[i] = n
        i += size
    out[i] = len(lengths(text, unit)) if text else 0
    return out


def from_units(text: str, unit: str) -> dict[int, int]:
    """`unit` offset -> `str` index, for every offset that falls on a code point."""
    return {u: i for i, u in enumerate(to_units(text, unit)) if u >= 0}


def export_span(table: Sequence[int], start: int, end: int) -> tuple[int, int, bool]:
    """(start, end) in the unit of `table` (from `to_units`), widened to whole units if needed.

    The flag says it was widened: a grapheme cluster cut in two (a combining mark
    coded without its base) cannot be expressed in clusters.
    """
    s, e, widened = start, end, False
    while table[s] < 0:
        s, widened = s - 1, True
    while table[e] < 0:
        e, widened = e + 1, True
    return table[s], table[e], widened


def _on_words(text: str, start: int, end: int) -> int:
    """How many of the span's two ends fall between words (not inside one)."""

    def cut(i: int) -> bool:
        return 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()

    return (not cut(start)) + (not cut(end))


def detect(text: str, spans: Sequence[tuple[int, int]]) -> str | None:
    """The unit the spans were counted in, judged by which keeps every span on word boundaries.

    Units that cannot express a span (past the end, inside a surrogate pair) are out.
    Returns "codepoints" when every remaining unit reads the spans the same (or none
    can read them: the caller's checks then report the bad span), and None
    when two units read them differently and fit the words equally well: ambiguous.
    """
    readings: dict[str, list[tuple[int, int]]] = {}
    for unit in UNITS:
        table = from_units(text, unit)
        spans_here = []
        for start, end in spans:
            if start not in table or end not in table or table[start] >= table[end]:
                break
            spans_here.append((table[start], table[end]))
        else:
            readings[unit] = spans_here
    if not readings:
        return "codepoints"  # no unit fits: let the span checks name the bad label
    if len({tuple(r) for r in readings.values()}) == 1:
        return "codepoints" if "codepoints" in readings else next(iter(readings))
    scores = {u: sum(_on_words(text, s, e) for s, e in r) for u, r in readings.items()}
    best = max(scores.values())
    winners = {tuple(readings[u]) for u, score in scores.items() if score == best}
    if len(winners) > 1:
        return None
    return next(u for u, score in scores.items() if score == best)
