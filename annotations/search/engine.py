"""Fuzzy, typo-tolerant search over the passages of the whole corpus.

Passages are *sentences* (from `segment.sentences`; a sentence longer than
`MAX_PASSAGE` characters is cut into overlapping windows at spaces). A sentence is
the unit an analyst codes and reads in a result list, it is short enough for
rapidfuzz to rescore in microseconds, and it is the `context` shown with a hit.
The matched span itself is narrower: the best alignment of the query inside the
passage, widened to whole words, mapped back to article offsets.

Pipeline:

1. *Folding* (`fold`): NFKD, combining marks dropped, casefolded, punctuation,
   symbols and whitespace turned into single spaces. ``Ё`` → ``е``, ``é`` → ``e``,
   ``ﬁ`` → ``fi``. Folding can change length, so `fold_with_map` keeps, for every
   folded character, the article offset it came from.
2. *Candidates*: an inverted index `token -> array('I') of passage ids`. Tokens are
   folded words; Chinese/Japanese runs (no spaces) are indexed as characters and
   character bigrams. Each query word is expanded to similar vocabulary words
   (rapidfuzz `process.extract` over words of similar length), so typos still
   reach their passages. Passages are ranked by the idf-weighted count of query
   words they contain; very common words (``the``) are skipped when rarer ones exist.
3. *Rescoring*: the top `CANDIDATES` passages are scored with `fuzz.partial_ratio`;
   the best go through `fuzz.partial_ratio_alignment`, the span is widened to word
   boundaries, and the final score is `fuzz.ratio(query, span)`. A folded exact
   phrase match (at word boundaries) scores 100 and always sorts first; fuzzy
   scores are capped below 100. Results under `min_score` are dropped, so a query
   with no good match returns ``[]``.

The index is updated incrementally (`update`, `remove`: old passage ids become
tombstones, compacted when they outnumber live ones) and cached on disk, keyed by
each article's sha256 (`save`, `load`, `cached`). This module never imports textual.
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
import pickle
import re
import tempfile
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from annotations.corpus import Article
from annotations.model import Annotation
from annotations.text.segment import sentences

FORMAT_VERSION = 1
CACHE_NAME = "search-index.pickle"
MAX_PASSAGE = 400
"""A longer sentence is cut into windows of this many characters…"""
WINDOW_OVERLAP = 80
"""…overlapping by this many, so a phrase across a cut is still found whole."""
CANDIDATES = 300
"""Passages rescored with rapidfuzz per query."""
MIN_SCORE = 75.0
COMMON_FRACTION = 0.05
"""A query word in more than this fraction of passages only breaks ties between candidates…"""
STOP_FRACTION = 0.25
"""…and one in more than this fraction is a stop word, used only when nothing else is left."""

Progress = Callable[[int, int], None]
AnnotationSource = Mapping[str, Sequence[Annotation]] | Callable[[str], Iterable[Annotation]]

# --------------------------------------------------------------------------- folding

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"([{_CJK}]+)")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def _fold_char(char: str) -> str:
    out = []
    for c in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(c):
            continue
        for d in c.casefold():
            cat = unicodedata.category(d)
            if d.isspace() or cat[0] in "PSZC" or unicodedata.combining(d):
                out.append(" ")
            else:
                out.append(d)
    return "".join(out)


class _FoldTable(dict):
    """`str.translate` table that folds each character on first sight, then caches it."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_TABLE = _FoldTable()
for _i in range(128):
    _TABLE[_i] = _fold_char(chr(_i))


def fold(text: str) -> str:
    """Folded text: accents and case gone, punctuation a single space, trimmed."""
    return " ".join(text.translate(_TABLE).split())


def fold_with_map(text: str, base: int = 0) -> tuple[str, list[int]]:
    """`fold(text)` plus, for each folded character, the offset (`base` + index) it came from.

    The list has one extra entry, the end of the text, so a folded span `[i, j)` maps to
    original `[m[i], m[j - 1] + 1)`.
    """
    out: list[str] = []
    origin: list[int] = []
    space = True  # drop leading spaces
    for i, char in enumerate(text):
        for d in _TABLE[ord(char)]:
            if d == " ":
                if space:
                    continue
                space = True
            else:
                space = False
            out.append(d)
            origin.append(base + i)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    origin.append(base + len(text))
    return "".join(out), origin


