"""The reader: a read-only `TextArea` that paints annotations in their theme colours.

Store offsets are `str` indices into the article text; the document's lines are
`text.split("\\n")` (the corpus normalised newlines), so a line's start offset
plus a column is an offset. Highlights are computed per line from a sweep over
the article's annotations once per (article, annotations version, colours) and
applied in `get_line()`; TextArea paints the selection afterwards, so the
selection always shows on top. Suggested passages (`g`) are painted first, as an
underline in the theme colour with no background, so a real highlight painted
over them stays a highlight and a suggestion never looks like saved coding.

Three display-only aids, none of which changes an offset: highlight colours chosen
per colour system so they stay distinct at 256 and 16 colours (`tui.colour`); a
right-hand margin naming each passage's themes with a bracket per annotation
(`tui.widgets.margin`); and a blank screen row after each paragraph (a display
section with no characters of its own), so a paragraph break never looks like a
wrapped line. Mouse and shift+arrow selections snap to whole words (`w` or
`TAGLINE_WORD_SNAP=0` turns it off).
"""

from __future__ import annotations

import bisect
import os
import re
from collections import defaultdict
from itertools import pairwise
from typing import NamedTuple, Protocol

from rich.color import Color as RichColor
from rich.segment import Segment as RichSegment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.color import Color
from textual.document._document import Document, DocumentBase
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from annotations.model import Annotation
from annotations.themes import Codebook
from tui import colour
from tui.widgets import margin

_WORD = re.compile(r"[\w'’-]")

# A highlight segment: (start column, end column, theme names active there)
Segment = tuple[int, int, tuple[str, ...]]
_CUE = Style(bold=True, italic=True)  # a suggestion's cue, inside its outline


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


class GappedDocument(WrappedDocument):
    """Wrapping with one empty display section after each paragraph (line) that is
    followed by another non-empty one: a blank row between paragraphs on screen. The
    section holds no characters (its only location is the line's end), so locations
    and offsets are those of the plain document."""

    def __init__(self, document: DocumentBase, tab_width: int = 4) -> None:
        # Not wrapped here (WrappedDocument wraps at width 0 in its constructor): the
        # reader wraps it once, at its width (`Reader._rewrap_and_refresh_virtual_size`).
        self.document = document
        self._wrap_offsets: list[list[int]] = []
        self._tab_width_cache: list[list[int]] = []
        self._offset_to_line_info: list[tuple[int, int]] = []
        self._line_index_to_offsets: list[list[int]] = []
        self._width = -1
        self._tab_width = tab_width

    def row_of(self, line: int, column: int) -> int:
        """The display row of (line, column): `location_to_offset(...).y` without
        measuring the text before it (the margin asks for 4,000 of these at once)."""
        return self._line_index_to_offsets[line][
            bisect.bisect_right(self._wrap_offsets[line], column)
        ]

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        super().wrap(width, tab_width)
        lines = self.document.lines
        offset_to_line_info = []
        line_index_to_offsets: list[list[int]] = []
        y = 0
        for i, offsets in enumerate(self._wrap_offsets):
            n = len(lines[i])
            if n and i + 1 < len(lines) and lines[i + 1] and (not offsets or offsets[-1] < n):
                offsets.append(n)
            line_index_to_offsets.append(list(range(y, y + len(offsets) + 1)))
            offset_to_line_info.extend((i, k) for k in range(len(offsets) + 1))
            y += len(offsets) + 1
        self._offset_to_line_info = offset_to_line_info
        self._line_index_to_offsets = line_index_to_offsets

    @property
    def height(self) -> int:
        # One entry per display row. Textual sums over every line, twice per drawn row:
        # in a 1 MB article that was two thirds of a page-down.
        return len(self._offset_to_line_info)


def word_snap_default() -> bool:
    return os.environ.get("TAGLINE_WORD_SNAP", "1").strip().lower() not in ("0", "off", "no")


