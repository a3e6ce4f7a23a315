"""Search across the corpus: a query box, results as you type, `enter` jumps to the passage.

Typing restarts a short debounce timer; when it fires, the query gets the next
generation number and runs in a thread worker (`exclusive`, so an older search is
cancelled). Results come back as a message tagged with their generation and are
shown only if it is still the latest, so a slow early query never overwrites a
later one. Until the app's index is ready the screen shows its progress and runs
the query as soon as it arrives. Dismisses with the chosen `SearchResult` (or None).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, ProgressBar, Static
from textual.worker import get_current_worker

from annotations.search.engine import SearchIndex, SearchResult
from annotations.workspace import Workspace
from tui.actions import SEARCH
from tui.widgets.results import ResultList

DEBOUNCE = 0.15  # seconds of quiet typing before a query runs
LIMIT = 50
SYNTAX = (
    'words in any order · "exact phrase" · -word (leave out) · theme:x · -theme:x · '
    "article:x · note:words · ? help"
)
HELP = """Search: keywords in any order; typos are fine; the last word may be unfinished.
  arctic route         passages with these words (more words, fewer typos, closer first)
  "power of siberia"   an exact phrase        -gas       leave out passages with the word
  theme:energy         coded with a theme     -theme:x   not coded with it (theme:"two words")
  article:word         articles whose title or id has the word
  note:words           search annotation notes instead of the text
enter opens the article with the passage (sentence) selected; ctrl+o (or shift+enter,
where the terminal sends it) selects only the matched words' span. Then 1-9 codes it."""


class QueryInput(Input):
    """The query box; `?` is left to the screen (help), it means nothing in a query."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != "?" and super().check_consume_key(key, character)


class SearchScreen(Screen[SearchResult | None]):
    BINDINGS = SEARCH.bindings()

    class Found(Message):
        def __init__(
            self, generation: int, query: str, results: list[SearchResult], error: str = ""
        ) -> None:
            super().__init__()
            self.generation, self.query, self.results, self.error = (
                generation,
                query,
                results,
                error,
            )

    def __init__(self, workspace: Workspace, query: str = "") -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.initial_query = query
        self.generation = 0  # of the latest query sent to a worker
        self.shown_query: str | None = None  # the query whose results are on screen
        self._debounce: Timer | None = None
        self._open_when_ready: bool | None = None  # None, or the pending open's `span`

    def compose(self) -> ComposeResult:
        yield Label("Search passages", classes="dialog-title", id="search-title")
        yield QueryInput(
            self.initial_query,
            placeholder="Words you remember (typos are fine)…",
            id="search-input",
        )
        yield Static(Content(SYNTAX).stylize("dim"), id="search-syntax")
        yield Static(id="search-status")
        yield ProgressBar(show_eta=False, id="search-progress")
        yield ResultList(id="search-results")
        yield Footer(show_command_palette=False)

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def results(self) -> ResultList:
        return self.query_one(ResultList)

    @property
    def index(self) -> SearchIndex | None:
        return getattr(self.app, "search_index", None)

    def on_mount(self) -> None:
        self.results.can_focus = False  # keys stay in the query box; arrows move the list
        self.watch(self.app, "index_progress", self._progress_changed)
        self.watch(self.app, "search_index", self._index_changed)
        self.input.focus()
        if self.initial_query:
            self._run_query()
        elif self.index is None:  # building: say how far, not "type to search"
            self._progress_changed(getattr(self.app, "index_progress", (0, 0)))
        else:
            self._say("Type to search every article")

    # -- status ------------------------------------------------------------------------

    def _say(self, message: str) -> None:
        self.query_one("#search-status", Static).update(Content(message))

    def _progress_changed(self, progress: tuple[int, int]) -> None:
        bar = self.query_one(ProgressBar)
        if self.index is not None:
            bar.display = False
            return
        done, total = progress
        bar.display = True
        bar.update(total=max(total, 1), progress=done)
        error = getattr(self.app, "index_error", "")
        self._say(error or f"Indexing {done:,} / {total:,} articles…")

    def _index_changed(self, index: SearchIndex | None) -> None:
        self.query_one(ProgressBar).display = index is None
        if index is None:
            return
        if self.input.value.strip():
            self._run_query()
        else:
            self._say("Type to search every article")

    # -- querying ----------------------------------------------------------------------

    @on(Input.Changed, "#search-input")
    def _changed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self._run_query)

    def _run_query(self) -> None:
        """Send the box's query to a worker, tagged with a new generation."""
        self._debounce = None
        query = self.input.value
        self.generation += 1
        if not query.strip():
            self.shown_query = query
            self.results.show([], self.store.codebook, self.store.for_article)
            self._say("Type to search every article")
            return
        index = self.index
        if index is None:  # shown when ready: `_index_changed` runs the query again
            self._progress_changed(getattr(self.app, "index_progress", (0, 0)))
            return
        self._search(index, query, self.generation)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, index: SearchIndex, query: str, generation: int) -> None:
        worker = get_current_worker()
        try:
            # The store is read here while the screen covers every editing key.
            results = index.search(query, limit=LIMIT, annotations=self.store.for_article)
            error = ""
        except Exception as exc:  # show it; the app keeps running
            results, error = [], f"Search failed: {exc}"
        if not worker.is_cancelled:
            self.post_message(self.Found(generation, query, results, error))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.generation != self.generation:
            return  # stale: a later query is on its way
        self.shown_query = message.query
        store = self.store
        self.results.show(message.results, store.codebook, store.for_article)
        n = len(message.results)
        if message.error:
            self._say(message.error)
        elif n == 0:
            self._say(f"No matches for “{' '.join(message.query.split())}”")
        else:
            more = "+" if n >= LIMIT else ""
            self._say(f"{n}{more} passage{'s' if n != 1 else ''}, best first")
        if self._open_when_ready is not None:
            span, self._open_when_ready = self._open_when_ready, None
            self.action_open(span)

    @property
    def pending(self) -> bool:
        """True while the results on screen are not those of the query in the box."""
        return self.shown_query != self.input.value

    # -- actions -----------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.results.move(delta)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(HELP))

    def action_open(self, span: bool = False) -> None:
        """Open the current hit: its whole passage selected, or (`span`) the matched span."""
        if self.pending:  # typed, then enter at once: open when its results arrive
            self._open_when_ready = span
            if self._debounce is not None:
                self._debounce.stop()
                self._run_query()
            return
        result = self.results.current
        if result is None:
            self.app.bell()
            return
        self.dismiss(result if span else result.whole_passage())

    @on(ResultList.OptionSelected, "#search-results")
    def _clicked(self, event: ResultList.OptionSelected) -> None:
        self.results.highlighted = event.option_index
        self.action_open()

    def action_close(self) -> None:
        self.dismiss(None)
