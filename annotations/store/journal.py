"""A crash-safe TinyDB storage: a JSON snapshot plus an append-only journal.

TinyDB's stock `JSONStorage` truncates and rewrites the whole file on every
insert: slow at scale (the cost grows with the store) and a kill mid-write
leaves a corrupt file. This storage keeps the same on-disk snapshot format
(`{table: {doc_id: doc}}`, readable by stock TinyDB) and adds a journal:

* `read()` hands TinyDB the live in-memory tables (loaded once).
* `write()` finds the tables TinyDB replaced (TinyDB builds a new dict for the
  table it updates, so an identity check finds them in O(tables)), appends one
  JSON line with just those tables to `<file>.journal`, and fsyncs. A write
  costs the size of the changed tables, not of the store.
* `batch()` groups many TinyDB calls into one journal line: all-or-nothing.
* `compact()` folds the journal into a new snapshot: temp file, fsync, rename.

Generations make compaction crash-safe: the snapshot records its generation
and the journal's first line names the generation it extends; a journal for an
older generation is already folded in and is ignored. A torn last journal line
(a kill mid-append) is ignored and cut off before the next append; any other
damage is reported as corruption and the files are never written.

Each snapshot has an id and names its predecessor's; the journal header names the
snapshot it extends. A journal that belongs to neither (a backup copied over the
snapshot, a deleted snapshot, a damaged or foreign header) is set aside under a new
name and reported: never replayed onto the wrong base, never truncated. Every journal
record and every snapshot table carries a CRC-32, so a flipped bit is reported (and
`tagline doctor --repair` salvages every readable record) instead of accepted.

Opening does not parse the snapshot: its `_meta` lists every table's byte length and
CRC-32, so each table's bytes are checked at opening (a flipped bit is still reported
then) and parsed when first read (`_Unparsed`). A derived `_index` part (written first,
bound to the snapshot's id) gives each table's document ids and whatever the store's
`indexer` keeps (the annotation store: the article hashes), so a store of 100,000
annotations opens without building 100,000 Python objects. A snapshot without it
(older, stock TinyDB, edited by hand) is parsed whole, as before.

One writer at a time: an exclusive `flock` on the snapshot file itself (handed over
to the new file at each compaction, so deleting a file cannot let a second writer in),
plus `<file>.lock` holding the owner's pid for the message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import json
import os
import re
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from annotations.atomic import atomic_write_bytes, ensure_private_dir, fsync_dir
from annotations.store.errors import ReadOnlyError, StoreError

FORMAT = 1
META = "_meta"


class CorruptStoreError(StoreError):
    """The store's files cannot be read; they are left untouched."""


class StoreLockedError(StoreError):
    """Another process has the store open for writing."""


class StoreWriteError(StoreError):
    """A save failed (disk full, permissions…); the change was rolled back."""


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing 100,000 records makes millions of objects; the cyclic GC would rescan
    them over and over (0.9 s instead of 0.3 s), and none of them can form a cycle."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _lock_fd(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return False


class StoreLock:
    """An exclusive `flock` on the database file itself, plus `<store>.lock` with the pid.

    The lock on the data file cannot be cleared by deleting a file: a second writer
    opens whatever file is at the path and finds it locked. `adopt()` moves the lock
    to the new file a compaction renames into place (locked before the rename).
    """

    def __init__(self, path: Path) -> None:
        self.path = path  # the `.lock` file
        self.data_path = path.with_name(path.name.removesuffix(".lock"))
        self._fd: int | None = None
        self._data_fd: int | None = None

    def acquire(self, wait: float = 0.0) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait
        data_fd: int | None = None
        while True:
            if _lock_fd(fd):
                data_fd = self._lock_data()
                if data_fd is not None:
                    break
                fcntl.flock(fd, fcntl.LOCK_UN)
            if time.monotonic() >= deadline:
                owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                who = f" (pid {owner})" if owner.isdigit() else ""
                raise StoreLockedError(
                    f"{self.data_path}: in use by another Tagline{who}"
                ) from None
            time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        self._data_fd = data_fd

    def _lock_data(self) -> int | None:
        """Lock the file now at the data path (creating an empty one); None if held."""
        for _attempt in range(20):
            fd = os.open(self.data_path, os.O_RDONLY | os.O_CREAT, 0o600)
            try:
                if not _lock_fd(fd):
                    os.close(fd)
                    return None
                st, now = os.fstat(fd), os.stat(self.data_path)
            except BaseException:
                os.close(fd)
                raise
            if (st.st_dev, st.st_ino) == (now.st_dev, now.st_ino):
                return fd
            os.close(fd)  # renamed over while we locked it: lock the new one
        return None

    def adopt(self, fd: int) -> None:
        """Hold `fd` (already locked, about to be renamed into place) instead of the old file."""
        old, self._data_fd = self._data_fd, fd
        if old is not None:
            os.close(old)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None
        if self._data_fd is not None:
            os.close(self._data_fd)
            self._data_fd = None


