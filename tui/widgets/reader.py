"""The reader: a read-only `TextArea` that paints annotations in their theme colours.

Store offsets are `str` indices into the article text; the document's lines are
`text.split("\\n")` (the corpus normalised newlines), so a line's start offset
plus a column is an offset. Highlights are computed per line from a sweep over
the article's annotations once per (article, annotations version, colours) and
applied in `get_line()`; TextArea paints the selection afterwards, so the
selection always shows on top. Suggested passages (`g`) are painted first, as an
underline in the theme colour with no background, so a real highlight painted
over them stays a highlight and a suggestion never looks like saved coding.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from itertools import pairwise
from typing import NamedTuple, Protocol

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.color import Color
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from annotations.model import Annotation
from annotations.themes import Codebook

# How much of the theme colour goes into a highlight's background: enough to read
# the colour, little enough that the theme's text colour keeps its contrast.
TINT = 0.42

# A highlight segment: (start column, end column, theme names active there)
Segment = tuple[int, int, tuple[str, ...]]


class Marked(Protocol):
    """What the painter needs of an annotation (or a suggestion, or a disagreement)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def themes(self) -> tuple[str, ...]: ...


class Mark(NamedTuple):
    start: int
    end: int
    themes: tuple[str, ...]


def line_starts(text: str) -> list[int]:
    """Offsets at which each line of `text` starts."""
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def line_segments(
    anns: list[Marked] | list[Annotation], starts: list[int]
) -> dict[int, list[Segment]]:
    """Per line, the elementary column ranges covered by annotations and their themes.

    Where annotations overlap, a range carries the themes of all of them (in text
    order), so the painter can blend and underline it.
    """
    pieces: dict[int, list[tuple[int, int, tuple[str, ...]]]] = defaultdict(list)
    for ann in anns:
        first = bisect.bisect_right(starts, ann.start) - 1
        last = bisect.bisect_right(starts, max(ann.start, ann.end - 1)) - 1
        for row in range(first, last + 1):
            row_start = starts[row]
            row_end = starts[row + 1] - 1 if row + 1 < len(starts) else None
            col_s = max(ann.start, row_start) - row_start
            col_e = (ann.end if row_end is None else min(ann.end, row_end)) - row_start
            if col_e > col_s:
                pieces[row].append((col_s, col_e, ann.themes))
    out: dict[int, list[Segment]] = {}
    for row, items in pieces.items():
        cuts = sorted({c for s, e, _ in items for c in (s, e)})
        segs: list[Segment] = []
        for a, b in pairwise(cuts):
            themes: list[str] = []
            for s, e, names in items:
                if s <= a and b <= e:
                    themes.extend(n for n in names if n not in themes)
            if themes:
                segs.append((a, b, tuple(themes)))
        out[row] = segs
    return out


def blend_colors(colors: list[Color]) -> Color:
    r = sum(c.r for c in colors) // len(colors)
    g = sum(c.g for c in colors) // len(colors)
    b = sum(c.b for c in colors) // len(colors)
    return Color(r, g, b)


