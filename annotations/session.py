"""One analyst's editing session: the open article, what is selected, shown and suggested.

Plain Python (no Textual): the main screen calls these methods with the reader's
selection and renders what they return; the CLI and tests can drive the same
rules. Store writes go through the store's own methods, so every change is one
journal record and one undo entry, and the store notifies its listeners.
Outcomes are enums and dataclasses; wording them is the caller's job.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from annotations.analysis.agreement import disagreements
from annotations.analysis.suggest import Suggestion
from annotations.corpus import Article, Corpus
from annotations.model import Annotation
from annotations.store.protocol import Store
from annotations.text import segment

Span = tuple[int, int]


def strip_span(text: str, start: int, end: int) -> Span:
    """The span without leading/trailing whitespace (the passage a coder means)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def next_sentence_after(text: str, end: int) -> Span | None:
    """The first sentence starting at or after `end`, whitespace stripped."""
    found = segment.next_sentence_after(text, end)
    return strip_span(text, *found) if found else None


class Toggled(enum.Enum):
    """What toggling a theme on a passage did."""

    TAGGED = "tagged"  # a new annotation
    ADDED = "added"  # the theme joined an existing annotation
    REMOVED = "removed"  # the theme left an annotation that keeps others
    DELETED = "deleted"  # the theme was the annotation's last: it is gone
    NO_PASSAGE = "no passage"  # nothing selected and no annotation at the caret


@dataclass(frozen=True, slots=True)
class ToggleResult:
    outcome: Toggled
    theme: str = ""
    annotation: Annotation | None = None


@dataclass(frozen=True, slots=True)
class View:
    """Which annotations the reader shows: all, one author's, or disagreements."""

    kind: str = "all"  # "all" | "author" | "disagreements"
    author: str = ""

    @property
    def label(self) -> str:
        if self.kind == "all":
            return "all annotations"
        if self.kind == "disagreements":
            return "disagreements only"
        return f"{self.author or '(no author)'}'s annotations"


ALL = View()
DISAGREEMENTS = View("disagreements")


@dataclass(frozen=True, slots=True)
class DisagreementMark:
    """A passage some authors coded with a theme and others did not: view-only.

    Not an `Annotation` and never in the store: editing acts on the real
    annotations underneath, found by offset.
    """

    article_id: str
    start: int
    end: int
    theme: str
    exact: str
    coded_by: tuple[str, ...]
    not_by: tuple[str, ...]

    @property
    def id(self) -> str:  # a key for lists (unique per article and view)
        return f"{self.theme}\x1f{self.start}\x1f{self.end}"

    @property
    def themes(self) -> tuple[str, ...]:
        return (self.theme,)

    @property
    def note(self) -> str:
        return f"coded by {', '.join(self.coded_by)}; not by {', '.join(self.not_by)}"


Shown = Annotation | DisagreementMark


@dataclass(frozen=True, slots=True)
class Step:
    """Where `]`/`[` landed: the item, its position and how many there are."""

    item: Shown | Suggestion
    index: int
    total: int


