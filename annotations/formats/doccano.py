"""doccano sequence-labelling JSONL: `{"text", "label": [[start, end, "LABEL"], ...]}` per article.

Offsets are written in the unit doccano counts (`offsets` option): by default UTF-16
code units, which is what doccano's front end counts (JavaScript string length), or
`graphemes` for projects with "Count grapheme clusters as one character", or
`codepoints`. The unit is recorded in `tagline_offsets`; a file without it (from
doccano itself) has its unit detected per record (see `units.detect`), and a record
whose unit cannot be told is refused rather than imported shifted.

doccano keeps other top-level keys as the example's metadata, so Tagline adds
`article_id`, `title`, and `tagline`: per annotation its `id`, offsets, `labels`,
`note`, `author`, `created` and `updated`. The labels stay the truth: on import, each
`tagline` entry takes back those of its labels still present at its offsets (so two
analysts' annotations on one span stay two), labels nobody claims form an annotation
of their own, and a file relabelled in doccano imports as relabelled. Reading also
accepts doccano's newer `entities: [{"start_offset", "end_offset", "label"}]`.
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
from annotations.formats import units as unitmod
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
DEFAULT_UNIT = "utf16"


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    unit = ctx.options.get("offsets") or DEFAULT_UNIT
    count = widened = 0
    for article, anns in by_article(annotations, ctx):
        table = unitmod.to_units(article.text, unit)
        spans = {}
        for a in anns:
            start, end, wide = unitmod.export_span(table, a.start, a.end)
            spans[a.id] = (start, end)
            widened += wide
        line = {
            "text": article.text,
            "label": [[*spans[a.id], theme] for a in anns for theme in a.themes],
            "article_id": article.id,
            "title": article.title,
            "tagline_offsets": unit,
            "tagline": [
                {"id": a.id, "start": spans[a.id][0], "end": spans[a.id][1]}
                | {"labels": list(a.themes)}
                | {k: getattr(a, k) for k in EXTRA if getattr(a, k)}
                for a in anns
            ],
        }
        out.write(json_line(line))
        count += len(anns)
    if widened and ctx.warn:
        ctx.warn(f"{widened} span(s) widened to whole grapheme clusters")
    return count


def _labels(data: dict[str, Any], where: str) -> list[tuple[int, int, Any, str]]:
    """(start, end, label, where) from `label` triples or `entities` objects."""
    out = []
    if isinstance(data.get("entities"), list):
        for n, ent in enumerate(data["entities"], start=1):
            here = f"{where}: entity {n}"
            if not isinstance(ent, dict):
                raise FormatError(f"{here}: expected an object")
            start = offset(ent.get("start_offset"), "start_offset", here)
            end = offset(ent.get("end_offset"), "end_offset", here)
            out.append((start, end, ent.get("label"), here))
        return out
    labels = data.get("label", data.get("labels", []))
    if not isinstance(labels, list):
        raise FormatError(f"{where}: label must be a list of [start, end, label]")
    for n, item in enumerate(labels, start=1):
        here = f"{where}: label {n}"
        if not isinstance(item, list) or len(item) != 3:
            raise FormatError(f"{here}: expected [start, end, label]")
        out.append((offset(item[0], "start", here), offset(item[1], "end", here), item[2], here))
    return out


def _unit(data: dict[str, Any], labels: list, ctx: ImportContext, where: str) -> str:
    """The offset unit: the `offsets` option, else the file's own record of it, else detected."""
    unit = ctx.options.get("offsets") or data.get("tagline_offsets")
    if unit in unitmod.UNITS:
        return unit
    if unit is not None:
        raise FormatError(f"{where}: unknown offset unit {unit!r}")
    detected = unitmod.detect(data["text"], [(s, e) for s, e, _, _ in labels])
    if detected is None:
        raise FormatError(
            f"{where}: cannot tell whether offsets count UTF-16 units, code points or "
            "grapheme clusters: give --offsets"
        )
    return detected


def _entries(data: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """Well-formed `tagline` entries; entries not shaped as Tagline writes them are ignored."""
    entries = data.get("tagline") or []
    if not isinstance(entries, list):
        raise FormatError(f"{where}: tagline must be a list of annotation details")
    return [
        item
        for item in entries
        if isinstance(item, dict)
        and isinstance(item.get("start"), int)
        and isinstance(item.get("end"), int)
    ]


def parse(data: Any, ctx: ImportContext, where: str) -> list[Annotation]:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise FormatError(f"{where}: expected an object with a text")
    text = data["text"]
    article = find_article(ctx, where, data.get("article_id"), text, data.get("id"))
    labels = _labels(data, where)
    unit = _unit(data, labels, ctx, where)
    table = unitmod.from_units(text, unit)

    def index(value: int, here: str) -> int:
        if value not in table:
            raise FormatError(
                f"{here}: offset {value} is outside the text (length {len(text)}) "
                f"or inside a character, counted in {unit}"
            )
        return table[value]

    # Labels at each span, in file order (a multiset: two analysts may share one).
    at: dict[tuple[int, int], list[str]] = {}
    places: dict[tuple[int, int], str] = {}
    for start, end, label, here in labels:
        span = (index(start, here), index(end, here))
        quote_of(text, *span, here)
        (theme,) = themes_of([label], here)
        at.setdefault(span, []).append(theme)
        places.setdefault(span, here)
    claims: list[tuple[tuple[int, int], list[str], dict[str, Any]]] = []
    for entry in _entries(data, where):
        span = (table.get(entry["start"], -1), table.get(entry["end"], -1))
        free = at.get(span, [])
        wanted: list[Any] = entry["labels"] if isinstance(entry.get("labels"), list) else list(free)
        themes = [t for t in wanted if t in free]
        for t in themes:
            free.remove(t)
        claims.append((span, themes, entry))
    natives: list[dict[str, Any]] = []
    for span, themes, entry in claims:
        if not themes and at.get(span):  # relabelled in doccano: the entry takes the new labels
            themes, at[span] = at[span], []
        if themes:
            natives.append(_native(article.id, text, span, themes, entry))
    for span, free in at.items():
        if free:  # labels no entry claimed: from doccano itself, or added there
            natives.append(_native(article.id, text, span, free, {}))
    ids: set[str] = set()
    out = []
    for native in natives:
        if not native["id"] or native["id"] in ids:
            native["id"] = span_id(article.id, native["start"], native["end"])
        ids.add(native["id"])
        out.append(parse_record(native, ctx, places.get((native["start"], native["end"]), where)))
    return out


def _native(
    article_id: str, text: str, span: tuple[int, int], themes: list[str], extra: dict[str, Any]
) -> dict[str, Any]:
    start, end = span
    return {
        "id": extra.get("id") if isinstance(extra.get("id"), str) else None,
        "article_id": article_id,
        "start": start,
        "end": end,
        "exact": text[start:end],
        "themes": themes,
    } | {k: extra[k] for k in EXTRA if isinstance(extra.get(k), str)}


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    return [ann for where, data in json_lines(stream, ctx) for ann in parse(data, ctx, where)]


register(
    Format(
        "doccano",
        "doccano sequence labels, one article per line (--offsets utf16|codepoints|graphemes)",
        ".jsonl",
        write,
        read,
        options=("offsets",),
    )
)
