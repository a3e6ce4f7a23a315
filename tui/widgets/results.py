"""A list of passages (search hits, coded segments): one two-line option per passage.

Line one: theme marks of the annotations overlapping the passage, the score, the
article title. Line two: the surrounding sentence with the matched span
highlighted, cut so the span is in view. Every string is article or analyst
data, so prompts are `Content` objects built from plain strings, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Annotation
from annotations.search.engine import SearchResult
from annotations.text.decode import normalise
from annotations.themes import Codebook

BEFORE = 48
"""Characters of context kept before the span (the rest is cut with an ellipsis)."""
SPAN_STYLE = "bold $text on $accent 45%"
UNKNOWN_COLOR = "#8A8A8A"  # a theme no longer in the codebook


def overlapping_themes(anns: Iterable[Annotation], start: int, end: int) -> list[str]:
    """Themes of the annotations overlapping `start..end`, in first-seen order."""
    out: list[str] = []
    for ann in anns:
        if ann.start < end and start < ann.end:
            out.extend(t for t in ann.themes if t not in out)
    return out


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")


def snippet(result: SearchResult, before: int = BEFORE) -> Content:
    """The context on one line, the span highlighted, trimmed to start near the span."""
    context = result.context
    s = max(0, min(len(context), result.start - result.context_start))
    e = max(s, min(len(context), result.end - result.context_start))
    if not context or s == e:  # the context does not hold the span: show the span itself
        return Content(_one_line(result.text)).stylize(SPAN_STYLE)
    cut = max(0, s - before)
    if cut:
        space = context.find(" ", cut, s)  # start on a word
        cut = space + 1 if space >= 0 else cut
    head = "…" if cut else ""
    line = Content(head + _one_line(context[cut:]))
    offset = len(head) - cut
    if not result.matches:
        return line.stylize(SPAN_STYLE, s + offset, e + offset)
    # Every matched word, not the words between them.
    base = result.context_start
    for ms, me in result.matches:
        a, b = ms - base + offset, me - base + offset
        if len(head) <= a < b <= len(line):
            line = line.stylize(SPAN_STYLE, a, b)
    return line


def result_prompt(
    result: SearchResult,
    themes: Sequence[str],
    codebook: Codebook,
    *,
    show_score: bool = True,
    note: str = "",
) -> Content:
    marks: list[Content | tuple[str, str] | str] = []
    for name in themes:
        theme = codebook.get(name)
        marks.append(("■", theme.color if theme else UNKNOWN_COLOR))
    head: list[Content | tuple[str, str] | str] = [*marks, " " if marks else ""]
    if show_score:
        head.append((f"{result.score:3.0f} ", "bold" if result.exact else "dim"))
    head.append(Content(_one_line(result.article_title)).stylize("bold"))
    lines = [Content.assemble(*head), Content("  ") + snippet(result)]
    if note:
        lines.append(
            Content.assemble(("  note: ", "dim italic"), Content(_one_line(normalise(note))))
        )
    return Content("\n").join(lines)


class ResultList(OptionList):
    """Passages as options; option ids are positions in `results`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.results: list[SearchResult] = []

    def show(
        self,
        results: list[SearchResult],
        codebook: Codebook,
        annotations: Callable[[str], Sequence[Annotation]],
        *,
        show_score: bool = True,
        notes: Sequence[str] | None = None,
    ) -> None:
        """Replace the options with `results` (one `set_options` call); highlight the first."""
        self.results = list(results)
        options = []
        for i, r in enumerate(self.results):
            themes = overlapping_themes(annotations(r.article_id), r.start, r.end)
            prompt = result_prompt(
                r, themes, codebook, show_score=show_score, note=notes[i] if notes else ""
            )
            options.append(Option(prompt, id=str(i)))
        self.set_options(options)
        self.highlighted = 0 if options else None

    @property
    def current(self) -> SearchResult | None:
        i = self.highlighted
        return self.results[i] if i is not None and i < len(self.results) else None

    def move(self, delta: int) -> None:
        """Move the highlight, wrapping around."""
        if self.option_count:
            self.highlighted = ((self.highlighted or 0) + delta) % self.option_count
