from __future__ import annotations

from pathlib import Path

import pytest

from annotations.corpus import Article, Corpus, article_from_text
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


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    return tmp_path / "tagline.json"


@pytest.fixture
def small_corpus() -> Corpus:
    return Corpus(
        [
            make_article("a.txt", "x" * 100, "2023-01-15"),
            make_article("b.txt", "y" * 200, "2023-03-02"),
            make_article("c.txt", "z" * 100, None),
        ]
    )
