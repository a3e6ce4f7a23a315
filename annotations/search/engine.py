"""Search that answers analysts' queries: keywords in any order, typos, prefixes, phrases.

Candidates come from a real engine (tantivy, `backend.py`): one document per paragraph
(long ones cut into overlapping windows), BM25 over folded words (`text.py`). What the
engine does not know is done here, in the spirit of Meilisearch's ranking rules:

1. *Expansion*: each query word becomes the vocabulary words within its typo budget
   (rapidfuzz OSA distance: 0 edits up to 2 letters, 1 up to 7, 2 from 8), the words
   sharing its Snowball stem, and, for the last word while it is being typed, the words
   it starts. Chinese characters and numbers match exactly.
2. *Retrieval*: the best `CANDIDATES` paragraphs holding any alternative of any word
   (exact words boosted over stems, prefixes and typos), with every `"phrase"` present.
3. *Ranking* of sentences, and of pairs of adjacent sentences when the words are
   spread over two: more query words matched, then fewer typos, then the exact query
   phrase, then one sentence before two, then words closer together, then BM25.
   A passage must match every word of a one- or two-word query and all but a third
   of a longer one, so a query that matches nothing returns nothing.
4. *Highlights*: the result's `start`/`end` run from the first to the last matched word
   of the tightest window holding them; `matches` are those words' own spans. The
   `context` is the passage (sentence or two), what the analyst codes.

The index lives in the engine's own format in the cache folder with a JSON manifest
(format version and one digest of every article's id and sha256, beside a file of the
per-article hashes read only when the digest differs); it is rebuilt when any of them
is unreadable or of another version and updated incrementally for changed articles: a
changed article is searchable at once from an in-memory overlay and written to disk by
`flush` in the background (see `SearchIndex`). Nothing in the cache can run code. This
module never imports textual.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import heapq
import json
import math
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from annotations.corpus import Article, preload_texts
from annotations.model import Annotation
from annotations.private_dir import private_dir
from annotations.search.backend import Backend, article_key
from annotations.search.query import Query, folded_text, parse_query
from annotations.search.text import (
    fold,
    fold_with_map,
    has_cjk,
    index_words,
    stem,
    word_spans,
)
from annotations.text.segment import paragraphs, sentences, sentences_in

__all__ = [
    "CACHE_NAME",
    "FORMAT_VERSION",
    "Query",
    "SearchIndex",
    "SearchResult",
    "fold",
    "fold_with_map",
    "format_result_json",
    "parse_query",
]

FORMAT_VERSION = 3
CACHE_NAME = "search-index"
"""The engine's index folder inside the cache folder…"""
MANIFEST_NAME = "search-index.json"
"""…its manifest beside it (format version and the digest of the indexed articles)…"""
ARTICLES_NAME = "search-index-articles.json"
"""…and each indexed article's sha256, read only when the digest differs."""
OVERLAY_HEAP = 15_000_000
"""The in-memory overlay's writer heap: it holds a few changed articles."""
MAX_PASSAGE = 1500
"""A longer paragraph is indexed as windows of this many characters…"""
WINDOW_OVERLAP = 300
"""…overlapping by this many, so a sentence across a cut is still found whole."""
CANDIDATES = 100
"""Paragraphs fetched from the engine per query."""
TEXT_BATCH = 500
"""Texts read ahead per batch while indexing (team mode: one query per batch)."""
PREFIX_TERMS = 40
"""At most this many completions of a prefix (the most frequent) join the query."""
BOOST = {"exact": 1.0, "stem": 0.8, "prefix": 0.6, 1: 0.5, 2: 0.3}

Progress = Callable[[int, int], None]
AnnotationSource = Mapping[str, Sequence[Annotation]] | Callable[[str], Iterable[Annotation]]


def typo_budget(word: str) -> int:
    """Edits allowed in a query word: none for short words, 1 up to 7 letters, then 2."""
    if word.isdigit() or has_cjk(word):
        return 0
    n = len(word)
    return 0 if n <= 2 else 1 if n <= 7 else 2


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One hit: `text == article.text[start:end]`; `context` is the passage around it."""

    article_id: str
    article_title: str
    start: int
    end: int
    text: str
    context: str
    score: float
    exact: bool = False
    context_start: int = 0
    annotation_id: str | None = None
    matches: tuple[tuple[int, int], ...] = ()
    """Each matched word's own `[start, end)` in the article text."""

    @property
    def context_end(self) -> int:
        return self.context_start + len(self.context)

    def whole_passage(self) -> SearchResult:
        """The same hit with the whole passage (the sentence) as its span."""
        return replace(self, start=self.context_start, end=self.context_end, text=self.context)


