"""The annotation record: what an analyst coded, where, and when."""

from __future__ import annotations

import getpass
import hashlib
import os
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from annotations.identity import Identity, identify

CONTEXT = 32
"""Characters of prefix/suffix context kept with each quote (as W3C TextQuoteSelector)."""

Status = Literal["anchored", "reanchored", "needs_review", "orphaned"]
STATUSES: tuple[str, ...] = ("anchored", "reanchored", "needs_review", "orphaned")

FIELDS: tuple[str, ...] = (
    "id",
    "article_id",
    "article_sha256",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "themes",
    "note",
    "author",
    "created",
    "updated",
    "status",
)


def now_iso() -> str:
    """The current time as ISO 8601 UTC with a `Z`, to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_author() -> str:
    """`$TAGLINE_AUTHOR`, else the login name, else `analyst`."""
    env = os.environ.get("TAGLINE_AUTHOR", "").strip()
    if env:
        return env
    try:
        return getpass.getuser() or "analyst"
    except Exception:
        return "analyst"


def new_id() -> str:
    return str(uuid.uuid4())


_CONTENT_IDS = uuid.UUID("5b0c6f1e-4d0e-4e57-9a53-7461676c696e")


def content_id(article_id: str, start: int, end: int, author: str, themes) -> str:
    """A deterministic id for a record that came without one: same content, same id.

    Themes are compared as a set, case- and spacing-insensitively.
    """
    names = sorted({" ".join(str(t).split()).casefold() for t in themes})
    raw = "\x1f".join([article_id, str(start), str(end), author, *names])
    # uuid5 by hand: the name may hold lone surrogates (hostile input), which uuid5 refuses.
    digest = hashlib.sha1(_CONTENT_IDS.bytes + raw.encode("utf-8", "surrogatepass")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def context_of(text: str, start: int, end: int) -> tuple[str, str]:
    """The W3C-style prefix and suffix around `text[start:end]`."""
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


@dataclass(frozen=True, slots=True)
class Annotation:
    """One coded passage. Offsets are `str` indices into the normalised article text."""

    id: str
    article_id: str
    article_sha256: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    themes: tuple[str, ...]
    note: str = ""
    author: str = ""
    created: str = ""
    updated: str = ""
    status: str = "anchored"
    # What told the passage apart when its context was taken (`identity.identify`);
    # None when not known (annotations saved before it was kept).
    identity: Identity | None = None

    def __post_init__(self) -> None:
        # Themes are a set (kept in first-seen order): a theme named twice, in any
        # case or spacing the codebook treats as the same, is one theme. Every
        # constructor and `replace` passes here, so no reader or writer can repeat one.
        if len(self.themes) > 1 or not isinstance(self.themes, tuple):
            object.__setattr__(self, "themes", unique_themes(self.themes))

    @classmethod
    def create(
        cls,
        *,
        article_id: str,
        text: str,
        sha256: str,
        start: int,
        end: int,
        themes: tuple[str, ...] | list[str],
        note: str = "",
        author: str | None = None,
        id: str | None = None,
    ) -> Annotation:
        """A fresh annotation on `text[start:end]`, with quote and context filled in."""
        if not 0 <= start < end <= len(text):
            raise ValueError(f"offsets {start}..{end} are outside the text (length {len(text)})")
        if not themes:
            raise ValueError("an annotation needs at least one theme")
        prefix, suffix = context_of(text, start, end)
        stamp = now_iso()
        return cls(
            id=id or new_id(),
            article_id=article_id,
            article_sha256=sha256,
            start=start,
            end=end,
            exact=text[start:end],
            prefix=prefix,
            suffix=suffix,
            themes=tuple(themes),
            note=note,
            author=author if author is not None else default_author(),
            created=stamp,
            updated=stamp,
            status="anchored",
            identity=identify(text, start, end, prefix, suffix),
        )

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: dataclasses.asdict deep-copies every field and is ~10x slower.
        return {
            "id": self.id,
            "article_id": self.article_id,
            "article_sha256": self.article_sha256,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "themes": list(self.themes),
            "note": self.note,
            "author": self.author,
            "created": self.created,
            "updated": self.updated,
            "status": self.status,
            "identity": self.identity.to_json() if self.identity is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        """Build from a stored record; raises `ValueError` on a malformed one."""
        try:
            themes = data["themes"]
            if isinstance(themes, str) or not isinstance(themes, list | tuple):
                raise ValueError("themes must be a list")
            ann = cls(
                id=str(data["id"]),
                article_id=str(data["article_id"]),
                article_sha256=str(data.get("article_sha256", "")),
                start=_int(data["start"], "start"),
                end=_int(data["end"], "end"),
                exact=str(data["exact"]),
                prefix=str(data.get("prefix", "")),
                suffix=str(data.get("suffix", "")),
                themes=tuple(str(t) for t in themes),
                note=str(data.get("note") or ""),
                author=str(data.get("author") or ""),
                created=str(data.get("created") or ""),
                updated=str(data.get("updated") or ""),
                status=str(data.get("status") or "anchored"),
                identity=(
                    Identity.from_json(data["identity"])
                    if data.get("identity") is not None
                    else None
                ),
            )
        except KeyError as exc:
            raise ValueError(f"missing field {exc.args[0]!r}") from None
        if ann.status not in STATUSES:
            raise ValueError(f"unknown status {ann.status!r}")
        if not ann.themes:
            raise ValueError("an annotation needs at least one theme")
        return ann

    def touched(self, **changes: Any) -> Annotation:
        """A copy with `changes` applied and `updated` set to now."""
        return replace(self, updated=now_iso(), **changes)

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end


def unique_themes(themes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """`themes` without repeats, matched as the codebook matches names (trimmed, casefolded)."""
    seen: dict[str, str] = {}
    for theme in themes:
        seen.setdefault(theme.strip().casefold(), theme)
    return tuple(seen.values())


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    return value