class _Unparsed:
    """A snapshot table not parsed yet: where its bytes are in the snapshot read at opening.

    Those bytes passed their CRC-32 then; a compaction copies them unparsed.
    """

    __slots__ = ("buf", "crc", "end", "index", "start", "value_start")

    def __init__(self, buf: memoryview, start: int, end: int, value_start: int, crc: str) -> None:
        self.buf, self.start, self.end, self.value_start, self.crc = (
            buf,
            start,
            end,
            value_start,
            crc,
        )
        self.index: Any = None  # this table's entry in the snapshot's `_index`, if any

    def parse(self) -> dict[str, Any]:
        try:
            table = _loads(self.buf[self.value_start : self.end])
        except ValueError as exc:
            raise CorruptStoreError(f"a table of the database cannot be read: {exc}") from None
        if not isinstance(table, dict):
            raise CorruptStoreError("a table of the database is not a JSON object")
        return table

    def part(self) -> bytes:
        """`"name":{...}` exactly as in the snapshot."""
        return bytes(self.buf[self.start : self.end])


class _Tables(dict):
    """The live tables; remembers which ones TinyDB replaced since the last flush.

    TinyDB assigns a whole new dict to the table it updates, so tracking
    assignments finds the changed tables without scanning all of them. A table
    still `_Unparsed` is parsed by the first read that asks for it (`[]`, `get`,
    `items`, `values`); the lock keeps a reader in a worker thread from putting
    back a stale parse over a table the UI thread has just written.
    """

    __slots__ = ("_lock", "dirty")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dirty: set[str] = set()
        self._lock = threading.Lock()

    def _resolve(self, key: str, value: Any) -> Any:
        if type(value) is not _Unparsed:
            return value
        table = value.parse()
        with self._lock:
            current = dict.get(self, key)
            if current is value:
                dict.__setitem__(self, key, table)
                return table
        return table if current is None or type(current) is _Unparsed else current

    def __getitem__(self, key: str) -> Any:
        return self._resolve(key, dict.__getitem__(self, key))

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key, _ABSENT)
        return default if value is _ABSENT else self._resolve(key, value)

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(k, self._resolve(k, v)) for k, v in list(dict.items(self))]

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self._resolve(k, v) for k, v in list(dict.items(self))]

    def unparsed(self, key: str) -> _Unparsed | None:
        value = dict.get(self, key)
        return value if type(value) is _Unparsed else None

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self.dirty.add(key)
            super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        with self._lock:
            self.dirty.add(key)
            super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        with self._lock:
            self.dirty.add(key)
            value = super().pop(key, *default)
        return self._resolve(key, value) if type(value) is _Unparsed else value


_ABSENT = object()
INDEX = "_index"


REPAIR = "run `tagline doctor --repair` to keep every readable record (after a backup)"
_READ_ONLY_DISK = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT}


def _crc(data: bytes | memoryview) -> str:
    return f"{zlib.crc32(data):08x}"


