"""Coverage: which articles each analyst has marked done.

Agreement needs to tell "read the article and coded nothing" from "never saw it"
(Krippendorff 2011 treats an absent judgement as missing). An analyst marks an
article done; unmarking keeps a `done=False` record with its time, so that a
merge of several exports can tell a later unmark from an older mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

KIND = "done"  # the `record` field of a coverage line in a native JSONL export


@dataclass(frozen=True, slots=True)
class Done:
    article_id: str
    author: str
    done: bool = True
    at: str = ""  # ISO 8601 time of the (un)marking

    @property
    def key(self) -> str:
        return key(self.author, self.article_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "author": self.author,
            "done": self.done,
            "at": self.at,
        }

    def to_record(self) -> dict[str, Any]:
        """The line a native JSONL export carries."""
        return {"record": KIND, **self.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Done:
        """Build from a stored or exported record; raises `ValueError` on a malformed one."""
        article_id, author = data.get("article_id"), data.get("author")
        if not isinstance(article_id, str) or not article_id:
            raise ValueError("a done record needs an article_id")
        if not isinstance(author, str) or not author.strip():
            raise ValueError("a done record needs an author")
        done = data.get("done", True)
        if not isinstance(done, bool):
            raise ValueError("done must be true or false")
        return cls(article_id, author, done, str(data.get("at") or ""))


def key(author: str, article_id: str) -> str:
    return f"{author}\x1f{article_id}"


def _when(stamp: str) -> datetime:
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return datetime.min
    return when.replace(tzinfo=None) - (when.utcoffset() or timedelta(0))


def later(a: Done, b: Done) -> Done:
    """The later of two records for one analyst and article; on a tie, done wins.

    The tie rule depends only on the two records, never on which file came first.
    """
    ta, tb = _when(a.at), _when(b.at)
    if ta != tb:
        return a if ta > tb else b
    return a if (a.done, a.at) >= (b.done, b.at) else b


def resolve(records: Iterable[Done]) -> dict[str, Done]:
    """One record per (analyst, article): the later one."""
    out: dict[str, Done] = {}
    for rec in records:
        old = out.get(rec.key)
        out[rec.key] = rec if old is None else later(old, rec)
    return out


def done_by_author(records: Iterable[Done]) -> dict[str, set[str]]:
    """author -> article ids marked done (records resolved first)."""
    out: dict[str, set[str]] = {}
    for rec in resolve(records).values():
        if rec.done:
            out.setdefault(rec.author, set()).add(rec.article_id)
    return out


@dataclass(frozen=True, slots=True)
class Progress:
    author: str
    done: int
    total: int

    def describe(self) -> str:
        return f"{self.author} {self.done}/{self.total} done"


def progress(
    records: Iterable[Done], article_ids: Iterable[str], authors: Iterable[str] = ()
) -> list[Progress]:
    """Per analyst, articles of `article_ids` marked done; `authors` are listed even at 0."""
    ids = set(article_ids)
    done = done_by_author(records)
    names = sorted(set(done) | set(authors))
    return [Progress(a, len(done.get(a, set()) & ids), len(ids)) for a in names]
