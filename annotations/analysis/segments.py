"""Coded segments: every passage coded with a theme, in its sentence (QDA "retrieve").

Used by the retrieve view and by reports; plain data, so a worker can build it
from a snapshot of the annotations while the UI thread keeps the live store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotations.corpus import Corpus
from annotations.model import Annotation
from annotations.text.segment import sentences


@dataclass(frozen=True, slots=True)
class CodedSegment:
    """One coded passage: `text == article.text[start:end]`, `context` the sentences around it."""

    annotation: Annotation
    article_id: str
    article_title: str
    start: int
    end: int
    text: str
    context: str
    context_start: int


def coded_segments(
    annotations: Iterable[Annotation],
    corpus: Corpus,
    theme: str,
    *,
    limit: int | None = None,
) -> tuple[list[CodedSegment], int]:
    """(passages coded `theme`, how many there are in all), in corpus then text order.

    Only annotations whose offsets hold on the article's current text are listed:
    an orphan has no passage to show (the orphan review handles those). At most
    `limit` are built; the count covers them all.
    """
    want = theme.casefold()
    order = {a.id: i for i, a in enumerate(corpus.articles)}
    found = [
        ann
        for ann in annotations
        if ann.article_id in order and any(t.casefold() == want for t in ann.themes)
    ]
    found.sort(key=lambda a: (order[a.article_id], a.start, -a.end))
    segments: list[CodedSegment] = []
    spans_by_article: dict[str, list[tuple[int, int]]] = {}
    for ann in found if limit is None else found[:limit]:
        article = corpus.get(ann.article_id)
        if article is None:
            continue
        text = article.text
        if not 0 <= ann.start < ann.end <= len(text):
            continue
        spans = spans_by_article.get(article.id)
        if spans is None:
            spans = spans_by_article[article.id] = sentences(text)
        first = next((s for s in spans if s[1] > ann.start), (ann.start, ann.end))
        last = next((s for s in reversed(spans) if s[0] < ann.end), (ann.start, ann.end))
        cs, ce = min(first[0], ann.start), max(last[1], ann.end)
        segments.append(
            CodedSegment(
                annotation=ann,
                article_id=article.id,
                article_title=article.title,
                start=ann.start,
                end=ann.end,
                text=text[ann.start : ann.end],
                context=text[cs:ce],
                context_start=cs,
            )
        )
    return segments, len(found)
