"""Small builders for articles and annotations used across tests."""

from __future__ import annotations

from pathlib import Path

from annotations.corpus import Article, article_from_text
from annotations.model import Annotation


def make_article(article_id: str, text: str, date: str | None = None) -> Article:
    article = article_from_text(article_id, Path(article_id), text)
    article.date = date
    return article


_counter = iter(range(10**9))


def ann(
    article: Article,
    start: int,
    end: int,
    *themes: str,
    author: str = "ana",
    id: str | None = None,
    updated: str | None = None,
) -> Annotation:
    a = Annotation.create(
        article_id=article.id,
        text=article.text,
        sha256=article.sha256,
        start=start,
        end=end,
        themes=themes,
        author=author,
        id=id or f"ann-{next(_counter)}",
    )
    if updated:
        from dataclasses import replace

        a = replace(a, created=updated, updated=updated)
    return a
