"""Sentence and paragraph boundaries (placeholder until the real splitter lands)."""

from __future__ import annotations

import re

Span = tuple[int, int]


def paragraphs(text: str) -> list[Span]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]


def sentences(text: str) -> list[Span]:
    return [
        (m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+[.!?]*", text) if m.group().strip()
    ]


def _at(spans: list[Span], offset: int) -> Span | None:
    for start, end in spans:
        if offset < end:
            return (start, end)
    return spans[-1] if spans else None


def sentence_at(text: str, offset: int) -> Span | None:
    return _at(sentences(text), offset)


def paragraph_at(text: str, offset: int) -> Span | None:
    return _at(paragraphs(text), offset)
