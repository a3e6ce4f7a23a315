"""Inter-annotator agreement between the authors of one (merged) store.

Definitions (with their sources, also in the README's agreement section):

* Coverage. Each analyst's articles are the ones they marked done
  (`annotations.coverage`). A pair is compared on the articles both marked done;
  when nobody marked anything, on the articles either of the two coded (with a
  warning). A third analyst never changes a pair's figures.
* Units are the sentences (`segment.sentences`) or word tokens (`\\w+`) of those
  articles. An author codes unit u with theme T when any of their annotations
  with T overlaps u (shares at least one character). A theme repeated in one
  record, or one passage coded twice, counts once.
* Themes of a pair: the ones either of the two used on its articles ("pair"), or
  every theme of the codebook ("codebook"), as the caller says.
* Cohen's kappa (Cohen 1960), per pair and theme: (p_o - p_e) / (1 - p_e) over
  the units' binary decisions, p_e from each author's own rate. Undefined (None)
  when p_e = 1.
* Concatenated kappa (the "(overall)" row's `kappa`): Cohen's kappa of every
  (unit, theme) decision of the pair's themes, one after another.
* Pooled kappa (De Vries et al. 2008): (mean p_o - mean p_e) / (1 - mean p_e),
  means over the pair's themes.
* Per-article kappa (as INCEpTION averages documents): the mean of the kappas of
  each article, where defined.
* Fleiss' kappa (Fleiss 1971), per theme across all authors, on the units every
  author covered (complete cases only, as INCEpTION does).
* Krippendorff's alpha (nominal; Krippendorff 2011), per theme across all
  authors, every unit of every covered article: an author who did not cover an
  article is missing there, units with fewer than two values are not pairable.
* Span F1, per pair and theme: exact, 2 * matches / (|A| + |B|) where a match is
  a span (article, start, end) both coded; overlap, precision = B's spans that
  overlap one of A's, recall = A's spans that overlap one of B's, F1 = 2PR/(P+R).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Any

from annotations.corpus import Corpus
from annotations.model import Annotation
from annotations.text.segment import Span, sentences

_TOKEN = re.compile(r"\w+")
OVERALL = "(overall)"
THEME_SCOPES = ("pair", "codebook")
NO_COVERAGE = (
    "nobody marked an article done: each pair is compared on the articles either of them coded"
)


def tokens(text: str) -> list[Span]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


UNITS: dict[str, Callable[[str], list[Span]]] = {"sentence": sentences, "token": tokens}


# -- the statistics on plain 0/1 data ----------------------------------------------------


def _observed_expected(a: Sequence[int], b: Sequence[int]) -> tuple[float, float] | None:
    n = len(a)
    if n == 0 or n != len(b):
        return None
    po = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    pa, pb = sum(a) / n, sum(b) / n
    return po, pa * pb + (1 - pa) * (1 - pb)


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's kappa of two binary ratings of the same items; None when undefined."""
    oe = _observed_expected(a, b)
    if oe is None or oe[1] >= 1.0:
        return None
    po, pe = oe
    return (po - pe) / (1 - pe)


def pooled_kappa(pairs: Sequence[tuple[Sequence[int], Sequence[int]]]) -> float | None:
    """De Vries et al. (2008): kappa from the mean p_o and mean p_e over categories."""
    oes = [oe for a, b in pairs if (oe := _observed_expected(a, b)) is not None]
    if not oes:
        return None
    po = sum(o for o, _ in oes) / len(oes)
    pe = sum(e for _, e in oes) / len(oes)
    return None if pe >= 1.0 else (po - pe) / (1 - pe)


