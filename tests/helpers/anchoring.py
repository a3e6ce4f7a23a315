"""The small article the re-anchoring tests edit, and annotations on its phrases."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from annotations.corpus import Article, article_from_text
from annotations.model import Annotation

TEXT = (
    "Energy talks\n"
    "Oil prices rose on Monday. The pipeline to the north carries natural gas to the coast.\n"
    "Officials said oil exports would grow. The Arctic route shortens shipping by two weeks.\n"
    "In other news, the oil minister resigned after the vote.\n"
)


def article(text: str = TEXT, article_id: str = "a.txt") -> Article:
    return article_from_text(article_id, Path(article_id), text)


def annotate(a: Article, phrase: str, nth: int = 0, note: str = "") -> Annotation:
    """An "energy" annotation on the `nth` copy of `phrase` in `a`."""
    start = -1
    for _ in range(nth + 1):
        start = a.text.index(phrase, start + 1)
    ann = Annotation.create(
        article_id=a.id,
        text=a.text,
        sha256=a.sha256,
        start=start,
        end=start + len(phrase),
        themes=["energy"],
        note=note,
        author="t",
    )
    # An old edit time, so a re-anchor's new `updated` is visibly later.
    return replace(ann, created="2024-01-01T00:00:00.000Z", updated="2024-01-01T00:00:00.000Z")
