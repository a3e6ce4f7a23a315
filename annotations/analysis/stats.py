"""Where each theme stands across the corpus: the figures behind the dashboard and `tagline stats`.

Everything is computed in one pass over the annotations (grouped by article),
so the cost grows with the annotations, not with the corpus; articles are only
looked up for their length and date.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from annotations.corpus import Corpus
from annotations.model import Annotation

UNDATED = "undated"

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ThemeStats:
    theme: str
    annotations: int
    articles: int
    characters: int  # union of the coded ranges, summed over articles
    share: float  # characters / every character of the corpus
    first_date: str | None  # earliest date of an article the theme touches
    last_date: str | None


@dataclass(frozen=True, slots=True)
class ArticleRow:
    article_id: str
    title: str
    date: str | None
    counts: dict[str, int]  # theme -> annotations
    annotations: int = 0  # distinct annotations (one with two themes counts once)

    @property
    def total(self) -> int:
        """Theme assignments: an annotation with two themes counts twice."""
        return sum(self.counts.values())


@dataclass(slots=True)
class CorpusStats:
    themes: list[ThemeStats]
    articles: list[ArticleRow]  # articles with at least one annotation, in corpus order
    overlap: dict[Pair, int]  # passages coded with both themes (see `co_occurrence`)
    same_article: dict[Pair, int]  # articles where both themes appear
    months: list[str]  # every month from the first to the last, then `undated` if any
    by_month: dict[str, dict[str, int]]  # theme -> month -> annotations
    corpus_characters: int
    annotations: int
    theme_names: list[str] = field(default_factory=list)
    # False (default): co-occurrence within one analyst's annotations; True: across analysts
    across_authors: bool = False

    def series(self, theme: str) -> list[int]:
        """Annotations of `theme` per month, aligned with `months` (zeros included)."""
        counts = self.by_month.get(theme, {})
        return [counts.get(m, 0) for m in self.months]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready figures (what `tagline stats --json` prints)."""
        return {
            "corpus_characters": self.corpus_characters,
            "annotations": self.annotations,
            "themes": [
                {
                    "theme": t.theme,
                    "annotations": t.annotations,
                    "articles": t.articles,
                    "characters": t.characters,
                    "share": round(t.share, 6),
                    "first_date": t.first_date,
                    "last_date": t.last_date,
                }
                for t in self.themes
            ],
            "articles": [
                {
                    "article_id": r.article_id,
                    "title": r.title,
                    "date": r.date,
                    "themes": r.counts,
                    "total": r.total,  # theme assignments
                    "annotations": r.annotations,
                }
                for r in self.articles
            ],
            "co_occurrence_across_authors": self.across_authors,
            "co_occurrence": [
                {
                    "themes": list(pair),
                    "overlapping": self.overlap.get(pair, 0),
                    "same_article": self.same_article.get(pair, 0),
                }
                for pair in combinations(self.theme_names, 2)
            ],
            "over_time": {
                "months": self.months,
                "themes": {name: self.series(name) for name in self.theme_names},
            },
        }


def pair(a: str, b: str, order: dict[str, int]) -> Pair:
    """A theme pair in codebook order, so (A, B) and (B, A) are one key."""
    return (a, b) if order.get(a, len(order)) <= order.get(b, len(order)) else (b, a)


def union_length(spans: Iterable[tuple[int, int]]) -> int:
    """Characters covered by at least one of the half-open `spans`."""
    total = 0
    cur_start = cur_end = None
    for start, end in sorted(spans):
        if cur_end is None or start > cur_end:
            if cur_end is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_end is not None:
        total += cur_end - cur_start
    return total


def co_occurrence(annotations: Sequence[Annotation], order: dict[str, int]) -> Counter[Pair]:
    """Overlapping-passage counts for one article's annotations.

    A passage is coded with both A and B when one annotation carries both, or
    when two overlapping annotations carry them (one A, the other B). Each
    annotation, and each overlapping pair of annotations, counts at most once
    per theme pair.
    """
    out: Counter[Pair] = Counter()
    for ann in annotations:
        for a, b in combinations(sorted(set(ann.themes), key=lambda t: order.get(t, 0)), 2):
            out[pair(a, b, order)] += 1
    ordered = sorted(annotations, key=lambda a: (a.start, a.end))
    for i, x in enumerate(ordered):
        for y in ordered[i + 1 :]:
            if y.start >= x.end:
                break  # sorted by start: nothing further overlaps x
            if not x.overlaps(y.start, y.end):
                continue
            pairs = {
                pair(a, b, order) for a in x.themes for b in y.themes if a != b
            }  # a set: (A in x, B in y) and (B in x, A in y) are one passage
            out.update(pairs)
    return out


