"""doccano sequence-labelling JSONL: `{"text", "label": [[start, end, "LABEL"], ...]}` per article.

doccano keeps other top-level keys as the example's metadata, so Tagline adds
`article_id`, `title`, and `tagline`: per annotation its `id`, offsets, `note`,
`author`, `created` and `updated`. The labels stay the truth: on import, a
`tagline` entry only supplies those details to the labels at its offsets, so a
file relabelled in doccano imports as relabelled. Reading also accepts doccano's
newer `entities: [{"start_offset", "end_offset", "label"}]`.
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
        line = {
            "text": article.text,
            "label": [[a.start, a.end, theme] for a in anns for theme in a.themes],
            "article_id": article.id,
            "title": article.title,
            "tagline": [
                {"id": a.id, "start": a.start, "end": a.end}
                | {k: getattr(a, k) for k in EXTRA if getattr(a, k)}
                for a in anns
            ],
        }
        out.write(json_line(line))
        count += len(anns)
    return count


def _labels(data: dict[str, Any], where: str) -> list[tuple[int, int, Any, str]]:
    """(start, end, label, where) from `label` triples or `entities` objects."""
    out = []
    if isinstance(data.get("entities"), list):
        for n, ent in enumerate(data["entities"], start=1):
            here = f"{where}: entity {n}"
            if not isinstance(ent, dict):
                raise FormatError(f"{here}: expected an object")
            out.append((ent.get("start_offset"), ent.get("end_offset"), ent.get("label"), here))
        return out
    labels = data.get("label", data.get("labels", []))
    if not isinstance(labels, list):
        raise FormatError(f"{where}: label must be a list of [start, end, label]")
    for n, item in enumerate(labels, start=1):
        here = f"{where}: label {n}"
        if not isinstance(item, list) or len(item) != 3:
            raise FormatError(f"{here}: expected [start, end, label]")
        out.append((item[0], item[1], item[2], here))
    return out


def parse(data: Any, ctx: ImportContext, where: str) -> list[Annotation]:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise FormatError(f"{where}: expected an object with a text")
    article = find_article(ctx, where, data.get("article_id"), data["text"])
    details: dict[tuple[int, int], dict[str, Any]] = {}
    tagline = data.get("tagline") or []
    if not isinstance(tagline, list):
        raise FormatError(f"{where}: tagline must be a list of annotation details")
    for item in tagline:
        if (
            isinstance(item, dict)
            and isinstance(item.get("start"), int)
            and isinstance(item.get("end"), int)
        ):
            details[(item["start"], item["end"])] = item
    grouped: dict[tuple[int, int], dict[str, Any]] = {}
    for start, end, label, here in _labels(data, where):
        start = offset(start, "start", here)
        end = offset(end, "end", here)
        exact = quote_of(data["text"], start, end, here)
        (theme,) = themes_of([label], here)
        extra = details.get((start, end), {})
        native = grouped.setdefault(
            (start, end),
            {
                "id": extra.get("id") if isinstance(extra.get("id"), str) else None,
                "article_id": article.id,
                "start": start,
                "end": end,
                "exact": exact,
                "themes": [],
            }
            | {k: extra[k] for k in EXTRA if isinstance(extra.get(k), str)},
        )
        native["themes"].append(theme)
    for native in grouped.values():
        native["id"] = native["id"] or span_id(article.id, native["start"], native["end"])
    return [parse_record(native, ctx, where) for native in grouped.values()]


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    return [ann for where, data in json_lines(stream, ctx) for ann in parse(data, ctx, where)]


register(Format("doccano", "doccano sequence labels, one article per line", ".jsonl", write, read))