def format_result_json(result: SearchResult) -> dict[str, Any]:
    """A JSON-ready dict of one result (for `tagline search --json`)."""
    out: dict[str, Any] = {
        "article_id": result.article_id,
        "article_title": result.article_title,
        "start": result.start,
        "end": result.end,
        "text": result.text,
        "context": result.context,
        "score": round(float(result.score), 1),
        "exact": result.exact,
        "matches": [list(m) for m in result.matches],
    }
    if result.annotation_id is not None:
        out["annotation_id"] = result.annotation_id
    return out


# --------------------------------------------------------------------------- passages


def passages(text: str) -> list[tuple[int, int]]:
    """The indexed passages of `text`: paragraphs, long ones as overlapping windows."""
    out: list[tuple[int, int]] = []
    for start, end in paragraphs(text):
        while end - start > MAX_PASSAGE:
            cut = text.rfind(" ", start + MAX_PASSAGE // 2, start + MAX_PASSAGE)
            cut = cut if cut > start else start + MAX_PASSAGE
            out.append((start, cut))
            nxt = text.find(" ", cut - WINDOW_OVERLAP, cut)
            start = nxt + 1 if nxt >= 0 else cut - WINDOW_OVERLAP
        out.append((start, end))
    return out


def _documents(article: Article) -> list[tuple[int, int, str]]:
    text = article.text
    return [(s, e, index_words(text[s:e])) for s, e in passages(text)]


def _needed(n: int) -> int:
    """Query words a passage must match: all of one or two, all but a third of more."""
    return n if n <= 2 else n - n // 3


@dataclass
class _Word:
    """A query word's alternatives: vocabulary word -> (typos, kind)."""

    word: str
    alts: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _Pending:
    """A changed article searched from the overlay until `flush` writes it to disk."""

    article: Article
    docs: list[tuple[int, int, str]]


_GONE = object()


def corpus_digest(articles: Iterable[Article]) -> str:
    """One sha256 over the articles' ids and hashes, in order: equal digests, same corpus."""
    return _digest((a.id, a.sha256) for a in articles)


def _digest(pairs: Iterable[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(f"{i}\0{s}" for i, s in pairs).encode()).hexdigest()


@dataclass
class _Window:
    key: tuple
    start: int
    end: int
    ctx_start: int
    ctx_end: int
    matches: tuple[tuple[int, int], ...]
    count: int
    typos: int
    exact: bool


# --------------------------------------------------------------------------- the index


class SearchIndex:
    """Passages of a corpus, searchable; see the module docstring.

    An index on disk takes changes in two steps: `update`/`remove` put the article in a
    small in-memory *overlay* (a tantivy RAM index) and mask its documents in the disk
    index, so the next search sees the change within milliseconds; `flush` (run it in a
    background worker) writes the pending changes to the disk index with tantivy's
    durable commit and then drops them from the overlay. The manifest only ever
    describes what the disk index holds, so a crash before `flush` re-indexes the
    article on the next open. `_lock` guards the overlay, the mask and the vocabulary;
    a search reads a consistent snapshot of them.
    """

    def __init__(self, backend: Backend, articles: Iterable[Article] = ()) -> None:
        self._backend = backend
        self._articles: dict[str, Article] = {}
        self._keys: dict[int, Article] | None = None
        self._sha: dict[str, str] = {}
        self._overlay: Backend | None = None
        self._pending: dict[str, _Pending | None] = {}
        """Articles whose disk documents are stale: their overlay entry (None: removed)."""
        self._lock = threading.RLock()
        self._flush_lock = threading.Lock()
        self._vocab: dict[str, int] | None = None
        self._sorted: list[str] = []
        self._by_len: dict[int, list[str]] = {}
        self._expansions: dict[tuple[str, bool], _Word] = {}
        self._stems: dict[str, list[str]] | None = None
        self._pools: dict[tuple[int, int, int], list[str]] = {}
        self._stems_by_len: dict[int, list[str]] = {}
        self.path: Path | None = None
        self._fresh = False  # opened with the corpus's digest equal to the saved one
        self.warning = ""
        """Why the cache could not be used where it should be (shown to the user)."""
        for article in articles:
            self._attach(article)

    def _attach(self, article: Article) -> None:
        self._articles[article.id] = article
        if self._keys is not None:
            self._keys[article_key(article.id)] = article
        self._sha[article.id] = article.sha256

    def _detach(self, article_id: str) -> None:
        self._articles.pop(article_id, None)
        if self._keys is not None:
            self._keys.pop(article_key(article_id), None)
        self._sha.pop(article_id, None)

    def _by_key(self) -> dict[int, Article]:
        """Article by the 64-bit key stored in its documents (built on the first search:
        hashing every id costs 0.13 s at 100,000 articles, too much for a reopen)."""
        keys = self._keys
        if keys is None:
            with self._lock:
                keys = {article_key(i): a for i, a in list(self._articles.items())}
                self._keys = keys
        return keys

    def warm(self) -> None:
        """Do now what the first search would (article keys, vocabulary): call it in the
        worker that opened the index, so the first query typed is as fast as the rest."""
        self._by_key()
        self._load_vocab()

    # ---- building and updating

    @classmethod
    def build(
        cls,
        articles: Iterable[Article],
        progress: Progress | None = None,
        *,
        path: Path | None = None,
    ) -> SearchIndex:
        """Index `articles` (in memory, or in a fresh index at `path`), with progress."""
        index = cls(Backend(path, create=path is not None))
        index._add_all(list(articles), progress)
        index.path = path
        return index

    def _add_all(self, articles: list[Article], progress: Progress | None) -> None:
        total = len(articles)
        step = max(1, total // 100)
        backend = self._backend
        for done, article in enumerate(articles, 1):
            if (done - 1) % TEXT_BATCH == 0:
                # Team mode: one query per batch of texts, not one per article.
                preload_texts(articles[done - 1 : done - 1 + TEXT_BATCH])
            backend.add(article.id, _documents(article))
            self._attach(article)
            if progress and (done % step == 0 or done == total):
                progress(done, total)
        if progress and not total:
            progress(0, 0)
        backend.commit()
        with self._lock:
            self._vocab = None

    @property
    def pending(self) -> int:
        """Changed articles searched from the overlay, not yet written to disk (`flush`)."""
        return len(self._pending)

    def update(self, article: Article) -> None:
        """Add `article`, or re-index it if its text changed (same id).

        Searchable when this returns; on disk only after `flush` (a memory index has
        nothing to flush).
        """
        if self._sha.get(article.id) == article.sha256:
            self._attach(article)  # title or path may have changed
            return
        docs = _documents(article)
        with self._lock:
            if self.path is None:  # a memory index commits in a millisecond: no overlay
                self._backend.delete(article.id)
                self._backend.add(article.id, docs)
                self._backend.commit()
            else:
                overlay = self._overlay
                if overlay is None:
                    overlay = self._overlay = Backend(heap=OVERLAY_HEAP)
                overlay.delete(article.id)
                overlay.add(article.id, docs)
                overlay.commit()
                self._pending[article.id] = _Pending(article, docs)
            self._attach(article)
            self._add_vocab(docs)

    def remove(self, article_id: str) -> None:
        """Forget an article (from disk at the next `flush`)."""
        if article_id not in self._sha:
            return
        with self._lock:
            if self.path is None:
                self._backend.delete(article_id)
                self._backend.commit()
            else:
                if self._overlay is not None and article_id in self._pending:
                    self._overlay.delete(article_id)
                    self._overlay.commit()
                self._pending[article_id] = None
            self._detach(article_id)

    def flush(self) -> bool:
        """Write the pending changes to the disk index (one durable commit), then drop
        them from the overlay and save the manifest. Slow (an `fsync`): run it in a
        worker. True if there was anything to write."""
        with self._flush_lock:
            with self._lock:
                batch = dict(self._pending)
            if not batch:
                return False
            backend = self._backend
            for article_id, entry in batch.items():
                backend.delete(article_id)
                if entry is not None:
                    backend.add(article_id, entry.docs)
            backend.commit()
            with self._lock:
                overlay = self._overlay
                for article_id, entry in batch.items():
                    if self._pending.get(article_id, _GONE) is entry:  # not changed since
                        del self._pending[article_id]
                        if overlay is not None and entry is not None:
                            overlay.delete(article_id)
                if overlay is not None:
                    overlay.commit()
                self._save_manifest()
            return True

    def sync(self, articles: Iterable[Article], progress: Progress | None = None) -> bool:
        """Make the index match `articles` exactly (by id and sha256); True if anything changed.

        Unchanged articles are only attached (their texts are not even read). Writes to
        the disk index directly (this is the open, before anyone searches).
        """
        by_id = {a.id: a for a in articles}
        stale = [a for a in by_id.values() if self._sha.get(a.id) != a.sha256]
        gone = [i for i in self._sha if i not in by_id]
        for article in by_id.values():
            if self._sha.get(article.id) == article.sha256:
                self._attach(article)
        if not stale and not gone:
            self._sha = {i: self._sha[i] for i in by_id}  # the corpus's order: its digest
            return False
        for article_id in gone:
            self._backend.delete(article_id)
            self._detach(article_id)
        for article in stale:
            # Also when the manifest does not name it: a crash may have left documents.
            self._backend.delete(article.id)
        self._add_all(stale, progress)
        self._sha = {i: self._sha[i] for i in by_id}
        return True

    def __len__(self) -> int:
        return len(self._articles)

    @property
    def passage_count(self) -> int:
        return self._backend.num_docs

    def article_ids(self) -> list[str]:
        return list(self._articles)

    # ---- the disk cache

    def _save_manifest(self) -> None:
        """The articles' hashes, then (so a crash between leaves a mismatch, not a lie)
        the head: format and the digest of those hashes. Pending changes are left out:
        the disk index does not hold them yet."""
        if self.path is None:
            return
        from annotations.store.journal import atomic_write_bytes

        shas = {i: s for i, s in self._sha.items() if i not in self._pending}
        head = {"format": FORMAT_VERSION, "digest": _digest(shas.items()), "count": len(shas)}
        data = {"format": FORMAT_VERSION, "articles": shas}
        with contextlib.suppress(OSError):
            folder = self.path.parent
            atomic_write_bytes(
                folder / ARTICLES_NAME, json.dumps(data, ensure_ascii=False).encode()
            )
            atomic_write_bytes(folder / MANIFEST_NAME, json.dumps(head).encode())

    @classmethod
    def open(cls, cache_dir: Path | str, digest: str | None = None) -> SearchIndex:
        """Open the index saved in `cache_dir` (articles not attached yet).

        With `digest` (of the corpus's ids and hashes, `corpus_digest`) equal to the
        saved one, the per-article hashes are not even read: the caller's articles are
        the indexed ones. Raises `ValueError` if anything is missing, unreadable or of
        another format version.
        """
        cache_dir = Path(cache_dir)
        try:
            head = json.loads((cache_dir / MANIFEST_NAME).read_bytes())
            ok = head.get("format") == FORMAT_VERSION and isinstance(head.get("digest"), str)
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"no readable search index manifest: {exc}") from None
        if not ok:
            raise ValueError("search index of another format version")
        shas: dict[str, str] | None = None
        if digest is None or digest != head["digest"]:
            try:
                data = json.loads((cache_dir / ARTICLES_NAME).read_bytes())
                shas = data["articles"]
                ok = data.get("format") == FORMAT_VERSION and isinstance(shas, dict)
                ok = ok and all(isinstance(k, str) and isinstance(v, str) for k, v in shas.items())
            except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
                raise ValueError(f"no readable search index manifest: {exc}") from None
            if not ok:
                raise ValueError("search index manifest of another format version")
        try:
            backend = Backend(cache_dir / CACHE_NAME)
            backend.search([[("probe", 1.0)]], limit=1)  # reads the segments once
        except BaseException as exc:  # tantivy reports damage as errors or Rust panics
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise ValueError(f"unreadable search index: {exc}") from None
        index = cls(backend)
        index._sha = dict(shas) if shas is not None else {}
        index._fresh = shas is None
        index.path = cache_dir / CACHE_NAME
        return index

    @classmethod
    def cached(
        cls,
        articles: Iterable[Article],
        cache_dir: Path | str,
        progress: Progress | None = None,
    ) -> SearchIndex:
        """Open the index in `cache_dir`, re-indexing only changed articles; rebuild it if
        missing, unreadable or of another version. A cache folder that is not private
        (see `private_dir`) is not used: the index is built in a private temporary one
        and `warning` says why.

        An unchanged corpus costs one digest of its ids and hashes (30 ms at 100,000
        articles), not a comparison per article.
        """
        articles = list(articles)
        folder, warning = private_dir(Path(cache_dir))
        digest = corpus_digest(articles)
        try:
            index = cls.open(folder, digest)
        except ValueError:
            index = None
        if index is not None:
            if index._fresh:
                index._articles = {a.id: a for a in articles}
                index._sha = {a.id: a.sha256 for a in articles}
            else:
                try:
                    index.sync(articles, progress)
                    index._save_manifest()
                except ValueError:  # another process holds the writer: search what is there
                    pass
            if progress:
                progress(len(articles), len(articles))
            index.warning = warning
            return index
        with contextlib.suppress(OSError):
            (folder / MANIFEST_NAME).unlink()
        try:
            index = cls.build(articles, progress, path=folder / CACHE_NAME)
        except (OSError, ValueError):
            # Cannot write there (read-only, locked by another writer): keep it in memory.
            with contextlib.suppress(OSError):
                shutil.rmtree(folder / CACHE_NAME)
            index = cls.build(articles, progress)
        index._save_manifest()
        index.warning = warning
        return index

    # ---- vocabulary and expansion

    def _load_vocab(self) -> dict[str, int]:
        vocab = self._vocab
        if vocab is None:
            with self._lock:  # an update must not slip between the read and the publish
                vocab = dict(self._backend.vocabulary())
                if self._overlay is not None and self._pending:
                    for term, df in self._overlay.vocabulary():
                        vocab[term] = vocab.get(term, 0) + df
                self._sorted = sorted(vocab)
                by_len: dict[int, list[str]] = {}
                for term in self._sorted:
                    by_len.setdefault(len(term), []).append(term)
                self._by_len = by_len
                self._expansions = {}
                self._stems = None
                self._pools = {}
                self._vocab = vocab
        return vocab

    def _add_vocab(self, docs: Sequence[tuple[int, int, str]]) -> None:
        """Words new to the vocabulary, added in place (under `_lock`): reloading the
        whole vocabulary after each changed article would cost more than the change."""
        vocab = self._vocab
        if vocab is None:
            return  # read from both indexes on the next query
        words = {w for _s, _e, body in docs for w in body.split()}
        stems = self._stems
        for term in words:
            if term in vocab:
                continue
            vocab[term] = 1
            bisect.insort(self._sorted, term)
            self._by_len.setdefault(len(term), []).append(term)
            if stems is not None and not (term.isdigit() or has_cjk(term)):
                root = stem(term)
                if root not in stems:
                    stems[root] = []
                    self._stems_by_len.setdefault(len(root), []).append(root)
                stems[root].append(term)
        self._expansions = {}
        self._pools = {}

    def _stem_index(self) -> dict[str, list[str]]:
        """Stem -> the vocabulary words with it (built on the first query that needs it)."""
        if self._stems is None:
            with self._lock:
                stems: dict[str, list[str]] = {}
                for term in self._sorted:
                    if not (term.isdigit() or has_cjk(term)):
                        stems.setdefault(stem(term), []).append(term)
                by_len: dict[int, list[str]] = {}
                for root in stems:
                    by_len.setdefault(len(root), []).append(root)
                self._stems, self._stems_by_len = stems, by_len
                self._pools = {}
        return self._stems

    def _pool(self, by_len: dict[int, list[str]], n: int, budget: int) -> list[str]:
        """Words of length n ± budget (a typo changes the length by at most one per edit)."""
        key = (id(by_len), n, budget)
        pool = self._pools.get(key)
        if pool is None:
            pool = [t for k in range(n - budget, n + budget + 1) for t in by_len.get(k, ())]
            self._pools[key] = pool
        return pool

    def _completions(self, prefix: str) -> list[str]:
        i = bisect.bisect_left(self._sorted, prefix)
        out: list[str] = []
        for term in self._sorted[i:]:
            if not term.startswith(prefix):
                break
            out.append(term)
        return out

    def _expand(self, word: str, prefix: bool) -> _Word:
        """The vocabulary words `word` stands for, each with its typos and kind."""
        vocab = self._load_vocab()  # first: a changed vocabulary empties the cache
        cached = self._expansions.get((word, prefix))
        if cached is not None:
            return cached
        out = _Word(word)
        if word in vocab:
            out.alts[word] = (0, "exact")
        budget = typo_budget(word)
        if budget:
            pool = self._pool(self._by_len, len(word), budget)
            for term, dist, _ in process.extract(
                word, pool, scorer=OSA.distance, score_cutoff=budget, limit=30
            ):
                if term not in out.alts and term[:1].isdigit() == word[:1].isdigit():
                    out.alts[term] = (int(dist), "typo")
            # Other forms of the word (same stem) and, for a word the corpus does not
            # have, of its typo'd forms (stems within the budget).
            stems = self._stem_index()
            root = stem(word)
            if word in vocab:
                found = [(root, 0)] if root in stems else []
            else:
                pool = self._pool(self._stems_by_len, len(root), budget)
                found = [
                    (other, int(dist))
                    for other, dist, _ in process.extract(
                        root, pool, scorer=OSA.distance, score_cutoff=budget, limit=30
                    )
                ]
            for other, dist in found:
                for term in stems[other]:
                    if term not in out.alts or out.alts[term][0] > dist:
                        out.alts[term] = (dist, "typo" if dist else "stem")
        if prefix and not has_cjk(word):
            completions = [t for t in self._completions(word) if t != word]
            completions.sort(key=lambda t: -vocab.get(t, 0))
            for term in completions[:PREFIX_TERMS]:
                if out.alts.get(term, (1, ""))[0] > 0:
                    out.alts[term] = (0, "prefix")
        if len(self._expansions) > 4096:
            self._expansions.clear()
        self._expansions[(word, prefix)] = out
        return out

    # ---- searching

    def search(
        self,
        query: str,
        limit: int = 20,
        annotations: AnnotationSource | None = None,
        notes: bool = False,
        min_score: float | None = None,
    ) -> list[SearchResult]:
        """Passages matching `query`, best first (see the module docstring and `query.py`).

        `annotations` maps an article id to its annotations (a mapping or a callable);
        the theme filters and notes mode need it. `min_score` (0-100) drops weaker hits.
        """
        q = parse_query(query)
        if limit <= 0:
            return []
        if notes or q.notes:
            folded = folded_text(q)
            if not folded:
                return []
            return self._search_notes(q, folded, limit, annotations, min_score or 75.0)
        if q.empty:
            return []
        qwords = list(q.words)
        for phrase in q.phrases:
            qwords.extend(w for w in phrase if w not in qwords)
        last = len(q.words) - 1 if q.prefix else -1
        expanded = [self._expand(w, i == last) for i, w in enumerate(qwords)]
        lookup: dict[str, list[tuple[int, int]]] = {}
        for qi, ex in enumerate(expanded):
            for term, (typos, _kind) in ex.alts.items():
                lookup.setdefault(term, []).append((qi, typos))
        need = _needed(len(qwords))
        if sum(1 for ex in expanded if ex.alts) < need:
            return []
        allowed = self._allowed_articles(q, annotations)
        if allowed is not None and not allowed:
            return []
        terms = [
            [(t, BOOST[typos if kind == "typo" else kind]) for t, (typos, kind) in ex.alts.items()]
            for ex in expanded
        ]
        hits = self._candidates(terms, q.phrases, allowed)
        by_key = self._by_key()
        # First pass: an upper bound of each paragraph's rank from its words alone.
        firsts = []
        terms_set = set(lookup)
        for bm25, key, start, end in hits:
            article = by_key.get(key)
            if article is None or end > len(article.text):
                continue
            best: dict[int, int] = {}
            for w in terms_set.intersection(index_words(article.text[start:end]).split()):
                for qi, typos in lookup[w]:
                    if typos < best.get(qi, 99):
                        best[qi] = typos
            if len(best) < need:
                continue
            firsts.append(((-len(best), sum(best.values()), -bm25), article, start, end, bm25))
        firsts.sort(key=lambda f: f[0])
        themes = self._theme_spans(q, annotations, {f[1].id for f in firsts})
        windows: list[tuple[tuple, Article, _Window]] = []
        for fkey, article, start, end, bm25 in firsts[: max(2 * limit, 20)]:
            # A paragraph's words bound its passages' rank: once `limit` passages rank
            # better than this bound, no later paragraph can make the cut.
            if len(windows) >= limit:
                kth = heapq.nsmallest(limit, (w[0][:2] for w in windows))[-1]
                if fkey[:2] > kth:
                    break
            spans = None if themes is None else themes.get(article.id, ([], []))
            for win in _windows(article.text, start, end, lookup, qwords, q, need, spans):
                windows.append(((*win.key, -bm25, article.id, win.start), article, win))
        windows.sort(key=lambda x: x[0])
        results: list[SearchResult] = []
        n = len(qwords)
        for _key, article, win in windows:
            if any(
                r.article_id == article.id
                and r.context_start < win.ctx_end
                and win.ctx_start < r.context_end
                for r in results
            ):
                continue
            score = (
                100.0 if win.exact else 100.0 * win.count / n - 8 * win.typos - 4 * (win.key[3] - 1)
            )
            score = max(1.0, min(99.0, score))
            if min_score is not None and score < min_score:
                continue
            text = article.text
            results.append(
                SearchResult(
                    article_id=article.id,
                    article_title=article.title,
                    start=win.start,
                    end=win.end,
                    text=text[win.start : win.end],
                    context=text[win.ctx_start : win.ctx_end],
                    score=score,
                    exact=win.exact,
                    context_start=win.ctx_start,
                    matches=win.matches,
                )
            )
            if len(results) >= limit:
                break
        return results

    def _candidates(
        self, terms: list[list[tuple[str, float]]], phrases: Sequence[Sequence[str]], allowed
    ) -> list[tuple[float, int, int, int]]:
        """The best paragraphs of the disk index (changed articles masked) and of the
        overlay (every hit: it holds a few articles, and its BM25, computed over them
        alone, is not comparable), read from one consistent snapshot."""
        with self._lock:
            disk = self._backend.searcher
            masked = list(self._pending)
            overlay = self._overlay if masked else None
            fresh = overlay.searcher if overlay is not None else None
        hits = self._backend.search(
            terms, phrases, allowed, limit=CANDIDATES, exclude=masked, searcher=disk
        )
        if overlay is not None and fresh is not None:
            hits = overlay.search(terms, phrases, allowed, limit=CANDIDATES, searcher=fresh) + hits
        return hits

    def _allowed_articles(self, q: Query, annotations: AnnotationSource | None) -> set[str] | None:
        """Article ids the `article:` and `theme:` filters allow (None: all)."""
        allowed: set[str] | None = None
        if q.articles:
            needles = [n.casefold() for n in q.articles]
            allowed = {
                a.id
                for a in list(self._articles.values())
                if any(n in a.id.casefold() or n in a.title.casefold() for n in needles)
            }
        if q.themes:
            want = [t.casefold() for t in q.themes]
            tagged = set()
            for article_id, anns in _annotations_for(annotations, list(self._articles)):
                if any(all(t in {x.casefold() for x in a.themes} for t in want) for a in anns):
                    tagged.add(article_id)
            allowed = tagged if allowed is None else allowed & tagged
        return allowed

    def _theme_spans(
        self, q: Query, annotations: AnnotationSource | None, article_ids: set[str]
    ) -> dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]] | None:
        """Per article: spans coded with the wanted themes, spans coded with excluded ones."""
        if not (q.themes or q.not_themes):
            return None
        want = [t.casefold() for t in q.themes]
        avoid = {t.casefold() for t in q.not_themes}
        out: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        for article_id, anns in _annotations_for(annotations, article_ids):
            yes: list[tuple[int, int]] = []
            no: list[tuple[int, int]] = []
            for ann in anns:
                themes = {t.casefold() for t in ann.themes}
                if want and all(t in themes for t in want):
                    yes.append((ann.start, ann.end))
                if avoid & themes:
                    no.append((ann.start, ann.end))
            out[article_id] = (yes, no)
        return out

    def _search_notes(
        self,
        q: Query,
        folded: str,
        limit: int,
        annotations: AnnotationSource | None,
        min_score: float,
    ) -> list[SearchResult]:
        from rapidfuzz import fuzz

        if annotations is None:
            return []
        want = [t.casefold() for t in q.themes]
        avoid = {t.casefold() for t in q.not_themes}
        needles = [n.casefold() for n in q.articles]
        results: list[SearchResult] = []
        for article_id, anns in _annotations_for(annotations, list(self._articles)):
            article = self._articles.get(article_id)
            if article is None:
                continue
            if needles and not any(
                n in article_id.casefold() or n in article.title.casefold() for n in needles
            ):
                continue
            for ann in anns:
                themes = {t.casefold() for t in ann.themes}
                if not ann.note or not all(t in themes for t in want) or avoid & themes:
                    continue
                if not 0 <= ann.start < ann.end <= len(article.text):
                    continue
                note = fold(ann.note)
                exact = f" {folded} " in f" {note} "
                score = 100.0 if exact else min(99.0, float(fuzz.partial_ratio(folded, note)))
                if score < min_score:
                    continue
                span = _sentence_around(article.text, ann.start, ann.end)
                results.append(
                    SearchResult(
                        article_id=article.id,
                        article_title=article.title,
                        start=ann.start,
                        end=ann.end,
                        text=article.text[ann.start : ann.end],
                        context=article.text[span[0] : span[1]],
                        score=score,
                        exact=exact,
                        context_start=span[0],
                        annotation_id=ann.id,
                    )
                )
        results.sort(key=lambda r: (not r.exact, -r.score, r.article_id, r.start))
        return results[:limit]


