"""Hypothesis: annotations in the shape its API takes and gives (h's `/api/annotations`).

Writing: one create payload per line, ready to POST to `/api/annotations` — `uri`,
`document.title`, `text` (the note), `tags` (the themes) and `target: [{source,
selector: [TextQuoteSelector, TextPositionSelector]}]`. The `uri` is the `uri` option
(a template in which `{id}` is the percent-encoded article id), else the article's
`url` metadata, else its Tagline URN (Hypothesis accepts URNs, as it does for PDFs).
Hypothesis assigns ids, users and times itself, so those are not written.

Reading: the JSON of `/api/search` (`{"total", "rows": [...]}`), a JSON list of rows,
or one row per line. Each row is anchored by its quote in the whole corpus, whatever
its `uri` (a web page's URL names no file here): the article whose copy of the quote
best matches the quote's context wins, the `uri` breaking ties. Rows without tags
(page notes, replies, plain highlights) have no theme: they are skipped and counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any
from urllib.parse import quote

from annotations.corpus import Article
from annotations.formats import (
    ExportContext,
    Format,
    FormatError,
    ImportContext,
    register,
    write_per_annotation,
)
from annotations.formats.jsonl import parse_record
from annotations.formats.matching import article_id_from_urn, article_urn
from annotations.model import Annotation


def uri_of(article: Article, ctx: ExportContext) -> str:
    template = ctx.options.get("uri")
    if template:
        return str(template).replace("{id}", quote(article.id, safe=""))
    url = article.meta.get("url", "") if article.meta else ""
    return url if url.startswith(("http://", "https://")) else article_urn(article.id)


def record(ann: Annotation, ctx: ExportContext) -> dict[str, Any]:
    article = ctx.corpus[ann.article_id]
    uri = uri_of(article, ctx)
    return {
        "uri": uri,
        "document": {"title": [article.title]},
        "text": ann.note,
        "tags": list(ann.themes),
        "target": [
            {
                "source": uri,
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": ann.exact,
                        "prefix": ann.prefix,
                        "suffix": ann.suffix,
                    },
                    {"type": "TextPositionSelector", "start": ann.start, "end": ann.end},
                ],
            }
        ],
    }


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    placed = (ann for ann in annotations if ctx.placed(ann) is not None)
    return write_per_annotation(placed, out, ctx, record)


def _rows(text: str, name: str) -> list[tuple[str, Any]]:
    """(`FILE:LINE`, row) from search JSON, a JSON list, or JSON lines."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except ValueError:
            data = None  # JSON lines, then
        if isinstance(data, dict) and isinstance(data.get("rows"), list):
            return [(f"{name}: row {n}", row) for n, row in enumerate(data["rows"], start=1)]
        if isinstance(data, list):
            return [(f"{name}: row {n}", row) for n, row in enumerate(data, start=1)]
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            where = f"{name}:{number}"
            try:
                out.append((where, json.loads(line)))
            except ValueError as exc:
                reason = exc.args[0].split(":")[0]
                raise FormatError(f"{where}: invalid JSON ({reason})") from None
    return out


def _shared_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """Characters of `prefix` and `suffix` that match the text around `text[start:end]`."""
    before = _shared_start(text[max(0, start - len(prefix)) : start][::-1], prefix[::-1])
    return before + _shared_start(text[end : end + len(suffix)], suffix)


def anchor(
    ctx: ImportContext, exact: str, prefix: str, suffix: str, hint: int, uri: str
) -> tuple[Article, int] | None:
    """The best (article, start) for the quote anywhere in the corpus, or None."""
    from annotations.anchoring import find_exact

    named = article_id_from_urn(uri)
    best: tuple[tuple[int, int, int], Article, int] | None = None
    for article in ctx.corpus:
        if exact not in article.text:
            continue
        start = find_exact(article.text, exact, prefix, suffix, hint)
        if start is None:
            continue
        score = _context_score(article.text, start, start + len(exact), prefix, suffix)
        is_named = article.id == named or article.meta.get("url") == uri
        key = (score, is_named, -abs(start - hint))
        if best is None or key > best[0]:
            best = (key, article, start)
    return None if best is None else (best[1], best[2])


def _selectors(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    quote_sel: dict[str, Any] = {}
    position: dict[str, Any] = {}
    targets: list[Any] = (
        row["target"] if isinstance(row.get("target"), list) else [row.get("target")]
    )
    for target in targets:
        if not isinstance(target, dict) or not isinstance(target.get("selector"), list):
            continue
        for sel in target["selector"]:
            if isinstance(sel, dict) and sel.get("type") == "TextQuoteSelector" and not quote_sel:
                quote_sel = sel
            elif isinstance(sel, dict) and sel.get("type") == "TextPositionSelector":
                position = position or sel
    return quote_sel, position


def _author(row: dict[str, Any]) -> str | None:
    user = row.get("user")
    if isinstance(user, str) and user.strip():
        return user.removeprefix("acct:")
    return None


def parse(row: Any, ctx: ImportContext, where: str) -> Annotation | None:
    """The annotation, or None for a row without tags or without a quote (a page note)."""
    if not isinstance(row, dict):
        raise FormatError(f"{where}: expected an annotation object")
    tags = row.get("tags")
    if not isinstance(tags, list) or not [t for t in tags if isinstance(t, str) and t.strip()]:
        return None
    quote_sel, position = _selectors(row)
    exact = quote_sel.get("exact")
    if not isinstance(exact, str) or not exact:
        return None
    prefix, suffix = quote_sel.get("prefix"), quote_sel.get("suffix")
    hint = position.get("start")
    uri: str = row["uri"] if isinstance(row.get("uri"), str) else ""
    found = anchor(
        ctx,
        exact,
        prefix if isinstance(prefix, str) else "",
        suffix if isinstance(suffix, str) else "",
        hint if isinstance(hint, int) and not isinstance(hint, bool) else 0,
        uri,
    )
    if found is None:
        raise FormatError(f"{where}: the quote {exact[:40]!r} is in no article of the corpus")
    article, start = found
    native = {
        "id": row.get("id") if isinstance(row.get("id"), str) else None,
        "article_id": article.id,
        "start": start,
        "end": start + len(exact),
        "exact": exact,
        "themes": [t for t in tags if isinstance(t, str) and t.strip()],
        "note": row.get("text") if isinstance(row.get("text"), str) else "",
        "author": _author(row),
        "created": row.get("created") if isinstance(row.get("created"), str) else None,
        "updated": row.get("updated") if isinstance(row.get("updated"), str) else None,
    }
    return parse_record(native, ctx, where)


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    rows = _rows(stream.read(), ctx.name)
    out = [parse(row, ctx, where) for where, row in rows]
    kept = [ann for ann in out if ann is not None]
    if len(kept) < len(out) and ctx.warn:
        skipped = len(out) - len(kept)
        ctx.warn(f"{ctx.name}: skipped {skipped} annotation(s) without tags or a quoted passage")
    return kept


register(
    Format(
        "hypothesis",
        "Hypothesis API: create payloads out (--uri TEMPLATE), search results in",
        ".jsonl",
        write,
        read,
        options=("uri",),
    )
)