def _tokens(folded: str) -> set[str]:
    """Index tokens of folded text: words; for CJK runs, characters and bigrams."""
    words = folded.split()
    if folded.isascii():
        return set(words)
    out: set[str] = set()
    for word in words:
        if not _CJK_CHAR.search(word):
            out.add(word)
            continue
        for piece in _CJK_RUN.split(word):
            if not piece:
                continue
            if _CJK_CHAR.match(piece):
                out.update(piece)
                out.update(piece[i : i + 2] for i in range(len(piece) - 1))
            else:
                out.add(piece)
    return out


def _query_words(folded: str) -> list[tuple[str, bool]]:
    """(token, typo-expandable) for a folded query; CJK runs become bigrams (or one char)."""
    out: list[tuple[str, bool]] = []
    for word in folded.split():
        for piece in _CJK_RUN.split(word) if _CJK_CHAR.search(word) else [word]:
            if not piece:
                continue
            if _CJK_CHAR.match(piece):
                grams = [piece[i : i + 2] for i in range(len(piece) - 1)] or [piece]
                out.extend((g, False) for g in grams)
            else:
                out.append((piece, not piece.isdigit()))
    return list(dict.fromkeys(out))


def _is_word_char(c: str) -> bool:
    return c.isalnum() and not _CJK_CHAR.match(c)


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class Query:
    """A query string split into its free text and its filters."""

    text: str
    themes: tuple[str, ...] = ()
    not_themes: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    notes: bool = False


_FILTER = re.compile(r'(?:(?<=\s)|^)(-?)(theme|article|notes?):(?:"([^"]*)"?|(\S*))', re.IGNORECASE)


def parse_query(query: str) -> Query:
    """Pull `theme:x`, `-theme:x`, `theme:"two words"`, `article:x` and `note:` out of `query`.

    `note:words` (or `notes:`) searches annotation notes for `words`.
    """
    themes: list[str] = []
    not_themes: list[str] = []
    articles: list[str] = []
    notes = False

    def take(m: re.Match[str]) -> str:
        nonlocal notes
        negate, key, quoted, bare = m.groups()
        value = (quoted if quoted is not None else bare or "").strip()
        key = key.lower()
        if key.startswith("note"):
            notes = True
            return f" {value} "
        if not value:
            pass
        elif key == "theme":
            (not_themes if negate else themes).append(value)
        elif not negate:
            articles.append(value)
        return " "

    text = _FILTER.sub(take, query)
    text = " ".join(text.split())
    return Query(text, tuple(themes), tuple(not_themes), tuple(articles), notes)


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


def format_result_json(result: SearchResult) -> dict[str, Any]:
    """A JSON-ready dict of one result (for `tagline search --json`)."""
    out: dict[str, Any] = {
        "article_id": result.article_id,
        "article_title": result.article_title,
        "start": result.start,
        "end": result.end,
        "text": result.text,
        "context": result.context,
        "score": round(result.score, 1),
        "exact": result.exact,
    }
    if result.annotation_id is not None:
        out["annotation_id"] = result.annotation_id
    return out


# --------------------------------------------------------------------------- the index


