"""A corpus and its annotation store, opened together: what the CLI and the TUI work on."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_cache_dir

from .anchoring import Report, reanchor_store
from .corpus import Corpus, load_corpus, seeds_path
from .storage import StoreLockedError
from .store import AnnotationStore, default_db_path


@dataclass(slots=True)
class Workspace:
    corpus: Corpus
    store: AnnotationStore
    corpus_paths: list[Path]
    warnings: list[str] = field(default_factory=list)
    locked_by_other: bool = False  # opened read-only because another instance writes
    anchoring: Report = field(default_factory=Report)  # re-anchoring done when opened

    def annotations(self):
        """Every annotation, re-anchored even if the store is read-only (for exports)."""
        return self.anchoring.current(self.store.all())

    def close(self) -> None:
        self.store.close()

    @property
    def cache_dir(self) -> Path:
        return cache_dir(self.corpus_paths)


def cache_dir(corpus_paths: Iterable[Path]) -> Path:
    """Where derived data (the search index) for this corpus is cached.

    `$TAGLINE_CACHE` overrides the user cache folder; one subfolder per corpus.
    """
    root = Path(os.environ.get("TAGLINE_CACHE") or user_cache_dir("tagline", appauthor=False))
    paths = sorted(str(Path(p).resolve()) for p in corpus_paths) or [str(seeds_path())]
    key = hashlib.sha256("\0".join(paths).encode()).hexdigest()[:16]
    return root / f"corpus-{key}"


def open_workspace(
    corpus_paths: Iterable[Path] | None = None,
    db_path: Path | None = None,
    *,
    read_only: bool = False,
    fallback_read_only: bool = False,
    wait: float = 0.0,
    author: str | None = None,
    warn: Callable[[str], None] | None = None,
    reanchor: bool = True,
) -> Workspace:
    """Load the corpus and open the store.

    With `fallback_read_only`, a store locked by another process is opened
    read-only instead of failing (the TUI's behaviour).
    """
    warnings: list[str] = []

    def _warn(message: str) -> None:
        warnings.append(message)
        if warn:
            warn(message)

    paths = [Path(p) for p in corpus_paths] if corpus_paths else []
    corpus = load_corpus(paths or None, warn=_warn, cache=cache_dir(paths) / "corpus.json")
    db = Path(db_path) if db_path else default_db_path()
    locked = False
    try:
        store = AnnotationStore(db, read_only=read_only, wait=wait, author=author)
    except StoreLockedError as exc:
        if not fallback_read_only:
            raise
        _warn(f"{exc}; opened read-only")
        store = AnnotationStore(db, read_only=True, author=author)
        locked = True
    # Articles edited or re-fetched since last time: put their annotations back on
    # the text. Only a writer saves; a read-only open keeps the result in memory.
    anchoring = reanchor_store(store, corpus) if reanchor else Report()
    return Workspace(corpus, store, paths, warnings, locked, anchoring)
