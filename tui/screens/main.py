"""The main screen: article list, reader, annotation panel; compose and routing.

The rules live in `annotations.session.AnnotatingSession` (open article, sentence
runs, toggling, the view, the suggestion queue); this screen passes it the
reader's selection and words what it returns. Store changes go through
`app.run_change()`; the screen repaints when the store says it changed
(`StoreChanged`) or when its own state does (reactives), never because a call
site remembered to.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, TextArea

from annotations.analysis.suggest import CueEdit, Suggestion, suggest_for_article, teach_options
from annotations.corpus import Article
from annotations.model import Annotation
from annotations.session import ALL, AnnotatingSession, Toggled, ToggleResult, View
from annotations.store.errors import StoreError
from annotations.store.tinydb_store import AnnotationStore
from annotations.themes import Codebook
from annotations.workspace import Workspace
from tui.actions import ANNOTATING, INSIGHT
from tui.messages import StoreChanged
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.article_list import ArticleList
from tui.widgets.footer import Footer
from tui.widgets.legend import ThemeLegend
from tui.widgets.reader import Mark, Reader
from tui.widgets.status import StatusLine

SUGGESTION_KEYS = "y accept, x reject, ]/[ move, g hide"
NO_PASSAGE = "Select a passage first (s sentence, p paragraph, shift+arrows)"

TOGGLED = {
    Toggled.TAGGED: "Tagged {}",
    Toggled.ADDED: "Added {}",
    Toggled.REMOVED: "Removed {}",
    Toggled.DELETED: "Removed {}; annotation deleted",
}


class MainScreen(Screen):
    BINDINGS = ANNOTATING.bindings() + INSIGHT.bindings()

    view: reactive[View] = reactive(ALL, init=False)
    """All annotations, one author's, or disagreements (`A`)."""
    suggesting: reactive[bool] = reactive(False, init=False)
    """Suggested passages shown (`g`)."""
    show_panel: reactive[bool] = reactive(False, init=False)
    """The annotations panel (`a`)."""
    mode: reactive[str] = reactive("")
    """The status line's badge: suggestions and view (bound to `StatusLine.mode`)."""

    class SuggestionsReady(Message):
        def __init__(
            self, article_id: str, found: list[Suggestion] | None, error: str = ""
        ) -> None:
            super().__init__()
            self.article_id = article_id
            self.found = found
            self.error = error

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.store = workspace.store
        self.corpus = workspace.corpus
        self.session = AnnotatingSession(workspace.store, workspace.corpus)
        self._hint_shown: tuple[str, Any] | None = None  # (message, selection when said)

    @property
    def article(self) -> Article | None:
        return self.session.article

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status").data_bind(MainScreen.mode)
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
        self.watch(self.app, "report", lambda report: status.say(*report), init=False)
        self.watch(self.app, "queued", lambda n: setattr(status, "queued", n), init=False)
        self.query_one("#filter").display = False
        self.panel.display = False
        self._load_articles()
        if self.corpus.articles:
            self.open_article(self.corpus.articles[0].id)
        self.article_list.focus()
        report = self.workspace.anchoring
        if report:
            message = f"Text changed: {report.message()}"
            if report.orphaned or report.flagged:
                message += " · o reviews orphans"
            status.say(message)
            self.notify(message, title="Re-anchoring", markup=False)
        # Other programs may edit the open article or the database files meanwhile.
        self.set_interval(2.0, self.check_disk)

    def check_disk(self) -> None:
        """Report files changed or deleted on disk; reload an edited open article.

        Only while this screen is on top: a re-anchor writes to the store, and the
        screens above (dashboard, search, retrieve) read it from worker threads.
        """
        if self.app.screen is not self:
            return
        article = self.session.article
        messages, reloaded = self.workspace.check_disk(article.id if article else None)
        for message in messages:
            self.status.say(message, error=True)
            self.notify(message, title="Changed on disk", severity="warning", markup=False)
        if reloaded and self.session.reopen() is not None:
            self._show_article()
            getattr(self.app, "reindex_article", lambda _id: None)(self.session.article.id)

    # -- repainting --------------------------------------------------------------------

    def _load_articles(self) -> None:
        """Every article row (at start and after a codebook change).

        The TinyDB store is in memory: each row counts its article as it is first
        drawn, so start-up does not count 100,000 annotations. A database answers
        every article's counts in one query instead of one per row.
        """
        store = self.store
        if isinstance(store, AnnotationStore):
            counts = store.theme_counts
        else:
            summary, empty = store.summary(), Counter[str]()
            counts = lambda article_id: summary.get(article_id, empty)  # noqa: E731
        self.article_list.load(counts, store.codebook, store.done_articles())

    def open_article(self, article_id: str) -> None:
        article = self.corpus.get(article_id)
        if article is not None and getattr(article, "remote", False) and not article.loaded:
            # Team mode: the text comes from the server, fetched in a worker; the
            # article opens when it arrives (the latest one asked for, if several).
            self._wanted = article_id
            self._load_text(article)
            return
        self._wanted = None
        if self.session.open(article_id) is not None:
            self._show_article()

    @work(thread=True, exclusive=True, group="article-text", exit_on_error=False)
    def _load_text(self, article: Article) -> None:
        try:
            article.text  # noqa: B018  (fetched and kept by the article)
        except StoreError as exc:
            self.post_message(self.TextLoaded(article.id, str(exc)))
            return
        self.post_message(self.TextLoaded(article.id))

    def on_main_screen_text_loaded(self, event: MainScreen.TextLoaded) -> None:
        if event.article_id != self._wanted:
            return  # the analyst has moved on meanwhile
        article = self.corpus.get(event.article_id)
        if event.error or article is None or not article.loaded:
            title = _short(article.title) if article else event.article_id
            self.status.say(f"‘{title}’ is not loaded yet: reconnecting…", error=True)
            return
        self.open_article(event.article_id)

    def _show_article(self) -> None:
        article = self.session.article
        if article is not None:
            self.reader.show_article(article.id, article.text)
            self.status.title = article.title
            self._repaint()

    @on(StoreChanged)
    def _store_changed(self, event: StoreChanged) -> None:
        if event.codebook_changed:
            self._load_articles()
        touched = set(event.articles)
        mine = self.store.author + "\x1f"  # coverage keys are "author\x1farticle"
        for key in event.change.coverage_after:  # done marks, undo included
            if key.startswith(mine):
                article_id = key[len(mine) :]
                done = self.store.is_done(article_id)
                (self.article_list.done.add if done else self.article_list.done.discard)(article_id)
                touched.add(article_id)
        article = self.session.article
        if (
            article is None
            or event.codebook_changed
            or article.id in touched
            or not touched  # a rejection: the suggestions shown change
        ):
            self._repaint(touched)
        else:  # only other articles (an orphan placed, an import): their rows and the counts
            self._update_rows(touched)

    def watch_view(self, view: View) -> None:
        self.set_class(view.kind == "author", "-view-author")
        self.set_class(view.kind == "disagreements", "-view-disagreements")
        self._repaint()

    def watch_suggesting(self, suggesting: bool) -> None:
        if not suggesting:
            self.session.stop_suggesting()  # forget the queue; `g` computes afresh
        self.set_class(suggesting, "-suggesting")
        self._repaint()

    def watch_show_panel(self, show: bool) -> None:
        self.panel.display = show
        if show:
            self._repaint()
        elif self.panel.has_focus:
            self.reader.focus()

    def _repaint(self, touched: set[str] | None = None) -> None:
        """Reader, panel, counts, list marks and overlays, from the store and session."""
        store, session = self.store, self.session
        article = session.article
        if article is None:
            return
        shown = session.visible()
        codebook = store.codebook
        self.reader.set_annotations(shown, codebook)  # type: ignore[arg-type]
        if self.panel.display:
            self.panel.show(shown, codebook, self._current_annotation_id())  # type: ignore[arg-type]
        self._update_rows((touched or set()) | {article.id})
        pending = session.needs_suggestions()
        if pending is not None:
            self._compute_suggestions(
                pending, codebook, list(session.annotations()), set(session.rejected)
            )
        suggested = session.shown_suggestions()
        self.reader.set_suggestions(
            [Mark(s.start, s.end, (s.theme,)) for s in suggested],
            [Mark(s.cue_start, s.cue_end, (s.theme,)) for s in suggested if s.cue_start >= 0],
        )
        badges = []
        if session.suggesting:
            badges.append(
                f"Suggestions {len(suggested) if session.suggestions_ready_here else '…'}"
            )
        if session.view != ALL:
            badges.append(f"View: {session.view.label}")
        self.mode = " · ".join(badges)

    def _update_rows(self, article_ids: set[str]) -> None:
        """These articles' list rows, and the counts in the status line."""
        store, codebook = self.store, self.store.codebook
        for article_id in article_ids:
            self.article_list.update_article(article_id, store.theme_counts(article_id), codebook)
        here = len(self.session.annotations())
        self.status.counts = (
            f"{here} here · {_plural(len(store), 'annotation')} · "
            f"{_plural(len(self.corpus), 'article')}"
        )

    def _current_annotation_id(self) -> str | None:
        ann = self.annotation_at_caret()
        return ann.id if ann else None

    class TextLoaded(Message):
        """A team article's text arrived from the server (or could not: `error`)."""

        def __init__(self, article_id: str, error: str = "") -> None:
            super().__init__()
            self.article_id = article_id
            self.error = error

    _wanted: str | None = None
    """A team article whose text is being fetched, to open when it arrives."""

    # -- routing -----------------------------------------------------------------------

    @on(ArticleList.OptionHighlighted, "#articles")
    def _article_highlighted(self, event: ArticleList.OptionHighlighted) -> None:
        # While a title filter is typed the highlight follows the best match, but the
        # open article stays until the analyst picks one (enter, or moving in the list).
        if event.option.id and not self.query_one("#filter", Input).has_focus:
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

    def go_to_article(self, article_id: str) -> None:
        """Open an article from another screen: list highlight follows, caret at the start."""
        self.article_list.highlight_id(article_id)
        self.open_article(article_id)
        self.reader.move_to_start()
        self.reader.focus()
        article = self.session.article
        # The message of the view we came from does not belong to this one.
        self.status.say(f"Opened ‘{_short(article.title)}’" if article else "")

    def jump_to(self, hit: Any) -> None:
        """Open a search hit's article with exactly its span selected, ready to tag."""
        if hit is None:  # escape: everything stays as it was
            return
        self.open_article(hit.article_id)
        self.article_list.highlight_id(hit.article_id)
        self.session.sentence_run = None
        self.reader.select_span(hit.start, hit.end)
        self.reader.focus()
        quote = " ".join(hit.text.split())
        quote = quote if len(quote) <= 50 else quote[:49] + "…"
        self.status.say(f"“{quote}” selected: 1-9 tags it, t picks a theme")

    # -- the filter --------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        article = self.session.article
        keep = article.id if article and not event.value else None
        self.article_list.filter(event.value, keep=keep)
        if event.value and not self.article_list.shown:
            self.status.say("No matching titles (the open article stays open)")
        elif not event.value and self.status.message.startswith("No matching titles"):
            self.status.say("")

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        chosen = self.article_list.highlighted_id
        if chosen:
            self.open_article(chosen)
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
        if self.suggesting:
            self.suggesting = False
            self.status.say("Suggestions hidden")
            return
        reader = self.reader
        start, end = reader.selected_span
        self.session.sentence_run = None
        if start != end:
            reader.selection = type(reader.selection).cursor(reader.selection.end)
        else:
            self.article_list.focus()

    def action_select_sentence(self) -> None:
        reader = self.reader
        span = self.session.sentence(reader.selected_span, reader.caret_offset)
        if span is None:
            self.status.say("No further sentence")
        elif span[0] != span[1]:
            reader.select_span(*span)

    def action_select_paragraph(self) -> None:
        span = self.session.paragraph(self.reader.caret_offset)
        if span:
            self.reader.select_span(*span)

    def _hint(self, message: str) -> None:
        """Say what to do next; the hint goes as soon as the selection changes, so it is
        never left saying "select a passage" over a selected one."""
        self.status.say(message)
        self._hint_shown = (message, self.reader.selection)

    @on(TextArea.SelectionChanged, "#reader")
    def _selection_changed(self, event: TextArea.SelectionChanged) -> None:
        hint = self._hint_shown
        if hint is not None and event.selection != hint[1]:
            self._hint_shown = None
            if self.status.message == hint[0]:
                self.status.say("")

    def annotation_at_caret(self) -> Annotation | None:
        """The annotation exactly selected, else the innermost one under the caret."""
        return self.session.annotation_at(self.reader.selected_span, self.reader.caret_offset)

    # -- changes -----------------------------------------------------------------------

    def run_change(self, fn, done=None):
        return self.app.run_change(fn, done)  # type: ignore[attr-defined]

    def toggle_theme_named(self, name: str) -> None:
        reader = self.reader
        result: ToggleResult | None = self.run_change(
            lambda: self.session.toggle(reader.selected_span, reader.caret_offset, name)
        )
        if result is None:
            return
        if result.outcome is Toggled.NO_PASSAGE:
            self._hint(NO_PASSAGE)
        else:
            self.status.say(TOGGLED[result.outcome].format(result.theme))

    def action_toggle_theme(self, hotkey: str) -> None:
        theme = self.store.codebook.by_hotkey(hotkey)
        if theme is None:
            self.status.say(f"No theme on key {hotkey} (t opens the theme picker)", error=True)
            return
        self.toggle_theme_named(theme.name)

    def action_pick_theme(self) -> None:
        from tui.dialogs.theme_picker import ThemePicker

        start, end = self.reader.selected_span
        if start == end and self.annotation_at_caret() is None:
            self._hint(NO_PASSAGE)  # before the picker, not after a theme is chosen
            return

        def chosen(result: tuple[str, bool] | None) -> None:
            if not result:
                return
            name, create = result
            if create:
                theme = self.run_change(
                    lambda: self.store.add_theme(name),
                    lambda t: f"Added theme {t.name} (key {t.hotkey or 'none'})",
                )
                if theme is None:
                    return
                name = theme.name
            self.toggle_theme_named(name)

        self.app.push_screen(ThemePicker(self.store), chosen)

    def action_edit_note(self) -> None:
        from tui.dialogs.note import NoteScreen

        ann = self.annotation_at_caret()
        if ann is None:
            self._hint("No annotation here: tag a passage first, then add a note")
            return

        def saved(note: str | None) -> None:
            if note is not None and note != ann.note:
                self.run_change(lambda: self.store.set_note(ann.id, note), "Note saved")

        self.app.push_screen(NoteScreen(ann.note, ann.exact), saved)

    def action_delete_annotation(self) -> None:
        if self.suggesting and self._reject_suggestion():  # x on a suggestion rejects it
            return
        ann = self.annotation_at_caret()
        if ann is None:
            self.status.say("No annotation at the caret")
            return
        self.run_change(
            lambda: self.store.delete(ann.id), f"Deleted {', '.join(ann.themes)} (u to undo)"
        )

    def _step(self, forward: bool) -> None:
        if self.session.article is None:
            return
        if self.suggesting:
            self._step_suggestion(forward)
            return
        step = self.session.step(self.reader.selected_span, forward)
        if step is None:
            self.status.say("No annotations in this article")
            return
        target = step.item
        self.reader.select_span(target.start, target.end)
        if self.panel.display:
            self.panel.show(self.session.visible(), self.store.codebook, target.id)  # type: ignore[arg-type]
        self.status.say(f"{step.index + 1}/{step.total}: {', '.join(target.themes)}")

    def action_next_annotation(self) -> None:
        self._step(True)

    def action_prev_annotation(self) -> None:
        self._step(False)

    def _undo_redo(self, redo: bool) -> None:
        store = self.store
        change = store.peek_redo() if redo else store.peek_undo()
        label = self.run_change(store.redo if redo else store.undo)
        if label:
            where = self._show_change(change, redo)
            self.status.say(f"{'Redid' if redo else 'Undid'}: {label}{where}")
        elif not store.read_only:
            self.status.say(f"Nothing to {'redo' if redo else 'undo'}")

    def _show_change(self, change, redo: bool) -> str:
        """Go to the passage an undo/redo changed when it is in another article; returns
        " in ‘Title’" to say where, or "" when it was here (or only the codebook)."""
        if change is None:
            return ""
        records = (change.after + change.before) if redo else (change.before + change.after)
        if not records:
            return ""
        target = records[0]
        open_ = self.session.article
        if open_ is not None and target.article_id == open_.id:
            return ""
        self.article_list.highlight_id(target.article_id)
        self.open_article(target.article_id)
        article = self.session.article
        if article is None or article.id != target.article_id:
            return ""
        if 0 <= target.start < target.end <= len(article.text):
            self.reader.select_span(target.start, target.end)
        return f" in ‘{_short(article.title)}’"

    def action_undo(self) -> None:
        self._undo_redo(False)

    def action_toggle_done(self) -> None:
        """`D`: mark the open article done for this analyst (agreement reads it), or unmark."""
        article = self.session.article
        if article is None:
            return
        done = not self.store.is_done(article.id)
        self.run_change(
            lambda: self.store.set_done(article.id, done),
            f"Marked done (u undoes) · {len(self.store.done_articles())} done"
            if done
            else "Marked not done",
        )

    def action_redo(self) -> None:
        self._undo_redo(True)

    # -- panes and screens -------------------------------------------------------------

    def action_toggle_panel(self) -> None:
        self.show_panel = not self.show_panel

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.workspace), self.jump_to)

    def action_retrieve(self) -> None:
        from tui.screens.retrieve import RetrieveScreen

        self.app.push_screen(RetrieveScreen(self.workspace), self.jump_to)

    def action_export(self) -> None:
        from tui.dialogs.export import ExportScreen

        self.app.push_screen(ExportScreen(self.workspace, self.session.article))

    def action_codebook(self) -> None:
        from tui.dialogs.codebook import CodebookScreen

        self.app.push_screen(CodebookScreen(self.store))

    def action_dashboard(self) -> None:
        from tui.screens.dashboard import DashboardScreen

        def chosen(article_id: str | None) -> None:
            if article_id:
                self.go_to_article(article_id)

        self.app.push_screen(DashboardScreen(self.store, self.corpus), chosen)

    def action_review_orphans(self) -> None:
        from tui.screens.orphans import OrphanScreen

        if self.store.read_only:
            self.status.say("Read-only: orphans cannot be resolved here", error=True)
            return
        screen = OrphanScreen(self.store, self.corpus)
        if not screen.queue:
            self.status.say("No orphaned annotations")
            return

        def closed(resolved: int | None) -> None:
            self.status.say(f"{resolved or 0} orphaned annotation(s) resolved")

        self.app.push_screen(screen, closed)

    # -- the view and suggestions ------------------------------------------------------

    def action_cycle_author_view(self) -> None:
        self.view = self.session.cycle_view()
        # The badge names the view; the message says how to change it.
        self.status.say("View: all annotations" if self.view == ALL else "A shows the next view")

    def action_toggle_suggestions(self) -> None:
        if self.suggesting:
            self.suggesting = False
            self.status.say("Suggestions hidden")
            return
        if self.session.article is None:
            return
        self.session.start_suggesting()
        self.suggesting = True  # the repaint starts the worker
        self.status.say("Suggestions: computing…")

    @work(thread=True, exclusive=True, group="suggestions", exit_on_error=False)
    def _compute_suggestions(
        self, article: Article, codebook: Codebook, existing: list[Annotation], rejected: set[str]
    ) -> None:
        # Inputs are copies taken on the UI thread; the result comes back as a message.
        try:
            found = suggest_for_article(article, codebook, existing, frozenset(rejected))
        except Exception as exc:
            self.post_message(self.SuggestionsReady(article.id, None, str(exc)))
        else:
            self.post_message(self.SuggestionsReady(article.id, found))

    @on(SuggestionsReady)
    def _suggestions_ready(self, message: SuggestionsReady) -> None:
        if not self.session.suggestions_ready(message.article_id, message.found):
            return  # the analyst moved on (or left suggestion mode) meanwhile
        if message.found is None:
            self.suggesting = False
            self.status.say(f"Could not compute suggestions: {message.error}", error=True)
            return
        self._repaint()
        shown = len(self.session.shown_suggestions())
        self.status.say(f"Suggestions: {shown} ({SUGGESTION_KEYS})")

    def _step_suggestion(self, forward: bool) -> None:
        step = self.session.step_suggestion(self.reader.selected_span, forward)
        if step is None:
            self.status.say("No suggestions here (g hides suggestion mode)")
            return
        s = step.item
        assert isinstance(s, Suggestion)
        self.reader.select_span(s.start, s.end)
        self.status.say(
            f"{step.index + 1}/{step.total}: {s.theme} (cue “{s.cue}”, {s.score:.0f}%) "
            "· y accept, x reject"
        )

    def suggestion_at_caret(self) -> Suggestion | None:
        return self.session.suggestion_at(self.reader.selected_span, self.reader.caret_offset)

    def action_accept_suggestion(self) -> None:
        if not self.suggesting:
            self.status.say("No suggestions shown: g shows them")
            return
        s = self.suggestion_at_caret()
        if s is None:
            self.status.say("No suggestion at the caret (]/[ move between suggestions)")
            return
        self.run_change(
            lambda: self.session.accept(s),
            lambda _: (
                f"Accepted {s.theme} (u undoes) · {len(self.session.shown_suggestions())} left"
            ),
        )

    def action_reject_suggestion(self) -> None:
        if not (self.suggesting and self._reject_suggestion()):
            self.status.say("No suggestion at the caret")

    def _reject_suggestion(self) -> bool:
        """`x` while suggesting: reject the suggestion at the caret. False when there is none."""
        s = self.suggestion_at_caret()
        if s is None:
            return False
        reader = self.reader

        def reject() -> bool:
            self.session.reject(s)
            reader.selection = type(reader.selection).cursor(reader.selection.end)
            return True

        saved = self.run_change(
            reject,
            lambda _: (
                f"Rejected {s.theme} here (not suggested again) · "
                f"{len(self.session.shown_suggestions())} left"
            ),
        )
        article = self.session.article
        edits = teach_options(self.store.codebook, s, article.text) if article else []
        if saved is not None:
            self._offer_cue_edits(s, edits)
        return True

    def _offer_cue_edits(self, s: Suggestion, edits: list[CueEdit]) -> None:
        """After a rejection: drop or narrow the cue that made the suggestion, or keep it."""
        if not edits or self.store.read_only:
            return
        from tui.dialogs.cue import CueDialog

        def chosen(edit: CueEdit | None) -> None:
            if edit is None:
                return
            changed = self.run_change(
                lambda: self.store.set_theme_cues(edit.theme, edit.cues) or True,
                f"Cues of {edit.theme}: {', '.join(edit.cues) or 'none'} (u undoes)",
            )
            if changed is not None and self.suggesting:  # new cues: suggest afresh
                self.session.start_suggesting()
                self._repaint()

        question = (
            f"Rejected {s.theme}. It was suggested for the cue “{s.cue}”. Teach the cue list?"
        )
        self.app.push_screen(CueDialog(question, edits), chosen)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _short(title: str, limit: int = 40) -> str:
    flat = " ".join(title.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
