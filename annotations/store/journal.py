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

A lock file (`<file>.lock`, `flock`) lets one writer at a time open the store.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from annotations.store.errors import ReadOnlyError, StoreError

FORMAT = 1
META = "_meta"


class CorruptStoreError(StoreError):
    """The store's files cannot be read; they are left untouched."""


class StoreLockedError(StoreError):
    """Another process has the store open for writing."""


class StoreWriteError(StoreError):
    """A save failed (disk full, permissions…); the change was rolled back."""


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) with mode 0700 if missing; coding can be confidential."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically: temp file in the same folder, fsync, rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


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


class StoreLock:
    """An exclusive `flock` on `<store>.lock`, holding the owner's pid for messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    os.close(fd)
                    who = f" (pid {owner})" if owner.isdigit() else ""
                    raise StoreLockedError(
                        f"{self.path.with_suffix('')}: in use by another Tagline{who}"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


class _Tables(dict):
    """The live tables; remembers which ones TinyDB replaced since the last flush.

    TinyDB assigns a whole new dict to the table it updates, so tracking
    assignments finds the changed tables without scanning all of them.
    """

    __slots__ = ("dirty",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dirty: set[str] = set()

    def __setitem__(self, key: str, value: Any) -> None:
        self.dirty.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.dirty.add(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.dirty.add(key)
        return super().pop(key, *default)


class JournalStorage(Storage):
    """TinyDB storage: JSON snapshot + fsynced append-only journal (see module doc)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        wait: float = 0.0,
        compact_on_open: bool = True,
    ) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.read_only = read_only
        self._lock: StoreLock | None = None
        self._journal: Any = None  # open binary file handle for appends
        self._journal_len = 0  # bytes of valid journal
        self._journal_records = 0
        self._batch_depth = 0
        self.gen = 0
        if not read_only:
            ensure_private_dir(self.path.parent)
            self._lock = StoreLock(self.path.with_name(self.path.name + ".lock"))
            self._lock.acquire(wait)
        try:
            data, journal_ok = self._load()
            self._data = _Tables(data)
        except BaseException:
            self.close()
            raise
        self._committed: dict[str, Any] = dict(self._data)
        self._identity = self._snapshot_identity()
        if not read_only and compact_on_open and (self._journal_records or not journal_ok):
            self.compact()

    # -- loading -----------------------------------------------------------------------

    def _load(self) -> tuple[dict[str, Any], bool]:
        """Snapshot + journal. Returns (tables, journal usable as is)."""
        for _attempt in range(3):
            data = self._load_snapshot()
            meta = data.get(META, {}).get("store", {})
            self.gen = int(meta.get("gen", 0))
            journal_gen, ok = self._replay_journal(data)
            # A reader racing a compaction can see an old snapshot with a new journal.
            if self.read_only and journal_gen is not None and journal_gen > self.gen:
                continue
            return data, ok
        return data, ok

    def _load_snapshot(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise CorruptStoreError(
                f"{self.path}: cannot read the database: {_describe(exc)}"
            ) from None
        if not raw.strip():
            # An empty file is what a fresh TinyDB leaves: new, unless a journal says
            # this store already had snapshots (then data went missing: do not guess).
            if self._journal_generation() not in (None, 0):
                raise CorruptStoreError(
                    f"{self.path}: the database file is empty but its journal is not; "
                    "it was left untouched — restore a backup or run `tagline doctor`"
                )
            return {}
        try:
            with _gc_paused():
                data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CorruptStoreError(
                f"{self.path}: the database is corrupt (not valid JSON: {exc}); "
                "it was left untouched — run `tagline doctor` or restore a backup"
            ) from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise CorruptStoreError(
                f"{self.path}: not a Tagline database (expected a JSON object of tables); "
                "it was left untouched"
            )
        fmt = data.get(META, {}).get("store", {}).get("format", FORMAT)
        if fmt != FORMAT:
            raise CorruptStoreError(f"{self.path}: database format {fmt} is not supported")
        return data

    def _journal_generation(self) -> int | None:
        try:
            with open(self.journal_path, "rb") as fh:
                return int(json.loads(fh.readline())["gen"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _replay_journal(self, data: dict[str, Any]) -> tuple[int | None, bool]:
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return None, True
        except OSError as exc:
            raise CorruptStoreError(f"{self.journal_path}: cannot read: {_describe(exc)}") from None
        lines = raw.split(b"\n")
        try:
            header = json.loads(lines[0])
            journal_gen = int(header["gen"])
        except (ValueError, KeyError, TypeError):
            if len(lines) == 1:
                return None, False  # a torn header: the journal never held a record
            raise CorruptStoreError(
                f"{self.journal_path}:1: the journal header is damaged; it was left untouched"
            ) from None
        if journal_gen != self.gen:
            return journal_gen, False  # already folded into the snapshot (or a stale file)
        offset = len(lines[0]) + 1
        records = 0
        for number, line in enumerate(lines[1:], start=2):
            is_last = number == len(lines)
            if not line:
                if not is_last:
                    raise CorruptStoreError(f"{self.journal_path}:{number}: empty record")
                break
            try:
                record = json.loads(line)
                sets = record.get("set", {})
                drops = record.get("drop", [])
            except (ValueError, AttributeError):
                if is_last:
                    break  # torn final append: that write never completed
                raise CorruptStoreError(
                    f"{self.journal_path}:{number}: damaged journal record; it was left untouched"
                ) from None
            if is_last:
                break  # no newline after it: the append was cut short
            for name in drops:
                data.pop(name, None)
            for name, table in sets.items():
                data[name] = table
            offset += len(line) + 1
            records += 1
        self._journal_len = offset
        self._journal_records = records
        return journal_gen, offset == len(raw)

    # -- TinyDB interface --------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        return self._data

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
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

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
            raise ReadOnlyError(f"{self.path}: opened read-only, the change was not saved")
        change = self.external_change()
        if self.replaced():
            # Someone put another database in its place: never write over it.
            self.rollback()
            raise StoreWriteError(f"{change}; the change was not saved — reopen Tagline to use it")
        record: dict[str, Any] = {"set": changed}
        if dropped:
            record["drop"] = dropped
        try:
            self._append((_dumps(record) + "\n").encode("utf-8"))
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
        """Open the journal for appends, starting a fresh one for this generation if needed."""
        valid = False
        if self.journal_path.exists():
            try:
                with open(self.journal_path, "rb") as fh:
                    valid = json.loads(fh.readline()).get("gen") == self.gen
            except (OSError, ValueError, AttributeError):
                valid = False
        if not valid:
            header = (_dumps({"gen": self.gen, "format": FORMAT}) + "\n").encode()
            atomic_write_bytes(self.journal_path, header)
            self._journal_len = len(header)
            self._journal_records = 0
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
        snapshot = {n: t for n, t in self._data.items() if t or n == META}
        snapshot[META] = {"store": {"format": FORMAT, "gen": gen}}
        try:
            atomic_write_bytes(self.path, _dumps(snapshot).encode("utf-8"))
        except OSError as exc:
            raise StoreWriteError(f"{self.path}: could not save ({_describe(exc)})") from None
        dict.__setitem__(self._data, META, snapshot[META])
        self._committed = dict(self._data)
        self._identity = self._snapshot_identity()
        self.gen = gen
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.close()
            self._journal = None
        self._journal_records = 0
        # The old journal names the old generation, so it is ignored from here on;
        # the next append replaces it with a fresh one.
        with contextlib.suppress(OSError):
            self._open_journal()

    @property
    def journal_records(self) -> int:
        return self._journal_records
