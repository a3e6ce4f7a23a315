"""spaCy / Prodigy span JSONL: one line per article, `{"text", "meta", "spans": [...]}`.

One span per theme (`start`, `end`, `label`), as Prodigy's `spans.manual` and
spaCy's `Doc.char_span` read them. Tagline adds to each span the keys those tools
ignore (`id`, `note`, `author`, `created`, `updated`), so a round trip keeps the
annotation whole; spans of one annotation share its `id`. `meta.id` is the article
id. Spans from elsewhere (no `id`) sharing the same offsets become one annotation.

Prodigy and spaCy need spans on token boundaries (`Doc.char_span` returns None and
Prodigy skips the span as "mismatched tokens" otherwise). Tokens are approximated as
words: a span end that falls inside a word is misaligned. The writer counts them in a
warning, and the `align` option treats them like `char_span`'s alignment modes:
`expand` widens to whole words, `contract` narrows (dropping a span with no whole
word), `strict` drops them.

Prodigy's `db-out` rows carry `answer` (`accept`, `reject`, `ignore`): only accepted
rows are imported; `_annotator_id` (else `_session_id`) is the author and
`_timestamp` (Unix seconds) the creation time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
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
    NAMESPACE,
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


ALIGN = ("expand", "contract", "strict")


def _inside_word(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()


def aligned(text: str, start: int, end: int, mode: str | None) -> tuple[int, int] | None:
    """The span made token-aligned per `mode` (None: as it is), or None to drop it."""
    if not (_inside_word(text, start) or _inside_word(text, end)) or mode is None:
        return start, end
    if mode == "strict":
        return None
    if mode == "expand":
        while _inside_word(text, start):
            start -= 1
        while _inside_word(text, end):
            end += 1
        return start, end
    while _inside_word(text, start):
        start += 1
    while _inside_word(text, end):
        end -= 1
    return (start, end) if start < end and text[start:end].strip() else None


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    mode = ctx.options.get("align")
    count = misaligned = dropped = 0
    for article, anns in by_article(annotations, ctx):
        spans = []
        text = article.text
        for ann in anns:
            if _inside_word(text, ann.start) or _inside_word(text, ann.end):
                misaligned += 1
            span = aligned(text, ann.start, ann.end, mode)
            if span is None:
                dropped += 1
                continue
            extra = {k: getattr(ann, k) for k in EXTRA if getattr(ann, k)}
            for theme in ann.themes:
                spans.append(
                    {"start": span[0], "end": span[1], "label": theme, "id": ann.id, **extra}
                )
            count += 1
        line = {
            "text": text,
            "meta": {"id": article.id, "title": article.title},
            "spans": spans,
        }
        out.write(json_line(line))
    if misaligned and ctx.warn:
        what = {
            None: "exported as they are; Prodigy skips them (--align expand|contract|strict)",
            "expand": "widened to whole words",
            "contract": f"narrowed to whole words ({dropped} with none dropped)",
            "strict": "dropped",
        }[mode]
        ctx.warn(f"{misaligned} span(s) start or end inside a word: {what}")
    return count


def _author(data: dict[str, Any]) -> str | None:
    for key in ("_annotator_id", "_session_id"):
        if isinstance(data.get(key), str) and data[key].strip():
            return data[key].strip()
    return None


def _timestamp(data: dict[str, Any]) -> str | None:
    stamp = data.get("_timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(stamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(data: Any, ctx: ImportContext, where: str) -> list[Annotation]:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise FormatError(f"{where}: expected an object with a text")
    answer = data.get("answer", "accept")
    if answer != "accept":
        return []  # a Prodigy row the annotator rejected or skipped: nothing was coded
    meta: dict[str, Any] = data["meta"] if isinstance(data.get("meta"), dict) else {}
    article = find_article(
        ctx, where, meta.get("id"), data["text"], meta.get("title") or data.get("_input_hash")
    )
    spans = data.get("spans", [])
    if not isinstance(spans, list):
        raise FormatError(f"{where}: spans must be a list")
    author = _author(data)
    stamp = _timestamp(data)
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
        if key is None:
            # No id: one annotation per span and annotator (two annotators' rows
            # on one text must not merge).
            base = span_id(article.id, start, end)
            key = base if author is None else str(uuid.uuid5(NAMESPACE, f"{base}:{author}"))
        native = grouped.setdefault(
            key,
            {"id": key, "article_id": article.id, "start": start, "end": end, "exact": exact}
            | {"author": author, "created": stamp}
            | {k: span[k] for k in EXTRA if isinstance(span.get(k), str)},
        )
        if (native["start"], native["end"]) != (start, end):
            raise FormatError(f"{here}: spans with id {key!r} have different offsets")
        native.setdefault("themes", []).append(label)
    return [parse_record(native, ctx, where) for native in grouped.values()]


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    out = []
    skipped = 0
    for where, data in json_lines(stream, ctx):
        if isinstance(data, dict) and data.get("answer", "accept") != "accept":
            skipped += 1
            continue
        out.extend(parse(data, ctx, where))
    if skipped and ctx.warn:
        ctx.warn(f"{ctx.name}: skipped {skipped} Prodigy row(s) not accepted (reject, ignore)")
    return out


register(
    Format(
        "spacy",
        "spaCy/Prodigy spans, one article per line (--align expand|contract|strict)",
        ".jsonl",
        write,
        read,
        options=("align",),
    )
)