def _encode(obj: Any) -> bytes:
    try:
        return _dumps(obj).encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate got in: keep it, escaped, so the file stays valid UTF-8.
        return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _loads(raw: bytes | memoryview | str) -> Any:
    """`json.loads` whose every failure (including nesting too deep) is a `ValueError`.

    orjson parses the snapshot ~1.5x faster (the largest share of opening a big
    store); on anything it refuses (NaN, huge ints, lone surrogates, deep nesting)
    `json` decides, so what loads and every error message are as before.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(bytes(raw) if isinstance(raw, memoryview) else raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason})") from None


_RECORD_HEAD = b'{"c":"'
_RECORD_MID = b'","r":'


def record_line(record: dict[str, Any]) -> bytes:
    """One journal line: `{"c": CRC-32 of the record's bytes, "r": record}`."""
    body = _encode(record)
    return _RECORD_HEAD + _crc(body).encode() + _RECORD_MID + body + b"}\n"


def parse_record(line: bytes) -> tuple[dict[str, Any], list[str]]:
    """(tables set, tables dropped) of one journal line; `ValueError` says what is wrong."""
    if line.startswith(_RECORD_HEAD) and line[14:20] == _RECORD_MID and line.endswith(b"}"):
        body = line[20:-1]
        if _crc(body).encode() != line[6:14]:
            raise ValueError("checksum mismatch")
        record = _loads(body)
    else:
        record = _loads(line)  # a record written before checksums
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    sets, drops = record.get("set", {}), record.get("drop", [])
    if not isinstance(sets, dict) or not all(isinstance(t, dict) for t in sets.values()):
        raise ValueError("its tables are not JSON objects")
    if not isinstance(drops, list) or not all(isinstance(n, str) for n in drops):
        raise ValueError("its dropped tables are not a list of names")
    return sets, drops


Indexer = Callable[[str, dict[str, Any]], Any]
"""(table name, table) -> its `_index` entry (JSON), None for a table not indexed;
raises `ValueError` for a table that must not be indexed (then no index is written)."""


def snapshot_bytes(
    tables: dict[str, Any], meta: dict[str, Any], indexer: Indexer | None = None
) -> bytes:
    """The snapshot (see `snapshot_chunks`) as one bytes object."""
    return b"".join(snapshot_chunks(tables, meta, indexer))


def snapshot_chunks(
    tables: dict[str, Any], meta: dict[str, Any], indexer: Indexer | None = None
) -> list[bytes | memoryview]:
    """The snapshot, in pieces to write one after the other (a compaction never holds a
    second copy of a large store): `_meta` first (with a CRC-32 per table and of itself), then the tables.

    With `indexer` (and a snapshot id in `meta`), an `_index` part comes first: each
    table's entry, bound to this snapshot's id. Tables still `_Unparsed` are copied as
    they were read, with their index entry, unless they have none yet.
    """
    parts: list[bytes | memoryview] = []
    sums: list[list[Any]] = []
    index: dict[str, Any] | None = {} if indexer is not None and meta.get("id") else None
    for name, table in tables.items():
        if name in (META, INDEX):
            continue
        entry = None
        if type(table) is _Unparsed:
            part: bytes | memoryview = table.buf[table.start : table.end]
            crc = table.crc
            entry = table.index
            if index is not None and entry is None:
                entry = _index_entry(indexer, name, table.parse())
        elif not table:
            continue
        else:
            part = _encode(name) + b":" + _encode(table)
            crc = _crc(part)
            if index is not None:
                entry = _index_entry(indexer, name, table)
        if index is not None:
            if entry is _INVALID:
                index = None
            elif entry is not None:
                index[name] = entry
        parts.append(part)
        sums.append([name, len(part), crc])
    if index is not None:
        part = _encode(INDEX) + b":" + _encode({"snap": meta["id"], "tables": index})
        parts.insert(0, part)
        sums.insert(0, [INDEX, len(part), _crc(part)])
    meta = {**meta, "sums": sums}
    meta["check"] = _crc(_encode(meta))
    head = b'{"' + META.encode() + b'":{"store":' + _encode(meta) + b"}"
    chunks: list[bytes | memoryview] = [head]
    for part in parts:
        chunks += (b",", part)
    chunks.append(b"}")
    return chunks


_INVALID = object()


def _index_entry(indexer: Indexer | None, name: str, table: dict[str, Any]) -> Any:
    try:
        return indexer(name, table) if indexer is not None else None
    except ValueError:
        return _INVALID


_HEAD = b'{"' + META.encode() + b'":{"store":'
_CHECK = b'"check":"'


def _encode_name(name: str) -> bytes:
    """`_encode(name)`, without `json.dumps` for a plain ASCII name (10,000 per opening)."""
    if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name:
        return b'"' + name.encode() + b'"'
    return _encode(name)


def _lazy_tables(raw: bytes) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """(tables, meta, whether it has its `_index`) of a snapshot this module wrote, every table left `_Unparsed`.

    Each table's bytes are CRC-checked here. None when anything is not exactly as
    `snapshot_bytes` writes it (checksums, layout, `_meta`): the caller then parses the
    whole file, which reports the damage as before.
    """
    if not raw.startswith(_HEAD):
        return None
    # `check` is `_meta`'s last key; no string can hold `"check":"` unescaped.
    at = raw.find(_CHECK)
    end = at + len(_CHECK) + 10  # 8 hex digits, `"`, `}`
    if at < 0 or raw[end : end + 1] != b"}":
        return None
    try:
        meta = _loads(raw[len(_HEAD) : end])
    except ValueError:
        return None
    if not isinstance(meta, dict) or _HEAD + _encode(meta) + b"}" != raw[: end + 1]:
        return None
    sums, gen = meta.get("sums"), meta.get("gen", 0)
    if (
        meta.get("format", FORMAT) != FORMAT
        or isinstance(gen, bool)
        or not isinstance(gen, int)
        or gen < 0
        or not isinstance(meta.get("id"), str | None)
        or not isinstance(meta.get("prev"), str | None)
        or not isinstance(sums, list)
        or meta.get("check") != _crc(_encode({k: v for k, v in meta.items() if k != "check"}))
    ):
        return None
    view = memoryview(raw)
    data: dict[str, Any] = {META: {"store": meta}}
    pos, size, crc32, comma = end + 1, len(raw), zlib.crc32, ord(",")
    for entry in sums:  # 10,000 tables at 100,000 annotations: kept lean
        if type(entry) is not list or len(entry) != 3:
            return None
        name, length, crc = entry
        if type(name) is not str or type(length) is not int or length < 0 or name in data:
            return None
        label = _encode_name(name) + b":"
        start = pos + 1
        stop = start + length
        if (
            stop > size
            or raw[pos] != comma
            or not raw.startswith(label, start)
            or f"{crc32(view[start:stop]):08x}" != crc
        ):
            return None
        data[name] = _Unparsed(view, start, stop, start + len(label), crc)
        pos = stop
    if raw[pos:] != b"}":
        return None
    index = data.pop(INDEX, None)
    indexed = False
    if index is not None:
        try:
            found = index.parse()
        except CorruptStoreError:
            return None
        tables = found.get("tables")
        if found.get("snap") == meta.get("id") and isinstance(tables, dict):
            indexed = True
            for name, entry in tables.items():
                table = data.get(name)
                if type(table) is _Unparsed:
                    table.index = entry
    return data, meta, indexed


def verify_snapshot(raw: bytes, data: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    """Tables whose checksum fails (`_meta` if the checksums themselves are damaged)."""
    if "sums" not in meta and "check" not in meta:
        return []  # written before checksums (or by stock TinyDB)
    bare = {k: v for k, v in meta.items() if k != "check"}
    sums = meta.get("sums")
    if meta.get("check") != _crc(_encode(bare)) or not isinstance(sums, list):
        return [META]
    pos = len(b'{"' + META.encode() + b'":{"store":' + _encode(meta) + b"}")
    bad: list[str] = []
    names = {META}
    for entry in sums:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[1], int)):
            return [META]
        name, length, crc = entry
        names.add(str(name))
        part = raw[pos + 1 : pos + 1 + length]
        if raw[pos : pos + 1] != b"," or _crc(part) != crc:
            bad.append(str(name))
        pos += 1 + length
    bad.extend(n for n in data if n not in names)
    return bad


def _salvage_snapshot(raw: bytes) -> tuple[dict[str, Any], list[str]]:
    """Every record still readable in a snapshot that is not valid JSON.

    Annotation records start with their `id` and carry their `article_id`, so each is
    found and parsed on its own; the codebook and rejections are parsed as whole tables.
    """
    text = raw.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    data: dict[str, Any] = {}
    damage: list[str] = []
    dropped = 0
    for match in re.finditer(r'"((?:[^"\\]|\\.)*)":(?=\{"id":)', text):
        try:
            doc, _ = decoder.raw_decode(text, match.end())
            key = json.loads(f'"{match.group(1)}"')
        except (ValueError, RecursionError):
            dropped += 1
            continue
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("article_id"), str)
            and doc.get("id") == key
        ):
            data.setdefault("a:" + doc["article_id"], {})[key] = doc
        else:
            dropped += 1
    for name in ("_codebook", "_rejections"):
        at = text.find(f'"{name}":')
        if at < 0:
            continue
        try:
            table, _ = decoder.raw_decode(text, at + len(name) + 3)
        except (ValueError, RecursionError):
            damage.append(f"table {name}: unreadable, dropped")
            continue
        if isinstance(table, dict):
            data[name] = table
    damage.append(
        f"snapshot: not valid JSON; kept {sum(len(t) for n, t in data.items() if n.startswith('a:'))}"
        f" readable annotation record(s), dropped {dropped} damaged one(s)"
    )
    return data, damage


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class JournalStorage(Storage):
    """TinyDB storage: JSON snapshot + fsynced append-only journal (see module doc).

    `notices` lists what was done on opening that the user should hear about (a
    journal set aside, a fall-back to read-only). With `salvage` (`tagline doctor`),
    damage is listed in `damage` instead of raised, and every readable record is kept.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        wait: float = 0.0,
        compact_on_open: bool = True,
        salvage: bool = False,
        indexer: Indexer | None = None,
    ) -> None:
        # One real path for data, journal and lock: a symlinked --db stays a link.
        self.path = Path(os.path.realpath(path))
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.read_only = read_only
        self.read_only_reason = ""
        self.salvage = salvage
        self.notices: list[str] = []
        self.damage: list[str] = []
        self._lock: StoreLock | None = None
        self._journal: Any = None  # open binary file handle for appends
        self._journal_len = 0  # bytes of valid journal
        self._journal_records = 0
        self._journal_state = "absent"  # absent | ours | folded | foreign
        self._journal_identity: tuple[int, int] | None = None
        self._foreign = ""  # why the journal does not belong to the snapshot
        self._batch_depth = 0
        self.gen = 0
        self.snap_id: str | None = None
        self._indexer = indexer
        # A checksummed snapshot without its `_index` (written before it existed): the
        # store rewrites it once (`compact`) so that the next opening is fast.
        self._unindexed = False
        if not read_only:
            try:
                ensure_private_dir(self.path.parent)
                self._lock = StoreLock(self.path.with_name(self.path.name + ".lock"))
                self._lock.acquire(wait)
            except StoreLockedError:
                raise
            except OSError as exc:
                if exc.errno not in _READ_ONLY_DISK:
                    raise
                self._lock = None
                self._fall_back(f"cannot write beside it: {_describe(exc)}")
        try:
            data, journal_ok = self._load()
            self._data = _Tables(data)
            if self._journal_state == "foreign":
                self._set_aside()
        except BaseException:
            self.close()
            raise
        self._committed: dict[str, Any] = dict(self._data)
        self._identity = self._snapshot_identity()
        needs = self._journal_records or not journal_ok or self.damage
        if not self.read_only and compact_on_open and needs and not salvage:
            try:
                self.compact()
            except StoreWriteError as exc:
                self._fall_back(f"could not fold the journal into it: {exc}")

    def _fall_back(self, reason: str) -> None:
        """Open read-only after all (a full or read-only disk): say why, once, up front."""
        self.read_only = True
        self.read_only_reason = reason
        self.notices.append(f"{self.path}: opened read-only ({reason})")
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def read_only_message(self) -> str:
        why = f" ({self.read_only_reason})" if self.read_only_reason else ""
        return f"{self.path}: opened read-only{why}, the change was not saved"

    # -- loading -----------------------------------------------------------------------

    def _load(self) -> tuple[dict[str, Any], bool]:
        """Snapshot + journal. Returns (tables, journal usable as is)."""
        for _attempt in range(3):
            self.damage.clear()
            data, prev = self._load_snapshot()
            ok = self._replay_journal(data, prev)
            # A reader racing a compaction can see an old snapshot with a new journal.
            if self.read_only and self._foreign.startswith("its generation"):
                time.sleep(0.05)
                continue
            return data, ok
        return data, ok

    def _load_snapshot(self) -> tuple[dict[str, Any], str | None]:
        """The tables; sets `gen` and `snap_id`; returns the previous snapshot's id."""
        self.gen, self.snap_id = 0, None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}, None
        except OSError as exc:
            raise CorruptStoreError(
                f"{self.path}: cannot read the database: {_describe(exc)}"
            ) from None
        if not raw.strip():
            return {}, None  # what a fresh TinyDB (or our lock) leaves: a new store
        lazy = None if self.salvage else _lazy_tables(raw)
        if lazy is not None:
            data, meta, indexed = lazy
            self.gen, self.snap_id = meta.get("gen", 0), meta.get("id")
            self._unindexed = not indexed and len(data) > 1
            return data, meta.get("prev")
        try:
            with _gc_paused():
                data = _loads(raw)
        except ValueError as exc:
            if not self.salvage:
                raise CorruptStoreError(
                    f"{self.path}: the database is corrupt (not valid JSON: {exc}); "
                    f"it was left untouched — {REPAIR}, or restore a backup"
                ) from None
            data, damage = _salvage_snapshot(raw)
            self.damage.extend(damage)
            return data, None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            if not self.salvage or not isinstance(data, dict):
                raise CorruptStoreError(
                    f"{self.path}: not a Tagline database (expected a JSON object of tables); "
                    "it was left untouched"
                )
            for name in [n for n, t in data.items() if not isinstance(t, dict)]:
                self.damage.append(f"table {name}: not a JSON object, dropped")
                del data[name]
        meta = data.get(META, {}).get("store", {})
        fmt = meta.get("format", FORMAT) if isinstance(meta, dict) else FORMAT
        if fmt != FORMAT and fmt != float(FORMAT):
            raise CorruptStoreError(f"{self.path}: database format {fmt!r} is not supported")
        gen = meta.get("gen", 0) if isinstance(meta, dict) else None
        snap, prev = (meta.get("id"), meta.get("prev")) if isinstance(meta, dict) else (None, None)
        if (
            isinstance(gen, bool)
            or not isinstance(gen, int)
            or gen < 0
            or not isinstance(snap, str | None)
            or not isinstance(prev, str | None)
        ):
            problem = f"{self.path}: its `_meta` record is damaged"
            if not self.salvage:
                raise CorruptStoreError(f"{problem}; it was left untouched — {REPAIR}")
            self.damage.append("`_meta`: damaged; generation reset")
            data.pop(META, None)
            return data, None
        self.gen, self.snap_id = gen, snap
        bad = verify_snapshot(raw, data, meta)
        if bad:
            which = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            if not self.salvage:
                raise CorruptStoreError(
                    f"{self.path}: checksum mismatch in {which}; "
                    f"it was left untouched — {REPAIR}, or restore a backup"
                )
            self.damage.extend(f"table {n}: checksum mismatch (kept as read)" for n in bad)
        data.pop(INDEX, None)  # derived; rebuilt by the next compaction
        self._unindexed = "sums" in meta and not bad and len(data) > 1
        return data, prev

    def _replay_journal(self, data: dict[str, Any], prev: str | None) -> bool:
        """Apply the journal if it extends this snapshot; returns whether it is usable as is."""
        self._foreign = ""
        self._journal_state, self._journal_len, self._journal_records = "absent", 0, 0
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return True
        except OSError as exc:
            raise CorruptStoreError(f"{self.journal_path}: cannot read: {_describe(exc)}") from None
        self._journal_identity = _identity(self.journal_path)
        lines = raw.split(b"\n")
        try:
            header = _loads(lines[0])
            journal_gen, snap = header["gen"], header.get("snap")
            if isinstance(journal_gen, bool) or not isinstance(journal_gen, int):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            journal_gen, snap = None, None
        # Our journal header is written whole (atomically) and ends with a newline.
        if not raw.strip(b"\0"):
            self._foreign = "it is empty or all NUL bytes"
        elif len(lines) == 1:
            self._foreign = "it has no complete line"
        elif journal_gen is None:
            self._foreign = "its header is damaged"
        elif journal_gen > self.gen:
            self._foreign = (
                f"its generation {journal_gen} is newer than the database file's {self.gen} "
                "(was the database file restored, replaced or deleted?)"
            )
        elif journal_gen < self.gen and snap == prev:
            self._journal_state = "folded"  # already in the snapshot
            return False
        elif journal_gen != self.gen or snap != self.snap_id:
            self._foreign = "it belongs to another copy of the database file"
        if self._foreign:
            self._journal_state = "foreign"
            return True
        self._journal_state = "ours"
        offset = len(lines[0]) + 1
        records = 0
        for number, line in enumerate(lines[1:], start=2):
            if number == len(lines):
                break  # no newline after it (or nothing): the append was cut short
            try:
                if not line:
                    raise ValueError("empty record")
                sets, drops = parse_record(line)
            except ValueError as exc:
                if not self.salvage:
                    raise CorruptStoreError(
                        f"{self.journal_path}:{number}: damaged journal record ({exc}); "
                        f"it was left untouched — {REPAIR}"
                    ) from None
                self.damage.append(f"journal line {number}: {exc}, dropped")
                offset += len(line) + 1
                continue
            for name in drops:
                data.pop(name, None)
            for name, table in sets.items():
                data[name] = table
            offset += len(line) + 1
            records += 1
        self._journal_len = offset
        self._journal_records = records
        return offset == len(raw)

    def _set_aside(self) -> None:
        """Move a journal that does not belong to the snapshot out of the way, and say so."""
        if self.read_only:
            self.notices.append(
                f"{self.journal_path}: not used, {self._foreign}; the next writer will set it aside"
            )
            return
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.journal_path.with_name(f"{self.journal_path.name}.set-aside-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = target.with_name(f"{self.journal_path.name}.set-aside-{stamp}-{n}")
        try:
            os.rename(self.journal_path, target)
        except OSError as exc:
            self._fall_back(f"could not set aside {self.journal_path.name}: {_describe(exc)}")
            return
        fsync_dir(self.path.parent)
        self.notices.append(
            f"{self.journal_path}: {self._foreign}; set aside as {target.name}, nothing replayed"
        )
        self._journal_state = "absent"

    # -- TinyDB interface --------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        return self._data

    @property
    def unindexed(self) -> bool:
        return self._unindexed

    def index_entries(self) -> list[tuple[str, Any]]:
        """(name, `_index` entry or None) of every table, without parsing any: the entry
        while the table is unparsed and the snapshot had one for it (see `peek`)."""
        return [
            (name, value.index if type(value) is _Unparsed else None)
            for name, value in list(dict.items(self._data))
        ]

    def peek(self, name: str) -> Any:
        """Table `name`'s `_index` entry while it is not parsed yet (None once it is, or
        when the snapshot had none): what the indexer kept, without parsing the table."""
        table = self._data.unparsed(name)
        return table.index if table is not None else None

    def write(self, data: dict[str, Any]) -> None:
        if data is not self._data:  # TinyDB hands back what read() returned
            for name in set(self._data) | set(data):
                if name not in data:
                    del self._data[name]
                elif self._data.get(name) is not data[name]:
                    self._data[name] = data[name]
        if self._batch_depth == 0:
            self._flush()

    def close(self) -> None:
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # -- transactions ------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes into one durable journal record; roll all back on error."""
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self.rollback()
            raise
        self._batch_depth -= 1
        if self._batch_depth == 0:
            self._flush()

    def rollback(self) -> None:
        """Restore every table to its last durable state."""
        data = self._data
        for name in data.dirty:
            if name in self._committed:
                dict.__setitem__(data, name, self._committed[name])
            else:
                dict.pop(data, name, None)
        data.dirty.clear()

    def pending(self) -> bool:
        return bool(self._data.dirty)

    def _snapshot_identity(self) -> tuple[int, int] | None:
        return _identity(self.path)

    def replaced(self) -> bool:
        """Another program put a different file where the snapshot was."""
        now = self._snapshot_identity()
        return now is not None and now != self._identity

    def external_change(self) -> str | None:
        """What another program did to the database files since we last wrote them, if anything."""
        now = self._snapshot_identity()
        if now == self._identity:
            if self._journal is not None and os.fstat(self._journal.fileno()).st_nlink == 0:
                return f"{self.journal_path} was deleted"
            return None
        if now is None:
            return f"{self.path} was deleted"
        return f"{self.path} was replaced by another program"

    def _flush(self) -> None:
        committed, data = self._committed, self._data
        changed = {n: data[n] for n in data.dirty if n in data and committed.get(n) is not data[n]}
        dropped = [n for n in data.dirty if n not in data and n in committed]
        if not changed and not dropped:
            data.dirty.clear()
            return
        if self.read_only:
            self.rollback()
            raise ReadOnlyError(self.read_only_message())
        change = self.external_change()
        if self.replaced():
            # Someone put another database in its place: never write over it.
            self.rollback()
            raise StoreWriteError(f"{change}; the change was not saved — reopen Tagline to use it")
        record: dict[str, Any] = {"set": changed}
        if dropped:
            record["drop"] = dropped
        try:
            self._append(record_line(record))
        except OSError as exc:
            self.rollback()
            raise StoreWriteError(
                f"{self.path}: could not save ({_describe(exc)}); the change was undone"
            ) from None
        committed.update(changed)
        for name in dropped:
            del committed[name]
        data.dirty.clear()
        self._journal_records += 1
        if change:
            # The files were deleted under us: everything is still in memory, so
            # write it all back rather than append to a journal nobody can find.
            self.compact()

    def _append(self, line: bytes) -> None:
        if self._journal is None:
            self._open_journal()
        fh = self._journal
        st = os.fstat(fh.fileno())
        if st.st_nlink and st.st_size != self._journal_len:
            raise OSError(errno.EBUSY, "another program wrote to the journal")
        try:
            fh.seek(self._journal_len)
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError:
            # Cut off whatever part of the record reached the file.
            with contextlib.suppress(OSError):
                fh.truncate(self._journal_len)
                fh.flush()
            raise
        self._journal_len += len(line)

    def _open_journal(self) -> None:
        """Open the journal for appends, starting a fresh one for this generation if needed.

        An existing file is appended to only if it is the very journal replayed on
        opening (same file, a header and whole records up to `_journal_len`).
        """
        reuse = (
            self._journal_state == "ours"
            and self._journal_len > 0
            and _identity(self.journal_path) == self._journal_identity
        )
        if not reuse:
            header = _encode({"gen": self.gen, "format": FORMAT, "snap": self.snap_id}) + b"\n"
            atomic_write_bytes(self.journal_path, header, mode=0o600)
            self._journal_len = len(header)
            self._journal_records = 0
            self._journal_state = "ours"
            self._journal_identity = _identity(self.journal_path)
        fh = open(self.journal_path, "r+b")  # noqa: SIM115 - held open for the session
        fh.truncate(self._journal_len)  # drop a torn tail before appending
        self._journal = fh

    # -- compaction --------------------------------------------------------------------

    def compact(self) -> None:
        """Fold the journal into a new snapshot (atomic), then start an empty journal."""
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: opened read-only")
        if self.pending():
            raise StoreError("cannot compact in the middle of a change")
        if self.replaced():
            raise StoreWriteError(
                f"{self.path} was replaced by another program; not overwriting it"
            )
        gen = self.gen + 1
        meta: dict[str, Any] = {
            "format": FORMAT,
            "gen": gen,
            "id": uuid.uuid4().hex[:16],
            "prev": self.snap_id,
        }
        # Raw values: a table never read is copied as it was, not parsed to be written.
        tables = {n: t for n, t in dict.items(self._data) if isinstance(t, dict | _Unparsed)}
        try:
            self._write_snapshot(snapshot_chunks(tables, meta, self._indexer))
        except OSError as exc:
            raise StoreWriteError(f"{self.path}: could not save ({_describe(exc)})") from None
        dict.__setitem__(self._data, META, {"store": meta})
        self._committed = dict(self._data)
        self._identity = self._snapshot_identity()
        self.gen, self.snap_id = gen, meta["id"]
        self.damage.clear()
        self._unindexed = False
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.close()
            self._journal = None
        self._journal_records = 0
        self._journal_state = "folded"
        # The old journal names the old snapshot, so it is ignored from here on;
        # a fresh one replaces it now (or at the next append if this fails).
        with contextlib.suppress(OSError):
            self._open_journal()

    def _write_snapshot(self, chunks: list[bytes | memoryview]) -> None:
        """Temp file, fsync, lock it (the writer's lock moves with the file), rename."""
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            os.fchmod(fd, 0o600)
            pending = bytearray()
            for chunk in [*chunks, b""]:
                if chunk:
                    pending += chunk
                if pending and (len(pending) >= 1 << 20 or not chunk):  # ~1 MB writes
                    view = memoryview(pending)
                    while view:
                        view = view[os.write(fd, view) :]
                    view.release()
                    pending.clear()
            os.fsync(fd)
            if self._lock is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.replace(tmp, self.path)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if self._lock is not None:
            self._lock.adopt(fd)
        else:
            os.close(fd)
        fsync_dir(self.path.parent)

    @property
    def journal_records(self) -> int:
        return self._journal_records
