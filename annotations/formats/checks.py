"""Checks every importer shares: outside values are refused with `FILE:LINE: reason`, or
corrected with a warning where the intent is certain; never coerced silently.

`jsonl.parse_record` (which every JSON importer ends in) calls `vet`; the CLI's
`read_input` decodes the file strictly and turns what a reader could not parse into
one line naming the file.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import IO, Any

from annotations.corpus import Article
from annotations.formats import FormatError, ImportContext
from annotations.model import STATUSES, context_of
from annotations.text.sanitize import clean_line, clean_text, has_unsafe
from annotations.themes import ThemeError, clean_name

TEXT_FIELDS = {
    "note": clean_text,
    "author": clean_line,
    "created": clean_line,
    "updated": clean_line,
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def vet(data: dict[str, Any], article: Article, ctx: ImportContext, where: str) -> dict[str, Any]:
    """The record's fields checked and cleaned (see module doc); raises `FormatError`."""
    out: dict[str, Any] = {}
    for name, clean in TEXT_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise FormatError(f"{where}: {name} must be a string, not {_kind(value)}")
        out[name] = clean(value)
    themes = []
    for theme in data["themes"]:
        try:
            themes.append(clean_name(clean_line(theme)))
        except ThemeError as exc:
            raise FormatError(f"{where}: {exc}") from None
    out["themes"] = list(dict.fromkeys(themes))
    ann_id = data.get("id")
    if ann_id not in (None, ""):
        if not isinstance(ann_id, str):
            raise FormatError(f"{where}: id must be a string, not {_kind(ann_id)}")
        if has_unsafe(ann_id) or ann_id != ann_id.strip():
            raise FormatError(f"{where}: id {ann_id!r} holds control characters or invalid text")
        first = ctx.seen_ids.setdefault(ann_id, where)
        if first != where:
            raise FormatError(f"{where}: duplicate id {ann_id!r} (first at {first})")
    status = data.get("status")
    if status not in (None, ""):
        if status not in STATUSES:
            raise FormatError(
                f"{where}: status must be one of {', '.join(STATUSES)}, not {status!r}"
            )
        if status == "orphaned":
            _warn(
                ctx,
                f"{where}: status 'orphaned' corrected to 'anchored': the quote is at its offsets",
            )
            status = "anchored"
        out["status"] = status
    prefix, suffix = context_of(article.text, data["start"], data["end"])
    for name, actual in (("prefix", prefix), ("suffix", suffix)):
        given = data.get(name)
        if given not in (None, "") and given != actual:
            _warn(ctx, f"{where}: {name} does not match the text before/after the quote; corrected")
    out["prefix"], out["suffix"] = prefix, suffix
    return out


def _warn(ctx: ImportContext, message: str) -> None:
    if ctx.warn is not None:
        ctx.warn(message)


def decode_input(raw: bytes, name: str) -> str:
    """UTF-8 (a BOM is dropped, from a file or stdin alike); invalid bytes are refused
    with the line they are on, never replaced silently."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise FormatError(f"{name}:{line}: not valid UTF-8 (byte 0x{byte})") from None


def _deepest_line(text: str, limit: int = 500) -> int:
    depth = 0
    line = 1
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth -= 1
        elif ch == "\n":
            line += 1
    return line


def read_input(
    reader: Callable[[IO[str], ImportContext], list[Any]], text: str, ctx: ImportContext
) -> list[Any]:
    """Run `reader` on `text`: a failure is one line naming the file, never a traceback."""
    import io

    try:
        return reader(io.StringIO(text, newline=None), ctx)
    except FormatError:
        raise
    except RecursionError:
        raise FormatError(f"{ctx.name}:{_deepest_line(text)}: JSON nested too deeply") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        where = _innermost_where(exc) or ctx.name
        raise FormatError(f"{where}: not valid here ({type(exc).__name__}: {exc})") from None


def _innermost_where(exc: BaseException) -> str | None:
    """The `FILE:LINE` the reader was at: its `where`/`here` variable in the deepest frame
    that has one (every reader names its position so, for its own messages)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        local = tb.tb_frame.f_locals
        for name in ("here", "where"):
            if isinstance(local.get(name), str):
                found = local[name]
                break
        tb = tb.tb_next
    return found
