"""The store interface: what the session, formats, analysis, workspace and TUI may call.

Two backends implement it: `tinydb_store.AnnotationStore` (one file, one writer,
the default) and `postgres.PostgresStore` (a team on one server). Code outside
`annotations/store/` should type its store as `Store` and use only these
members; anything backend-specific (TinyDB's `storage`, `db`, `compact`) belongs
to tools for that backend, such as `doctor`.

Contract (tested for every backend in `tests/core/test_store_contract.py`):

* Reads return `Annotation`s; `for_article` is in text order (start, then longer
  first, then created, then id); `all()` streams article by article in
  `article_ids()` order.
* Every public change is one all-or-nothing write and, unless said otherwise,
  one entry on the undo stack; `undo`/`redo` return the change's label.
  Subscribers hear of each change after it is saved, never of a failed one.
  Toggling a theme on a passage is the session's (`annotations.session`).
* Failures raise `StoreError` subclasses with one-line messages: `ReadOnlyError`,
  `StaleEditError` (someone else changed it first), `NotAllowedError` (the
  user's role may not); `KeyError` for an unknown annotation id and
  `ThemeError` for codebook mistakes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from annotations.corpus import Article
from annotations.coverage import Done
from annotations.model import Annotation
from annotations.themes import Codebook, Theme


@dataclass(slots=True)
class Change:
    """One undoable change: annotation records before and after, the codebook, coverage."""

    label: str
    before: list[Annotation] = field(default_factory=list)
    after: list[Annotation] = field(default_factory=list)
    codebook_before: Codebook | None = None
    codebook_after: Codebook | None = None
    # Done marks by `Done.key` (analyst and article); None means no record.
    coverage_before: dict[str, Done | None] = field(default_factory=dict)
    coverage_after: dict[str, Done | None] = field(default_factory=dict)

    @property
    def articles(self) -> set[str]:
        """Ids of the articles whose annotations the change touches."""
        return {a.article_id for a in self.before} | {a.article_id for a in self.after}

    def reversed(self, label: str | None = None) -> Change:
        """The change that undoes this one (labelled `label`, or as this one)."""
        return Change(
            self.label if label is None else label,
            self.after,
            self.before,
            self.codebook_after,
            self.codebook_before,
            self.coverage_after,
            self.coverage_before,
        )


@runtime_checkable
class Store(Protocol):
    """Annotations, the codebook and rejected suggestions, saved on every change."""

    read_only: bool
    author: str  # recorded on new annotations

    @property
    def location(self) -> str:
        """Where the data lives, for people: a file path or a URL without its password."""
        ...

    # -- change notification
    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call `listener` after each saved change (undo and redo: the change as
        written; a rejection: an empty change). Returns an unsubscribe function."""
        ...

    # -- lifecycle
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...

    # -- reading
    def __len__(self) -> int: ...
    def __contains__(self, annotation_id: object) -> bool: ...
    def get(self, annotation_id: str) -> Annotation | None: ...
    def for_article(self, article_id: str) -> list[Annotation]: ...
    def article_ids(self) -> list[str]:
        """Articles with at least one annotation, sorted."""
        ...

    def all(self) -> Iterator[Annotation]: ...
    def at(self, article_id: str, offset: int) -> list[Annotation]:
        """Annotations covering `offset`, innermost (shortest) first."""
        ...

    def exact(self, article_id: str, start: int, end: int) -> Annotation | None: ...
    def theme_counts(self, article_id: str) -> Counter[str]: ...
    def summary(self) -> dict[str, Counter[str]]:
        """Per annotated article: annotations per theme."""
        ...

    def authors(self) -> list[str]: ...
    def annotation_count(self, article_id: str) -> int: ...
    def article_hashes(self) -> dict[str, set[str]]:
        """Per annotated article, the article hashes its annotations were made on
        (re-anchoring looks only at articles whose text changed since)."""
        ...

    # -- codebook
    @property
    def codebook(self) -> Codebook: ...
    def add_theme(
        self,
        name: str,
        color: str | None = None,
        hotkey: str | None = None,
        cues: tuple[str, ...] = (),
    ) -> Theme: ...
    def recolor_theme(self, name: str, color: str) -> None: ...
    def set_theme_hotkey(self, name: str, hotkey: str) -> None: ...
    def set_theme_cues(self, name: str, cues: tuple[str, ...]) -> None: ...
    def rename_theme(self, old: str, new: str) -> int: ...
    def theme_usage(self, name: str) -> int: ...
    def remove_theme(self, name: str, *, force: bool = False) -> int: ...
    def plan_rename_theme(self, old: str, new: str) -> Change:
        """The change `rename_theme` would save, read now and not saved: a team
        reader reads it in a worker and saves it with `save_planned`."""
        ...

    def plan_remove_theme(self, name: str) -> Change:
        """The forced removal `remove_theme` would save (`len(before)` annotations
        use the theme, counted now), not saved."""
        ...

    def save_planned(self, change: Change) -> None:
        """Save a planned change: one write and one undo entry, as the methods that
        plan it. A team store refuses it (`StaleEditError`) if its annotations or
        the codebook changed since it was read."""
        ...

    # -- annotation changes
    def tag(
        self, article: Article, start: int, end: int, themes: Iterable[str], note: str = ""
    ) -> Annotation: ...
    def set_themes(
        self, annotation_id: str, themes: Iterable[str], label: str = "retag"
    ) -> Annotation | None: ...
    def set_note(self, annotation_id: str, note: str) -> Annotation: ...
    def delete(self, annotation_id: str, label: str = "delete") -> Annotation: ...
    def put_many(
        self,
        annotations: Iterable[Annotation],
        label: str = "import",
        undoable: bool = True,
        *,
        remove: Iterable[str] = (),
        coverage: Iterable[Done] = (),
    ) -> tuple[int, int]:
        """Insert or replace by id in one write; unknown themes join the codebook.

        Ids in `remove` are deleted and `coverage` marks resolved (the later mark of
        an analyst and article wins, `coverage.later`) in the same write.
        Returns (added, updated).
        """
        ...

    # -- coverage: articles each analyst marked done
    def coverage(self) -> list[Done]:
        """Every done mark (and later unmark), sorted by analyst then article."""
        ...

    def done_articles(self, author: str | None = None) -> set[str]:
        """Articles `author` (default: this store's author) marked done."""
        ...

    def is_done(self, article_id: str, author: str | None = None) -> bool: ...
    def set_done(self, article_id: str, done: bool = True, author: str | None = None) -> Done:
        """Mark or unmark an article done: one undoable change, stamped now."""
        ...

    # -- rejected suggestions
    def rejections(self) -> set[str]: ...
    def reject(self, key: str, **info: str) -> None: ...

    # -- undo (of this store's own changes)
    @property
    def can_undo(self) -> bool: ...
    @property
    def can_redo(self) -> bool: ...
    def peek_undo(self) -> Change | None: ...
    def peek_redo(self) -> Change | None: ...
    def undo(self) -> str | None: ...
    def redo(self) -> str | None: ...
