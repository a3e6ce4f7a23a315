"""spaCy / Prodigy span JSONL: one line per article, `{"text", "meta", "spans": [...]}`.

One span per theme (`start`, `end`, `label`), as Prodigy's `spans.manual` and
spaCy's `Doc.char_span` read them. Tagline adds to each span the keys those tools
ignore (`id`, `note`, `author`, `created`, `updated`), so a round trip keeps the
annotation whole; spans of one annotation share its `id`. `meta.id` is the article
id. Spans from elsewhere (no `id`) sharing the same offsets become one annotation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from annotations.formats import (
    ExportContext,
    Format,
    FormatError,
    ImportContext,
    json_line,
    register,
)
from annotations.formats.jsonl import parse_record
from annotations.formats.matching import (
    by_article,
    find_article,
    json_lines,
    offset,
    quote_of,
    span_id,
    themes_of,
)
from annotations.model import Annotation

EXTRA = ("note", "author", "created", "updated")


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    count = 0
    for article, anns in by_article(annotations, ctx):
        spans = []
        for ann in anns:
            extra = {k: getattr(ann, k) for k in EXTRA if getattr(ann, k)}
            for theme in ann.themes:
                spans.append(
                    {"start": ann.start, "end": ann.end, "label": theme, "id": ann.id, **extra}
                )
        line = {
            "text": article.text,
            "meta": {"id": article.id, "title": article.title},
            "spans": spans,
        }
        out.write(json_line(line))
        count += len(anns)
    return count


def parse(data: Any, ctx: ImportContext, where: str) -> list[Annotation]:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise FormatError(f"{where}: expected an object with a text")
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    article = find_article(ctx, where, meta.get("id"), data["text"])
    spans = data.get("spans", [])
    if not isinstance(spans, list):
        raise FormatError(f"{where}: spans must be a list")
    grouped: dict[str, dict[str, Any]] = {}
    for number, span in enumerate(spans, start=1):
        here = f"{where}: span {number}"
        if not isinstance(span, dict):
            raise FormatError(f"{here}: expected an object")
        start = offset(span.get("start"), "start", here)
        end = offset(span.get("end"), "end", here)
        exact = quote_of(data["text"], start, end, here)
        (label,) = themes_of([span.get("label")], here)
        key = span["id"] if isinstance(span.get("id"), str) and span["id"] else None
        key = key or span_id(article.id, start, end)
        native = grouped.setdefault(
            key,
            {"id": key, "article_id": article.id, "start": start, "end": end, "exact": exact}
            | {k: span[k] for k in EXTRA if isinstance(span.get(k), str)},
        )
        if (native["start"], native["end"]) != (start, end):
            raise FormatError(f"{here}: spans with id {key!r} have different offsets")
        native.setdefault("themes", []).append(label)
    return [parse_record(native, ctx, where) for native in grouped.values()]


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    return [ann for where, data in json_lines(stream, ctx) for ann in parse(data, ctx, where)]


register(
    Format(
        "spacy",
        "spaCy/Prodigy spans, one article per line",
        ".jsonl",
        write,
        read,
    )
)
