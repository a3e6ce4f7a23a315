"""Inter-annotator agreement between the authors of one (merged) store.

Definitions (also in docs-insight.md):

* Units are the sentences (`segment.sentences`) or word tokens (`\\w+`) of every
  article that at least one author annotated: the team's coded set. Articles
  nobody touched are left out, so uncoded backlog does not inflate agreement.
* An author codes unit u with theme T when any of their annotations with T
  overlaps u (shares at least one character).
* Cohen's kappa, per author pair and theme: (p_o - p_e) / (1 - p_e) over the
  units' binary decisions, p_e from each author's own rate. "Overall" pools the
  (unit, theme) decisions of every theme. Undefined (None) when p_e = 1.
* Krippendorff's alpha (nominal), per theme across all authors: with m authors
  on every unit, alpha = 1 - (n - 1) * sum_u(n0_u * n1_u / (m - 1)) / (n0 * n1),
  n = units * m values, n0/n1 the 0s and 1s in all. Undefined when n0 * n1 = 0.
* Span F1, per pair and theme: exact, 2 * matches / (|A| + |B|) where a match is
  a span (article, start, end) both coded; overlap, precision = B's spans that
  overlap one of A's, recall = A's spans that overlap one of B's, F1 = 2PR/(P+R).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Any

from annotations.corpus import Corpus
from annotations.model import Annotation
from annotations.text.segment import Span, sentences

_TOKEN = re.compile(r"\w+")
OVERALL = "(overall)"


def tokens(text: str) -> list[Span]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


UNITS: dict[str, Callable[[str], list[Span]]] = {"sentence": sentences, "token": tokens}


# -- the statistics on plain 0/1 data ----------------------------------------------------


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's kappa of two binary ratings of the same items; None when undefined."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    po = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def krippendorff_alpha(ratings: Sequence[Sequence[int]]) -> float | None:
    """Nominal alpha for binary ratings: `ratings[u]` holds every coder's value for unit u."""
    units = [r for r in ratings if len(r) >= 2]  # a unit needs two values to be pairable
    n0 = sum(r.count(0) for r in units)
    n1 = sum(r.count(1) for r in units)
    n = n0 + n1
    if n0 == 0 or n1 == 0:
        return None
    disagree = sum(r.count(0) * r.count(1) / (len(r) - 1) for r in units)
    return 1.0 - (n - 1) * disagree / (n0 * n1)


def f1(tp_p: int, n_p: int, tp_r: int, n_r: int) -> float | None:
    """F1 from precision tp_p/n_p and recall tp_r/n_r; None when both sides are empty."""
    if n_p + n_r == 0:
        return None
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_r if n_r else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


# -- from annotations --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairAgreement:
    a: str
    b: str
    theme: str  # a theme name, or OVERALL
    kappa: float | None
    f1_exact: float | None
    f1_overlap: float | None
    units: int


@dataclass(slots=True)
class AgreementReport:
    unit: str
    authors: list[str]
    themes: list[str]
    articles: int
    units: int
    pairs: list[PairAgreement]
    alpha: dict[str, float | None]  # theme or OVERALL -> alpha across all authors

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "authors": self.authors,
            "themes": self.themes,
            "articles": self.articles,
            "units": self.units,
            "pairs": [
                {
                    "authors": [p.a, p.b],
                    "theme": p.theme,
                    "kappa": p.kappa,
                    "f1_exact": p.f1_exact,
                    "f1_overlap": p.f1_overlap,
                }
                for p in self.pairs
            ],
            "alpha": self.alpha,
        }


def coded_units(units: Sequence[Span], annotations: Iterable[Annotation], theme: str) -> set[int]:
    """Indexes of the `units` (sorted, disjoint) that an annotation with `theme` overlaps."""
    starts = [s for s, _ in units]
    hit: set[int] = set()
    for ann in annotations:
        if theme not in ann.themes:
            continue
        i = max(0, bisect.bisect_right(starts, ann.start) - 1)
        while i < len(units) and units[i][0] < ann.end:
            if units[i][1] > ann.start:
                hit.add(i)
            i += 1
    return hit


def _span_f1(
    a: list[tuple[str, int, int]], b: list[tuple[str, int, int]]
) -> tuple[float | None, float | None]:
    exact = sum((Counter(a) & Counter(b)).values())
    f_exact = 2 * exact / (len(a) + len(b)) if a or b else None

    def overlapping(xs, ys) -> int:
        by_article: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for art, s, e in ys:
            by_article[art].append((s, e))
        return sum(1 for art, s, e in xs if any(s < ye and ys_ < e for ys_, ye in by_article[art]))

    return f_exact, f1(overlapping(b, a), len(b), overlapping(a, b), len(a))


