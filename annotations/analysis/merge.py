"""Several analysts: merge their native JSONL exports into one store, idempotently.

Identity is the annotation id: the same id in two files is the same annotation,
not a duplicate. Records that came without an id got one derived from their
content when read (`model.content_id`), so a re-run finds them again. Theme
names are normalised to one spelling (the codebook's, else the first in sorted
order) before anything is compared.

When the versions of one id differ, the one with the later `updated` wins; on
equal times the store's own version wins, then the version whose content sorts
last (its JSON) — a rule that never depends on the order of the files. Every
version that lost to the final winner is reported once, naming that winner. A
version older than what the store already holds is stale, not a conflict: an
unchanged re-run reports nothing.

One analyst coding the same passage twice under two ids is folded into one
annotation (the earlier created keeps its id; themes and notes are united) and
reported, so it is never counted twice. Done marks (coverage) are merged too:
per analyst and article, the later mark wins.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from annotations.corpus import Corpus
from annotations.coverage import Done
from annotations.formats import FormatError, ImportContext
from annotations.formats.checks import decode_input, read_input
from annotations.formats.jsonl import read as read_jsonl
from annotations.model import Annotation
from annotations.store.protocol import Store
from annotations.text.sanitize import clean_line
from annotations.themes import Codebook

# What an analyst can change; `created`, context and status follow from these.
CONTENT = ("article_id", "start", "end", "exact", "themes", "note", "author")
STORE = "store"


@dataclass(frozen=True, slots=True)
class Version:
    annotation: Annotation
    source: str  # file name, or "store" for what the team store already held


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    kept: Version  # the final winner
    dropped: Version

    def describe(self) -> str:
        k, d = self.kept.annotation, self.dropped.annotation
        fields = [f for f in CONTENT if content_of(k, f) != content_of(d, f)]
        return (
            f"{self.id} ({k.article_id} {k.start}-{k.end}): kept {self.kept.source} "
            f"({k.updated}), dropped {self.dropped.source} ({d.updated}); "
            f"differs in {', '.join(fields)}"
        )


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One analyst coded the same passage under several ids; folded into `kept`."""

    author: str
    article_id: str
    start: int
    end: int
    kept: str
    folded: tuple[str, ...]

    def describe(self) -> str:
        return (
            f"{self.author} coded {self.article_id} {self.start}-{self.end} "
            f"{len(self.folded) + 1} times: merged {', '.join(self.folded)} into {self.kept}"
        )


@dataclass(slots=True)
class MergeResult:
    write: list[Annotation]  # new or changed annotations, for one put_many
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # versions older than the store's (already superseded)
    conflicts: list[Conflict] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)  # ids folded into another
    coverage: list[Done] = field(default_factory=list)

    def summary(self, files: int) -> str:
        extra = f", {len(self.duplicates)} duplicate passage(s) folded" if self.duplicates else ""
        marks = f"; {len(self.coverage)} done mark(s) read" if self.coverage else ""
        return (
            f"Merged {files} file(s): {self.read} annotation(s) read, {self.added} new, "
            f"{self.updated} updated, {self.unchanged} already there; "
            f"{len(self.conflicts)} conflict(s){extra}{marks}"
        )


def content_of(ann: Annotation, name: str) -> object:
    value = getattr(ann, name)
    return frozenset(value) if name == "themes" else value  # themes are a set


def content(ann: Annotation) -> tuple:
    return tuple(content_of(ann, f) for f in CONTENT)


def _canonical(ann: Annotation) -> str:
    data = {f: getattr(ann, f) for f in CONTENT}
    data["themes"] = sorted(ann.themes)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _when(stamp: str) -> datetime:
    """A comparable UTC time; unreadable stamps sort first."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return datetime.min
    return when.replace(tzinfo=None) - (when.utcoffset() or timedelta(0))


def rank(version: Version) -> tuple[datetime, bool, str]:
    """The order of versions of one id: the greatest wins (see the module docstring)."""
    return (
        _when(version.annotation.updated),
        version.source == STORE,
        _canonical(version.annotation),
    )


def normalise_themes(annotations: Iterable[Annotation], codebook: Codebook) -> dict[str, str]:
    """Spelling key -> the one spelling to use: the codebook's, else the first sorted."""
    spellings: dict[str, set[str]] = defaultdict(set)
    for ann in annotations:
        for theme in ann.themes:
            spellings[_fold(theme)].add(theme)
    out: dict[str, str] = {}
    for key, seen in spellings.items():
        known = codebook.get(min(seen))
        out[key] = known.name if known is not None else min(seen)
    return out


def _fold(theme: str) -> str:
    return " ".join(theme.split()).casefold()


def respell(ann: Annotation, names: dict[str, str]) -> Annotation:
    themes = tuple(dict.fromkeys(names.get(_fold(t), t) for t in ann.themes))
    return ann if themes == ann.themes else replace(ann, themes=themes)


