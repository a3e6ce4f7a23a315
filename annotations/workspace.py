"""A corpus and its annotation store, opened together: what the CLI and the TUI work on."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_cache_dir

from annotations.anchoring import Report, reanchor_store
from annotations.corpus import Corpus, load_corpus, read_article, seeds_path
from annotations.private_dir import ensure as ensure_private
from annotations.store.journal import StoreError, StoreLockedError
from annotations.store.opening import open_store, resolve_location
from annotations.store.postgres import is_team_url
from annotations.store.protocol import Store
from annotations.store.tinydb_store import AnnotationStore


@dataclass(slots=True)
class Workspace:
    corpus: Corpus
    store: Store
    corpus_paths: list[Path]
    warnings: list[str] = field(default_factory=list)
    locked_by_other: bool = False  # opened read-only because another instance writes
    anchoring: Report = field(default_factory=Report)  # re-anchoring done when opened
    _reported_change: str | None = None  # reported once, not on every check
    _missing: set[str] = field(default_factory=set)

    def annotations(self):
        """Every annotation, re-anchored even if the store is read-only (for exports)."""
        return self.anchoring.current(self.store.all())

    def close(self) -> None:
        self.store.close()

    def check_disk(self, article_id: str | None = None) -> tuple[list[str], bool]:
        """Notice what other programs did to the database and to an open article.

        Returns (messages, article_reloaded). An edited article is reloaded and its
        annotations re-anchored (and saved, when writable); a deleted one stays on
        screen with its annotations kept. A deleted database is written back from
        memory; a replaced one is never written over (the store refuses changes).
        """
        messages: list[str] = []
        # Only a TinyDB file can be changed behind our back; a team database notifies.
        storage = self.store.storage if isinstance(self.store, AnnotationStore) else None
        change = storage.external_change() if storage is not None else None
        if change and storage is not None and not storage.replaced() and not self.store.read_only:
            try:
                self.store.compact()  # type: ignore[attr-defined]  # TinyDB: all in memory
                messages.append(f"{change}; written back from memory")
            except StoreError as exc:
                messages.append(f"{change}; could not write it back ({exc})")
        elif change and change != self._reported_change:
            messages.append(f"{change}; changes will not be saved until Tagline is reopened")
            self._reported_change = change
        reloaded = False
        article = self.corpus.get(article_id) if article_id else None
        if article is not None and article.stamp is not None:
            try:
                st = article.path.stat()
                stamp = (st.st_size, st.st_mtime_ns)
            except OSError:
                stamp = None
            if stamp is None:
                if article.id not in self._missing:
                    self._missing.add(article.id)
                    messages.append(f"{article.path} was deleted; its annotations are kept")
            elif stamp != article.stamp:
                self._missing.discard(article_id)
                try:
                    fresh = read_article(article.path, article.id)
                except (OSError, ValueError) as exc:
                    messages.append(f"{article.path} changed but cannot be read: {exc}")
                    article.stamp = stamp
                else:
                    fresh.stamp = stamp
                    self.corpus.replace(fresh)
                    report = reanchor_store(self.store, self.corpus)
                    messages.append(f"{article.path} changed on disk: reloaded; {report.message()}")
                    reloaded = True
        return messages, reloaded

    @property
    def cache_dir(self) -> Path:
        if is_team_url(self.store.location) and self.corpus_paths == []:
            # Team mode: the articles are the database's, so is the cache key.
            return cache_dir([], key=self.store.location)
        return cache_dir(self.corpus_paths)


def cache_dir(corpus_paths: Iterable[Path], key: str | None = None) -> Path:
    """Where derived data (the search index) for this corpus is cached.

    `$TAGLINE_CACHE` overrides the user cache folder; one subfolder per corpus
    (or per team database, named by `key`).
    """
    root = Path(os.environ.get("TAGLINE_CACHE") or user_cache_dir("tagline", appauthor=False))
    paths = sorted(str(Path(p).resolve()) for p in corpus_paths) or [str(seeds_path())]
    digest = hashlib.sha256((key or "\0".join(paths)).encode()).hexdigest()[:16]
    return root / f"{'team' if key else 'corpus'}-{digest}"


def open_workspace(
    corpus_paths: Iterable[Path] | None = None,
    db_path: Path | str | None = None,
    *,
    read_only: bool = False,
    fallback_read_only: bool = False,
    wait: float = 0.0,
    author: str | None = None,
    warn: Callable[[str], None] | None = None,
    reanchor: bool = True,
    salvage: bool = False,
) -> Workspace:
    """Load the corpus and open the store.

    With `fallback_read_only`, a store locked by another process is opened
    read-only instead of failing (the TUI's behaviour). `salvage` opens a damaged
    store for `tagline doctor` (see `AnnotationStore`).
    """
    warnings: list[str] = []

    def _warn(message: str) -> None:
        warnings.append(message)
        if warn:
            warn(message)

    paths = [Path(p) for p in corpus_paths] if corpus_paths else []
    location = resolve_location(db_path)
    if isinstance(location, str):
        return _open_team(location, paths, read_only, author, _warn, warnings, reanchor)
    folder = cache_dir(paths)
    # A cache folder others could write is not read (the search index says why).
    cache = None if ensure_private(folder) else folder / "corpus.json"
    corpus = load_corpus(paths or None, warn=_warn, cache=cache)
    locked = False
    store: Store
    try:
        if salvage:  # `tagline doctor` on Tagline's own files
            store = AnnotationStore(location, read_only=read_only, wait=wait, salvage=True)
        else:
            store = open_store(location, read_only=read_only, wait=wait, author=author)
    except StoreLockedError as exc:
        if not fallback_read_only:
            raise
        _warn(f"{exc}; opened read-only")
        store = open_store(location, read_only=True, author=author)
        locked = True
    for notice in getattr(store, "notices", ()):
        _warn(notice)
    # Articles edited or re-fetched since last time: put their annotations back on
    # the text. Only a writer saves; a read-only open keeps the result in memory.
    anchoring = reanchor_store(store, corpus) if reanchor else Report()
    return Workspace(corpus, store, paths, warnings, locked, anchoring)


def _open_team(
    url: str,
    paths: list[Path],
    read_only: bool,
    author: str | None,
    warn: Callable[[str], None],
    warnings: list[str],
    reanchor: bool,
) -> Workspace:
    """Team mode: the store and, once published, the articles come from the database.

    Re-anchoring is computed in memory only: the texts change when someone publishes
    (`tagline team publish` re-anchors then), not on an analyst's open.
    """
    from annotations.store.postgres import PostgresStore  # loaded only in team mode

    store = open_store(url, read_only=read_only, author=author)
    assert isinstance(store, PostgresStore)
    try:
        if store.article_count():
            if paths:
                warn("team mode reads the articles published in the database; --corpus ignored")
            corpus, paths = store.load_corpus(), []
        else:
            warn(f"no articles published in {store.location}: `tagline team publish` them")
            corpus = load_corpus(paths or None, warn=warn)
        anchoring = reanchor_store(store, corpus, save=False) if reanchor else Report()
    except BaseException:
        store.close()
        raise
    return Workspace(corpus, store, paths, warnings, False, anchoring)
