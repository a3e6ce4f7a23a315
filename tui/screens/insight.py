"""Analyst insight on the main screen: dashboard, orphan review, suggestions, author views.

A base class of `MainScreen` (a `Screen`, so Textual merges its bindings), kept
apart so the annotating screen stays about annotating. `MainScreen` calls five
hooks: `visible_annotations()` (what the reader and panel show),
`paint_overlays()` (after every repaint), and `step_suggestion()` /
`reject_suggestion_at_caret()` / `leave_suggestions()` where `]`, `[`, `x` and
`escape` change meaning while suggestions are shown.

Suggestions are computed in a thread worker, held in memory and only saved when
accepted (`y` tags through the store, so `u` undoes it); a rejection (`x`) is
stored with `store.reject` so it stays hidden next time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from annotations.analysis.agreement import disagreements
from annotations.analysis.suggest import Suggestion, suggest_for_article
from annotations.corpus import Article
from annotations.model import Annotation
from annotations.themes import Codebook
from tui.widgets.reader import Mark

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from annotations.corpus import Corpus
    from annotations.store.protocol import Store
    from annotations.workspace import Workspace
    from tui.widgets.article_list import ArticleList
    from tui.widgets.reader import Reader
    from tui.widgets.status import StatusLine

DISAGREEMENTS = "disagreements"
SUGGESTION_KEYS = "y accept, x reject, ]/[ move, g hide"


def disagreement_marks(
    article: Article, anns: list[Annotation], team: list[str]
) -> list[Annotation]:
    """The article's disagreements as view-only annotations (for the reader and panel).

    Their note says who coded the passage and who did not; their ids start with
    "disagreement:" and exist nowhere in the store, so editing keys (which look
    annotations up in the store) still act on the real ones underneath.
    """
    out = []
    for d in disagreements(anns, authors=team):
        out.append(
            Annotation(
                id=f"disagreement:{d.theme}:{d.start}:{d.end}",
                article_id=d.article_id,
                article_sha256=article.sha256,
                start=d.start,
                end=d.end,
                exact=article.text[d.start : d.end],
                prefix="",
                suffix="",
                themes=(d.theme,),
                note=f"coded by {', '.join(d.coded_by)}; not by {', '.join(d.not_by)}",
            )
        )
    return out


class InsightActions(Screen):
    # Out of the footer (it is full at 120 columns): the help screen and the palette
    # list them, and the status line names the keys while a mode is on.
    BINDINGS = [
        Binding(
            "d",
            "dashboard",
            "Dashboard: themes across the corpus",
            show=False,
            id="insight.dashboard",
        ),
        Binding(
            "o", "review_orphans", "Review orphaned annotations", show=False, id="insight.orphans"
        ),
        Binding(
            "g", "toggle_suggestions", "Suggestions: show / hide", show=False, id="suggest.toggle"
        ),
        Binding("y", "accept_suggestion", "Accept suggestion", show=False, id="suggest.accept"),
        Binding(
            "A",
            "cycle_author_view",
            "View: all / one author / disagreements",
            show=False,
            id="view.authors",
        ),
    ]

    if TYPE_CHECKING:  # provided by MainScreen
        workspace: Workspace
        store: Store
        corpus: Corpus
        article: Article | None
        reader: Reader
        article_list: ArticleList
        status: StatusLine

        def refresh_annotations(self, touched: set[str] | None = None) -> None: ...
        def open_article(self, article_id: str) -> None: ...
        def _change(self, fn: Callable[[], Any], touched: set[str] | None = None) -> Any: ...

    class SuggestionsReady(Message):
        def __init__(
            self, article_id: str, found: list[Suggestion] | None, error: str = ""
        ) -> None:
            super().__init__()
            self.article_id = article_id
            self.found = found
            self.error = error

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggesting = False
        self._suggestions: list[Suggestion] = []  # as computed for `_suggest_article`
        self._suggest_article: str | None = None  # the article `_suggestions` belong to
        self._suggest_pending: str | None = None  # the article being computed
        self._rejected: set[str] = set()
        self.shown_suggestions: list[Suggestion] = []  # minus accepted / rejected, text order
        self._suggest_current: int | None = None
        self.view: str | tuple[str, str] | None = None  # None all, ("author", name), DISAGREEMENTS
        self._team: list[str] = []

    def on_mount(self) -> None:
        # Textual calls this as well as MainScreen.on_mount (handlers run along the MRO).
        report = self.workspace.anchoring
        if report:
            message = f"Text changed: {report.message()}"
            if report.orphaned:
                message += " · o reviews orphans"
            self.status.say(message)
            self.notify(message, title="Re-anchoring", markup=False)

    # -- dashboard and orphans ---------------------------------------------------------

    def action_dashboard(self) -> None:
        from tui.screens.dashboard import DashboardScreen

        def chosen(article_id: str | None) -> None:
            if article_id:
                self.go_to_article(article_id)

        self.app.push_screen(DashboardScreen(self.store, self.corpus), chosen)

    def go_to_article(self, article_id: str) -> None:
        """Open an article from another screen: list highlight follows, caret at the start."""
        self.article_list.highlight_id(article_id)
        self.open_article(article_id)
        self.reader.move_to_start()
        self.reader.focus()

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
            self.article_list.load(self.store.summary(), self.store.codebook)
            self.refresh_annotations()
            self.status.say(f"{resolved or 0} orphaned annotation(s) resolved")

        self.app.push_screen(screen, closed)

    # -- what the reader shows ---------------------------------------------------------

    def visible_annotations(self, article: Article, anns: list[Annotation]) -> list[Annotation]:
        """The annotations the current view paints and lists (all, one author's, disagreements)."""
        view = self.view
        if view is None:
            return anns
        if view == DISAGREEMENTS:
            return disagreement_marks(article, anns, self._team)
        author = view[1]
        return [a for a in anns if a.author == author]

    def action_cycle_author_view(self) -> None:
        self._team = self.store.authors()
        views: list[str | tuple[str, str] | None] = [None]
        views += [("author", a) for a in self._team]
        views.append(DISAGREEMENTS)
        i = views.index(self.view) if self.view in views else 0
        self.view = views[(i + 1) % len(views)]
        self.refresh_annotations()
        # The badge names the view; the message says how to change it.
        self.status.say("View: all annotations" if self.view is None else "A shows the next view")

    def _view_label(self) -> str:
        if self.view is None:
            return "all annotations"
        if self.view == DISAGREEMENTS:
            return "disagreements only"
        return f"{self.view[1] or '(no author)'}'s annotations"

    def paint_overlays(self, article: Article, anns: list[Annotation]) -> None:
        """After a repaint: suggestions (minus those now coded or rejected) and the mode badge."""
        if self.suggesting and article.id not in (self._suggest_article, self._suggest_pending):
            self._start_suggestions(article)
        self.shown_suggestions = self._filtered(anns) if self.suggesting else []
        self.reader.set_suggestions(
            [Mark(s.start, s.end, (s.theme,)) for s in self.shown_suggestions]
        )
        badges = []
        if self.suggesting:
            ready = self._suggest_article == article.id
            badges.append(f"Suggestions {len(self.shown_suggestions) if ready else '…'}")
        if self.view is not None:
            badges.append(f"View: {self._view_label()}")
        self.status.mode = " · ".join(badges)

    # -- suggestions -------------------------------------------------------------------

    def _filtered(self, anns: list[Annotation]) -> list[Suggestion]:
        if self.article is None or self._suggest_article != self.article.id:
            return []
        text = self.article.text
        order = {name: i for i, name in enumerate(self.store.codebook.names())}
        kept = [
            s
            for s in self._suggestions
            if not any(s.theme in a.themes and a.overlaps(s.start, s.end) for a in anns)
            and s.key(text) not in self._rejected
        ]
        return sorted(kept, key=lambda s: (s.start, s.end, order.get(s.theme, len(order))))

    def action_toggle_suggestions(self) -> None:
        if self.suggesting:
            self.leave_suggestions()
            return
        if self.article is None:
            return
        self.suggesting = True
        self._suggest_article = self._suggest_pending = None
        self._rejected = self.store.rejections()
        self.refresh_annotations()  # starts the worker through paint_overlays
        self.status.say("Suggestions: computing…")

    def leave_suggestions(self) -> bool:
        """Hide suggestions; False when they were not shown (escape keeps its meaning)."""
        if not self.suggesting:
            return False
        self.suggesting = False
        self._suggestions, self._suggest_current = [], None
        self._suggest_article = self._suggest_pending = None
        self.refresh_annotations()
        self.status.say("Suggestions hidden")
        return True

    def _start_suggestions(self, article: Article) -> None:
        self._suggest_article, self._suggest_pending = None, article.id
        self._suggestions = []
        self._compute_suggestions(
            article, self.store.codebook, list(self.store.for_article(article.id)), self._rejected
        )

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
        if message.article_id != self._suggest_pending:
            return  # the analyst moved on (or left suggestion mode) meanwhile
        self._suggest_pending = None
        if not self.suggesting or self.article is None or message.article_id != self.article.id:
            return
        if message.found is None:
            self.suggesting = False
            self.status.say(f"Could not compute suggestions: {message.error}", error=True)
            self.refresh_annotations()
            return
        self._suggestions, self._suggest_article = message.found, message.article_id
        self._suggest_current = None
        self.refresh_annotations()
        self.status.say(f"Suggestions: {len(self.shown_suggestions)} ({SUGGESTION_KEYS})")

    def suggestion_at_caret(self) -> Suggestion | None:
        """The suggestion selected (as `]` selects it), else the best one under the caret."""
        shown = self.shown_suggestions
        if not shown:
            return None
        start, end = self.reader.selected_span
        current = self._suggest_current
        if start != end:
            if current is not None and current < len(shown):
                s = shown[current]
                if (s.start, s.end) == (start, end):
                    return s
            exact = [s for s in shown if (s.start, s.end) == (start, end)]
            if exact:
                return exact[0]
        caret = self.reader.caret_offset
        hits = [s for s in shown if s.start <= caret < s.end] or [
            s for s in shown if s.start <= caret <= s.end
        ]
        return max(hits, key=lambda s: s.score) if hits else None

    def step_suggestion(self, forward: bool) -> bool:
        """`]`/`[` while suggesting: select the next/previous suggestion. False otherwise."""
        if not self.suggesting:
            return False
        shown = self.shown_suggestions
        if not shown:
            self.status.say("No suggestions here (g hides suggestion mode)")
            return True
        start, end = self.reader.selected_span
        current = self._suggest_current
        if (
            current is not None
            and current < len(shown)
            and (shown[current].start, shown[current].end) == (start, end)
        ):
            i = (current + (1 if forward else -1)) % len(shown)
        elif forward:
            i = next((k for k, s in enumerate(shown) if s.start >= start), 0)
        else:
            i = next((k for k in range(len(shown) - 1, -1, -1) if shown[k].start < start), -1)
            i %= len(shown)
        self._select_suggestion(i)
        return True

    def _select_suggestion(self, i: int) -> None:
        s = self.shown_suggestions[i]
        self._suggest_current = i
        self.reader.select_span(s.start, s.end)
        self.status.say(
            f"{i + 1}/{len(self.shown_suggestions)}: {s.theme} (cue “{s.cue}”, {s.score:.0f}%) "
            "· y accept, x reject"
        )

    def action_accept_suggestion(self) -> None:
        if not self.suggesting:
            self.status.say("No suggestions shown: g shows them")
            return
        s = self.suggestion_at_caret()
        article = self.article
        if s is None or article is None:
            self.status.say("No suggestion at the caret (]/[ move between suggestions)")
            return
        if self._change(lambda: self.store.tag(article, s.start, s.end, [s.theme])) is not None:
            self._suggest_current = None
            self.status.say(f"Accepted {s.theme} (u undoes) · {len(self.shown_suggestions)} left")

    def action_reject_suggestion(self) -> None:
        if not self.reject_suggestion_at_caret():
            self.status.say("No suggestion at the caret")

    def reject_suggestion_at_caret(self) -> bool:
        """`x` while suggesting: reject the suggestion at the caret. False when there is none."""
        if not self.suggesting:
            return False
        s = self.suggestion_at_caret()
        article = self.article
        if s is None or article is None:
            return False
        key = s.key(article.text)

        def reject() -> bool:
            self.store.reject(key, article_id=s.article_id, theme=s.theme, cue=s.cue)
            self._rejected.add(key)
            return True

        if self._change(reject) is not None:
            self._suggest_current = None
            self.reader.selection = type(self.reader.selection).cursor(self.reader.selection.end)
            self.status.say(
                f"Rejected {s.theme} here (not suggested again) · "
                f"{len(self.shown_suggestions)} left"
            )
        return True
