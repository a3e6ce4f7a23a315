"""Label Studio task JSON: a list of tasks, one per article, for a `<Labels>` + `<Text>` config.

Each task has `data.text` (plus `article_id` and `title`) and one entry in
`annotations` per coder (`created_username`), whose `result` holds one region per
annotation: `value.start/end/text/labels` (all its themes), the region `id` = the
annotation id, the note in the region's `meta.text` (Label Studio's region
comment), and Tagline's own `created`/`updated` per region, which Label Studio ignores.
Region ids are unique only within one annotation entry, so reading keys regions by
task, entry and region id; `created_username` is parsed as Label Studio writes it.

Offsets are code points (Python indices), as Label Studio stores them since it
fixed emoji offsets; files from older versions counted UTF-16 units, so a region
whose `value.text` does not match is retried with UTF-16 offsets.

The writer streams: `[`, one task per line, `]`. The reader reports the line a
task starts on.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, Any

from annotations.formats import ExportContext, Format, FormatError, ImportContext, register
from annotations.formats.jsonl import parse_record
from annotations.formats.matching import (
    NAMESPACE,
    by_article,
    find_article,
    offset,
    span_id,
    themes_of,
)
from annotations.model import Annotation

FROM_NAME, TO_NAME = "label", "text"


def task(number: int, article, anns: list[Annotation]) -> dict[str, Any]:
    by_author: dict[str, list[Annotation]] = {}
    for ann in anns:
        by_author.setdefault(ann.author, []).append(ann)
    entries = []
    for author, group in by_author.items():
        result = []
        for ann in group:
            region: dict[str, Any] = {
                "id": ann.id,
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "origin": "manual",
                "value": {
                    "start": ann.start,
                    "end": ann.end,
                    "text": ann.exact,
                    "labels": list(ann.themes),
                },
            }
            if ann.note:
                region["meta"] = {"text": [ann.note]}
            region["created"] = ann.created
            region["updated"] = ann.updated
            result.append(region)
        entries.append(
            {
                "created_username": author,
                "created_at": min(a.created for a in group),
                "updated_at": max(a.updated for a in group),
                "result": result,
            }
        )
    return {
        "id": number,
        "data": {"text": article.text, "article_id": article.id, "title": article.title},
        "annotations": entries,
    }


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    count = 0
    out.write("[")
    for number, (article, anns) in enumerate(by_article(annotations, ctx), start=1):
        out.write("\n" if number == 1 else ",\n")
        out.write(json.dumps(task(number, article, anns), ensure_ascii=False))
        count += len(anns)
    out.write("\n]\n")
    return count


def _tasks(text: str, name: str) -> Iterator[tuple[str, Any]]:
    """(`FILE:LINE`, task) for each element of the top-level JSON list, with its line."""
    decoder = json.JSONDecoder()

    def fail(pos: int, reason: str) -> FormatError:
        return FormatError(f"{name}:{text.count(chr(10), 0, pos) + 1}: {reason}")

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    pos = skip(0)
    if not text.startswith("[", pos):
        raise fail(pos, "expected a JSON list of tasks")
    pos = skip(pos + 1)
    if text.startswith("]", pos):
        if skip(pos + 1) != len(text):
            raise fail(skip(pos + 1), "unexpected data after the list")
        return
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise fail(exc.pos, f"invalid JSON ({exc.msg})") from None
        yield f"{name}:{text.count(chr(10), 0, pos) + 1}", value
        pos = skip(end)
        if text.startswith(",", pos):
            pos = skip(pos + 1)
        elif text.startswith("]", pos):
            if skip(pos + 1) != len(text):
                raise fail(skip(pos + 1), "unexpected data after the list")
            return
        else:
            raise fail(pos, "expected , or ] between tasks")


def _utf16_to_index(text: str, units: int) -> int:
    """The `str` index that `units` UTF-16 code units into `text` correspond to."""
    count = 0
    for i, ch in enumerate(text):
        if count >= units:
            return i if count == units else -1
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text) if count == units else -1


def _region(article_text: str, value: dict[str, Any], here: str) -> tuple[int, int, str]:
    start = offset(value.get("start"), "value.start", here)
    end = offset(value.get("end"), "value.end", here)
    quoted = value.get("text")
    if isinstance(quoted, str) and article_text[start:end] != quoted:
        s16, e16 = _utf16_to_index(article_text, start), _utf16_to_index(article_text, end)
        if not (0 <= s16 < e16 and article_text[s16:e16] == quoted):
            # Neither code points nor UTF-16 units: the offsets cannot be trusted.
            raise FormatError(
                f"{here}: text {quoted[:30]!r} is not at {start}..{end} "
                "in code points or in UTF-16 units"
            )
        start, end = s16, e16
    if not 0 <= start < end <= len(article_text):
        raise FormatError(f"{here}: offsets {start}..{end} are outside the text")
    return start, end, article_text[start:end]


_USER_ID = re.compile(r",\s*\d+\s*$")


def author_of(entry: dict[str, Any]) -> str | None:
    """The coder of an annotation entry.

    Label Studio writes `created_username` as `"{first} {last} {email}, {id}"` (so a user
    without a name exports as `" cb9017@rit.edu, 1"`): take the email, else the name.
    A plain name (as Tagline writes it) is taken as it is.
    """
    value = entry.get("created_username")
    if not isinstance(value, str) or not value.strip():
        by = entry.get("completed_by")
        if isinstance(by, dict) and isinstance(by.get("email"), str) and by["email"].strip():
            return by["email"].strip()
        return None
    if not _USER_ID.search(value):
        return value
    words = _USER_ID.sub("", value).split()
    emails = [w for w in words if "@" in w]
    return emails[-1] if emails else " ".join(words) or None


def parse(data: Any, ctx: ImportContext, where: str) -> list[dict[str, Any]]:
    """Native records of one task, each with its `_key`: (task, annotation entry, region id).

    Region ids are unique only within one annotation entry: Label Studio's task format
    example and pre-annotation scripts reuse them across tasks and annotators.
    """
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise FormatError(f"{where}: expected a task object with data")
    fields = data["data"]
    if not isinstance(fields.get("text"), str):
        raise FormatError(f"{where}: the task has no data.text")
    article = find_article(
        ctx, where, fields.get("article_id"), fields["text"], fields.get("title") or data.get("id")
    )
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    task_id = data.get("id") if isinstance(data.get("id"), int | str) else where
    entries = data.get("annotations") or []
    if not isinstance(entries, list):
        raise FormatError(f"{where}: annotations must be a list")
    for e, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise FormatError(f"{where}: an annotation must be an object")
        author = author_of(entry)
        results = entry.get("result") or []
        if not isinstance(results, list):
            raise FormatError(f"{where}: an annotation's result must be a list")
        for n, region in enumerate(results, start=1):
            here = f"{where}: region {n}"
            if not isinstance(region, dict) or not isinstance(region.get("value"), dict):
                raise FormatError(f"{here}: expected an object with a value")
            value = region["value"]
            if "labels" not in value:
                continue  # another control (a choice, a text area): not a coded span
            labels = value["labels"]
            if not isinstance(labels, list) or not labels:
                raise FormatError(f"{here}: labels must be a non-empty list")
            start, end, exact = _region(fields["text"], value, here)
            meta: dict[str, Any] = region["meta"] if isinstance(region.get("meta"), dict) else {}
            notes: list[Any] = meta["text"] if isinstance(meta.get("text"), list) else []
            rid = region.get("id") if isinstance(region.get("id"), str) and region["id"] else None
            entry_id = entry.get("id") if isinstance(entry.get("id"), int | str) else e
            key = (task_id, entry_id, rid or f"{start}:{end}")
            native = out.setdefault(
                key,
                {
                    "_key": key,
                    "_rid": rid,
                    "_where": here,
                    "id": span_id(article.id, start, end) if rid is None else None,
                    "article_id": article.id,
                    "start": start,
                    "end": end,
                    "exact": exact,
                    "themes": [],
                    "note": "\n\n".join(x for x in notes if isinstance(x, str)),
                    "author": author,
                    "created": region.get("created") or entry.get("created_at"),
                    "updated": region.get("updated") or entry.get("updated_at"),
                },
            )
            if (native["start"], native["end"]) != (start, end):
                raise FormatError(f"{here}: region {rid!r} has two different spans")
            native["themes"].extend(t for t in themes_of(labels, here) if t not in native["themes"])
    for native in out.values():
        for name in ("created", "updated"):
            if not isinstance(native[name], str):
                native[name] = None
    return list(out.values())


def _annotations(natives: list[dict[str, Any]], ctx: ImportContext) -> list[Annotation]:
    """Region ids become annotation ids where they are unique in the file, else derived ones."""
    owners: dict[str, set[tuple[Any, ...]]] = {}
    for native in natives:
        if native["_rid"] is not None:
            owners.setdefault(native["_rid"], set()).add(native["_key"])
    out = []
    for native in natives:
        rid = native.pop("_rid")
        key = native.pop("_key")
        here = native.pop("_where")
        if rid is not None:
            unique = len(owners[rid]) == 1
            native["id"] = rid if unique else str(uuid.uuid5(NAMESPACE, f"ls:{key}"))
        out.append(parse_record(native, ctx, here))
    return out


def read(stream: IO[str], ctx: ImportContext) -> list[Annotation]:
    natives = [
        n for where, data in _tasks(stream.read(), ctx.name) for n in parse(data, ctx, where)
    ]
    return _annotations(natives, ctx)


register(Format("labelstudio", "Label Studio tasks (JSON list)", ".json", write, read))
