"""Articles published in the team database: fetched text, and what `publish` reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotations.corpus import Article

if TYPE_CHECKING:
    pass


# -- articles ------------------------------------------------------------------------------


class TeamArticle(Article):
    """An article published in the team database; its text is fetched when first needed."""

    __slots__ = ("_fetch", "_fetch_many")
    remote = True  # its text comes over the network: load it off the UI thread

    def __init__(
        self,
        *args: Any,
        fetch: Callable[[str], str],
        fetch_many: Callable[[list[str]], dict[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._fetch = fetch
        self._fetch_many = fetch_many

    @property
    def fetch_many(self) -> Callable[[list[Article]], None] | None:
        """Fetch a batch of articles' texts in one query (`corpus.preload_texts`).

        The same function for every article of one store, so a batch groups by it.
        """
        return _BatchFetch(self._fetch_many) if self._fetch_many is not None else None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._fetch(self.id)
        return self._text


@dataclass(frozen=True, slots=True)
class _BatchFetch:
    """Fills in the texts of a batch of `TeamArticle`s from one query (equal per store)."""

    fetch: Callable[[list[str]], dict[str, str]]

    def __call__(self, articles: list[Article]) -> None:
        texts = self.fetch([a.id for a in articles])
        for article in articles:
            if article._text is None:
                article._text = texts.get(article.id, "")


@dataclass(slots=True)
class PublishReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def message(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


# The columns an article is written to, in `article_row` order.
ARTICLE_COLUMNS = "id, sha256, title, source, date, city, meta, text"


def article_row(article: Article) -> tuple:
    """An article as the row `ARTICLE_COLUMNS` names (publishing and bulk loading)."""
    return (
        article.id,
        article.sha256,
        article.title,
        article.source,
        article.date,
        article.city,
        json.dumps({"meta": dict(article.meta)}, ensure_ascii=False),
        article.text,
    )
