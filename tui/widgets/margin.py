"""The reader's right-hand margin: a bracket per coded passage and its theme names.

Colour alone cannot say which themes a passage carries (16 colours, colour-blind
readers, two annotations of one theme nested), so the margin does, as Taguette and
brat do: each annotation gets a lane, drawn as a bracket over the screen rows it
covers (`╭` first row, `│` between, `╰` last, `▪` a one-row passage), and its first
row is labelled with its theme names and `✎` when it has a note. Two annotations are
always two brackets, even where their highlights coincide.

This module is plain layout: rows in, glyphs and labels out; the reader draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

MAX_LANES = 3
NOTE_MARK = "✎"


class Coded(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def themes(self) -> tuple[str, ...]: ...
    @property
    def note(self) -> str: ...


@dataclass(slots=True)
class MarginRow:
    """What one screen row of the margin shows."""

    lanes: dict[int, tuple[str, str]] = field(default_factory=dict)  # lane -> (glyph, theme)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (text, theme)


def label_of(ann: Coded) -> str:
    label = "+".join(ann.themes) or "?"
    return f"{label} {NOTE_MARK}" if ann.note else label


def layout(anns: Sequence[Coded], row_of: Callable[[int], int]) -> dict[int, MarginRow]:
    """Margin rows for `anns`; `row_of(offset)` is the screen row an offset is drawn on.

    Lanes are given in text order, outer passages first, so a passage nested in another
    gets the next lane; passages whose rows do not overlap reuse a lane.
    """
    spans = []
    for ann in anns:
        first = row_of(ann.start)
        last = row_of(max(ann.start, ann.end - 1))
        spans.append((first, last, ann))
    spans.sort(key=lambda s: (s[0], -s[1]))
    lane_free: list[int] = []  # per lane, the first row it is free again
    rows: dict[int, MarginRow] = {}
    labelled: set[int] = set()
    for first, last, ann in spans:
        lane = next((i for i, free in enumerate(lane_free) if free <= first), None)
        if lane is None:
            if len(lane_free) < MAX_LANES:
                lane = len(lane_free)
                lane_free.append(0)
            else:  # more nesting than lanes: the innermost share the last lane
                lane = MAX_LANES - 1
        lane_free[lane] = max(lane_free[lane], last + 1)
        theme = ann.themes[0] if ann.themes else ""
        for row in range(first, last + 1):
            glyph = "▪" if first == last else "╭" if row == first else "╰" if row == last else "│"
            rows.setdefault(row, MarginRow()).lanes[lane] = (glyph, theme)
        # One label per row: on the passage's first free row, else its first row.
        at = next((r for r in range(first, last + 1) if r not in labelled), first)
        labelled.add(at)
        rows.setdefault(at, MarginRow()).labels.append((label_of(ann), theme))
    return rows


def margin_width(content_width: int) -> int:
    """Columns given to the margin: none when the reader is too narrow to spare them."""
    if content_width < 44:
        return 0
    return min(26, max(14, content_width // 4))