# --------------------------------------------------------------------------- ranking


def _windows(
    text: str,
    start: int,
    end: int,
    lookup: dict[str, list[tuple[int, int]]],
    qwords: list[str],
    q: Query,
    need: int,
    themes: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None,
) -> list[_Window]:
    """Candidate passages (one sentence, or two adjacent) in `text[start:end]`, ranked."""
    sents = sentences_in(text, start, end) or [(start, end)]
    inner = range(len(sents))
    # The neighbouring paragraphs' nearest sentences: words may be spread across them.
    before = _neighbour(text, start, -1)
    after = _neighbour(text, end, 1)
    if before is not None:
        sents.insert(0, before)
        inner = range(1, len(sents))
    if after is not None:
        sents.append(after)
    spans = word_spans(text[sents[0][0] : sents[-1][1]], sents[0][0])
    # sentence index of each word
    bounds = [s for s, _ in sents]
    words_by_sent: list[list[int]] = [[] for _ in sents]
    for i, (_w, s, _e) in enumerate(spans):
        words_by_sent[max(0, bisect.bisect_right(bounds, s) - 1)].append(i)
    n = len(qwords)
    out: list[_Window] = []
    # Query words present per sentence, to skip windows that cannot reach `need` cheaply.
    present = [{qi for i in ids for qi, _t in lookup.get(spans[i][0], ())} for ids in words_by_sent]
    for si in range(len(sents)):
        for width in (1, 2):
            if si + width > len(sents):
                break
            if si not in inner and si + width - 1 not in inner:
                continue  # a neighbour alone belongs to another passage
            if len(present[si] | present[si + width - 1]) < need:
                continue
            idx = [i for k in range(si, si + width) for i in words_by_sent[k]]
            win = _rank_window(spans, idx, lookup, qwords, q, n)
            if win is None or win[0] < need:
                continue
            count, typos, level, proximity, first, lastw, matches = win
            if width == 2:
                # Only when both sentences hold words the other lacks.
                alone = [
                    _rank_window(spans, words_by_sent[k], lookup, qwords, q, n)
                    for k in (si, si + 1)
                ]
                if any(a is not None and a[0] >= count for a in alone):
                    continue
            ctx = (sents[si][0], sents[si + width - 1][1])
            if themes is not None and not _theme_ok(themes, q, ctx):
                continue
            if q.excluded and any(spans[i][0] in q.excluded for i in idx):
                continue
            out.append(
                _Window(
                    key=(-count, typos, level, width, proximity),
                    start=spans[first][1],
                    end=spans[lastw][2],
                    ctx_start=ctx[0],
                    ctx_end=ctx[1],
                    matches=matches,
                    count=count,
                    typos=typos,
                    exact=level == 0,
                )
            )
    return out


