"""Candidate retrieval on tantivy, behind a small interface.

The engine hands the backend *words* (already folded by `text.index_words`, so the
backend's whitespace tokenizer indexes exactly the words the rest of the search
sees) and asks it for the best passages for a set of alternative terms per query
word. Everything else (typo expansion, ranking rules, highlights) lives in
`engine.py`, so another BM25 engine with term, boost and phrase queries (SQLite FTS5,
OpenSearch) could stand in here.

One document per passage: `body` (words, with positions for phrase queries),
`article` (the id, raw, for deletes and filters), and fast fields `key` (a 64-bit
hash of the id), `start`, `end` (the passage's offsets in the article text).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

HEAP = 128_000_000
THREADS = 1
"""One indexing thread: a single segment (nothing to merge) and the other core left to
the interface; a second thread bought nothing measurable on two cores."""


def article_key(article_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=8).digest(), "big")


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("article", tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("key", fast=True)
    sb.add_unsigned_field("start", fast=True)
    sb.add_unsigned_field("end", fast=True)
    return sb.build()


SCHEMA = _schema()

Terms = Sequence[tuple[str, float]]
"""Alternative terms for one query word, each with its boost."""


class Backend:
    """A tantivy index of passages, on disk (`path`) or in memory (None)."""

    def __init__(self, path: Path | None = None, *, create: bool = False, heap: int = HEAP) -> None:
        if path is not None and create:
            if path.exists():
                shutil.rmtree(path)
            path.mkdir(mode=0o700, parents=True)
        if path is not None and not create and not tantivy.Index.exists(str(path)):
            raise ValueError("no index here")
        self.path = path
        self.index = (
            tantivy.Index(SCHEMA, path=str(path), reuse=not create)
            if path is not None
            else tantivy.Index(SCHEMA)
        )
        self._writer: tantivy.IndexWriter | None = None
        self._heap = heap
        self.searcher = self.index.searcher()

    # ---- writing

    def _w(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(self._heap, THREADS)
        return self._writer

    def add(self, article_id: str, passages: Iterable[tuple[int, int, str]]) -> None:
        """Index an article's passages: (start, end, words)."""
        writer = self._w()
        key = article_key(article_id)
        for start, end, body in passages:
            doc = tantivy.Document()  # add_* is twice as fast as from_dict here
            doc.add_text("body", body)
            doc.add_text("article", article_id)
            doc.add_unsigned("key", key)
            doc.add_unsigned("start", start)
            doc.add_unsigned("end", end)
            writer.add_document(doc)

    def delete(self, article_id: str) -> None:
        self._w().delete_documents_by_term("article", article_id)

    def commit(self) -> None:
        """Publish the changes (durably, for an index on disk) and release the writer."""
        if self._writer is None:
            return
        self._writer.commit()
        self._writer.wait_merging_threads()
        self._writer = None
        self.index.reload()
        self.searcher = self.index.searcher()

    # ---- reading

    @property
    def num_docs(self) -> int:
        return self.searcher.num_docs

    def vocabulary(self) -> list[tuple[str, int]]:
        """Every indexed word with its document frequency."""
        return self.searcher.terms_with_prefix("body", "")

    def search(
        self,
        words: Sequence[Terms],
        phrases: Sequence[Sequence[str]] = (),
        articles: Iterable[str] | None = None,
        limit: int = 100,
        *,
        exclude: Iterable[str] = (),
        searcher: tantivy.Searcher | None = None,
    ) -> list[tuple[float, int, int, int]]:
        """(bm25 score, article key, start, end) of the best passages, best first.

        A passage matches if it holds any alternative of any word; `phrases` must all
        occur; `articles` (ids) restricts the search to those articles and `exclude`
        leaves those out. `searcher` pins the index version to read (default: latest).
        """
        Q, Occur = tantivy.Query, tantivy.Occur
        should = []
        for terms in words:
            alts = [
                (Occur.Should, Q.boost_query(Q.term_query(SCHEMA, "body", t), boost))
                for t, boost in terms
            ]
            if alts:
                should.append((Occur.Should, Q.boolean_query(alts)))
        clauses = []
        if should:
            clauses.append((Occur.Must, Q.boolean_query(should)))
        for phrase in phrases:
            clauses.append((Occur.Must, Q.phrase_query(SCHEMA, "body", list(phrase))))
        if articles is not None:
            ids = list(articles)
            if not ids:
                return []
            clauses.append((Occur.Must, Q.term_set_query(SCHEMA, "article", ids)))
        if not clauses:
            return []
        masked = list(exclude)
        if masked:
            clauses.append((Occur.MustNot, Q.term_set_query(SCHEMA, "article", masked)))
        searcher = searcher or self.searcher
        hits = searcher.search(Q.boolean_query(clauses), limit, count=False).hits
        if not hits:
            return []
        addrs = [addr for _score, addr in hits]
        keys = searcher.fast_field_values("key", addrs)
        starts = searcher.fast_field_values("start", addrs)
        ends = searcher.fast_field_values("end", addrs)
        return [
            (score, int(k), int(s), int(e))
            for (score, _), k, s, e in zip(hits, keys, starts, ends, strict=True)
            if k is not None and s is not None and e is not None
        ]
