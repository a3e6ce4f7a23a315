"""Durable anchors: put annotations back on their passage after the article text changed.

Order, as for a W3C TextQuoteSelector with a TextPositionSelector hint:

1. the stored offsets, if `text[start:end] == exact` there and the context agrees;
2. exact occurrences of the quote, the best by prefix/suffix similarity and
   closeness to the old position;
3. a fuzzy search (rapidfuzz) allowing at most `max_error_rate * len(exact)` edits,
   scored on quote, prefix, suffix and position similarity.

What Tagline does beyond the Hypothesis client (`HYPOTHESIS` below: quote 50,
prefix 20, suffix 20, position 2, up to len/2 errors, best match always taken): a
match must be *supported*. A fuzzy match needs at most a quarter of the quote edited
and context that still agrees; an exact occurrence of a short or repeated quote needs
its context too. Anything less becomes an orphan for the analyst to place, rather
than a silent misplacement. `benchmarks/anchoring_bench.py` measures both.

A fuzzy re-anchor changes the passage, so `exact` becomes the new text (every
export keeps `text[start:end] == exact`); the old quote is in `Report.changed`
(before/after pairs) for this session only: the record has no field for it.
Orphans keep their quote, prefix, suffix and old hash (so they are tried again
whenever the text changes, and placed back if it reverts); their offsets are kept,
clamped to the new text's length.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from annotations.corpus import Article, Corpus
from annotations.model import Annotation, context_of
from annotations.store.protocol import Store


@dataclass(frozen=True, slots=True)
class Weights:
    quote: float = 50
    prefix: float = 20
    suffix: float = 20
    position: float = 2
    max_error_rate: float = 0.25  # edits allowed, as a fraction of the quote's length
    min_context: float = 0.5  # context similarity a fuzzy match needs
    min_exact_context: float = 0.4  # ... an exact occurrence of a short/repeated quote needs
    unique_length: int = 20  # a quote this long occurring once needs no context
    joint: bool = True  # weigh fuzzy matches against exact copies elsewhere

    @property
    def total(self) -> float:
        return self.quote + self.prefix + self.suffix + self.position


TAGLINE = Weights(position=10)
HYPOTHESIS = Weights(
    quote=50,
    prefix=20,
    suffix=20,
    position=2,
    max_error_rate=0.5,
    min_context=0.0,
    min_exact_context=0.0,
    unique_length=0,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    score: float  # 0..1, weighted quote/prefix/suffix/position similarity
    distance: int  # edits between the quote and text[start:end]
    context: float  # mean prefix/suffix similarity, 0..1

    @property
    def exact(self) -> bool:
        return self.distance == 0


def max_edits(exact: str, weights: Weights = TAGLINE) -> int:
    """Edits a fuzzy match may have: proportional to the quote's length."""
    return int(len(exact) * weights.max_error_rate)


def _similarity(expected: str, actual: str) -> float:
    if not expected and not actual:
        return 1.0
    return 1.0 - Levenshtein.normalized_distance(expected, actual)