def month_of(date: str | None) -> str:
    if date and len(date) >= 7 and date[4] == "-":
        return date[:7]
    return UNDATED


def month_range(first: str, last: str) -> list[str]:
    """Every `YYYY-MM` from `first` to `last` inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def compute(
    annotations: Iterable[Annotation],
    corpus: Corpus,
    theme_names: Sequence[str] = (),
    *,
    across_authors: bool = False,
) -> CorpusStats:
    """All dashboard figures. Themes come in `theme_names` order, then any others by name.

    Co-occurrence counts within one analyst's annotations unless `across_authors`:
    in a team store, two analysts coding one passage differently is disagreement,
    not two themes occurring together.
    """
    by_article: dict[str, list[Annotation]] = defaultdict(list)
    total = 0
    for ann in annotations:
        by_article[ann.article_id].append(ann)
        total += 1
    names = list(dict.fromkeys(theme_names))
    extra = sorted({t for anns in by_article.values() for a in anns for t in a.themes} - set(names))
    names += extra
    order = {name: i for i, name in enumerate(names)}

    counts: Counter[str] = Counter()
    articles_of: Counter[str] = Counter()
    characters: Counter[str] = Counter()
    dates: dict[str, list[str]] = defaultdict(list)
    overlap: Counter[Pair] = Counter()
    same_article: Counter[Pair] = Counter()
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    rows: list[ArticleRow] = []
    months_seen: set[str] = set()

    def corpus_position(article_id: str) -> tuple[int, str]:
        # Corpus order is by id; articles missing from the corpus go last.
        return (0 if article_id in corpus else 1, article_id)

    for article_id in sorted(by_article, key=corpus_position):
        anns = by_article[article_id]
        article = corpus.get(article_id)
        date = article.date if article else None
        month = month_of(date)
        per_theme: Counter[str] = Counter()
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for ann in anns:
            for theme in dict.fromkeys(ann.themes):
                per_theme[theme] += 1
                spans[theme].append((ann.start, ann.end))
                by_month[theme][month] += 1
                months_seen.add(month)
        for theme, n in per_theme.items():
            counts[theme] += n
            articles_of[theme] += 1
            characters[theme] += union_length(spans[theme])
            if date:
                dates[theme].append(date)
        groups: dict[str, list[Annotation]] = defaultdict(list)
        for ann in anns:
            groups["" if across_authors else ann.author].append(ann)
        both: set[Pair] = set()
        for group in groups.values():
            used = sorted({t for a in group for t in a.themes}, key=lambda t: order[t])
            both.update(combinations(used, 2))
            overlap.update(co_occurrence(group, order))
        same_article.update(both)
        rows.append(
            ArticleRow(
                article_id,
                article.title if article else article_id,
                date,
                {t: per_theme[t] for t in names if per_theme[t]},
                len(anns),
            )
        )

    corpus_chars = sum(len(a.text) for a in corpus)
    themes = [
        ThemeStats(
            theme=name,
            annotations=counts[name],
            articles=articles_of[name],
            characters=characters[name],
            share=characters[name] / corpus_chars if corpus_chars else 0.0,
            first_date=min(dates[name]) if dates[name] else None,
            last_date=max(dates[name]) if dates[name] else None,
        )
        for name in names
    ]
    dated = sorted(m for m in months_seen if m != UNDATED)
    months = month_range(dated[0], dated[-1]) if dated else []
    if UNDATED in months_seen:
        months.append(UNDATED)
    return CorpusStats(
        themes=themes,
        articles=rows,
        overlap=dict(overlap),
        same_article=dict(same_article),
        months=months,
        by_month={t: dict(c) for t, c in by_month.items()},
        corpus_characters=corpus_chars,
        annotations=total,
        theme_names=names,
        across_authors=across_authors,
    )
