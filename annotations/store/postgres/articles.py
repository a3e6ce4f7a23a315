"""Articles published in the team database: fetched text, and what `publish` reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotations.corpus import Article

if TYPE_CHECKING:
    pass


# -- articles ------------------------------------------------------------------------------


class TeamArticle(Article):
    """An article published in the team database; its text is fetched when first needed."""

    __slots__ = ("_fetch",)
    remote = True  # its text comes over the network: load it off the UI thread

    def __init__(self, *args: Any, fetch: Callable[[str], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fetch = fetch

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._fetch(self.id)
        return self._text


@dataclass(slots=True)
class PublishReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def message(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


def _meta_of(article: Article) -> dict[str, Any]:
    return {"meta": dict(article.meta)}
