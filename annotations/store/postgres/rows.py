"""Annotation rows: the column lists, rows to annotations and back, their order, and the stale-edit message."""

from __future__ import annotations

from annotations.identity import Identity
from annotations.model import Annotation

# The columns an annotation is written to, in `_params` order; reads add `version`.
WRITTEN = (
    "id, article_id, article_sha256, start_offset, end_offset, exact, prefix, suffix, "
    "themes, note, author, created, updated, status, identity"
)
COLUMNS = WRITTEN + ", version"
_SLOTS = ", ".join(["%s"] * len(WRITTEN.split(", ")))
INSERT = f"INSERT INTO annotations ({WRITTEN}) VALUES ({_SLOTS}) ON CONFLICT (id) DO NOTHING"
# Every column but the id, then the id and the version the write expects.
UPDATE = (
    "UPDATE annotations SET "
    + ", ".join(f"{c} = %s" for c in WRITTEN.split(", ")[1:])
    + ", version = version + 1 WHERE id = %s AND version = %s"
)
COPY = f"COPY annotations ({WRITTEN}) FROM STDIN"

# -- the store -----------------------------------------------------------------------------


def _row_to_annotation(row: tuple) -> tuple[Annotation, int]:
    (aid, article_id, sha, start, end, exact, prefix, suffix, themes, note, author, created,
     updated, status, identity, version) = row  # fmt: skip
    try:
        known = Identity.from_json(identity) if identity is not None else None
    except ValueError:
        known = None  # unknown evidence: re-anchoring judges from the context alone
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
        identity=known,
    )
    return ann, version


def _params(ann: Annotation) -> tuple:
    from psycopg.types.json import Jsonb

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
        Jsonb(ann.identity.to_json()) if ann.identity is not None else None,
    )


def _sort_key(a: Annotation) -> tuple:
    return (a.start, -a.end, a.created, a.id)


def _stale_message(before: Annotation, now: tuple[Annotation, int] | None) -> str:
    quote = before.exact if len(before.exact) <= 30 else before.exact[:29] + "…"
    done = "deleted" if now is None else "changed"
    return f"‘{quote}’ was {done} by someone else meanwhile; nothing was saved, reloaded"