def _context(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[float, float]:
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return _similarity(prefix, before), _similarity(suffix, after)


def _candidate(
    text: str, start: int, end: int, exact: str, prefix: str, suffix: str, hint: int, w: Weights
) -> Candidate:
    distance = Levenshtein.distance(exact, text[start:end])
    quote_sim = 1.0 - distance / max(len(exact), end - start, 1)
    pre, suf = _context(text, start, end, prefix, suffix)
    position = 1.0 - min(1.0, abs(start - hint) / max(len(text), 1))
    score = (
        w.quote * quote_sim + w.prefix * pre + w.suffix * suf + w.position * position
    ) / w.total
    return Candidate(start, end, score, distance, (pre + suf) / 2)


def _occurrences(text: str, exact: str) -> list[int]:
    out, i = [], text.find(exact)
    while i >= 0:
        out.append(i)
        i = text.find(exact, i + 1)
    return out


def find_exact(text: str, exact: str, prefix: str, suffix: str, hint: int = 0) -> int | None:
    """The start of the best exact occurrence of `exact` (by context, then closeness)."""
    starts = _occurrences(text, exact) if exact else []
    if not starts:
        return None
    best = max(
        starts,
        key=lambda s: (
            _candidate(text, s, s + len(exact), exact, prefix, suffix, hint, TAGLINE).score
        ),
    )
    return best


def _refine(text: str, exact: str, start: int, end: int, slack: int) -> tuple[int, int]:
    """Move a rough window's edges (by up to `slack`) to where the quote aligns best.

    Coordinate descent on the Levenshtein distance: the best start with the end
    widened, then the best end for that start. rapidfuzz makes each distance cheap.
    """
    # The old offsets may lie past the end of a shortened text: start from inside it.
    start = max(0, min(start, len(text) - 1))
    end = max(start + 1, min(end, len(text)))
    lo, hi = max(0, start - slack), min(len(text), end + slack)

    def best(options: range, span, ref: int) -> int:
        return min(options, key=lambda i: (Levenshtein.distance(exact, span(i)), abs(i - ref)))

    s = best(range(lo, min(start + slack, hi - 1) + 1), lambda i: text[i:hi], start)
    e = best(range(max(s + 1, end - slack), hi + 1), lambda i: text[s:i], end)
    return s, e


def _fuzzy(
    text: str, exact: str, prefix: str, suffix: str, hint: int, w: Weights, bounded: bool = True
) -> list[Candidate]:
    bound = max_edits(exact, w)
    if (bound == 0 and bounded) or not text:
        return []
    length = len(exact)
    windows: set[tuple[int, int]] = set()
    # The quote anywhere; the quote near its old place; the quote with its context.
    searches = [
        (0, text, exact, 0, 0),
        (
            max(0, hint - 2 * length),
            text[max(0, hint - 2 * length) : hint + 3 * length],
            exact,
            0,
            0,
        ),
        (0, text, prefix + exact + suffix, len(prefix), len(suffix)),
    ]
    for base, haystack, needle, cut_left, cut_right in searches:
        if not needle or len(needle) > len(haystack):
            continue
        al = fuzz.partial_ratio_alignment(needle, haystack)
        if al is None or al.score == 0:
            continue
        # For the context-extended needle, the quote is roughly its middle part.
        s = base + al.dest_start + cut_left
        e = max(s + 1, base + al.dest_end - cut_right)
        windows.add(_refine(text, exact, s, e, bound))
    out = []
    for s, e in windows:
        cand = _candidate(text, s, e, exact, prefix, suffix, hint, w)
        if cand.distance <= bound or not bounded:
            out.append(cand)
    return sorted(out, key=lambda c: -c.score)


def locate(
    text: str,
    exact: str,
    prefix: str,
    suffix: str,
    start: int,
    end: int,
    weights: Weights = TAGLINE,
) -> Candidate | None:
    """Where the quote now is in `text`, or None if no placement is supported enough."""
    w = weights
    if not exact:
        return None
    if text[start:end] == exact:
        cand = _candidate(text, start, end, exact, prefix, suffix, start, w)
        if cand.context >= w.min_exact_context:
            return cand
    starts = _occurrences(text, exact)
    supported: list[Candidate] = []
    for s in starts:
        cand = _candidate(text, s, s + len(exact), exact, prefix, suffix, start, w)
        unique = len(starts) == 1 and len(exact) >= w.unique_length
        if unique or cand.context >= w.min_exact_context:
            supported.append(cand)
    best = max(supported, key=lambda c: c.score, default=None)
    if best is not None and (w.joint is False or (len(starts) == 1 and best.context >= 0.9)):
        return best
    # A repeated quote, or one whose context changed: an edited passage at the old
    # place may be the better match than an exact copy elsewhere (duplicated captions).
    fuzzy = [c for c in _fuzzy(text, exact, prefix, suffix, start, w) if c.context >= w.min_context]
    if fuzzy and (best is None or fuzzy[0].score > best.score):
        best = fuzzy[0]
    return best


def candidates(ann: Annotation, article: Article, k: int = 3) -> list[Candidate]:
    """The `k` best passages for an orphan, supported or not, for the analyst to choose from."""
    text = article.text
    found: dict[tuple[int, int], Candidate] = {}
    loose = replace(HYPOTHESIS, max_error_rate=0.6)
    for s in _occurrences(text, ann.exact)[:50]:
        c = _candidate(
            text, s, s + len(ann.exact), ann.exact, ann.prefix, ann.suffix, ann.start, loose
        )
        found[(c.start, c.end)] = c
    for c in _fuzzy(text, ann.exact, ann.prefix, ann.suffix, ann.start, loose, bounded=False):
        found.setdefault((c.start, c.end), c)
    return sorted(found.values(), key=lambda c: -c.score)[:k]


def place(ann: Annotation, article: Article, start: int, end: int, status: str) -> Annotation:
    """`ann` moved onto `article.text[start:end]`, with new quote, context and hash."""
    prefix, suffix = context_of(article.text, start, end)
    return ann.touched(
        start=start,
        end=end,
        exact=article.text[start:end],
        prefix=prefix,
        suffix=suffix,
        article_sha256=article.sha256,
        status=status,
    )


def _reanchor(ann: Annotation, article: Article, weights: Weights) -> tuple[Annotation, str]:
    """(annotation on the current text, what happened: kept, reanchored or orphaned)."""
    found = locate(article.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end, weights)
    if found is None:
        n = len(article.text)
        return replace(ann, start=min(ann.start, n), end=min(ann.end, n), status="orphaned"), (
            "orphaned"
        )
    moved = (found.start, found.end) != (ann.start, ann.end) or not found.exact
    if not moved and ann.status != "orphaned":
        # Same passage at the same place: the hash and context catch up; not an edit.
        prefix, suffix = context_of(article.text, found.start, found.end)
        return replace(ann, article_sha256=article.sha256, prefix=prefix, suffix=suffix), "kept"
    return place(ann, article, found.start, found.end, "reanchored"), "reanchored"


def reanchor(ann: Annotation, article: Article, weights: Weights = TAGLINE) -> Annotation:
    """`ann` placed on `article`'s current text, with status reanchored or orphaned if it moved."""
    return _reanchor(ann, article, weights)[0]


@dataclass(slots=True)
class Report:
    reanchored: int = 0
    orphaned: int = 0
    changed: list[tuple[Annotation, Annotation]] = field(default_factory=list)  # (before, after)
    saved: bool = False

    def current(self, annotations: Iterable[Annotation]) -> Iterator[Annotation]:
        """`annotations` with this report's re-anchored versions in place of the old ones."""
        after = {a.id: b for a, b in self.changed}
        for ann in annotations:
            yield after.get(ann.id, ann)

    def __bool__(self) -> bool:
        return bool(self.reanchored or self.orphaned)

    def message(self) -> str:
        def n(count: int) -> str:
            return f"{count} annotation{'s' if count != 1 else ''}"

        parts = []
        if self.reanchored:
            parts.append(f"{n(self.reanchored)} re-anchored")
        if self.orphaned:
            parts.append(
                f"{n(self.orphaned)} orphaned" if not parts else f"{self.orphaned} orphaned"
            )
        if not parts:
            return "all annotations in place"
        return ", ".join(parts) + (
            "" if self.saved or not self.changed else " (not saved: read-only)"
        )


def reanchor_all(
    annotations: Iterable[Annotation], corpus: Corpus, weights: Weights = TAGLINE
) -> Report:
    """Re-anchor the annotations whose article's hash changed (without saving)."""
    report = Report()
    for ann in annotations:
        article = corpus.get(ann.article_id)
        if article is None or ann.article_sha256 == article.sha256:
            continue
        after, outcome = _reanchor(ann, article, weights)
        if outcome == "orphaned":
            report.orphaned += 1
        elif outcome == "reanchored":
            report.reanchored += 1
        if after != ann:
            report.changed.append((ann, after))
    return report


def stale(store: Store, corpus: Corpus) -> Iterator[Annotation]:
    """Annotations whose article text changed since they were saved.

    Reads the raw records first, so an open with nothing to do builds no objects.
    """
    hashes = store.article_hashes()
    for article_id in sorted(hashes):
        article = corpus.get(article_id)
        if article is None:
            continue
        if any(h != article.sha256 for h in hashes[article_id]):
            yield from (
                a for a in store.for_article(article_id) if a.article_sha256 != article.sha256
            )


def reanchor_store(
    store: Store, corpus: Corpus, weights: Weights = TAGLINE, *, save: bool = True
) -> Report:
    """Re-anchor a store's annotations on the corpus, saving the changes in one write.

    Not undoable: undo would put annotations back on offsets that no longer hold. On
    a read-only store the report is computed but nothing is saved (`Report.saved`);
    `Report.current()` then gives the placed annotations for exports.
    """
    report = reanchor_all(stale(store, corpus), corpus, weights)
    if report.changed and save and not store.read_only:
        store.put_many([after for _, after in report.changed], label="re-anchor", undoable=False)
        report.saved = True
    return report


def orphans(store: Store, corpus: Corpus) -> list[tuple[Annotation, Article]]:
    return [
        (ann, article)
        for ann in store.all()
        if ann.status == "orphaned" and (article := corpus.get(ann.article_id)) is not None
    ]
