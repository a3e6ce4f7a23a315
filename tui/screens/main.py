"""The main screen: article list, reader, annotation panel, and every annotating action.

Actions call one store method each, inside `_change()`, which turns store errors
(read-only, failed save) into a status message and repaints from the store, so
the screen always shows what is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from annotations.corpus import Article
from annotations.model import Annotation
from annotations.store.journal import ReadOnlyError, StoreError
from annotations.text import segment
from annotations.themes import HOTKEYS, ThemeError
from annotations.workspace import Workspace
from tui.screens.insight import InsightActions
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.article_list import ArticleList
from tui.widgets.legend import ThemeLegend
from tui.widgets.reader import Reader
from tui.widgets.status import StatusLine

Span = tuple[int, int]


def strip_span(text: str, start: int, end: int) -> Span:
    """The span without leading/trailing whitespace (the passage a coder means)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def next_sentence_after(text: str, end: int) -> Span | None:
    """The first sentence starting at or after `end` (the core's, when it has one)."""
    core = getattr(segment, "next_sentence_after", None)
    if core is not None:
        return core(text, end)
    for s, e in segment.sentences(text):
        s, e = strip_span(text, s, e)
        if e > s and s >= end:
            return s, e
    return None


class MainScreen(InsightActions, Screen):
    BINDINGS = [
        *[
            Binding(k, f"toggle_theme('{k}')", f"Theme {k}", show=False, id=f"theme.{k}")
            for k in HOTKEYS
        ],
        Binding("t", "pick_theme", "Themes", id="theme.pick"),
        Binding("n", "edit_note", "Note", id="annotation.note"),
        Binding("]", "next_annotation", "Next", show=False, id="annotation.next"),
        Binding("[", "prev_annotation", "Prev", show=False, id="annotation.prev"),
        Binding("u,ctrl+z", "undo", "Undo", id="undo"),
        Binding("U,ctrl+y", "redo", "Redo", show=False, id="redo"),
        Binding("a", "toggle_panel", "Annotations", id="panel.toggle"),
        Binding("f,ctrl+f", "filter", "Filter", show=False, id="list.filter"),
        Binding("slash", "search", "Search", id="search"),
        Binding("r", "retrieve", "Coded segments, by theme", show=False, id="retrieve"),
        Binding("e", "export", "Export", id="export"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="pane.next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, id="pane.prev"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.corpus = workspace.corpus
        self.article: Article | None = None
        self._sentence_run: Span | None = None  # the span the last `s` selected

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Input(placeholder="Filter titles…", id="filter")
                yield ArticleList(self.corpus.articles, id="articles")
                yield ThemeLegend(id="legend")
            yield Reader(id="reader")
            yield AnnotationPanel(id="panel")
        yield Footer()

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def panel(self) -> AnnotationPanel:
        return self.query_one(AnnotationPanel)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        status = self.status
        status.db_path = self.store.location
        status.read_only = self.store.read_only
        if self.store.read_only:
            why = "another Tagline has it open" if self.workspace.locked_by_other else "read-only"
            status.say(f"Read-only: {why}; changes will not be saved")
        self.query_one("#filter").display = False
        self.panel.display = False
        self.article_list.load(self.store.summary(), self.store.codebook)
        if self.corpus.articles:
            self.open_article(self.corpus.articles[0].id)
        self.article_list.focus()
        # Other programs may edit the open article or the database files meanwhile.
        self.set_interval(2.0, self.check_disk)

    def check_disk(self) -> None:
        """Report files changed or deleted on disk; reload an edited open article."""
        article_id = self.article.id if self.article else None
        messages, reloaded = self.workspace.check_disk(article_id)
        for message in messages:
            self.status.say(message, error=True)
            self.notify(message, title="Changed on disk", severity="warning", markup=False)
        if reloaded and article_id:
            self.article = None
            self.open_article(article_id)
            getattr(self.app, "reindex_article", lambda _id: None)(article_id)

    # -- opening and repainting --------------------------------------------------------

    def open_article(self, article_id: str) -> None:
        article = self.corpus.get(article_id)
        if article is None or article is self.article:
            return
        self.article = article
        self._sentence_run = None
        self.reader.show_article(article.id, article.text)
        self.status.title = article.title
        self.refresh_annotations()

    def refresh_annotations(self, touched: set[str] | None = None) -> None:
        """Repaint the reader, panel, counts and list marks from the store."""
        store = self.store
        article = self.article
        if article is None:
            return
        anns = store.for_article(article.id)
        shown = self.visible_annotations(article, anns)  # the author view (A) filters
        self.reader.set_annotations(shown, store.codebook)
        if self.panel.display:
            self.panel.show(shown, store.codebook, self._current_annotation_id())
        for article_id in (touched or set()) | {article.id}:
            self.article_list.update_article(
                article_id, store.theme_counts(article_id), store.codebook
            )
        self.status.counts = (
            f"{len(anns)} here · {_plural(len(store), 'annotation')} · "
            f"{_plural(len(self.corpus), 'article')}"
        )
        self.paint_overlays(article, anns)

    def _current_annotation_id(self) -> str | None:
        ann = self.annotation_at_caret()
        return ann.id if ann else None

    @on(ArticleList.OptionHighlighted, "#articles")
    def _article_highlighted(self, event: ArticleList.OptionHighlighted) -> None:
        if event.option.id:
            self.open_article(event.option.id)

    @on(ArticleList.OptionSelected, "#articles")
    def _article_selected(self, event: ArticleList.OptionSelected) -> None:
        if event.option.id:
            self.open_article(event.option.id)
        self.reader.move_to_start()
        self.reader.focus()

    @on(AnnotationPanel.Chosen)
    def _annotation_chosen(self, event: AnnotationPanel.Chosen) -> None:
        self.reader.select_span(event.annotation.start, event.annotation.end)
        if event.focus:
            self.reader.focus()

    # -- the filter --------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.article_list.filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.article_list.focus()

    def key_escape(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            if box.value:
                box.value = ""
            box.display = False
            self.article_list.focus()

    # -- selection ---------------------------------------------------------------------

    def action_reader_escape(self) -> None:
        if self.leave_suggestions():
            return
        reader = self.reader
        start, end = reader.selected_span
        self._sentence_run = None
        if start != end:
            reader.selection = type(reader.selection).cursor(reader.selection.end)
        else:
            self.article_list.focus()

    def action_select_sentence(self) -> None:
        if self.article is None:
            return
        text, reader = self.article.text, self.reader
        current = reader.selected_span
        span: Span | None
        if self._sentence_run is not None and current == self._sentence_run:
            nxt = next_sentence_after(text, current[1])
            span = (current[0], nxt[1]) if nxt else None
            if span is None:
                self.status.say("No further sentence")
                return
        else:
            found = segment.sentence_at(text, reader.caret_offset)
            span = strip_span(text, *found) if found else None
        if not span or span[0] == span[1]:
            return
        reader.select_span(*span)
        self._sentence_run = span

    def action_select_paragraph(self) -> None:
        if self.article is None:
            return
        found = segment.paragraph_at(self.article.text, self.reader.caret_offset)
        if found:
            self._sentence_run = None
            self.reader.select_span(*strip_span(self.article.text, *found))

    # -- changes -----------------------------------------------------------------------

    def _change(self, fn: Callable[[], Any], touched: set[str] | None = None) -> Any:
        """Run one store change; on failure show why and repaint what is saved."""
        if self.store.read_only:
            self.status.say("Read-only: this change was not saved", error=True)
            self.app.bell()
            return None
        try:
            return fn()
        except (ReadOnlyError, StoreError, ThemeError, KeyError) as exc:
            message = str(exc).strip("'\"")
            self.status.say(message, error=True)
            self.notify(message, title="Not saved", severity="error", markup=False)
            return None
        finally:
            self.refresh_annotations(touched)

    def annotation_at_caret(self) -> Annotation | None:
        """The annotation exactly selected, else the innermost one under the caret."""
        if self.article is None:
            return None
        start, end = self.reader.selected_span
        if start != end:
            exact = self.store.exact(self.article.id, *strip_span(self.article.text, start, end))
            if exact is not None:
                return exact
        hits = self.store.at(self.article.id, self.reader.caret_offset)
        if not hits and start != end:
            hits = self.store.at(self.article.id, start)
        return hits[0] if hits else None

    def toggle_theme_named(self, name: str) -> None:
        article = self.article
        if article is None:
            return
        start, end = strip_span(article.text, *self.reader.selected_span)
        if start != end:
            result = self._change(lambda: self.store.toggle_theme(article, start, end, name))
        else:
            ann = self.annotation_at_caret()
            if ann is None:
                self.status.say("Select a passage first (s sentence, p paragraph, shift+arrows)")
                return
            result = self._change(lambda: self.store.toggle_on(ann.id, name))
        if result is not None:
            self.status.say(result[0])

    def action_toggle_theme(self, hotkey: str) -> None:
        theme = self.store.codebook.by_hotkey(hotkey)
        if theme is None:
            self.status.say(f"No theme on key {hotkey} (t opens the theme picker)", error=True)
            return
        self.toggle_theme_named(theme.name)

    def action_pick_theme(self) -> None:
        from tui.dialogs.theme_picker import ThemePicker

        def chosen(result: tuple[str, bool] | None) -> None:
            if not result:
                return
            name, create = result
            if create:
                theme = self._change(lambda: self.store.add_theme(name))
                if theme is None:
                    return
                self.status.say(f"Added theme {theme.name} (key {theme.hotkey or 'none'})")
                self.article_list.load(self.store.summary(), self.store.codebook)
                name = theme.name
            self.toggle_theme_named(name)

        self.app.push_screen(ThemePicker(self.store), chosen)

    def action_edit_note(self) -> None:
        from tui.dialogs.note import NoteScreen

        ann = self.annotation_at_caret()
        if ann is None:
            self.status.say("No annotation here: tag a passage first, then add a note")
            return

        def saved(note: str | None) -> None:
            if note is None or note == ann.note:
                return
            if self._change(lambda: self.store.set_note(ann.id, note)) is not None:
                self.status.say("Note saved")

        self.app.push_screen(NoteScreen(ann.note, ann.exact), saved)

    def action_delete_annotation(self) -> None:
        if self.reject_suggestion_at_caret():  # x on a suggestion rejects it
            return
        ann = self.annotation_at_caret()
        if ann is None:
            self.status.say("No annotation at the caret")
            return
        if self._change(lambda: self.store.delete(ann.id)) is not None:
            self.status.say(f"Deleted {', '.join(ann.themes)} (u to undo)")

    def _step(self, forward: bool) -> None:
        if self.article is None or self.step_suggestion(forward):
            return
        anns = self.visible_annotations(self.article, self.store.for_article(self.article.id))
        if not anns:
            self.status.say("No annotations in this article")
            return
        start, end = self.reader.selected_span
        if start == end:  # just a caret: the first annotation starting at / before it
            if forward:
                target = next((a for a in anns if a.start >= start), anns[0])
            else:
                target = next((a for a in reversed(anns) if a.start < start), anns[-1])
        elif forward:  # from the selected passage, in text order (start, longer first)
            target = next((a for a in anns if (a.start, -a.end) > (start, -end)), anns[0])
        else:
            earlier = [a for a in anns if (a.start, -a.end) < (start, -end)]
            target = earlier[-1] if earlier else anns[-1]
        self._sentence_run = None
        self.reader.select_span(target.start, target.end)
        if self.panel.display:
            self.panel.show(anns, self.store.codebook, target.id)
        self.status.say(f"{anns.index(target) + 1}/{len(anns)}: {', '.join(target.themes)}")

    def action_next_annotation(self) -> None:
        self._step(True)

    def action_prev_annotation(self) -> None:
        self._step(False)

    def _undo_redo(self, redo: bool) -> None:
        store = self.store
        change = store.peek_redo() if redo else store.peek_undo()  # which articles it touches
        touched = {a.article_id for a in (change.before + change.after)} if change else set()
        label = self._change(store.redo if redo else store.undo, touched)
        if change is not None and change.codebook_after is not None:
            self.article_list.load(store.summary(), store.codebook)
        if label:
            self.status.say(f"{'Redid' if redo else 'Undid'}: {label}")
        elif not self.store.read_only:
            self.status.say(f"Nothing to {'redo' if redo else 'undo'}")

    def action_undo(self) -> None:
        self._undo_redo(False)

    def action_redo(self) -> None:
        self._undo_redo(True)

    # -- panes and screens -------------------------------------------------------------

    def action_toggle_panel(self) -> None:
        panel = self.panel
        panel.display = not panel.display
        if panel.display:
            self.refresh_annotations()
        elif panel.has_focus:
            self.reader.focus()

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.workspace), self.jump_to)

    def action_retrieve(self) -> None:
        from tui.screens.retrieve import RetrieveScreen

        self.app.push_screen(RetrieveScreen(self.workspace), self.jump_to)

    def jump_to(self, hit: Any) -> None:
        """Open a search hit's article with exactly its span selected, ready to tag."""
        if hit is None:  # escape: everything stays as it was
            return
        self.open_article(hit.article_id)
        self.article_list.highlight_id(hit.article_id)
        self._sentence_run = None
        self.reader.select_span(hit.start, hit.end)
        self.reader.focus()
        quote = " ".join(hit.text.split())
        quote = quote if len(quote) <= 50 else quote[:49] + "…"
        self.status.say(f"“{quote}” selected: 1-9 tags it, t picks a theme")

    def action_export(self) -> None:
        from tui.dialogs.export import ExportScreen

        self.app.push_screen(ExportScreen(self.workspace, self.article))

    def action_codebook(self) -> None:
        from tui.dialogs.codebook import CodebookScreen

        def closed(changed: bool | None) -> None:
            self.article_list.load(self.store.summary(), self.store.codebook)
            self.refresh_annotations()

        self.app.push_screen(CodebookScreen(self.store), closed)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
