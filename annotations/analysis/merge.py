"""Several analysts: merge their native JSONL exports into one store.

Identity is the annotation id: the same id in two files is the same annotation,
not a duplicate. When its versions differ (two analysts edited it, or one edited
it after sharing), the one with the later `updated` wins and the other is
reported as a conflict. Different ids on the same passage are different
annotations and are all kept: that is what agreement is computed on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from annotations.corpus import Corpus
from annotations.formats import FormatError, ImportContext
from annotations.formats.checks import decode_input, read_input
from annotations.formats.jsonl import read as read_jsonl
from annotations.model import Annotation
from annotations.store.protocol import Store
from annotations.text.sanitize import clean_line

# What an analyst can change; `created`, context and status follow from these.
CONTENT = ("article_id", "start", "end", "exact", "themes", "note", "author")


@dataclass(frozen=True, slots=True)
class Version:
    annotation: Annotation
    source: str  # file name, or "store" for what the team store already held


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    kept: Version
    dropped: Version

    def describe(self) -> str:
        k, d = self.kept.annotation, self.dropped.annotation
        fields = [f for f in CONTENT if getattr(k, f) != getattr(d, f)]
        return (
            f"{self.id} ({k.article_id} {k.start}-{k.end}): kept {self.kept.source} "
            f"({k.updated}), dropped {self.dropped.source} ({d.updated}); "
            f"differs in {', '.join(fields)}"
        )


@dataclass(slots=True)
class MergeResult:
    write: list[Annotation]  # new or changed annotations, for one put_many
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self, files: int) -> str:
        return (
            f"Merged {files} file(s): {self.read} annotation(s) read, {self.added} new, "
            f"{self.updated} updated, {self.unchanged} already there; "
            f"{len(self.conflicts)} conflict(s)"
        )


def content(ann: Annotation) -> tuple:
    return tuple(getattr(ann, f) for f in CONTENT)


def _when(stamp: str) -> datetime:
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return datetime.min.replace(tzinfo=None)


def _later(a: Version, b: Version) -> Version:
    """The later edit; on a tie (or unreadable stamps) the later source wins."""
    ta, tb = _when(a.annotation.updated), _when(b.annotation.updated)
    if ta.tzinfo is None or tb.tzinfo is None:
        ta, tb = ta.replace(tzinfo=None), tb.replace(tzinfo=None)
    return a if ta > tb else b


def merge_versions(
    sources: Sequence[tuple[str, Iterable[Annotation]]],
    existing: dict[str, Annotation],
) -> MergeResult:
    """Resolve every id to one version. `existing` maps id -> the store's version."""
    winners: dict[str, Version] = {}
    conflicts: dict[str, list[Conflict]] = {}
    read = 0

    def offer(version: Version) -> None:
        ann = version.annotation
        current = winners.get(ann.id)
        if current is None:
            winners[ann.id] = version
            return
        if content(current.annotation) == content(ann):
            winners[ann.id] = _later(current, version)  # same annotation, maybe re-saved
            return
        kept = _later(current, version)
        dropped = version if kept is current else current
        winners[ann.id] = kept
        conflicts.setdefault(ann.id, []).append(Conflict(ann.id, kept, dropped))

    for ann in existing.values():
        offer(Version(ann, "store"))
    for source, items in sources:
        for ann in items:
            read += 1
            offer(Version(ann, source))

    result = MergeResult(write=[], read=read)
    for ann_id, version in winners.items():
        old = existing.get(ann_id)
        if old is None:
            result.added += 1
            result.write.append(version.annotation)
        elif version.annotation == old or content(version.annotation) == content(old):
            result.unchanged += 1
        else:
            result.updated += 1
            result.write.append(version.annotation)
    # A conflict whose final winner lost a later round is still worth reporting.
    result.conflicts = [c for cs in conflicts.values() for c in cs]
    return result


def read_export(path: Path, corpus: Corpus) -> list[Annotation]:
    """One analyst's native JSONL export; records without an author get the file's stem."""
    ctx = ImportContext(corpus, clean_line(path.stem) or "analyst", str(path))
    # Strict UTF-8 and one-line errors, as `tagline import` (see formats.checks).
    return read_input(read_jsonl, decode_input(path.read_bytes(), str(path)), ctx)


def merge(files: Sequence[Path], store: Store, corpus: Corpus) -> MergeResult:
    """Merge exports into `store`: every file is parsed first, then one atomic write.

    Raises `FormatError` (naming file and line) before anything is written.
    """
    sources = []
    for path in files:
        path = Path(path)
        if not path.is_file():
            raise FormatError(f"{path}: no such file")
        sources.append((path.name, read_export(path, corpus)))
    ids = {a.id for _, anns in sources for a in anns}
    existing = {i: a for i in ids if (a := store.get(i)) is not None}
    result = merge_versions(sources, existing)
    if result.write:
        store.put_many(result.write, label=f"merge {len(files)} file(s)")
    return result
