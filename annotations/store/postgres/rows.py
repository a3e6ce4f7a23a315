"""Annotation rows: the column list, rows to annotations and back, their order, and the stale-edit message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.model import Annotation

if TYPE_CHECKING:
    pass


COLUMNS = (
    "id, article_id, article_sha256, start_offset, end_offset, exact, prefix, suffix, "
    "themes, note, author, created, updated, status, version"
)

# -- the store -----------------------------------------------------------------------------


def _row_to_annotation(row: tuple) -> tuple[Annotation, int]:
    (aid, article_id, sha, start, end, exact, prefix, suffix, themes, note, author, created,
     updated, status, version) = row  # fmt: skip
    ann = Annotation(
        id=aid,
        article_id=article_id,
        article_sha256=sha,
        start=start,
        end=end,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        themes=tuple(themes),
        note=note,
        author=author,
        created=created,
        updated=updated,
        status=status,
    )
    return ann, version


def _params(ann: Annotation) -> tuple:
    return (
        ann.id,
        ann.article_id,
        ann.article_sha256,
        ann.start,
        ann.end,
        ann.exact,
        ann.prefix,
        ann.suffix,
        list(ann.themes),
        ann.note,
        ann.author,
        ann.created,
        ann.updated,
        ann.status,
    )


def _sort_key(a: Annotation) -> tuple:
    return (a.start, -a.end, a.created, a.id)


def _stale_message(before: Annotation, now: tuple[Annotation, int] | None) -> str:
    quote = before.exact if len(before.exact) <= 30 else before.exact[:29] + "…"
    done = "deleted" if now is None else "changed"
    return f"‘{quote}’ was {done} by someone else meanwhile; nothing was saved, reloaded"
