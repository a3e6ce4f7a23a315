"""The Tagline app: thin; it opens the main screen on a workspace and holds app-wide keys.

It also owns the search index: built (or loaded from the disk cache) in a thread
worker started at mount, so start-up never waits for it. Progress and the finished
index are app reactives (`index_progress`, `search_index`) that screens watch.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.message import Message
from textual.reactive import var
from textual.worker import get_current_worker

from annotations.workspace import Workspace
from tui.actions import APP
from tui.changes import ChangeApp
from tui.palette import TaglineCommands
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from annotations.search.engine import SearchIndex


class _Cancelled(Exception):
    """Raised from the progress callback to stop a build nobody waits for (app closing)."""


class TaglineApp(ChangeApp):
    TITLE = "Tagline"
    # Absolute, so subclasses defined elsewhere (tests) find it too.
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    COMMANDS = App.COMMANDS | {TaglineCommands}
    # Screen classes for layouts by width (app.tcss): 80 columns is the smallest supported.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-normal"), (160, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = APP.bindings()

    search_index: var[SearchIndex | None] = var(None, init=False)
    """The corpus's search index, once built or loaded."""
    index_progress: var[tuple[int, int]] = var((0, 0), init=False)
    """(articles indexed, total) while the index builds."""
    index_error: var[str] = var("", init=False)

    class IndexProgress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class IndexReady(Message):
        def __init__(self, index: SearchIndex | None, error: str = "") -> None:
            super().__init__()
            self.index, self.error = index, error

    def __init__(self, workspace: Workspace, *, theme: str | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self._reindex_later: set[str] = set()  # articles reloaded while the index built
        if theme:
            self.theme = theme

    def on_mount(self) -> None:
        self.attach_store(self.workspace.store)
        self.push_screen(MainScreen(self.workspace))
        for warning in self.workspace.warnings:
            self.notify(warning, severity="warning", markup=False)
        # After the first frame: the worker shares the GIL, so starting it now
        # would delay the first usable screen on a large corpus.
        self.call_after_refresh(self._settled)
        self.call_after_refresh(self.build_search_index)
        self.call_after_refresh(self.complete_corpus)

    def _settled(self) -> None:
        """After the first frame: what start-up built (the corpus, the store's index,
        Textual's widgets) lives as long as the app; `gc.freeze` takes it out of the
        cyclic collector's full passes, which otherwise rescan it all and stop every
        thread for a quarter of a second now and then (a key press waits for it)."""
        gc.collect(0)
        gc.freeze()

    @work(thread=True, exclusive=True, group="corpus", exit_on_error=False)
    def complete_corpus(self) -> None:
        """Titles a first start did not extract (only the rows on screen were) are
        extracted here, after the first frame, and saved in the corpus cache."""
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Cancelled

        try:
            self.workspace.corpus.complete_metadata(progress, every=50)
        except _Cancelled:
            return

    @work(thread=True, exclusive=True, group="search-index", exit_on_error=False)
    def build_search_index(self) -> None:
        """Load the cached index (re-indexing changed articles) or build it, with progress."""
        # Imported here, in the worker: the search engine is not needed for the first frame.
        from annotations.search.engine import SearchIndex

        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Cancelled
            self.post_message(self.IndexProgress(done, total))

        articles = self.workspace.corpus.articles
        self.post_message(self.IndexProgress(0, len(articles)))
        try:
            index = SearchIndex.cached(articles, self.workspace.cache_dir, progress=progress)
            index.warm()
        except _Cancelled:
            return
        except Exception as exc:  # a bad article must not take the app down: say why
            self.post_message(self.IndexReady(None, f"Search index failed: {exc}"))
            return
        self.post_message(self.IndexReady(index))

    @work(thread=True, group="search-reindex", exit_on_error=False)
    def reindex_article(self, article_id: str) -> None:
        """Bring the index up to date with an article reloaded from disk (incrementally).

        `update` makes the new text searchable in milliseconds (the index's in-memory
        overlay); `flush`, the durable commit to the disk cache, follows in this worker.
        Asked while the index is still building: done when it is ready.
        """
        index, article = self.search_index, self.workspace.corpus.get(article_id)
        if index is None:
            self._reindex_later.add(article_id)
            return
        if article is None:
            index.remove(article_id)
        else:
            index.update(article)
        index.flush()

    def on_tagline_app_index_progress(self, message: IndexProgress) -> None:
        self.index_progress = (message.done, message.total)

    def on_tagline_app_index_ready(self, message: IndexReady) -> None:
        if message.error:
            self.index_error = message.error
            self.notify(message.error, severity="error", markup=False)
        if message.index is not None and message.index.warning:
            self.notify(message.index.warning, severity="warning", markup=False)
        self.search_index = message.index
        if message.index is not None:
            for article_id in sorted(self._reindex_later):
                self.reindex_article(article_id)
        self._reindex_later.clear()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
