"""The annotation store: TinyDB on a journaled storage, one table per article, with undo.

One TinyDB table per article keeps every write proportional to that article's
annotations (TinyDB rebuilds the whole table it updates), and the journaled
storage appends only the tables that changed. Every public change is one
durable, all-or-nothing journal record and one entry on the undo stack.
"""

from __future__ import annotations

import bisect
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from tinydb import TinyDB
from tinydb.table import Document, Table

from annotations.coverage import Done
from annotations.coverage import key as coverage_key
from annotations.model import Annotation, default_author, now_iso
from annotations.store.edits import StoreEdits
from annotations.store.errors import ReadOnlyError, StoreError
from annotations.store.journal import JournalStorage
from annotations.store.protocol import Change
from annotations.text.sanitize import clean_line
from annotations.themes import Codebook, Theme

ARTICLE_PREFIX = "a:"
CODEBOOK = "_codebook"
REJECTIONS = "_rejections"  # rejected suggestions: key -> {theme, article_id, author, at}
COVERAGE = "_coverage"  # articles marked done: "author\x1farticle" -> Done.to_dict()


def default_db_path() -> Path:
    """`$TAGLINE_DB`, else `tagline.json` in the user data directory."""
    env = os.environ.get("TAGLINE_DB")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("tagline", appauthor=False)) / "tagline.json"


