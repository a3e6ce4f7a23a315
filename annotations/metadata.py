"""Title and metadata of a scraped news article (placeholder until the heuristics land)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    title: str
    source: str | None = None
    date: str | None = None  # ISO date, YYYY-MM-DD (or YYYY-MM when only that is known)
    city: str | None = None  # dateline city, e.g. MOSCOW


def extract_metadata(text: str, fallback_title: str) -> ArticleMeta:
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return ArticleMeta(title=first[:200] or fallback_title)