def _neighbour(text: str, at: int, direction: int) -> tuple[int, int] | None:
    """The sentence nearest `at` in the paragraph before (-1) or after (1) the one at `at`."""
    if direction < 0:
        k = len(text[:at].rstrip()) if at else 0
        if k <= 0 or k == at:
            return None
        s = text.rfind("\n", 0, k) + 1
        found = sentences_in(text, s, k)
        return found[-1] if found else None
    rest = text[at:]
    k = at + len(rest) - len(rest.lstrip())
    if k >= len(text) or k == at:
        return None
    e = text.find("\n", k)
    found = sentences_in(text, k, e if e >= 0 else len(text))
    return found[0] if found else None


def _theme_ok(
    themes: tuple[list[tuple[int, int]], list[tuple[int, int]]], q: Query, ctx: tuple[int, int]
) -> bool:
    """The passage overlaps a span coded with the wanted themes and none with excluded ones."""
    yes, no = themes
    s, e = ctx
    if q.themes and not any(a < e and s < b for a, b in yes):
        return False
    return not any(a < e and s < b for a, b in no)


def _rank_window(
    spans: list[tuple[str, int, int]],
    idx: list[int],
    lookup: dict[str, list[tuple[int, int]]],
    qwords: list[str],
    q: Query,
    n: int,
) -> tuple[int, int, int, int, int, int, tuple[tuple[int, int], ...]] | None:
    """(words matched, typos, exact phrase, proximity, first word, last word, match spans)
    of the tightest stretch of `idx` holding each matched query word once, or None."""
    hits: list[tuple[int, int, int]] = []  # (position in spans, query word, typos)
    best: dict[int, int] = {}
    for i in idx:
        for qi, typos in lookup.get(spans[i][0], ()):
            hits.append((i, qi, typos))
            if typos < best.get(qi, 99):
                best[qi] = typos
    if not best:
        return None
    toks = [spans[i][0] for i in idx]
    for phrase in q.phrases:
        if not _contains(toks, phrase):
            return None
    # Tightest window over `hits` (in text order) holding every matched word at its
    # best typo count: the classic minimum covering window.
    good = [h for h in hits if h[2] == best[h[1]]]
    need = len(best)
    have: dict[int, int] = {}
    lo = 0
    win = (0, len(good) - 1)
    width = math.inf
    for hi, (pos, qi, _t) in enumerate(good):
        have[qi] = have.get(qi, 0) + 1
        while len(have) == need:
            span = pos - good[lo][0]
            if span < width:
                width, win = span, (lo, hi)
            lqi = good[lo][1]
            have[lqi] -= 1
            if not have[lqi]:
                del have[lqi]
            lo += 1
    first, lastw = good[win[0]][0], good[win[1]][0]
    chosen = {h[0] for h in hits if first <= h[0] <= lastw}
    matches = tuple((spans[i][1], spans[i][2]) for i in sorted(chosen))
    count = len(best)
    typos = sum(best.values())
    proximity = int(width) - (count - 1)
    # Exactness: the query's words in order as typed (0), the last one completed (1).
    level = 2
    if count == n and typos == 0:
        if _contains(toks, tuple(qwords)):
            level = 0
        elif q.prefix and _contains(toks, tuple(qwords), prefix=True):
            level = 1
    return count, typos, level, proximity, first, lastw, matches