class _StrIdTable(Table):
    """Annotation ids (uuids) are the TinyDB document ids."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB's hints say int; str works


def _doc(value: dict, doc_id: str) -> Document:
    """A document keyed by our string id (TinyDB's hints say int; `_StrIdTable` makes it str)."""
    return Document(value, doc_id=doc_id)  # type: ignore[arg-type]


def _ids(*doc_ids: str) -> list[int]:
    """String document ids where TinyDB's hints expect ints (see `_StrIdTable`)."""
    return list(doc_ids)  # type: ignore[arg-type]


class _TinyDB(TinyDB):
    table_class = _StrIdTable


def _article_index(name: str, table: dict[str, Any]) -> list[Any] | None:
    """An article table's entry in the snapshot's `_index`: [its annotation ids, the
    distinct article hashes they were made on]. Opening reads these instead of the
    records; a malformed record (which opening must refuse) gets no index written."""
    if not name.startswith(ARTICLE_PREFIX):
        return None
    hashes: set[Any] = set()
    for doc in table.values():
        if not (isinstance(doc, dict) and isinstance(doc.get("themes"), list)):
            raise ValueError("malformed annotation")
        sha = doc.get("article_sha256")
        if not isinstance(sha, str | None):
            raise ValueError("malformed article hash")
        hashes.add(sha)
    return [list(table), sorted(hashes, key=lambda h: (h is None, h or ""))]


def _entry(storage: JournalStorage, name: str) -> tuple[list[str], list[str | None]] | None:
    """The `_index` entry of a table not parsed yet, if it has a well-formed one."""
    return _well_formed(storage.peek(name))


def _well_formed(entry: Any) -> tuple[list[str], list[str | None]] | None:
    if type(entry) is list and len(entry) == 2:
        ids, hashes = entry
        if type(ids) is list and type(hashes) is list:
            return ids, hashes
    return None


class AnnotationStore(StoreEdits):
    """Annotations and the codebook, saved on every change."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        read_only: bool = False,
        wait: float = 0.0,
        author: str | None = None,
        salvage: bool = False,
    ) -> None:
        """`salvage` (for `tagline doctor`): damage is listed in `storage.damage` and
        malformed records are kept for `doctor` to examine instead of refused."""
        self.path = Path(path) if path is not None else default_db_path()
        self.author = clean_line(author or default_author()) or "analyst"
        self.salvage = salvage
        self.storage: JournalStorage
        self.db = _TinyDB(
            self.path,
            storage=JournalStorage,
            read_only=read_only,
            wait=wait,
            salvage=salvage,
            indexer=_article_index,
        )
        self.storage = self.db.storage  # type: ignore[assignment]
        # A full or read-only disk makes a writer read-only (the storage says why).
        self.read_only = self.storage.read_only
        self._cache: dict[str, list[Annotation]] = {}
        # annotation id -> article id; the ids of tables not parsed yet wait in
        # `_unindexed` (from the snapshot's index) until `_index` is first needed.
        self._ids: dict[str, str] = {}
        self._unindexed: list[tuple[str, list[str]]] = []
        self._count = 0
        try:
            tables = self.storage.read()
            for name, raw_entry in self.storage.index_entries():
                if name.startswith(ARTICLE_PREFIX):
                    article_id = name[len(ARTICLE_PREFIX) :]
                    entry = _well_formed(raw_entry)
                    if entry is not None:  # checked when the index was written
                        self._unindexed.append((article_id, entry[0]))
                        self._count += len(entry[0])
                        continue
                    for doc_id, doc in tables[name].items():
                        if not salvage and not (
                            isinstance(doc, dict) and isinstance(doc.get("themes"), list)
                        ):
                            raise StoreError(
                                f"{self.path}: malformed annotation {doc_id!r} of {article_id!r} "
                                "(not an object with a list of themes); run `tagline doctor --repair`"
                            )
                        self._ids[doc_id] = article_id
            self._undo: list[Change] = []
            self._redo: list[Change] = []
            self._codebook = self._load_codebook()
            self._listeners: list[Callable[[Change], None]] = []
        except BaseException:
            self.db.close()
            raise
        if self.storage.unindexed and not self.read_only and not salvage:
            try:
                self.storage.compact()  # once: the snapshot gains its index
            except StoreError:
                pass  # still readable; indexed at the next compaction

    @property
    def notices(self) -> list[str]:
        """What opening did that the user should hear about (journal set aside, read-only)."""
        return self.storage.notices

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        """Call `listener` with each change once it is saved (undo and redo included:
        with the change as written). Returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    @property
    def location(self) -> str:
        return str(self.path)

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Fold the journal into the snapshot and release the lock."""
        if not self.read_only and self.storage.journal_records:
            try:
                self.storage.compact()
            except StoreError:
                pass  # the journal still holds every change
        self.db.close()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------

    def _raw(self, article_id: str) -> dict[str, Any]:
        return self.storage.read().get(ARTICLE_PREFIX + article_id, {})

    @property
    def _index(self) -> dict[str, str]:
        """Annotation id -> article id (built from the snapshot's index on first use)."""
        if self._unindexed:
            ids = self._ids
            for article_id, doc_ids in self._unindexed:
                ids.update(dict.fromkeys(doc_ids, article_id))
            self._unindexed = []
        return self._ids

    def __len__(self) -> int:
        return len(self._ids) + self._count if self._unindexed else len(self._ids)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._index

    def get(self, annotation_id: str) -> Annotation | None:
        article_id = self._index.get(annotation_id)
        if article_id is None:
            return None
        return next((a for a in self.for_article(article_id) if a.id == annotation_id), None)

    def for_article(self, article_id: str) -> list[Annotation]:
        """The article's annotations in text order (start, then longer first); cached."""
        cached = self._cache.get(article_id)
        if cached is None:
            cached = self._build(article_id)
            self._cache[article_id] = cached
        return cached

    def _build(self, article_id: str) -> list[Annotation]:
        anns = []
        for doc_id, doc in self._raw(article_id).items():
            try:
                anns.append(Annotation.from_dict(doc))
            except (ValueError, TypeError, AttributeError) as exc:
                raise StoreError(
                    f"{self.path}: malformed annotation {doc_id!r} of {article_id!r} ({exc}); "
                    "run `tagline doctor --repair`"
                ) from None
        return sorted(anns, key=lambda a: (a.start, -a.end, a.created, a.id))

    def article_ids(self) -> list[str]:
        """Articles with at least one annotation, sorted."""
        if self._unindexed:  # nothing written yet: the index's tables, without building it
            return sorted({a for a, _ in self._unindexed} | set(self._ids.values()))
        return sorted(set(self._index.values()))

    def all(self) -> Iterator[Annotation]:
        """Every annotation, article by article.

        Streams: articles not already cached are built and dropped one at a time,
        so an export of 100,000 annotations holds one article's worth at once.
        """
        for article_id in self.article_ids():
            cached = self._cache.get(article_id)
            yield from cached if cached is not None else self._build(article_id)

    def at(self, article_id: str, offset: int) -> list[Annotation]:
        """Annotations covering `offset`, innermost (shortest) first."""
        hits = [a for a in self.for_article(article_id) if a.contains(offset)]
        return sorted(hits, key=lambda a: (a.end - a.start, a.start))

    def exact(self, article_id: str, start: int, end: int) -> Annotation | None:
        anns = self.for_article(article_id)
        i = bisect.bisect_left(anns, (start, -end), key=lambda a: (a.start, -a.end))
        while i < len(anns) and anns[i].start == start:
            if anns[i].end == end:
                return anns[i]
            i += 1
        return None

    def theme_counts(self, article_id: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for doc in self._raw(article_id).values():
            counts.update(doc.get("themes", ()))
        return counts

    def summary(self) -> dict[str, Counter[str]]:
        """Per article: annotations per theme (from raw records: fast on a large store)."""
        out: dict[str, Counter[str]] = {}
        for name, table in self.storage.read().items():
            if name.startswith(ARTICLE_PREFIX) and table:
                counts: Counter[str] = Counter()
                for doc in table.values():
                    counts.update(doc.get("themes", ()))
                out[name[len(ARTICLE_PREFIX) :]] = counts
        return out

    def authors(self) -> list[str]:
        """Every author with an annotation, sorted (from raw records: fast on a large store)."""
        found: set[str] = set()
        for name, table in self.storage.read().items():
            if name.startswith(ARTICLE_PREFIX):
                found.update(str(doc.get("author") or "") for doc in table.values())
        return sorted(found)

    def annotation_count(self, article_id: str) -> int:
        entry = _entry(self.storage, ARTICLE_PREFIX + article_id)
        return len(entry[0]) if entry is not None else len(self._raw(article_id))

    def article_hashes(self) -> dict[str, set[str]]:
        """Per annotated article, the article hashes its annotations were made on (from
        the snapshot's index for tables not read yet, else from the raw records: fast)."""
        out: dict[str, set[str]] = {}
        tables = self.storage.read()
        for name, raw_entry in self.storage.index_entries():
            if not name.startswith(ARTICLE_PREFIX):
                continue
            entry = _well_formed(raw_entry)
            if entry is not None:
                hashes = set(entry[1])
            else:
                table = tables.get(name)
                if not table:
                    continue
                hashes = {doc.get("article_sha256") for doc in table.values()}
            out[name[len(ARTICLE_PREFIX) :]] = hashes  # type: ignore[assignment]
        return out

    # -- codebook ----------------------------------------------------------------------

    def _load_codebook(self) -> Codebook:
        doc = self.storage.read().get(CODEBOOK, {}).get("codebook")
        if not doc:
            return Codebook()
        try:
            return Codebook.from_list(doc["themes"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if not self.salvage:
                raise StoreError(
                    f"{self.path}: the codebook is malformed ({exc}); run `tagline doctor --repair`"
                ) from None
        # Salvage: keep every theme that reads on its own.
        codebook = Codebook([])
        themes = doc.get("themes") if isinstance(doc, dict) else None
        for entry in themes if isinstance(themes, list) else []:
            try:
                theme = Theme.from_dict(entry)
                if codebook.get(theme.name) is None:
                    codebook = Codebook([*codebook.themes, theme])
            except (KeyError, TypeError, ValueError, AttributeError):
                self.storage.damage.append(f"codebook: unreadable theme entry {entry!r}, dropped")
        return codebook

    @property
    def codebook(self) -> Codebook:
        return self._codebook

    def add_theme(
        self,
        name: str,
        color: str | None = None,
        hotkey: str | None = None,
        cues: tuple[str, ...] = (),
    ) -> Theme:
        codebook, theme = self._codebook.add(name, color, hotkey, cues)
        self._apply(
            Change(
                f"add theme {theme.name}", codebook_before=self._codebook, codebook_after=codebook
            )
        )
        return theme

    def recolor_theme(self, name: str, color: str) -> None:
        codebook = self._codebook.recolor(name, color)
        self._apply(
            Change(f"recolour {name}", codebook_before=self._codebook, codebook_after=codebook)
        )

    def set_theme_hotkey(self, name: str, hotkey: str) -> None:
        codebook = self._codebook.set_hotkey(name, hotkey)
        self._apply(
            Change(f"hotkey of {name}", codebook_before=self._codebook, codebook_after=codebook)
        )

    def set_theme_cues(self, name: str, cues: tuple[str, ...]) -> None:
        codebook = self._codebook.set_cues(name, cues)
        self._apply(
            Change(f"cues of {name}", codebook_before=self._codebook, codebook_after=codebook)
        )

    def _using(self, theme: str) -> list[Annotation]:
        return [a for a in self.all() if theme in a.themes]

    def theme_usage(self, name: str) -> int:
        theme = self._codebook.get(name)
        if theme is None:
            return 0
        return len(self._using(theme.name))

    # -- coverage: articles marked done ------------------------------------------------

    def coverage(self) -> list[Done]:
        """Every coverage record (done and undone marks), by analyst and article."""
        out = []
        for doc in self.storage.read().get(COVERAGE, {}).values():
            try:
                out.append(Done.from_dict(doc))
            except (ValueError, AttributeError):
                continue  # a malformed mark only hides coverage; never block opening
        return sorted(out, key=lambda d: (d.author, d.article_id))

    def done_articles(self, author: str | None = None) -> set[str]:
        """Article ids `author` (default: this store's author) has marked done."""
        who = author or self.author
        return {d.article_id for d in self.coverage() if d.author == who and d.done}

    def is_done(self, article_id: str, author: str | None = None) -> bool:
        doc = (
            self.storage.read()
            .get(COVERAGE, {})
            .get(coverage_key(author or self.author, article_id))
        )
        return bool(doc and doc.get("done"))

    def set_done(self, article_id: str, done: bool = True, author: str | None = None) -> Done:
        """Mark (or unmark) an article done for `author`: one undoable durable change."""
        rec = Done(article_id, author or self.author, done, now_iso())
        change = Change(f"mark {article_id} {'done' if done else 'not done'}")
        change.coverage_before = {rec.key: self._stored_done(rec.key)}
        change.coverage_after = {rec.key: rec}
        self._apply(change)
        return rec

    def _stored_done(self, k: str) -> Done | None:
        doc = self.storage.read().get(COVERAGE, {}).get(k)
        try:
            return Done.from_dict(doc) if doc else None
        except ValueError:
            return None

    def _stored(self, record: Done) -> Done | None:
        return self._stored_done(record.key)

    # -- rejected suggestions ----------------------------------------------------------

    def rejections(self) -> set[str]:
        """Keys of rejected suggestions (see `annotations.analysis.suggest.rejection_key`)."""
        return set(self.storage.read().get(REJECTIONS, {}))

    def reject(self, key: str, **info: str) -> None:
        """Remember a rejected suggestion: one durable journal record, not undoable.

        Kept apart from annotations (and their undo stack): a rejection only
        hides a suggestion, it never changes the analyst's coding.
        """
        if self.read_only:
            raise ReadOnlyError(self.storage.read_only_message())
        record = {**info, "author": self.author, "at": now_iso()}
        with self.storage.batch():
            self.db.table(REJECTIONS).upsert(_doc(record, key))
        self._notify(Change("reject suggestion"))

    # -- undo --------------------------------------------------------------------------

    def undo(self) -> str | None:
        """Undo the last change; returns its label, or None if there is nothing to undo."""
        if not self._undo:
            return None
        change = self._undo[-1]
        reverted = change.reversed()
        self._write(reverted)
        self._redo.append(self._undo.pop())
        self._notify(reverted)
        return change.label

    def redo(self) -> str | None:
        if not self._redo:
            return None
        change = self._redo[-1]
        self._write(change)
        self._undo.append(self._redo.pop())
        self._notify(change)
        return change.label

    # -- the one write path ------------------------------------------------------------

    def _apply(self, change: Change, undoable: bool = True) -> None:
        self._write(change)
        if undoable:
            self._undo.append(change)
            self._redo.clear()
        self._notify(change)

    def _write(self, change: Change) -> None:
        """Replace `change.before` by `change.after` in one durable journal record."""
        if self.read_only:
            raise ReadOnlyError(self.storage.read_only_message())
        after_ids = {a.id for a in change.after}
        touched = {a.article_id for a in change.before} | {a.article_id for a in change.after}
        # An annotation may move between articles (an import matched by text).
        touched |= {self._index[a.id] for a in change.after if a.id in self._index}
        old_ids = {doc_id for article_id in touched for doc_id in self._raw(article_id)}
        try:
            with self.storage.batch():
                for ann in change.before:
                    if ann.id not in after_ids:
                        self._table(ann.article_id).remove(doc_ids=_ids(ann.id))
                for ann in change.after:
                    old_article = self._index.get(ann.id)
                    if old_article is not None and ann.id in self._raw(old_article):
                        self._table(old_article).remove(doc_ids=_ids(ann.id))
                    self._table(ann.article_id).insert(_doc(ann.to_dict(), ann.id))
                if change.coverage_after:
                    table = self.db.table(COVERAGE)
                    for k, rec in change.coverage_after.items():
                        if rec is not None:
                            table.upsert(_doc(rec.to_dict(), k))
                        elif k in self.storage.read().get(COVERAGE, {}):
                            table.remove(doc_ids=_ids(k))
                if change.codebook_after is not None:
                    self.db.table(CODEBOOK).upsert(
                        _doc({"themes": change.codebook_after.to_list()}, "codebook")
                    )
        finally:
            # On success this records the change; on failure the storage has rolled
            # the tables back and this resynchronises the caches with them.
            for ann_id in old_ids:
                self._index.pop(ann_id, None)
            for article_id in touched:
                self._cache.pop(article_id, None)
                for doc_id in self._raw(article_id):
                    self._index[doc_id] = article_id
        if change.codebook_after is not None:
            self._codebook = change.codebook_after

    def _table(self, article_id: str) -> Table:
        return self.db.table(ARTICLE_PREFIX + article_id)

    def compact(self) -> None:
        self.storage.compact()

    # -- for repair tools (`tagline doctor`): raw records, through the store ---------------

    @property
    def damage(self) -> list[str]:
        """What a salvaging open found damaged and dropped or kept (see `JournalStorage`)."""
        return self.storage.damage

    def raw_records(self) -> Iterator[tuple[str, str, Any]]:
        """(article id, record key, record as stored) for every annotation record."""
        for name, table in list(self.storage.read().items()):
            if name.startswith(ARTICLE_PREFIX):
                for doc_id, doc in table.items():
                    yield name[len(ARTICLE_PREFIX) :], doc_id, doc

    def raw_codebook(self) -> Codebook:
        return self._codebook

    def repair_records(
        self,
        remove: Iterable[tuple[str, str]] = (),
        put: Iterable[tuple[str, str, dict[str, Any]]] = (),
        codebook: Codebook | None = None,
    ) -> None:
        """Remove and replace raw records (article id, key[, record]) in one durable write.

        Not undoable and unchecked: the repair tool has examined the records itself.
        """
        if self.read_only:
            raise ReadOnlyError(self.storage.read_only_message())
        remove, put = list(remove), list(put)
        with self.storage.batch():
            for article_id, doc_id in remove:
                table = self._table(article_id)
                if doc_id in self._raw(article_id):
                    table.remove(doc_ids=_ids(doc_id))
            for article_id, doc_id, doc in put:
                table = self._table(article_id)
                if doc_id in self._raw(article_id):
                    table.remove(doc_ids=_ids(doc_id))
                table.insert(_doc(doc, doc_id))
            if codebook is not None:
                self.db.table(CODEBOOK).upsert(_doc({"themes": codebook.to_list()}, "codebook"))
        self._cache.clear()
        self._unindexed = []
        self._ids = {doc_id: article_id for article_id, doc_id, _ in self.raw_records()}
        if codebook is not None:
            self._codebook = codebook