class Reader(TextArea):
    """The open article; select passages and tag them (the keys live on the screen)."""

    # Selection and caret in fixed colours the highlights are kept apart from
    # (`tui.colour.RESERVED`): a selection must never look like coding.
    DEFAULT_CSS = f"""
    Reader > .text-area--selection {{
        background: {colour.SELECTION_BG};
        color: {colour.SELECTION_FG};
    }}
    Reader > .text-area--cursor, Reader.-read-only > .text-area--cursor {{
        background: {colour.CARET_BG};
        color: {colour.CARET_FG};
    }}
    """

    BINDINGS = [
        Binding("s", "screen.select_sentence", "Sentence", id="reader.sentence"),
        Binding("p", "screen.select_paragraph", "Paragraph", id="reader.paragraph"),
        Binding("x,delete", "screen.delete_annotation", "Delete", show=False, id="reader.delete"),
        Binding("escape", "screen.reader_escape", "Clear / back", show=False, id="reader.escape"),
        # TextArea binds these to its own (text-edit) undo; ours is the store's.
        Binding("ctrl+z", "screen.undo", "Undo", show=False, id="reader.undo"),
        Binding("ctrl+y", "screen.redo", "Redo", show=False, id="reader.redo"),
        Binding(
            "w",
            "toggle_word_snap",
            "Snap selections to words: on / off",
            show=False,
            id="reader.snap",
        ),
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
        self._cues: dict[int, list[Segment]] = {}
        self._suggest_styles: dict[tuple[str, ...], Style] = {}
        self._margin: dict[int, margin.MarginRow] = {}
        self._margin_key: tuple | None = None
        self._text_cache: tuple[object, str] | None = None  # (document, its text)
        self._wrap_key: tuple | None = None  # (wrapped document, width, tab width) wrapped
        self._frame: tuple[int, dict[int, margin.MarginRow]] | None = None
        self.word_snap = word_snap_default()

    # -- paragraph gaps and the margin ---------------------------------------------------

    @property  # type: ignore[override]
    def text(self) -> str:
        """The document's text, joined once per document: TextArea joins every line of
        it on each `text` read, and reads it for every line it renders (a placeholder
        check), which was a 1 MB join per screen row."""
        cached = getattr(self, "_text_cache", None)  # also read from TextArea.__init__
        document = self.document
        if cached is None or cached[0] is not document:
            cached = self._text_cache = (document, document.text)
        return cached[1]

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    def _rewrap_and_refresh_virtual_size(self) -> None:
        # Textual re-wraps the whole document on every resize event and watcher, and
        # layout settling sends several with the same width: a 1 MB article was wrapped
        # nine times (~0.3 s each) before it first showed. Wrap when the width changed.
        document, width, tabs = self.wrapped_document, self.wrap_width, self.indent_width
        last = getattr(self, "_wrap_key", None)  # also called from TextArea.__init__
        if last is None or last[0] is not document or last[1:] != (width, tabs):
            document.wrap(width, tab_width=tabs)
            self._wrap_key = (document, width, tabs)
        self._line_cache.clear()
        self._refresh_size()

    def _set_document(self, text: str, language: str | None) -> None:
        # TextArea's, for plain text (the reader has no language), with the gapped
        # document in place of Textual's from the start: Textual's version wrapped its
        # own document at full width only for it to be replaced (a 1 MB article: ~0.3 s).
        self._text_cache = None
        self._highlight_query = None
        self.document = Document(text)
        self.wrapped_document = GappedDocument(self.document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        # Wrapped here, whatever the width: every article wraps, not only the first.
        self._rewrap_and_refresh_virtual_size()
        self.move_cursor((0, 0))

    @property
    def margin_width(self) -> int:
        return margin.margin_width(self.scrollable_content_region.width)

    @property
    def wrap_width(self) -> int:
        width = super().wrap_width
        return max(0, width - self.margin_width) if width else width

    def _margin_rows(self) -> dict[int, margin.MarginRow]:
        key = (id(self._anns), self.wrap_width, self.wrapped_document.height)
        if key != self._margin_key:
            row_of = self.wrapped_document.row_of
            self._margin = margin.layout(self._anns, lambda o: row_of(*self.location_of(o)))
            self._margin_key = key
        return self._margin

    def _margin_strip(self, row: int, width: int, base: Style) -> Strip:
        frame = self._frame
        info = (frame[1] if frame is not None else self._margin_rows()).get(row)
        segments = [RichSegment(" ", base)]
        used = 1
        if info is not None:
            lanes = max(info.lanes) + 1 if info.lanes else 0
            for lane in range(lanes):
                glyph, theme = info.lanes.get(lane, (" ", ""))
                segments.append(RichSegment(glyph, base + self._mark_style(theme)))
            used += lanes
            label_room = width - used - 1
            if info.labels and label_room > 1:
                segments.append(RichSegment(" ", base))
                used += 1
                for i, (label, theme) in enumerate(info.labels):
                    piece = ("·" if i else "") + label
                    if len(piece) > label_room:
                        piece = piece[: max(0, label_room - 1)] + "…"
                    if not piece:
                        break
                    segments.append(RichSegment(piece, base + self._mark_style(theme)))
                    used += len(piece)
                    label_room -= len(piece)
                    if label_room <= 1:
                        break
        strip = Strip(segments, used)
        return strip.extend_cell_length(width, base).crop(0, width)

    def _mark_style(self, theme: str) -> Style:
        codebook = self._codebook
        color = codebook.color_of(theme) if codebook and theme else "#8A8A8A"
        return Style(color=RichColor.parse(color))

    def render_lines(self, crop):
        # The margin's width and rows, once per frame rather than once per row: each asks
        # for the scrollable region, which Textual computes afresh every time.
        width = self.margin_width
        self._frame = (width, self._margin_rows() if width else {})
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        frame = self._frame
        width = frame[0] if frame is not None else self.margin_width
        if not width:
            return strip
        total = strip.cell_length
        theme = self._theme
        base = theme.base_style if theme and theme.base_style else Style()
        text_part = strip.crop(0, max(0, total - width))
        row = self.scroll_offset.y + y
        return Strip.join([text_part, self._margin_strip(row, width, base)])

    def _on_resize(self) -> None:
        # A panel opening or the terminal resizing rewraps the text: keep the caret on
        # screen, so the reader never loses their place.
        super()._on_resize()
        self.call_after_refresh(self.scroll_cursor_visible, animate=False)

    # -- word snapping ------------------------------------------------------------------

    def action_toggle_word_snap(self) -> None:
        self.word_snap = not self.word_snap
        self.notify(f"Word snapping {'on' if self.word_snap else 'off'}", timeout=2)

    def _snap_offset(self, offset: int, forward: bool, inside_only: bool = False) -> int:
        """`offset` moved to the end (forward) or start of the word it touches that way
        (`inside_only`: only from strictly inside a word, as a mouse drag ends)."""
        text = self.text
        if inside_only and not (
            0 < offset < len(text) and _WORD.match(text[offset - 1]) and _WORD.match(text[offset])
        ):
            return offset
        if forward:
            while offset < len(text) and _WORD.match(text[offset]):
                offset += 1
        else:
            while offset > 0 and _WORD.match(text[offset - 1]):
                offset -= 1
        return offset

    def snap_selection(self, caret_forward: bool | None = None) -> None:
        """Widen the selection to whole words; the caret snaps the way it moved."""
        if not self.word_snap:
            return
        start, end = self.selection
        a, c = self.offset_of(start), self.offset_of(end)
        if a == c:
            return
        forward = c > a
        mouse = caret_forward is None
        new_a = self._snap_offset(a, not forward, inside_only=True)
        new_c = self._snap_offset(c, forward if mouse else caret_forward, inside_only=mouse)
        if (new_a, new_c) != (a, c) and new_a != new_c:
            self.selection = Selection(self.location_of(new_a), self.location_of(new_c))

    def action_cursor_left(self, select: bool = False) -> None:
        super().action_cursor_left(select)
        if select:
            self.snap_selection(False)

    def action_cursor_right(self, select: bool = False) -> None:
        super().action_cursor_right(select)
        if select:
            self.snap_selection(True)

    def action_cursor_up(self, select: bool = False) -> None:
        super().action_cursor_up(select)
        if select:
            self.snap_selection(False)

    def action_cursor_down(self, select: bool = False) -> None:
        super().action_cursor_down(select)
        if select:
            self.snap_selection(True)

    async def _on_mouse_up(self, event) -> None:
        selecting = self._selecting
        await super()._on_mouse_up(event)
        if selecting:
            self.snap_selection()

    # -- content -----------------------------------------------------------------------

    def show_article(self, article_id: str, text: str) -> None:
        """Load an article; the caret goes to the start."""
        self.article_id = article_id
        self._starts = line_starts(text)
        self._segments = {}
        self._suggested = {}
        self._cues = {}
        self._anns = []
        self._margin_key = None
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

    def set_suggestions(self, marks: list[Mark], cues: list[Mark] | None = None) -> None:
        """Outline these suggested passages, and in bold the cues that made them."""
        self._suggested = line_segments(marks, self._starts)
        self._cues = line_segments(cues or [], self._starts)
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

    @property
    def colour_system(self) -> str:
        """ "truecolor", "256" or "standard": the app's override (tests), else the console's."""
        forced = getattr(self.app, "colour_system", None)
        return colour.system_of(forced or self.app.console.color_system)

    def _tints(self) -> dict[str, tuple[Color, Color]]:
        """Theme name -> (background, text) of its highlight in this colour system."""
        codebook = self._codebook
        names = [t.name for t in codebook] if codebook else []
        colors = tuple(t.color for t in codebook) if codebook else ()
        base = self._theme.base_style if self._theme else None
        fg = base.color if base and base.color else None
        fg_hex = Color.from_rich_color(fg).hex6 if fg else "#e0e0e0"
        pairs = colour.assign_tints(
            (*colors, "#8A8A8A"), self._base_background().hex6, fg_hex, self.colour_system
        )
        out = {n: (Color(*b), Color(*f)) for n, (b, f) in zip(names, pairs, strict=False)}
        out[""] = (Color(*pairs[-1][0]), Color(*pairs[-1][1]))  # themes not in the codebook
        return out

    def _check_style_cache(self) -> None:
        """Forget cached styles when the app theme or the codebook (colours) changed."""
        key = (self.app.theme, id(self._codebook), self.colour_system)
        if key != self._style_key:
            self._styles = {}
            self._suggest_styles = {}
            self._style_key = key

    def _style_for(self, themes: tuple[str, ...]) -> Style:
        self._check_style_cache()
        style = self._styles.get(themes)
        if style is None:
            tints = self._tints()
            # Overlaps and multi-theme passages take the innermost (last) theme's colour,
            # underlined; blending two colours gives a third that names neither, and the
            # margin names them all.
            bg, fg = tints.get(themes[-1], tints[""])
            style = Style(color=fg.rich_color, bgcolor=bg.rich_color, underline=len(themes) > 1)
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
        for start, end, _ in self._cues.get(line_index, ()):
            line.stylize(_CUE, start, end)  # why it was suggested
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