def _contains(toks: list[str], phrase: Sequence[str], prefix: bool = False) -> bool:
    """True if `phrase` occurs as consecutive words in `toks` (its last word as a prefix)."""
    m = len(phrase)
    if not m:
        return False
    head = phrase[0]
    for i in range(len(toks) - m + 1):
        if toks[i] == head and tuple(toks[i : i + m]) == tuple(phrase):
            return True
    if prefix:
        # The last query word may still be a prefix: "power of sib" is exact too.
        *rest, tail = phrase
        k = len(rest)
        for i in range(len(toks) - k):
            if tuple(toks[i : i + k]) == tuple(rest) and toks[i + k].startswith(tail):
                return True
    return False


def _annotations_for(
    source: AnnotationSource | None, article_ids: Iterable[str]
) -> Iterable[tuple[str, Iterable[Annotation]]]:
    if source is None:
        return
    if isinstance(source, Mapping):
        wanted = set(article_ids)
        for article_id, anns in source.items():
            if article_id in wanted:
                yield article_id, anns
        return
    for article_id in article_ids:
        yield article_id, source(article_id) or ()


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    spans = sentences(text)
    first = next((s for s in spans if s[1] > start), None)
    last = next((s for s in reversed(spans) if s[0] < end), None)
    if first is None or last is None:
        return start, end
    return min(first[0], start), max(last[1], end)