def agreement(
    annotations: Iterable[Annotation],
    corpus: Corpus,
    *,
    unit: str = "sentence",
    themes: Sequence[str] = (),
) -> AgreementReport:
    """Agreement of every author pair (and alpha across all) on `unit`s, per theme."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} (units: {', '.join(UNITS)})")
    split = UNITS[unit]
    by_article: dict[str, list[Annotation]] = defaultdict(list)
    for ann in annotations:
        if ann.article_id in corpus:
            by_article[ann.article_id].append(ann)
    authors = sorted({a.author for anns in by_article.values() for a in anns})
    present = {t for anns in by_article.values() for a in anns for t in a.themes}
    names = [t for t in dict.fromkeys(themes) if t in present]
    names += sorted(present - set(names))

    # decisions[theme][author] = 0/1 per unit, units in one fixed order across articles
    decisions: dict[str, dict[str, list[int]]] = {t: {a: [] for a in authors} for t in names}
    spans: dict[str, dict[str, list[tuple[str, int, int]]]] = {
        t: {a: [] for a in authors} for t in names
    }
    total_units = 0
    for article_id in sorted(by_article):
        units = split(corpus[article_id].text)
        total_units += len(units)
        mine: dict[str, list[Annotation]] = defaultdict(list)
        for ann in by_article[article_id]:
            mine[ann.author].append(ann)
            for t in ann.themes:
                spans[t][ann.author].append((article_id, ann.start, ann.end))
        for t in names:
            for author in authors:
                hit = coded_units(units, mine[author], t)
                decisions[t][author].extend(1 if i in hit else 0 for i in range(len(units)))

    pairs: list[PairAgreement] = []
    for a, b in combinations(authors, 2):
        pooled_a: list[int] = []
        pooled_b: list[int] = []
        all_a: list[tuple[str, int, int, str]] = []
        all_b: list[tuple[str, int, int, str]] = []
        for t in names:
            da, db = decisions[t][a], decisions[t][b]
            pooled_a += da
            pooled_b += db
            fe, fo = _span_f1(spans[t][a], spans[t][b])
            pairs.append(PairAgreement(a, b, t, cohen_kappa(da, db), fe, fo, len(da)))
            all_a += [(f"{t}\x1f{art}", s, e) for art, s, e in spans[t][a]]
            all_b += [(f"{t}\x1f{art}", s, e) for art, s, e in spans[t][b]]
        fe, fo = _span_f1(all_a, all_b)  # the theme is part of the article key
        pairs.append(
            PairAgreement(a, b, OVERALL, cohen_kappa(pooled_a, pooled_b), fe, fo, len(pooled_a))
        )

    alpha: dict[str, float | None] = {}
    pooled: list[list[int]] = []
    for t in names:
        columns = [decisions[t][author] for author in authors]
        rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
        alpha[t] = krippendorff_alpha(rows) if len(authors) >= 2 else None
        pooled += rows
    alpha[OVERALL] = krippendorff_alpha(pooled) if len(authors) >= 2 else None
    return AgreementReport(unit, authors, names, len(by_article), total_units, pairs, alpha)


# -- disagreements, for adjudication -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Disagreement:
    article_id: str
    start: int
    end: int
    theme: str
    coded_by: tuple[str, ...]
    not_by: tuple[str, ...]


def disagreements(
    annotations: Iterable[Annotation], authors: Sequence[str] | None = None
) -> list[Disagreement]:
    """Passages where authors differ: some coded the theme there, others did not.

    Character-level: the article is cut at every annotation boundary and a piece
    is reported when the set of authors who coded theme T on it is neither empty
    nor everyone (`authors`, default every author in `annotations`). Adjacent
    pieces with the same coders are joined. Sorted by article, then offset.
    """
    anns = list(annotations)
    team = tuple(sorted(set(authors) if authors is not None else {a.author for a in anns}))
    grouped: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for ann in anns:
        for t in ann.themes:
            grouped[(ann.article_id, t)].append(ann)
    out: list[Disagreement] = []
    for (article_id, theme), group in grouped.items():
        cuts = sorted({x for a in group for x in (a.start, a.end)})
        current: Disagreement | None = None
        for lo, hi in pairwise(cuts):
            coders = tuple(sorted({a.author for a in group if a.start < hi and lo < a.end}))
            if not coders or set(coders) >= set(team):
                if current:
                    out.append(current)
                current = None
                continue
            if current and current.end == lo and current.coded_by == coders:
                current = Disagreement(article_id, current.start, hi, theme, coders, current.not_by)
                continue
            if current:
                out.append(current)
            missing = tuple(a for a in team if a not in coders)
            current = Disagreement(article_id, lo, hi, theme, coders, missing)
        if current:
            out.append(current)
    out.sort(key=lambda d: (d.article_id, d.start, d.end, d.theme))
    return out