class AnnotatingSession:
    """The open article, sentence runs, the view and the suggestion queue."""

    def __init__(self, store: Store, corpus: Corpus) -> None:
        self.store = store
        self.corpus = corpus
        self.article: Article | None = None
        self.sentence_run: Span | None = None  # the span the last sentence step selected
        self.view: View = ALL
        self._team: list[str] = []
        # Suggestions: computed elsewhere (a worker) for one article, kept in memory.
        self.suggesting = False
        self.suggestions: list[Suggestion] = []
        self.suggestions_for: str | None = None  # article the suggestions belong to
        self.pending: str | None = None  # article being computed
        self.rejected: set[str] = set()
        self.current_suggestion: int | None = None

    # -- the article -------------------------------------------------------------------

    def open(self, article_id: str) -> Article | None:
        """Open an article; None when it is unknown or already open."""
        article = self.corpus.get(article_id)
        if article is None or article is self.article:
            return None
        self.article = article
        self.sentence_run = None
        return article

    def reopen(self) -> Article | None:
        """Open the current article again (its text was reloaded from disk)."""
        if self.article is None:
            return None
        article_id, self.article = self.article.id, None
        return self.open(article_id)

    def annotations(self) -> list[Annotation]:
        return self.store.for_article(self.article.id) if self.article else []

    # -- selecting ---------------------------------------------------------------------

    def normalise(self, span: Span) -> Span:
        return strip_span(self.article.text, *span) if self.article else span

    def sentence(self, selection: Span, caret: int) -> Span | None:
        """`s`: the sentence at the caret, or the run so far plus the next sentence.

        Returns None when a run cannot grow (no further sentence).
        """
        if self.article is None:
            return None
        text = self.article.text
        if self.sentence_run is not None and selection == self.sentence_run:
            nxt = next_sentence_after(text, selection[1])
            if nxt is None:
                return None
            span = (selection[0], nxt[1])
        else:
            found = segment.sentence_at(text, caret)
            span = strip_span(text, *found) if found else (caret, caret)
        self.sentence_run = span if span[0] != span[1] else None
        return span

    def paragraph(self, caret: int) -> Span | None:
        if self.article is None:
            return None
        found = segment.paragraph_at(self.article.text, caret)
        self.sentence_run = None
        return strip_span(self.article.text, *found) if found else None

    def annotation_at(self, selection: Span, caret: int) -> Annotation | None:
        """The annotation exactly selected, else the innermost one under the caret."""
        if self.article is None:
            return None
        start, end = selection
        if start != end:
            exact = self.store.exact(self.article.id, *self.normalise(selection))
            if exact is not None:
                return exact
        hits = self.store.at(self.article.id, caret)
        if not hits and start != end:
            hits = self.store.at(self.article.id, start)
        return hits[0] if hits else None

    # -- changing ----------------------------------------------------------------------

    def toggle(self, selection: Span, caret: int, theme: str) -> ToggleResult:
        """Toggle `theme` on the selected passage, else on the annotation at the caret.

        Raises the store's errors (read-only, failed save, unknown theme).
        """
        article = self.article
        if article is None:
            return ToggleResult(Toggled.NO_PASSAGE)
        name = self.store.codebook.require(theme).name
        start, end = self.normalise(selection)
        if start != end:
            ann = self.store.exact(article.id, start, end)
            if ann is None:
                return ToggleResult(
                    Toggled.TAGGED, name, self.store.tag(article, start, end, [name])
                )
        else:
            ann = self.annotation_at(selection, caret)
            if ann is None:
                return ToggleResult(Toggled.NO_PASSAGE, name)
        if name not in ann.themes:
            updated = self.store.set_themes(ann.id, [*ann.themes, name], f"add {name}")
            return ToggleResult(Toggled.ADDED, name, updated)
        remaining = [t for t in ann.themes if t != name]
        if not remaining:
            self.store.delete(ann.id, label=f"untag {name}")
            return ToggleResult(Toggled.DELETED, name)
        updated = self.store.set_themes(ann.id, remaining, f"remove {name}")
        return ToggleResult(Toggled.REMOVED, name, updated)

    # -- the view ----------------------------------------------------------------------

    def cycle_view(self) -> View:
        """All → each author → disagreements → all."""
        self._team = self.store.authors()
        views = [ALL, *(View("author", a) for a in self._team), DISAGREEMENTS]
        i = views.index(self.view) if self.view in views else 0
        self.view = views[(i + 1) % len(views)]
        return self.view

    def visible(self) -> list[Shown]:
        """What the reader paints and the panel lists for the open article."""
        article = self.article
        if article is None:
            return []
        anns = self.annotations()
        if self.view.kind == "all":
            return list(anns)
        if self.view.kind == "author":
            return [a for a in anns if a.author == self.view.author]
        return [
            DisagreementMark(
                d.article_id,
                d.start,
                d.end,
                d.theme,
                article.text[d.start : d.end],
                d.coded_by,
                d.not_by,
            )
            for d in disagreements(anns, authors=self._team)
        ]

    def step(self, selection: Span, forward: bool) -> Step | None:
        """`]`/`[`: the next/previous shown item after the selection, wrapping around."""
        items = self.visible()
        if not items:
            return None
        start, end = selection
        if start == end:  # just a caret: the first item starting at / before it
            if forward:
                target = next((a for a in items if a.start >= start), items[0])
            else:
                target = next((a for a in reversed(items) if a.start < start), items[-1])
        elif forward:  # from the selected passage, in text order (start, longer first)
            target = next((a for a in items if (a.start, -a.end) > (start, -end)), items[0])
        else:
            earlier = [a for a in items if (a.start, -a.end) < (start, -end)]
            target = earlier[-1] if earlier else items[-1]
        self.sentence_run = None
        return Step(target, items.index(target), len(items))

    # -- suggestions -------------------------------------------------------------------

    def start_suggesting(self) -> None:
        self.suggesting = True
        self.suggestions, self.suggestions_for, self.pending = [], None, None
        self.current_suggestion = None
        self.rejected = self.store.rejections()

    def stop_suggesting(self) -> bool:
        """Leave suggestion mode; False when it was not on."""
        if not self.suggesting:
            return False
        self.suggesting = False
        self.suggestions, self.suggestions_for, self.pending = [], None, None
        self.current_suggestion = None
        return True

    def needs_suggestions(self) -> Article | None:
        """The article to compute suggestions for, when suggesting and not done or under way.

        Marks it pending: call `suggestions_ready` with the result.
        """
        article = self.article
        if not self.suggesting or article is None:
            return None
        if article.id in (self.suggestions_for, self.pending):
            return None
        self.suggestions, self.suggestions_for, self.pending = [], None, article.id
        return article

    def suggestions_ready(self, article_id: str, found: list[Suggestion] | None) -> bool:
        """Take a computed result; False when it is stale (the analyst moved on).

        `found` None means the computation failed: suggestion mode ends.
        """
        if article_id != self.pending:
            return False
        self.pending = None
        if not self.suggesting or self.article is None or article_id != self.article.id:
            return False
        if found is None:
            self.stop_suggesting()
            return True
        self.suggestions, self.suggestions_for = found, article_id
        self.current_suggestion = None
        return True

    @property
    def suggestions_ready_here(self) -> bool:
        return self.article is not None and self.suggestions_for == self.article.id

    def shown_suggestions(self) -> list[Suggestion]:
        """Suggestions for the open article, minus those coded or rejected, in text order."""
        if not self.suggesting or not self.suggestions_ready_here or self.article is None:
            return []
        text, anns = self.article.text, self.annotations()
        order = {name: i for i, name in enumerate(self.store.codebook.names())}
        kept = [
            s
            for s in self.suggestions
            if not any(s.theme in a.themes and a.overlaps(s.start, s.end) for a in anns)
            and s.key(text) not in self.rejected
        ]
        return sorted(kept, key=lambda s: (s.start, s.end, order.get(s.theme, len(order))))

    def suggestion_at(self, selection: Span, caret: int) -> Suggestion | None:
        """The suggestion selected (as stepping selects it), else the best one under the caret."""
        shown = self.shown_suggestions()
        if not shown:
            return None
        start, end = selection
        current = self.current_suggestion
        if start != end:
            if current is not None and current < len(shown):
                s = shown[current]
                if (s.start, s.end) == (start, end):
                    return s
            exact = [s for s in shown if (s.start, s.end) == (start, end)]
            if exact:
                return exact[0]
        hits = [s for s in shown if s.start <= caret < s.end] or [
            s for s in shown if s.start <= caret <= s.end
        ]
        return max(hits, key=lambda s: s.score) if hits else None

    def step_suggestion(self, selection: Span, forward: bool) -> Step | None:
        """The next/previous shown suggestion, wrapping; None when there are none."""
        shown = self.shown_suggestions()
        if not shown:
            return None
        start, end = selection
        current = self.current_suggestion
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
        self.current_suggestion = i
        return Step(shown[i], i, len(shown))

    def accept(self, suggestion: Suggestion) -> Annotation:
        """Tag the suggested passage (undoable). Raises the store's errors."""
        if self.article is None:
            raise KeyError("no article open")
        ann = self.store.tag(self.article, suggestion.start, suggestion.end, [suggestion.theme])
        self.current_suggestion = None
        return ann

    def reject(self, suggestion: Suggestion) -> None:
        """Remember a rejection so the suggestion stays hidden. Raises the store's errors."""
        if self.article is None:
            raise KeyError("no article open")
        key = suggestion.key(self.article.text)
        self.store.reject(
            key, article_id=suggestion.article_id, theme=suggestion.theme, cue=suggestion.cue
        )
        self.rejected.add(key)
        self.current_suggestion = None