def merge_versions(
    sources: Sequence[tuple[str, Iterable[Annotation]]],
    existing: dict[str, Annotation],
) -> MergeResult:
    """Resolve every id to one version. `existing` maps id -> the store's version."""
    versions: dict[str, list[Version]] = defaultdict(list)
    for ann in existing.values():
        versions[ann.id].append(Version(ann, STORE))
    read = 0
    for source, items in sources:
        for ann in items:
            read += 1
            versions[ann.id].append(Version(ann, source))

    result = MergeResult(write=[], read=read)
    for ann_id, offered in versions.items():
        winner = max(offered, key=rank)
        old = existing.get(ann_id)
        if old is None:
            result.added += 1
            result.write.append(winner.annotation)
        elif content(winner.annotation) == content(old):
            result.unchanged += 1
        else:
            result.updated += 1
            result.write.append(winner.annotation)
        # Each losing content once (its latest version), against the final winner.
        losers: dict[tuple, Version] = {}
        for v in sorted(offered, key=rank):
            if content(v.annotation) != content(winner.annotation):
                losers[content(v.annotation)] = v
        if old is not None and content(winner.annotation) == content(old):
            result.stale += len(losers)  # the store already holds the later version
            continue
        result.conflicts += [Conflict(ann_id, winner, v) for v in losers.values()]
    return result


def fold_duplicates(
    candidates: Iterable[Annotation], stored: Iterable[Annotation]
) -> tuple[list[Annotation], list[str], list[Duplicate]]:
    """Fold annotations one analyst made twice on one passage (same author, article, offsets).

    `candidates` are the merge's winners, `stored` the store's other annotations on
    the same articles. Returns annotations to write, ids folded away (stored or
    not), and a report of the folds that changed the store.
    """
    final = {a.id: a for a in stored}
    final.update({a.id: a for a in candidates})
    groups: dict[tuple[str, str, int, int], list[Annotation]] = defaultdict(list)
    for ann in final.values():
        groups[(ann.author, ann.article_id, ann.start, ann.end)].append(ann)
    stored_ids = {a.id for a in stored}
    write: list[Annotation] = []
    remove: list[str] = []
    report: list[Duplicate] = []
    for (author, article_id, start, end), group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda a: (a.created, a.id))
        keep, others = group[0], group[1:]
        themes = tuple(dict.fromkeys(t for a in group for t in a.themes))
        notes = list(dict.fromkeys(a.note for a in group if a.note))
        folded = replace(
            keep,
            themes=themes,
            note="; ".join(notes),
            updated=max((a.updated for a in group), key=_when),
        )
        changed = content(folded) != content(keep) or any(a.id in stored_ids for a in others)
        if folded != keep:
            write.append(folded)
        remove += [a.id for a in others]
        if changed:
            report.append(
                Duplicate(author, article_id, start, end, keep.id, tuple(a.id for a in others))
            )
    return write, remove, report


def read_export(path: Path, corpus: Corpus, coverage: list[Done] | None = None) -> list[Annotation]:
    """One analyst's native JSONL export; records without an author get the file's stem.

    Done marks found in the file are appended to `coverage`.
    """
    ctx = ImportContext(corpus, clean_line(path.stem) or "analyst", str(path))
    # Strict UTF-8 and one-line errors, as `tagline import` (see formats.checks).
    anns = read_input(read_jsonl, decode_input(path.read_bytes(), str(path)), ctx)
    if coverage is not None:
        coverage += ctx.coverage
    return anns


def merge(files: Sequence[Path], store: Store, corpus: Corpus) -> MergeResult:
    """Merge exports into `store`: every file is parsed first, then one atomic write.

    Raises `FormatError` (naming file and line) before anything is written.
    """
    sources = []
    coverage: list[Done] = []
    for path in files:
        path = Path(path)
        if not path.is_file():
            raise FormatError(f"{path}: no such file")
        sources.append((path.name, read_export(path, corpus, coverage)))
    ids = {a.id for _, anns in sources for a in anns}
    existing = {i: a for i in ids if (a := store.get(i)) is not None}
    names = normalise_themes(
        [*existing.values(), *(a for _, anns in sources for a in anns)], store.codebook
    )
    sources = [(name, [respell(a, names) for a in anns]) for name, anns in sources]
    result = merge_versions(sources, existing)

    # Duplicates among the final state of every article the merge touches.
    winners = {a.id: a for a in result.write}
    articles = {a.article_id for a in winners.values()}
    stored = [a for art in sorted(articles) for a in store.for_article(art) if a.id not in winners]
    write, remove, result.duplicates = fold_duplicates(winners.values(), stored)
    for ann in write:
        winners[ann.id] = ann
    for ann_id in remove:
        winners.pop(ann_id, None)
    # An id folded away before it reached the store is neither added nor written.
    absorbed = [a.id for a in result.write if a.id not in winners and a.id not in existing]
    result.added -= len(absorbed)
    result.unchanged += len(absorbed)
    result.write = list(winners.values())
    result.remove = [i for i in remove if i in store]
    result.coverage = coverage
    if result.write or result.remove or coverage:
        store.put_many(
            result.write,
            label=f"merge {len(files)} file(s)",
            remove=result.remove,
            coverage=coverage,
        )
    return result