class Reader(TextArea):
    """The open article; select passages and tag them (the keys live on the screen)."""

    BINDINGS = [
        Binding("s", "screen.select_sentence", "Sentence", id="reader.sentence"),
        Binding("p", "screen.select_paragraph", "Paragraph", id="reader.paragraph"),
        Binding("x,delete", "screen.delete_annotation", "Delete", show=False, id="reader.delete"),
        Binding("escape", "screen.reader_escape", "Clear / back", show=False, id="reader.escape"),
        # TextArea binds these to its own (text-edit) undo; ours is the store's.
        Binding("ctrl+z", "screen.undo", "Undo", show=False, id="reader.undo"),
        Binding("ctrl+y", "screen.redo", "Redo", show=False, id="reader.redo"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(
            "",
            read_only=True,
            show_cursor=True,
            soft_wrap=True,
            highlight_cursor_line=False,
            **kwargs,
        )
        self.article_id: str | None = None
        self._starts: list[int] = [0]
        self._anns: list[Annotation] = []
        self._codebook: Codebook | None = None
        self._segments: dict[int, list[Segment]] = {}
        self._styles: dict[tuple[str, ...], Style] = {}
        self._style_key: tuple | None = None
        self._suggested: dict[int, list[Segment]] = {}
        self._suggest_styles: dict[tuple[str, ...], Style] = {}

    # -- content -----------------------------------------------------------------------

    def show_article(self, article_id: str, text: str) -> None:
        """Load an article; the caret goes to the start."""
        self.article_id = article_id
        self._starts = line_starts(text)
        self._segments = {}
        self._suggested = {}
        self._anns = []
        self.load_text(text)
        self.selection = Selection.cursor((0, 0))
        self.scroll_home(animate=False)

    def set_annotations(self, anns: list[Annotation], codebook: Codebook) -> None:
        """Repaint with these annotations (call after every change)."""
        self._anns = anns
        self._codebook = codebook
        self._segments = line_segments(anns, self._starts)
        self._styles = {}
        self.notify_style_update()
        self.refresh()

    def set_suggestions(self, marks: list[Mark]) -> None:
        """Outline these suggested passages (an empty list removes them)."""
        self._suggested = line_segments(marks, self._starts)
        self.notify_style_update()
        self.refresh()

    # -- offsets -----------------------------------------------------------------------

    def offset_of(self, location: tuple[int, int]) -> int:
        row, col = location
        return self._starts[min(row, len(self._starts) - 1)] + col

    def location_of(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._starts, offset) - 1
        return (row, offset - self._starts[row])

    @property
    def selected_span(self) -> tuple[int, int]:
        """The selection as sorted (start, end) offsets; equal when nothing is selected."""
        a, b = sorted(self.selection)
        return self.offset_of(a), self.offset_of(b)

    @property
    def caret_offset(self) -> int:
        return self.offset_of(self.selection.end)

    def select_span(self, start: int, end: int) -> None:
        """Select `text[start:end]` with the caret at the end, and scroll to it."""
        self.selection = Selection(self.location_of(start), self.location_of(end))
        self.scroll_cursor_visible(center=True, animate=False)

    def move_to_start(self) -> None:
        self.selection = Selection.cursor((0, 0))
        self.scroll_home(animate=False)

    # -- painting ----------------------------------------------------------------------

    def _base_background(self) -> Color:
        theme = self._theme
        if theme and theme.base_style and theme.base_style.bgcolor:
            return Color.from_rich_color(theme.base_style.bgcolor)
        return self.background_colors[1]

    def _check_style_cache(self) -> None:
        """Forget cached styles when the app theme or the codebook (colours) changed."""
        key = (self.app.theme, id(self._codebook))
        if key != self._style_key:
            self._styles = {}
            self._suggest_styles = {}
            self._style_key = key

    def _style_for(self, themes: tuple[str, ...]) -> Style:
        self._check_style_cache()
        style = self._styles.get(themes)
        if style is None:
            codebook = self._codebook
            colors = [Color.parse(codebook.color_of(t) if codebook else "#8A8A8A") for t in themes]
            tint = self._base_background().blend(blend_colors(colors), TINT)
            # More than one theme here (overlap or a multi-theme annotation): underline.
            style = Style(bgcolor=tint.rich_color, underline=len(themes) > 1)
            self._styles[themes] = style
        return style

    def _suggestion_style(self, themes: tuple[str, ...]) -> Style:
        self._check_style_cache()
        style = self._suggest_styles.get(themes)
        if style is None:
            codebook = self._codebook
            color = Color.parse(codebook.color_of(themes[0]) if codebook else "#8A8A8A")
            style = Style(color=color.rich_color, underline=True)
            self._suggest_styles[themes] = style
        return style

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        for start, end, themes in self._suggested.get(line_index, ()):
            line.stylize(self._suggestion_style(themes), start, end)
        for start, end, themes in self._segments.get(line_index, ()):
            line.stylize(self._style_for(themes), start, end)
        return line

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._styles = {}
        self._suggest_styles = {}
        self.notify_style_update()
        self.refresh()