def _passages(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sentences(text):
        while end - start > MAX_PASSAGE:
            cut = text.rfind(" ", start + MAX_PASSAGE // 2, start + MAX_PASSAGE)
            cut = cut if cut > start else start + MAX_PASSAGE
            out.append((start, cut))
            nxt = text.find(" ", cut - WINDOW_OVERLAP, cut)
            start = nxt + 1 if nxt >= 0 else cut - WINDOW_OVERLAP
        out.append((start, end))
    return out


@dataclass
class _State:
    """What is pickled: everything except the article texts."""

    version: int = FORMAT_VERSION
    postings: dict[str, array] = field(default_factory=dict)
    p_article: array = field(default_factory=lambda: array("I"))  # passage -> article slot
    p_start: array = field(default_factory=lambda: array("I"))
    p_end: array = field(default_factory=lambda: array("I"))
    slots: list[str | None] = field(default_factory=list)  # slot -> article id (None: removed)
    ranges: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # id -> slot, first, end
    sha: dict[str, str] = field(default_factory=dict)
    dead: int = 0


class SearchIndex:
    """A passage index over articles; see the module docstring."""

    def __init__(self) -> None:
        self._s = _State()
        self._articles: dict[str, Article] = {}
        self._vocab_by_len: dict[int, list[str]] | None = None
        self._expansions: dict[str, list[tuple[str, float]]] = {}
        self._changed_on_load = False

    # ---- building and updating

    @classmethod
    def build(cls, articles: Iterable[Article], progress: Progress | None = None) -> SearchIndex:
        """Index `articles`; `progress(done, total)` is called as it goes (and at the end)."""
        index = cls()
        articles = list(articles)
        total = len(articles)
        step = max(1, total // 100)
        for done, article in enumerate(articles, 1):
            index._add(article)
            if progress and (done % step == 0 or done == total):
                progress(done, total)
        if progress and not total:
            progress(0, 0)
        return index

    def _add(self, article: Article) -> None:
        s = self._s
        slot = len(s.slots)
        s.slots.append(article.id)
        first = len(s.p_start)
        postings = s.postings
        text = article.text
        pid = first
        for start, end in _passages(text):
            folded = text[start:end].translate(_TABLE)
            for token in _tokens(folded):
                arr = postings.get(token)
                if arr is None:
                    postings[token] = array("I", (pid,))
                else:
                    arr.append(pid)
            s.p_start.append(start)
            s.p_end.append(end)
            pid += 1
        s.p_article.extend([slot] * (pid - first))
        s.ranges[article.id] = (slot, first, pid)
        s.sha[article.id] = article.sha256
        self._articles[article.id] = article
        self._vocab_by_len = None

    def update(self, article: Article) -> None:
        """Add `article`, or re-index it if its text changed (same id)."""
        old = self._s.sha.get(article.id)
        if old == article.sha256:
            self._articles[article.id] = article  # title or path may have changed
            return
        if old is not None:
            self.remove(article.id)
        self._add(article)

    def remove(self, article_id: str, compact: bool = True) -> None:
        """Forget an article; its passage ids become tombstones."""
        s = self._s
        entry = s.ranges.pop(article_id, None)
        s.sha.pop(article_id, None)
        self._articles.pop(article_id, None)
        if entry is None:
            return
        slot, first, end = entry
        s.slots[slot] = None
        s.dead += end - first
        if compact:
            self._maybe_compact()

    def _maybe_compact(self) -> None:
        """Rebuild from the live articles once tombstones outnumber live passages."""
        if self._s.dead > 1000 and self._s.dead > len(self._s.p_start) // 2:
            self._compact()

    def _compact(self) -> None:
        articles = [
            self._articles[a] for a in sorted(self._s.ranges, key=lambda a: self._s.ranges[a][1])
        ]
        fresh = SearchIndex.build(articles)
        self._s, self._articles, self._vocab_by_len = fresh._s, fresh._articles, None

    def sync(self, articles: Iterable[Article]) -> bool:
        """Make the index match `articles` exactly (by id and sha256); True if anything changed.

        Unchanged articles are only re-attached (their texts are not pickled), never re-indexed.
        """
        st = self._s
        by_id = {a.id: a for a in articles}
        stale = [a for a in by_id.values() if st.sha.get(a.id) != a.sha256]
        gone = [i for i in st.ranges if i not in by_id]
        for article_id in st.ranges:
            article = by_id.get(article_id)
            if article is not None and st.sha.get(article_id) == article.sha256:
                self._articles[article_id] = article
        for article_id in [*gone, *(a.id for a in stale if a.id in st.ranges)]:
            self.remove(article_id, compact=False)
        for article in stale:
            self._add(article)
        self._maybe_compact()
        self._changed_on_load = bool(stale or gone)
        return self._changed_on_load

    def __len__(self) -> int:
        return len(self._s.ranges)

    @property
    def passage_count(self) -> int:
        return len(self._s.p_start) - self._s.dead

    def article_ids(self) -> list[str]:
        return list(self._s.ranges)

    # ---- the disk cache

    def save(self, path: Path | str) -> None:
        """Write the index (without article texts) atomically: temp file, fsync, replace."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".search-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(self._s, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        try:
            dir_fd = os.open(path.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)

    @classmethod
    def load(cls, path: Path | str, articles: Iterable[Article]) -> SearchIndex:
        """Read a saved index and bring it up to date with `articles` (by sha256).

        Raises `ValueError` if the file is not a readable index of this format version.
        """
        try:
            with open(path, "rb") as fh:
                state = pickle.load(fh)
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise ValueError(f"unreadable search index: {exc}") from None
        if not isinstance(state, _State) or getattr(state, "version", None) != FORMAT_VERSION:
            raise ValueError("search index of another format version")
        index = cls()
        index._s = state
        index.sync(articles)
        return index

    @classmethod
    def cached(
        cls,
        articles: Iterable[Article],
        cache_dir: Path | str,
        progress: Progress | None = None,
    ) -> SearchIndex:
        """Load the index from `cache_dir`, re-indexing only changed articles; rebuild if
        the cache is missing, corrupt or of another version. Rewritten only when changed.
        """
        articles = list(articles)
        path = Path(cache_dir) / CACHE_NAME
        try:
            index = cls.load(path, articles)
        except (OSError, ValueError, EOFError, MemoryError):
            index = None
        if index is not None:
            if progress:
                progress(len(articles), len(articles))
            if index._changed_on_load:
                try:
                    index.save(path)
                except OSError:
                    pass
            return index
        index = cls.build(articles, progress)
        try:
            index.save(path)
        except OSError:
            pass
        return index

    # ---- searching

    def _vocab(self) -> dict[int, list[str]]:
        if self._vocab_by_len is None:
            by_len: dict[int, list[str]] = {}
            for token in self._s.postings:
                if not _CJK_CHAR.search(token):
                    by_len.setdefault(len(token), []).append(token)
            self._vocab_by_len = by_len
            self._expansions = {}
        return self._vocab_by_len

    def _expand(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words close to `word` (itself included if indexed), with similarity."""
        return _expand_cached(self, word)

    def _candidates(self, words: list[tuple[str, bool]], allowed: set[int] | None) -> list[int]:
        """Up to `CANDIDATES` passage ids, best first by idf-weighted query words present."""
        postings = self._s.postings
        live = max(1, self.passage_count)
        found: list[tuple[int, list[array]]] = []  # (document frequency, posting arrays) per word
        for word, expandable in words:
            variants = self._expand(word) if expandable else [(word, 100.0)]
            arrays = [postings[v] for v, _sim in variants if v in postings]
            if arrays:
                found.append((sum(map(len, arrays)), arrays))
        if not found:
            return []
        found.sort(key=lambda f: f[0])
        rare = [f for f in found if f[0] <= COMMON_FRACTION * live]
        medium = [f for f in found if COMMON_FRACTION * live < f[0] <= STOP_FRACTION * live]

        def as_set(arrays: list[array]) -> set[int]:
            out: set[int] = set()
            for arr in arrays:
                out.update(arr)
            if allowed is not None:
                out &= allowed
            return out

        if rare:
            scores: dict[int, float] = {}
            get = scores.get
            for df, arrays in rare:
                weight = math.log(1 + live / max(1, df))
                for pid in as_set(arrays):
                    scores[pid] = get(pid, 0.0) + weight
            if len(scores) > CANDIDATES:
                # Too many to rescore: let the commoner words break the ties.
                for df, arrays in medium:
                    weight = math.log(1 + live / max(1, df))
                    present = as_set(arrays)
                    for pid in scores:
                        if pid in present:
                            scores[pid] += weight
                return heapq.nlargest(CANDIDATES, scores, key=scores.__getitem__)
            return list(scores)
        if medium:
            # Only common words: passages holding as many of them as possible.
            pool = as_set(medium[0][1])
            for _df, arrays in medium[1:]:
                narrower = pool & as_set(arrays)
                if narrower:
                    pool = narrower
            return list(itertools.islice(pool, CANDIDATES))
        # Only stop words ("the of and"): any passages holding the rarest; rapidfuzz sorts
        # them out. Building sets of 10^5 ids is the cost to avoid here.
        out: list[int] = []
        for arr in found[0][1]:
            for pid in arr:
                if allowed is None or pid in allowed:
                    out.append(pid)
                    if len(out) >= CANDIDATES:
                        return out
        return out

    def _allowed(
        self, q: Query, annotations: AnnotationSource | None
    ) -> tuple[set[int] | None, set[int]]:
        """Passage ids the filters allow (None: all), and ids they forbid."""
        s = self._s
        allowed: set[int] | None = None
        if q.articles:
            needles = [n.casefold() for n in q.articles]
            allowed = set()
            for article_id, (_slot, first, end) in s.ranges.items():
                article = self._articles.get(article_id)
                title = article.title.casefold() if article else ""
                if any(
                    n == article_id.casefold() or n in article_id.casefold() or n in title
                    for n in needles
                ):
                    allowed.update(range(first, end))
        forbidden: set[int] = set()
        if q.themes or q.not_themes:
            want = [t.casefold() for t in q.themes]
            avoid = {t.casefold() for t in q.not_themes}
            tagged: set[int] | None = set() if want else None
            for article_id, anns in _annotations_for(annotations, list(s.ranges)):
                entry = s.ranges.get(article_id)
                if entry is None:
                    continue
                _slot, first, end = entry
                for ann in anns:
                    themes = {t.casefold() for t in ann.themes}
                    hit_want = want and all(t in themes for t in want)
                    hit_avoid = bool(avoid & themes)
                    if not (hit_want or hit_avoid):
                        continue
                    for pid in range(first, end):
                        if s.p_start[pid] < ann.end and ann.start < s.p_end[pid]:
                            if hit_want and tagged is not None:
                                tagged.add(pid)
                            if hit_avoid:
                                forbidden.add(pid)
            if tagged is not None:
                allowed = tagged if allowed is None else allowed & tagged
        if allowed is not None and forbidden:
            allowed -= forbidden
        return allowed, forbidden

    def search(
        self,
        query: str,
        limit: int = 20,
        annotations: AnnotationSource | None = None,
        notes: bool = False,
        min_score: float = MIN_SCORE,
    ) -> list[SearchResult]:
        """Passages matching `query`, best first (exact phrases before fuzzy matches).

        `query` may carry filters (see `parse_query`). `annotations` maps an article id to
        its annotations (a mapping or a callable); the theme filters and notes mode need it.
        """
        q = parse_query(query)
        folded = fold(q.text)
        if not folded or limit <= 0:
            return []
        if notes or q.notes:
            return self._search_notes(q, folded, limit, annotations, min_score)
        allowed, forbidden = self._allowed(q, annotations)
        if allowed is not None and not allowed:
            return []
        s = self._s
        if allowed is not None and len(allowed) <= CANDIDATES:
            pids = [p for p in allowed if s.slots[s.p_article[p]] is not None]
        else:
            pids = [
                p for p in self._candidates(_query_words(folded), allowed) if p not in forbidden
            ]
        choices: dict[int, str] = {}
        for pid in pids:
            article_id = s.slots[s.p_article[pid]]
            if article_id is None:
                continue
            text = self._articles[article_id].text
            choices[pid] = fold(text[s.p_start[pid] : s.p_end[pid]])
        rough = process.extract(
            folded,
            choices,
            scorer=fuzz.partial_ratio,
            score_cutoff=min_score,
            limit=max(limit * 3, 30),
        )
        results: list[SearchResult] = []
        for _choice, _rough_score, pid in rough:
            article = self._articles[s.slots[s.p_article[pid]]]  # type: ignore[index]
            hit = _best_span(folded, article.text, s.p_start[pid], s.p_end[pid])
            if hit is None or hit[2] < min_score:
                continue
            start, end, score, exact = hit
            ps, pe = s.p_start[pid], s.p_end[pid]
            results.append(
                SearchResult(
                    article_id=article.id,
                    article_title=article.title,
                    start=start,
                    end=end,
                    text=article.text[start:end],
                    context=article.text[ps:pe],
                    score=score,
                    exact=exact,
                    context_start=ps,
                )
            )
        return _rank(results, limit)

    def _search_notes(
        self,
        q: Query,
        folded: str,
        limit: int,
        annotations: AnnotationSource | None,
        min_score: float,
    ) -> list[SearchResult]:
        if annotations is None:
            return []
        want = [t.casefold() for t in q.themes]
        avoid = {t.casefold() for t in q.not_themes}
        needles = [n.casefold() for n in q.articles]
        results: list[SearchResult] = []
        for article_id, anns in _annotations_for(annotations, list(self._s.ranges)):
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
                exact = _exact_at(folded, note) >= 0
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


def _expand_cached(index: SearchIndex, word: str) -> list[tuple[str, float]]:
    vocab = index._vocab()
    cache = index._expansions
    hit = cache.get(word)
    if hit is not None:
        return hit
    n = len(word)
    if n <= 2:
        out = [(word, 100.0)]
    else:
        cutoff = 80.0 if n <= 4 else 72.0
        spread = 1 if n <= 4 else 2
        pool: list[str] = []
        for length in range(max(1, n - spread), n + spread + 1):
            pool.extend(vocab.get(length, ()))
        found = process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=12)
        out = [(w, float(sim)) for w, sim, _ in found]
        if word in index._s.postings and all(w != word for w, _ in out):
            out.append((word, 100.0))
    if len(cache) > 4096:
        cache.clear()
    cache[word] = out
    return out


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


def _exact_at(needle: str, hay: str) -> int:
    """Index of `needle` in `hay` at word boundaries (CJK needs none), else -1."""
    start = 0
    while True:
        i = hay.find(needle, start)
        if i < 0:
            return -1
        j = i + len(needle)
        left_ok = i == 0 or not (_is_word_char(hay[i - 1]) and _is_word_char(needle[0]))
        right_ok = j == len(hay) or not (_is_word_char(hay[j]) and _is_word_char(needle[-1]))
        if left_ok and right_ok:
            return i
        start = i + 1


def _best_span(query: str, text: str, ps: int, pe: int) -> tuple[int, int, float, bool] | None:
    """(start, end, score, exact) of the best match of folded `query` in `text[ps:pe]`."""
    folded, origin = fold_with_map(text[ps:pe], ps)
    if not folded:
        return None
    i = _exact_at(query, folded)
    if i >= 0:
        j = i + len(query)
        exact = True
        score = 100.0
    else:
        exact = False
        al = fuzz.partial_ratio_alignment(query, folded)
        i, j = al.dest_start, al.dest_end
        # Widen to whole words (not across CJK characters, which have no word boundaries).
        limit = 24
        while i > 0 and limit and _is_word_char(folded[i - 1]) and _is_word_char(folded[i]):
            i -= 1
            limit -= 1
        limit = 24
        while (
            j < len(folded)
            and limit
            and j > 0
            and _is_word_char(folded[j])
            and _is_word_char(folded[j - 1])
        ):
            j += 1
            limit -= 1
        while i < j and folded[i] == " ":
            i += 1
        while j > i and folded[j - 1] == " ":
            j -= 1
        if i >= j:
            return None
        score = min(99.0, float(fuzz.ratio(query, folded[i:j])))
    return origin[i], origin[j - 1] + 1, score, exact


def _rank(results: list[SearchResult], limit: int) -> list[SearchResult]:
    results.sort(key=lambda r: (not r.exact, -r.score, r.article_id, r.start))
    kept: list[SearchResult] = []
    for r in results:
        if any(k.article_id == r.article_id and k.start < r.end and r.start < k.end for k in kept):
            continue
        kept.append(r)
        if len(kept) >= limit:
            break
    return kept


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    spans = sentences(text)
    first = next((s for s in spans if s[1] > start), None)
    last = next((s for s in reversed(spans) if s[0] < end), None)
    if first is None or last is None:
        return start, end
    return min(first[0], start), max(last[1], end)
