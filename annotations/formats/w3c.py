"""W3C Web Annotation Data Model, one annotation per line (annotation servers, IIIF tools).

Each annotation: `motivation: tagging`, a `TextualBody` with `purpose: tagging` per
theme, one with `purpose: commenting` for the note, and a target whose `source` is a
stable URN for the article (`urn:tagline:article:<percent-encoded id>`) with a
`TextQuoteSelector` and a `TextPositionSelector`. An annotation whose quote no longer
sits at its offsets (an orphan) is written with the quote selector only: that is
exactly what is known about it. Reading accepts a `creator` given as a string or as
an agent object, and a target without positions (the quote is then looked up). An
annotation without a tagging body (a comment or a highlight) has no theme to code:
it is skipped and counted, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from annotations.formats import (
    ExportContext,
    Format,
    FormatError,
    ImportContext,
    register,
    write_per_annotation,
)
from annotations.formats.jsonl import parse_record
from annotations.formats.matching import (
    annotation_id_from_uri,
    annotation_uri,
    article_id_from_urn,
    article_urn,
    json_lines,
)
from annotations.model import Annotation

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def record(ann: Annotation, ctx: ExportContext) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": theme} for theme in ann.themes
    ]
    if ann.note:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": ann.note,
                "format": "text/plain",
            }
        )
    selectors: list[dict[str, Any]] = [
        {
            "type": "TextQuoteSelector",
            "exact": ann.exact,
            "prefix": ann.prefix,
            "suffix": ann.suffix,
        }
    ]
    article = ctx.corpus.get(ann.article_id)
    if article is not None and article.text[ann.start : ann.end] == ann.exact:
        selectors.append({"type": "TextPositionSelector", "start": ann.start, "end": ann.end})
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "id": annotation_uri(ann.id),
        "type": "Annotation",
        "motivation": "tagging",
    }
    if ann.created:
        data["created"] = ann.created
    if ann.updated:
        data["modified"] = ann.updated
    if ann.author:
        data["creator"] = {"type": "Person", "name": ann.author}
    data["body"] = body
    data["target"] = {"source": article_urn(ann.article_id), "selector": selectors}
    return data


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    return write_per_annotation(annotations, out, ctx, record)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _creator(value: Any) -> str:
    value = _list(value)[0] if _list(value) else None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "nickname", "id"):
            if isinstance(value.get(key), str) and value[key]:
                return value[key]
    return ""


def _bodies(data: dict[str, Any], where: str) -> tuple[list[str], str]:
    themes: list[str] = []
    notes: list[str] = []
    tagging = "tagging" in _list(data.get("motivation"))
    for body in _list(data.get("body")):
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue  # not a textual body (a link, an image): nothing to take from it
        purposes = _list(body.get("purpose"))
        if "tagging" in purposes or (not purposes and tagging):
            themes.append(body["value"])
        elif "commenting" in purposes or not purposes:
            notes.append(body["value"])
    if isinstance(data.get("bodyValue"), str):
        notes.append(data["bodyValue"])
    return themes, "\n\n".join(n for n in notes if n)


def _selectors(target: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    quote = position = None
    for sel in _list(target.get("selector")):
        if isinstance(sel, dict):
            if sel.get("type") == "TextQuoteSelector" and quote is None:
                quote = sel
            elif sel.get("type") == "TextPositionSelector" and position is None:
                position = sel
    return quote, position


def parse(data: Any, ctx: ImportContext, where: str) -> Annotation | None:
    """The annotation, or None for one without a theme (a plain comment or highlight)."""
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected a JSON object")
    if "Annotation" not in _list(data.get("type")):
        raise FormatError(f"{where}: type is not Annotation")
    targets = [t for t in _list(data.get("target")) if isinstance(t, dict)]
    if not targets or not isinstance(targets[0].get("source"), str):
        raise FormatError(f"{where}: the target needs a source (the article)")
    target = targets[0]
    article_id = article_id_from_urn(target["source"])
    article = ctx.corpus.get(article_id)
    if article is None:
        raise FormatError(f"{where}: unknown article {article_id!r}")
    themes, note = _bodies(data, where)
    if not themes:
        return None
    quote, position = _selectors(target)
    exact = quote.get("exact") if quote else None
    start = end = None
    if position is not None:
        start, end = position.get("start"), position.get("end")
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise FormatError(f"{where}: TextPositionSelector {name} must be an integer")
        if exact is None and isinstance(start, int) and isinstance(end, int):
            exact = article.text[start:end]
    if not isinstance(exact, str) or not exact:
        raise FormatError(f"{where}: the target needs a TextQuoteSelector or TextPositionSelector")
    positioned = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
    if not positioned or article.text[start:end] != exact:
        # No usable positions (e.g. from a web page): find the quote itself.
        from annotations.anchoring import find_exact

        found = find_exact(
            article.text,
            exact,
            str(quote.get("prefix") or "") if quote else "",
            str(quote.get("suffix") or "") if quote else "",
            start if isinstance(start, int) else 0,
        )
        if found is None:
            raise FormatError(f"{where}: the quote is not in article {article_id!r}")
        start, end = found, found + len(exact)
    native = {
        "id": annotation_id_from_uri(data["id"]) if isinstance(data.get("id"), str) else None,
        "article_id": article.id,
        "start": start,
        "end": end,
        "exact": exact,
        "themes": themes,
        "note": note,
        "author": _creator(data.get("creator")),
        "created": data.get("created") if isinstance(data.get("created"), str) else None,
        "updated": data.get("modified") if isinstance(data.get("modified"), str) else None,
    }
    return parse_record(native, ctx, where)


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    out = [parse(data, ctx, where) for where, data in json_lines(stream, ctx)]
    kept = [ann for ann in out if ann is not None]
    if len(kept) < len(out) and ctx.warn:
        ctx.warn(f"{ctx.name}: skipped {len(out) - len(kept)} annotation(s) without a theme")
    return kept


register(
    Format(
        "w3c",
        "W3C Web Annotations, one per line (annotation servers; Hypothesis: -f hypothesis)",
        ".jsonl",
        write,
        read,
    )
)