def fleiss_kappa(ratings: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa for binary ratings, every unit rated by the same number of coders."""
    rows = [r for r in ratings if r]
    if not rows or len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
        return None
    m, n = len(rows[0]), len(rows)
    ones = [sum(r) for r in rows]
    agree = sum(k * (k - 1) + (m - k) * (m - k - 1) for k in ones) / (n * m * (m - 1))
    p1 = sum(ones) / (n * m)
    pe = p1 * p1 + (1 - p1) * (1 - p1)
    return None if pe >= 1.0 else (agree - pe) / (1 - pe)


def krippendorff_alpha(ratings: Sequence[Sequence[int]]) -> float | None:
    """Nominal alpha for binary ratings: `ratings[u]` holds the values unit u received.

    Missing judgements are simply absent from a unit's list.
    """
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


def mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


# -- from annotations --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairAgreement:
    a: str
    b: str
    theme: str  # a theme name, or OVERALL
    kappa: float | None  # Cohen's; on the OVERALL row the concatenated kappa
    f1_exact: float | None
    f1_overlap: float | None
    units: int
    articles: int = 0
    pooled: float | None = None  # OVERALL row only: De Vries et al. (2008)
    per_article: float | None = None  # mean of per-article kappas (when asked for)


@dataclass(slots=True)
class AgreementReport:
    unit: str
    authors: list[str]
    themes: list[str]
    articles: int
    units: int
    pairs: list[PairAgreement]
    alpha: dict[str, float | None]  # theme or OVERALL -> alpha across all authors
    fleiss: dict[str, float | None] = field(default_factory=dict)
    fleiss_units: int = 0  # units every author covered
    coverage: str = "done"  # "done": marked articles; "coded": the fallback
    theme_scope: str = "pair"
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "coverage": self.coverage,
            "theme_scope": self.theme_scope,
            "warnings": self.warnings,
            "authors": self.authors,
            "themes": self.themes,
            "articles": self.articles,
            "units": self.units,
            "pairs": [
                {
                    "authors": [p.a, p.b],
                    "theme": p.theme,
                    "articles": p.articles,
                    "units": p.units,
                    "kappa": p.kappa,
                    **({"pooled_kappa": p.pooled} if p.theme == OVERALL else {}),
                    "per_article_kappa": p.per_article,
                    "f1_exact": p.f1_exact,
                    "f1_overlap": p.f1_overlap,
                }
                for p in self.pairs
            ],
            "alpha": self.alpha,
            "fleiss_kappa": self.fleiss,
            "fleiss_units": self.fleiss_units,
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


SpanKey = tuple[str, int, int]


def _span_f1(a: set[SpanKey], b: set[SpanKey]) -> tuple[float | None, float | None]:
    f_exact = 2 * len(a & b) / (len(a) + len(b)) if a or b else None

    def overlapping(xs: set[SpanKey], ys: set[SpanKey]) -> int:
        by_article: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for art, s, e in ys:
            by_article[art].append((s, e))
        return sum(1 for art, s, e in xs if any(s < ye and ys_ < e for ys_, ye in by_article[art]))

    return f_exact, f1(overlapping(b, a), len(b), overlapping(a, b), len(a))


class _Codings:
    """Per author, article and theme: the coded unit indexes and the coded spans (sets)."""

    def __init__(self, annotations: Iterable[Annotation], corpus: Corpus, split) -> None:
        self.corpus = corpus
        self.split = split
        self.mine: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
        self.spans: dict[tuple[str, str, str], set[SpanKey]] = defaultdict(set)
        self.used: dict[tuple[str, str], set[str]] = defaultdict(set)  # (author, article)
        for ann in annotations:
            if ann.article_id not in corpus:
                continue
            self.mine[(ann.author, ann.article_id)].append(ann)
            for t in set(ann.themes):
                self.spans[(ann.author, ann.article_id, t)].add(
                    (ann.article_id, ann.start, ann.end)
                )
                self.used[(ann.author, ann.article_id)].add(t)
        self._units: dict[str, list[Span]] = {}
        self._hits: dict[tuple[str, str, str], set[int]] = {}

    def units(self, article_id: str) -> list[Span]:
        if article_id not in self._units:
            self._units[article_id] = self.split(self.corpus[article_id].text)
        return self._units[article_id]

    def decisions(self, author: str, article_id: str, theme: str) -> list[int]:
        k = (author, article_id, theme)
        if k not in self._hits:
            units = self.units(article_id)
            self._hits[k] = coded_units(units, self.mine.get((author, article_id), ()), theme)
        hit = self._hits[k]
        return [1 if i in hit else 0 for i in range(len(self.units(article_id)))]


def agreement(
    annotations: Iterable[Annotation],
    corpus: Corpus,
    *,
    unit: str = "sentence",
    themes: Sequence[str] = (),
    coverage: Mapping[str, Iterable[str]] | None = None,
    theme_scope: str = "pair",
    per_article: bool = False,
) -> AgreementReport:
    """Agreement of every author pair, and Fleiss' kappa and alpha across all, per theme.

    `coverage` maps author -> article ids marked done; `themes` is the codebook
    (its order, and every theme when `theme_scope` is "codebook").
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} (units: {', '.join(UNITS)})")
    if theme_scope not in THEME_SCOPES:
        raise ValueError(f"unknown theme scope {theme_scope!r} ({', '.join(THEME_SCOPES)})")
    data = _Codings(annotations, corpus, UNITS[unit])
    done = {a: {i for i in arts if i in corpus} for a, arts in (coverage or {}).items()}
    done = {a: arts for a, arts in done.items() if arts}
    coded: dict[str, set[str]] = defaultdict(set)
    for author, article_id in data.mine:
        coded[author].add(article_id)
    authors = sorted(set(coded) | set(done))
    warnings: list[str] = []
    if done:
        mode, covered = "done", {a: done.get(a, set()) for a in authors}
    else:
        mode, covered = "coded", {a: coded[a] for a in authors}
        if len(authors) >= 2:
            warnings.append(NO_COVERAGE)

    present = {t for used in data.used.values() for t in used}
    names = [t for t in dict.fromkeys(themes) if theme_scope == "codebook" or t in present]
    names += sorted(present - set(names))
    order = {t: i for i, t in enumerate(names)}

    pairs: list[PairAgreement] = []
    for a, b in combinations(authors, 2):
        arts = sorted(covered[a] & covered[b] if mode == "done" else covered[a] | covered[b])
        if theme_scope == "codebook":
            mine = names
        else:
            used = {t for x in (a, b) for art in arts for t in data.used.get((x, art), ())}
            mine = sorted(used, key=order.__getitem__)
        concat_a: list[int] = []
        concat_b: list[int] = []
        by_theme: list[tuple[list[int], list[int]]] = []
        spans_a: set[SpanKey] = set()
        spans_b: set[SpanKey] = set()
        article_overall: dict[str, tuple[list[int], list[int]]] = {art: ([], []) for art in arts}
        for t in mine:
            da: list[int] = []
            db: list[int] = []
            per_art: list[float | None] = []
            for art in arts:
                xa, xb = data.decisions(a, art, t), data.decisions(b, art, t)
                da += xa
                db += xb
                article_overall[art][0].extend(xa)
                article_overall[art][1].extend(xb)
                if per_article:
                    per_art.append(cohen_kappa(xa, xb))
            sa = {s for art in arts for s in data.spans.get((a, art, t), ())}
            sb = {s for art in arts for s in data.spans.get((b, art, t), ())}
            fe, fo = _span_f1(sa, sb)
            pairs.append(
                PairAgreement(
                    a,
                    b,
                    t,
                    cohen_kappa(da, db),
                    fe,
                    fo,
                    len(da),
                    len(arts),
                    per_article=mean(per_art) if per_article else None,
                )
            )
            concat_a += da
            concat_b += db
            by_theme.append((da, db))
            spans_a |= {(f"{t}\x1f{art}", s, e) for art, s, e in sa}  # theme in the key
            spans_b |= {(f"{t}\x1f{art}", s, e) for art, s, e in sb}
        fe, fo = _span_f1(spans_a, spans_b)
        overall_per_article = (
            mean(cohen_kappa(x, y) for x, y in article_overall.values()) if per_article else None
        )
        pairs.append(
            PairAgreement(
                a,
                b,
                OVERALL,
                cohen_kappa(concat_a, concat_b),
                fe,
                fo,
                len(concat_a),
                len(arts),
                pooled_kappa(by_theme),
                overall_per_article,
            )
        )

    # Team-wide: alpha over every covered article (others missing), Fleiss on complete cases.
    team_articles = sorted(set().union(*covered.values())) if covered else []
    if mode == "coded":  # the fallback: everyone is taken to have read what anyone coded
        covered = {x: set(team_articles) for x in authors}
    complete = [art for art in team_articles if all(art in covered[x] for x in authors)]
    alpha: dict[str, float | None] = {}
    fleiss: dict[str, float | None] = {}
    alpha_pool: list[list[int]] = []
    fleiss_pool: list[list[int]] = []
    for t in names:
        rows: list[list[int]] = []
        for art in team_articles:
            columns = [data.decisions(x, art, t) for x in authors if art in covered[x]]
            rows += [list(r) for r in zip(*columns, strict=True)] if columns else []
        full: list[list[int]] = []
        for art in complete:
            columns = [data.decisions(x, art, t) for x in authors]
            full += [list(r) for r in zip(*columns, strict=True)]
        alpha[t] = krippendorff_alpha(rows) if len(authors) >= 2 else None
        fleiss[t] = fleiss_kappa(full) if len(authors) >= 2 else None
        alpha_pool += rows
        fleiss_pool += full
    alpha[OVERALL] = krippendorff_alpha(alpha_pool) if len(authors) >= 2 else None
    fleiss[OVERALL] = fleiss_kappa(fleiss_pool) if len(authors) >= 2 else None
    total_units = sum(len(data.units(art)) for art in team_articles)
    return AgreementReport(
        unit,
        authors,
        names,
        len(team_articles),
        total_units,
        pairs,
        alpha,
        fleiss,
        sum(len(data.units(art)) for art in complete),
        mode,
        theme_scope,
        warnings,
    )


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
