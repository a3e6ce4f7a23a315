"""Retrieve: every coded passage across the corpus, grouped by theme (QDA "coded segments").

The list is built in a thread worker from a snapshot of the annotations taken on the
UI thread (article texts may still be on disk, and a big store holds 100,000
annotations) with the same grouping as the report (`annotations.report.segments`): a heading per theme, then each passage in
full, wrapped, under its article's title, date and author, with its note. Dismisses
with the chosen passage as a `SearchResult` (or None), so the main screen jumps to
it exactly as it does for a search hit.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from annotations.corpus import Corpus
from annotations.model import Annotation
from annotations.report import Segment, segments
from annotations.search.engine import SearchResult
from annotations.text.decode import normalise
from annotations.themes import Codebook
from annotations.workspace import Workspace

SHOWN = 1000
"""At most this many passages are listed: OptionList measures every option on the UI
thread, so 1,000 is about half a second."""
UNKNOWN_COLOR = "#8A8A8A"


def segments_by_theme(
    annotations: list[Annotation],
    corpus: Corpus,
    theme_order: list[str],
    theme: str | None = None,
) -> tuple[dict[str, list[Segment]], int]:
    """(theme -> placed passages, total found), at most `SHOWN` passages; one theme or all."""
    want = theme.casefold() if theme else None
    known = {a.id for a in corpus.articles}
    found = [
        ann
        for ann in annotations
        if ann.article_id in known
        and (want is None or any(t.casefold() == want for t in ann.themes))
    ]
    groups = segments(found, corpus, theme_order)
    if want is not None:
        groups = {t: s for t, s in groups.items() if t.casefold() == want}
    out: dict[str, list[Segment]] = {}
    shown = total = 0
    for name, segs in groups.items():
        total += len(segs)
        kept = []
        for seg in segs:
            article = corpus.get(seg.article_id)
            ann = seg.annotation
            if article is None or not 0 <= ann.start < ann.end <= len(article.text):
                continue  # not placed on this text (orphaned): the orphan screen handles it
            if shown < SHOWN:
                kept.append(seg)
                shown += 1
        out[name] = kept
    return out, total


def heading_prompt(theme: str, count: int, codebook: Codebook) -> Content:
    t = codebook.get(theme)
    return Content.assemble(
        ("■ ", t.color if t else UNKNOWN_COLOR),
        Content(theme).stylize("bold"),
        (f"  {count} passage{'s' if count != 1 else ''}", "dim"),
    )


def segment_prompt(seg: Segment) -> Content:
    """Title, date and author; the passage in full (wrapped by the list); the note."""
    ann = seg.annotation
    meta = " · ".join(p for p in (seg.date or "undated", ann.author) if p)
    lines = [
        Content.assemble(
            Content(" ".join(seg.title.split())).stylize("bold"), ("  " + meta, "dim")
        ),
        Content(" ".join(normalise(ann.exact).split())),
    ]
    if ann.note:
        lines.append(
            Content.assemble(
                ("note: ", "dim italic"), Content(" ".join(normalise(ann.note).split()))
            )
        )
    return Content("\n").join([*lines, Content("")])  # a blank line between passages


class RetrieveScreen(Screen[SearchResult | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="retrieve.close"),
        Binding("enter", "open", "Open", id="retrieve.open", priority=True),
        Binding("ctrl+n", "move(1)", "Next passage", show=False, id="retrieve.next"),
        # As in search: ctrl+p moves up here, so the palette moves to f2.
        Binding(
            "ctrl+p", "move(-1)", "Previous passage", show=False, priority=True, id="retrieve.prev"
        ),
        Binding("f2", "app.command_palette", "Commands", id="retrieve.palette"),
    ]

    class Loaded(Message):
        def __init__(self, groups: dict[str, list[Segment]], total: int) -> None:
            super().__init__()
            self.groups, self.total = groups, total

    def __init__(self, workspace: Workspace, theme: str | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.theme_name = theme
        self.segments: list[Segment] = []

    def compose(self) -> ComposeResult:
        title = Content("Coded segments")
        if self.theme_name:
            title = Content.assemble(title, ": ", Content(self.theme_name).stylize("bold"))
        yield Label(title, classes="dialog-title", id="retrieve-title")
        yield Static(Content("Collecting passages…"), id="retrieve-status")
        yield OptionList(id="retrieve-results")
        yield Footer(show_command_palette=False)

    @property
    def results(self) -> OptionList:
        return self.query_one("#retrieve-results", OptionList)

    def on_mount(self) -> None:
        self.results.focus()
        # A snapshot taken on the UI thread: the worker never reads the live store.
        self._snapshot = list(self.workspace.annotations())
        self._order = [t.name for t in self.store.codebook]
        self._collect()

    @work(thread=True, exclusive=True, group="retrieve", exit_on_error=False)
    def _collect(self) -> None:
        groups, total = segments_by_theme(
            self._snapshot, self.workspace.corpus, self._order, self.theme_name
        )
        self.post_message(self.Loaded(groups, total))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        codebook = self.store.codebook
        options: list[Option] = []
        self.segments = []
        for theme, segs in message.groups.items():
            if not segs:
                continue
            options.append(Option(heading_prompt(theme, len(segs), codebook), disabled=True))
            for seg in segs:
                options.append(Option(segment_prompt(seg), id=str(len(self.segments))))
                self.segments.append(seg)
        self.results.set_options(options)
        n, total = len(self.segments), message.total
        if self.segments:
            self.results.highlighted = 1  # the first passage, under its theme's heading
        if not total:
            which = f"coded {self.theme_name}" if self.theme_name else "coded"
            text = f"No passages are {which} yet"
        elif n < total:
            text = f"{total:,} coded passages; showing the first {n:,}"
        else:
            text = f"{total:,} coded passage{'s' if total != 1 else ''} by theme, in corpus order"
        self.query_one("#retrieve-status", Static).update(Content(text))

    @property
    def current(self) -> SearchResult | None:
        option = self.results.highlighted_option
        if option is None or option.id is None:
            return None
        seg = self.segments[int(option.id)]
        ann = seg.annotation
        return SearchResult(
            article_id=seg.article_id,
            article_title=seg.title,
            start=ann.start,
            end=ann.end,
            text=ann.exact,
            context=ann.exact,
            score=100.0,
            exact=True,
            context_start=ann.start,
            annotation_id=ann.id,
        )

    def action_move(self, delta: int) -> None:
        results = self.results
        if delta > 0:
            for _ in range(delta):
                results.action_cursor_down()
        else:
            for _ in range(-delta):
                results.action_cursor_up()

    def action_open(self) -> None:
        result = self.current
        if result is None:
            self.app.bell()
            return
        self.dismiss(result)

    @on(OptionList.OptionSelected, "#retrieve-results")
    def _selected(self) -> None:
        self.action_open()
