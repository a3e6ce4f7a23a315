"""Native JSONL: one annotation per line, every stored field plus `article_title`.

Coverage travels in the same file: after the annotations, one line per article an
analyst marked done (or unmarked), `{"record": "done", "article_id", "author", "done", "at"}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from annotations.coverage import KIND, Done
from annotations.formats import (
    ExportContext,
    Format,
    FormatError,
    ImportContext,
    json_line,
    register,
    write_per_annotation,
)
from annotations.formats.checks import vet
from annotations.formats.dates import checked_date
from annotations.identity import identify
from annotations.model import FIELDS, Annotation, content_id, context_of, new_id, now_iso

REQUIRED = ("article_id", "start", "end", "exact", "themes")


def record(ann: Annotation, ctx: ExportContext) -> dict[str, Any]:
    article = ctx.corpus.get(ann.article_id)
    data = ann.to_dict()
    # Re-anchoring's evidence is worked out from the text on import, never read: not shared.
    del data["identity"]
    data["article_title"] = article.title if article else ""
    return data


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    count = write_per_annotation(annotations, out, ctx, record)
    for done in ctx.coverage:
        out.write(json_line(done.to_record()))
    return count


def parse_done(data: dict[str, Any], ctx: ImportContext, where: str) -> Done:
    if not data.get("author"):
        data = {**data, "author": ctx.author}
    try:
        done = Done.from_dict(data)
    except ValueError as exc:
        raise FormatError(f"{where}: {exc}") from None
    if done.article_id not in ctx.corpus:
        raise FormatError(f"{where}: unknown article {done.article_id!r}")
    return done


def parse_record(
    data: Any, ctx: ImportContext, where: str, *, content_ids: bool = False
) -> Annotation:
    """Validate one native record against the corpus and fill in what may be omitted."""
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected a JSON object")
    missing = [f for f in REQUIRED if f not in data]
    if missing:
        raise FormatError(f"{where}: missing field(s) {', '.join(missing)}")
    article_id = data["article_id"]
    article = ctx.corpus.get(article_id) if isinstance(article_id, str) else None
    if article is None:
        raise FormatError(f"{where}: unknown article {article_id!r}")
    start, end = data["start"], data["end"]
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise FormatError(f"{where}: {name} must be an integer")
    if not 0 <= start < end <= len(article.text):
        raise FormatError(
            f"{where}: offsets {start}..{end} are outside the text of {article_id!r} "
            f"(length {len(article.text)})"
        )
    if article.text[start:end] != data["exact"]:
        raise FormatError(f"{where}: exact does not match the text at {start}..{end}")
    themes = data["themes"]
    if (
        not isinstance(themes, list)
        or not themes
        or not all(isinstance(t, str) and t.strip() for t in themes)
    ):
        raise FormatError(f"{where}: themes must be a non-empty list of names")
    prefix, suffix = context_of(article.text, start, end)
    stamp = now_iso()
    filled = {
        "id": data.get("id") or "",
        "article_sha256": article.sha256,
        "prefix": prefix,
        "suffix": suffix,
        "note": "",
        "author": ctx.author,
        "created": stamp,
        "status": "anchored",
        # Worked out from the text, never taken from the file (it decides re-anchoring).
        "identity": identify(article.text, start, end, prefix, suffix).to_json(),
    }
    merged = {**filled, **{k: v for k, v in data.items() if k in FIELDS and v not in (None, "")}}
    merged.update(vet(data, article, ctx, where))  # types refused, text cleaned
    # Blank once cleaned (a W3C annotation without a creator, an author of spaces) means
    # not given: the importing analyst and the import time stand.
    for key in ("author", "created"):
        if not merged.get(key):
            merged[key] = filled[key]
    if not merged.get("updated"):
        merged.pop("updated", None)
    for key in ("created", "updated"):
        if isinstance(merged.get(key), str) and merged[key]:
            merged[key] = checked_date(merged[key], key, where, ctx.warn)
    merged.setdefault("updated", merged["created"])
    if not merged["id"]:
        # Native files: content-derived, so merging an id-less export twice adds nothing.
        # Other formats lose authors and ids: two analysts' equal passages stay apart.
        merged["id"] = (
            content_id(article_id, start, end, merged["author"], merged["themes"])
            if content_ids
            else new_id()
        )
    if not isinstance(merged["id"], str):
        raise FormatError(f"{where}: id must be a string")
    try:
        return Annotation.from_dict(merged)
    except ValueError as exc:
        raise FormatError(f"{where}: {exc}") from None


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    out: list[Annotation] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        where = f"{ctx.name}:{number}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise FormatError(f"{where}: invalid JSON ({exc.args[0].split(':')[0]})") from None
        if isinstance(data, dict) and data.get("record") == KIND:
            ctx.coverage.append(parse_done(data, ctx, where))
            continue
        out.append(parse_record(data, ctx, where, content_ids=True))
    return out


register(Format("jsonl", "Tagline's native JSON lines (every field)", ".jsonl", write, read))
