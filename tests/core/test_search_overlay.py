"""Re-indexing a changed article on disk: the overlay answers at once, `flush` persists.

The on-disk index takes a change in two steps (see `SearchIndex`): `update`/`remove`
put it in an in-memory overlay and mask the article's disk documents; `flush` commits it
to disk and saves the manifest. These tests pin what a user sees between and after the
two steps, and that a crash between them costs a re-index, never a wrong answer.
"""

from __future__ import annotations

import json

import pytest

from annotations.corpus import article_from_text, load_corpus
from annotations.search.engine import (
    ARTICLES_NAME,
    MANIFEST_NAME,
    SearchIndex,
    corpus_digest,
)

SEED_000 = "000_eead7ac999ac4f1f.txt"
OLD = "jointly explore the Arctic shipping route"
NEW = "jointly explore the walrus migration corridor"


@pytest.fixture
def corpus():
    return list(load_corpus())


def _changed(corpus):
    a0 = next(a for a in corpus if a.id == SEED_000)
    assert OLD in a0.text
    changed = article_from_text(a0.id, a0.path, a0.text.replace(OLD, NEW))
    return changed, [changed if a.id == a0.id else a for a in corpus]


def _finds(index, query, article_id=SEED_000) -> bool:
    return any(r.article_id == article_id for r in index.search(query, limit=5))


def _no_rebuild(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("re-indexed")

    monkeypatch.setattr(SearchIndex, "_add_all", boom)


def test_update_is_searchable_before_flush_and_durable_after(tmp_path, corpus, monkeypatch):
    index = SearchIndex.cached(corpus, tmp_path)
    assert _finds(index, "arctic shipping route")
    changed, articles = _changed(corpus)

    index.update(changed)
    assert index.pending == 1
    # The new words are found (typo'd too: they are in the vocabulary at once)…
    hit = index.search("walrus migraton", limit=1)[0]
    assert hit.article_id == SEED_000 and changed.text[hit.start : hit.end] == hit.text
    assert "walrus migration corridor" in hit.context
    # …and the old ones are not: the article's disk documents are masked.
    assert not _finds(index, "arctic shipping route")
    # Other articles still come from the disk index.
    assert _finds(index, "oil gas pipelines siberia", "004_e59db8fb69f41bb6.txt")

    assert index.flush() is True
    assert index.pending == 0 and not index.flush()
    assert _finds(index, "walrus migration") and not _finds(index, "arctic shipping route")
    head = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert head["digest"] == corpus_digest(articles)
    # Reopened with the changed corpus: the digest matches, nothing is re-indexed.
    _no_rebuild(monkeypatch)
    again = SearchIndex.cached(articles, tmp_path)
    assert _finds(again, "walrus migration") and not _finds(again, "arctic shipping route")


def test_crash_before_flush_reindexes_on_next_open(tmp_path, corpus):
    SearchIndex.cached(corpus, tmp_path)  # built and saved
    index = SearchIndex.cached(corpus, tmp_path)
    changed, articles = _changed(corpus)
    index.update(changed)
    del index  # never flushed: the disk index and manifest still say the old text
    head = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert head["digest"] == corpus_digest(corpus) != corpus_digest(articles)
    reopened = SearchIndex.cached(articles, tmp_path)
    assert _finds(reopened, "walrus migration") and not _finds(reopened, "arctic shipping route")
    assert reopened.pending == 0  # re-indexed on disk by the open itself


def test_remove_masks_at_once_and_flush_deletes(tmp_path, corpus, monkeypatch):
    index = SearchIndex.cached(corpus, tmp_path)
    index.remove(SEED_000)
    assert not _finds(index, "arctic shipping route")
    assert index.flush()
    assert not _finds(index, "arctic shipping route")
    rest = [a for a in corpus if a.id != SEED_000]
    _no_rebuild(monkeypatch)
    again = SearchIndex.cached(rest, tmp_path)
    assert not _finds(again, "arctic shipping route") and len(again) == len(rest)
    saved = json.loads((tmp_path / ARTICLES_NAME).read_text())["articles"]
    assert SEED_000 not in saved


def test_a_change_during_flush_stays_in_the_overlay(tmp_path, corpus):
    """The article changes again while its first version is being committed: the second
    version must stay searchable (and pending), not be dropped with the first."""
    index = SearchIndex.cached(corpus, tmp_path)
    changed, _ = _changed(corpus)
    index.update(changed)
    again = article_from_text(changed.id, changed.path, changed.text.replace(NEW, "narwhal tusk"))
    backend = index._backend
    commit = backend.commit

    def commit_then_change():
        commit()
        index.update(again)

    backend.commit = commit_then_change
    assert index.flush()
    backend.commit = commit
    assert index.pending == 1
    assert _finds(index, "narwhal tusk") and not _finds(index, "walrus migration")
    assert index.flush() and index.pending == 0
    assert _finds(index, "narwhal tusk") and not _finds(index, "walrus migration")


def test_unchanged_corpus_reopens_without_reading_each_hash(tmp_path, corpus, monkeypatch):
    SearchIndex.cached(corpus, tmp_path)
    (tmp_path / ARTICLES_NAME).write_bytes(b"not read when the digest matches")
    _no_rebuild(monkeypatch)
    index = SearchIndex.cached(corpus, tmp_path)
    assert _finds(index, "arctic shipping route")
    # A different corpus needs the per-article hashes: unreadable, so it is rebuilt.
    monkeypatch.undo()
    changed, articles = _changed(corpus)
    rebuilt = SearchIndex.cached(articles, tmp_path)
    assert _finds(rebuilt, "walrus migration")
    assert json.loads((tmp_path / ARTICLES_NAME).read_text())["articles"][SEED_000]


def test_memory_index_updates_without_flush(corpus):
    index = SearchIndex.build(corpus)
    changed, _ = _changed(corpus)
    index.update(changed)
    assert index.pending == 0 and not index.flush()
    assert _finds(index, "walrus migration") and not _finds(index, "arctic shipping route")
