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

from annotations.corpus import Corpus
from annotations.search.engine import SearchResult
from annotations.store.protocol import Store
from annotations.text.segment import sentences
from annotations.workspace import Workspace
from tui.widgets.results import ResultList

SHOWN = 1000
"""At most this many passages are listed: OptionList measures every option on the UI
thread (about 0.4 ms each for these two-line prompts), so 1,000 is under half a second."""


def coded_segments(
    store: Store, corpus: Corpus, theme: str
) -> tuple[list[SearchResult], list[str], int]:
    """(passages, their notes, total found) for `theme`, in corpus then text order."""
    want = theme.casefold()
    order = {a.id: i for i, a in enumerate(corpus.articles)}
    found = [
        ann
        for ann in store.all()
        if ann.article_id in order and any(t.casefold() == want for t in ann.themes)
    ]
    found.sort(key=lambda a: (order[a.article_id], a.start, -a.end))
    results: list[SearchResult] = []
    notes: list[str] = []
    spans_by_article: dict[str, list[tuple[int, int]]] = {}
    for ann in found[:SHOWN]:
        article = corpus.get(ann.article_id)
        if article is None:
            continue
        text = article.text
        if not 0 <= ann.start < ann.end <= len(text):
            continue  # not placed on this text (orphaned): the orphan screen handles it
        spans = spans_by_article.get(article.id)
        if spans is None:
            spans = spans_by_article[article.id] = sentences(text)
        first = next((s for s in spans if s[1] > ann.start), (ann.start, ann.end))
        last = next((s for s in reversed(spans) if s[0] < ann.end), (ann.start, ann.end))
        cs, ce = min(first[0], ann.start), max(last[1], ann.end)
        results.append(
            SearchResult(
                article_id=article.id,
                article_title=article.title,
                start=ann.start,
                end=ann.end,
                text=text[ann.start : ann.end],
                context=text[cs:ce],
                score=100.0,
                exact=True,
                context_start=cs,
                annotation_id=ann.id,
            )
        )
        notes.append(ann.note)
    return results, notes, len(found)


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
        self._collect()

    @work(thread=True, exclusive=True, group="retrieve", exit_on_error=False)
    def _collect(self) -> None:
        # The store is read here while the screen covers every editing key.
        results, notes, total = coded_segments(self.store, self.workspace.corpus, self.theme_name)
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
