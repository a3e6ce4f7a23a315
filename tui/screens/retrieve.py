"""Retrieve: every passage coded with one theme across the corpus (the QDA "coded segments").

The list is built from the store in a thread worker (article texts may still be
on disk, and a big store holds 100,000 annotations), in corpus order, each passage
shown like a search hit: the coded text highlighted in its sentence, with its note.
Dismisses with the chosen passage as a `SearchResult` (or None), so the main screen
jumps to it exactly as it does for a search hit.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from annotations.analysis.segments import CodedSegment, coded_segments
from annotations.search.engine import SearchResult
from annotations.workspace import Workspace
from tui.widgets.results import ResultList

SHOWN = 1000
"""At most this many passages are listed: OptionList measures every option on the UI
thread (about 0.4 ms each for these two-line prompts), so 1,000 is under half a second."""


def as_results(segments: list[CodedSegment]) -> tuple[list[SearchResult], list[str]]:
    """Coded segments shown like search hits (the list widget they share), with their notes."""
    results = [
        SearchResult(
            article_id=seg.article_id,
            article_title=seg.article_title,
            start=seg.start,
            end=seg.end,
            text=seg.text,
            context=seg.context,
            score=100.0,
            exact=True,
            context_start=seg.context_start,
            annotation_id=seg.annotation.id,
        )
        for seg in segments
    ]
    return results, [seg.annotation.note for seg in segments]


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
        def __init__(self, results: list[SearchResult], notes: list[str], total: int) -> None:
            super().__init__()
            self.results, self.notes, self.total = results, notes, total

    def __init__(self, workspace: Workspace, theme: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.theme_name = theme

    def compose(self) -> ComposeResult:
        yield Label(
            Content.assemble("Coded segments: ", Content(self.theme_name).stylize("bold")),
            classes="dialog-title",
            id="retrieve-title",
        )
        yield Static(Content("Collecting passages…"), id="retrieve-status")
        yield ResultList(id="retrieve-results")
        yield Footer(show_command_palette=False)

    @property
    def results(self) -> ResultList:
        return self.query_one(ResultList)

    def on_mount(self) -> None:
        self.results.focus()
        # A snapshot taken on the UI thread: the worker never reads the live store.
        self._snapshot = list(self.workspace.annotations())
        self._collect()

    @work(thread=True, exclusive=True, group="retrieve", exit_on_error=False)
    def _collect(self) -> None:
        segments, total = coded_segments(
            self._snapshot, self.workspace.corpus, self.theme_name, limit=SHOWN
        )
        results, notes = as_results(segments)
        self.post_message(self.Loaded(results, notes, total))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        store = self.store
        self.results.show(
            message.results,
            store.codebook,
            store.for_article,
            show_score=False,
            notes=message.notes,
        )
        n, total = len(message.results), message.total
        if not total:
            text = f"No passages are coded {self.theme_name} yet"
        elif n < total:
            name = f'"{self.theme_name}"' if " " in self.theme_name else self.theme_name
            text = f"{total:,} passages; showing the first {n:,} (/ theme:{name} words narrows)"
        else:
            text = f"{total:,} passage{'s' if total != 1 else ''}, in corpus order"
        self.query_one("#retrieve-status", Static).update(Content(text))

    def action_move(self, delta: int) -> None:
        self.results.move(delta)

    def action_open(self) -> None:
        result = self.results.current
        if result is None:
            self.app.bell()
            return
        self.dismiss(result)

    @on(ResultList.OptionSelected, "#retrieve-results")
    def _selected(self) -> None:
        self.action_open()
