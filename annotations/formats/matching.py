"""What the span readers share: finding the article, grouping spans, grouping output by article.

Every reader turns its records into native records and validates them with
`jsonl.parse_record`, so all formats obey the same rules (offsets inside the
text, `text[start:end] == exact`, non-empty themes) and fail with the same messages.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, Any
from urllib.parse import quote, unquote

from annotations.corpus import Article
from annotations.formats import ExportContext, FormatError, ImportContext
from annotations.model import Annotation

ARTICLE_URN = "urn:tagline:article:"
ANNOTATION_URN = "urn:tagline:annotation:"
# Fixed namespace: the same span always gets the same id, so re-importing a file
# without ids (doccano, spaCy from elsewhere) updates instead of duplicating.
NAMESPACE = uuid.UUID("5b0e2a4e-5f1c-4c86-9d43-2f3f0b7d6a11")


def article_urn(article_id: str) -> str:
    """A stable URN for an article: its id (the path in the corpus), percent-encoded.

    The id, not the text hash: the URN must survive edits of the article.
    """
    return ARTICLE_URN + quote(article_id, safe="")


def article_id_from_urn(value: str) -> str:
    return unquote(value[len(ARTICLE_URN) :]) if value.startswith(ARTICLE_URN) else value


def _is_uuid(value: str) -> bool:
    """True for a canonical lower-case uuid string (so it survives a round trip unchanged)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def annotation_uri(annotation_id: str) -> str:
    """`urn:uuid:` for uuid ids (all Tagline's own), another URN for ids from elsewhere."""
    if _is_uuid(annotation_id):
        return "urn:uuid:" + annotation_id
    return ANNOTATION_URN + quote(annotation_id, safe="")


def annotation_id_from_uri(value: str) -> str:
    if value.startswith("urn:uuid:"):
        return value[len("urn:uuid:") :]
    if value.startswith(ANNOTATION_URN):
        return unquote(value[len(ANNOTATION_URN) :])
    return value


def as_uuid(value: str, kind: str = "") -> str:
    """`value` if it is a uuid, else a uuid derived from it (REFI-QDA needs GUIDs)."""
    if _is_uuid(value):
        return value
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{value}"))


def span_id(article_id: str, start: int, end: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"span:{article_id}:{start}:{end}"))


def find_article(
    ctx: ImportContext, where: str, article_id: Any = None, text: Any = None, name: Any = None
) -> Article:
    """The article named by `article_id`, else the one whose text equals `text`.

    Neither: with `ctx.add_article` the text becomes a new article (named from
    `name`, else `article_id`); without it, a `FormatError` that says how to add it.
    """
    if isinstance(article_id, str) and article_id:
        article = ctx.corpus.get(article_id)
        if article is not None:
            return article
    if isinstance(text, str):
        article = ctx.corpus.by_text(text)
        if article is not None:
            return article
        if ctx.add_article is not None and text.strip():
            hint = name if isinstance(name, str | int) and not isinstance(name, bool) else None
            hint = hint if hint is not None else article_id
            try:
                return ctx.add_article(text, str(hint) if isinstance(hint, str | int) else "")
            except ValueError as exc:
                raise FormatError(f"{where}: {exc}") from None
    hint = " (add the texts with tagline import --add-articles DIR)"
    if isinstance(article_id, str) and article_id:
        raise FormatError(
            f"{where}: unknown article {article_id!r} and no article has this text{hint}"
        )
    raise FormatError(f"{where}: no article in the corpus has this text{hint}")


def offset(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(f"{where}: {name} must be an integer")
    return value


def quote_of(text: str, start: int, end: int, where: str) -> str:
    """`text[start:end]`, checked, for formats whose spans index the text they carry."""
    if not 0 <= start < end <= len(text):
        raise FormatError(
            f"{where}: offsets {start}..{end} are outside the text (length {len(text)})"
        )
    return text[start:end]


def load_json_line(line: str, where: str) -> Any:
    try:
        return json.loads(line)
    except ValueError as exc:
        raise FormatError(f"{where}: invalid JSON ({exc.args[0].split(':')[0]})") from None


def json_lines(stream: IO[str], ctx: ImportContext) -> Iterator[tuple[str, Any]]:
    """(`FILE:LINE`, parsed object) for each non-blank line."""
    for number, line in enumerate(stream, start=1):
        if line.strip():
            where = f"{ctx.name}:{number}"
            yield where, load_json_line(line, where)


def by_article(
    annotations: Iterable[Annotation], ctx: ExportContext
) -> Iterator[tuple[Article, list[Annotation]]]:
    """Placed annotations grouped per article, in the order they arrive.

    The store yields annotations article by article, so this holds one article's
    annotations at a time: memory stays bounded by the largest article.
    """
    for _, group in itertools.groupby(annotations, key=lambda a: a.article_id):
        placed = [(ann, article) for ann in group if (article := ctx.placed(ann)) is not None]
        if placed:
            yield placed[0][1], [ann for ann, _ in placed]


def themes_of(labels: Iterable[Any], where: str) -> list[str]:
    out = []
    for label in labels:
        if not isinstance(label, str) or not label.strip():
            raise FormatError(f"{where}: a label must be a non-empty string")
        out.append(label)
    return out
