"""`PostgresStore`: the `protocol.Store` of a team (see the package docstring)."""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import orjson

from annotations.corpus import Article, Corpus
from annotations.coverage import Done
from annotations.model import Annotation, now_iso
from annotations.store.edits import StoreEdits
from annotations.store.errors import NotAllowedError, ReadOnlyError, StaleEditError, StoreError
from annotations.store.postgres.articles import (
    ARTICLE_COLUMNS,
    PublishReport,
    TeamArticle,
    article_row,
)
from annotations.store.postgres.connection import TeamUrl, _first_line, _one, _psycopg, connect
from annotations.store.postgres.listen import RemoteChange, Watcher
from annotations.store.postgres.network import RETRY, Network, _Unreachable
from annotations.store.postgres.rows import (
    COLUMNS,
    INSERT,
    UPDATE,
    _params,
    _row_to_annotation,
    _sort_key,
    _stale_message,
)
from annotations.store.postgres.schema import LATEST, schema_version
from annotations.store.protocol import Change
from annotations.themes import Codebook, Theme

if TYPE_CHECKING:
    import psycopg

_NOTIFY_LIMIT = 7000  # PostgreSQL refuses payloads of 8,000 bytes or more


class PostgresStore(StoreEdits):
    """`protocol.Store` on a PostgreSQL schema (see the package docstring)."""

    def __init__(
        self,
        url: str,
        *,
        read_only: bool = False,
        author: str | None = None,
        timeout: int = 5,
    ) -> None:
        self.url = TeamUrl.parse(url)
        self.read_only = read_only
        self._psycopg = _psycopg()
        self.conn = connect(self.url, timeout=timeout)
        try:
            version = schema_version(self.conn, self.url.schema)
            if version == 0:
                raise StoreError(
                    f"{self.url.display}: no Tagline schema {self.url.schema!r}; "
                    "create it with `tagline team init URL`"
                )
            if version < LATEST:
                raise StoreError(
                    f"{self.url.display}: schema version {version}, this Tagline needs {LATEST}; "
                    "upgrade it with `tagline team init URL`"
                )
            if version > LATEST:
                raise StoreError(
                    f"{self.url.display}: schema version {version} is newer than this Tagline "
                    f"({LATEST}); upgrade Tagline"
                )
            row = _one(self.conn.execute("SELECT current_author(), current_user"))
        except self._psycopg.errors.InsufficientPrivilege:
            self.conn.close()
            raise NotAllowedError(
                f"{self.url.display}: this database user has no Tagline role in schema "
                f"{self.url.schema!r}; an admin grants {self.url.schema}_analyst (see README)"
            ) from None
        except self._psycopg.Error as exc:
            self.conn.close()
            raise StoreError(f"{self.url.display}: {_first_line(exc)}") from None
        except BaseException:
            self.conn.close()
            raise
        self.db_user = row[1]
        self.author = author or row[0]
        self._cache: dict[str, list[Annotation]] = {}
        self._versions: dict[str, int] = {}  # annotation id -> version last read or written
        self._where: dict[str, str] = {}  # cached annotation id -> its article
        self._seen: dict[str, Annotation] = {}  # read one by one (not a whole article)
        self._undo: list[Change] = []
        self._redo: list[Change] = []
        self._listeners: list[Callable[[Change], None]] = []
        self._count: int | None = None
        self._outbox: list[Change] = []  # made while the server was away, oldest first
        # A reader queues changes while the server is away (and `flush`es when it is
        # back); a command, which may exit before that, fails instead.
        self.queue_when_offline = False
        self.client_id = uuid.uuid4().hex  # our own notifications are not news to us
        # Reader mode (`background()`): the network is used only by `self._net`'s thread.
        self._net: Network | None = None
        self._deliver: Callable[[Callable[[], object]], None] = lambda fn: None
        self._on_status: Callable[[str], None] = lambda status: None
        self._on_problem: Callable[[str], None] = lambda problem: None
        self.offline = False  # the last network call failed: reconnecting
        self._back = False  # reconnected: say what the queue saved
        self._loading: set[str] = set()  # articles being fetched for the reader
        self._summary: dict[str, Counter[str]] | None = None  # kept once computed
        self._done: set[str] | None = None  # this author's done articles, kept in reader mode
        self._rejected: set[str] | None = None
        self._texts: psycopg.Connection | None = None  # reads from other threads
        self._texts_lock = threading.Lock()
        self._codebook, self._codebook_version = self._load_codebook()

    @property
    def location(self) -> str:
        return self.url.display

    @property
    def channel(self) -> str:
        return f"tagline_{self.url.schema}"

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections. A reader's edits still queued get one last try to
        be sent (no screen waits any more); those that cannot stay in `pending`."""
        if self._net is not None:
            net, self._net = self._net, None
            net.stop()
            net.join(timeout=5)
            if self._outbox and not net.is_alive():
                with contextlib.suppress(StoreError):
                    self.flush()
        self.conn.close()
        if self._texts is not None:
            self._texts.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _sql(self, query: str, params: Any = None) -> Any:
        """Run one statement; database errors become one-line `StoreError`s.

        A connection the server dropped (a restart) is reopened once, then retried.
        In reader mode, off the network thread, it fails at once while the server is
        away instead of waiting for a connection timeout.
        """
        if self._net is not None and not self._on_network():
            if self.offline:
                raise StoreError(f"{self.location}: the server is unreachable (reconnecting…)")
            return self._side_sql(query, params)  # the store's connection is the thread's
        if self._offline():
            self._reconnect()
        try:
            try:
                return self.conn.execute(query, params)
            except self._psycopg.OperationalError:
                if not self._offline():
                    raise
                self._reconnect()  # the server dropped us (a restart): once more
                return self.conn.execute(query, params)
        except self._psycopg.errors.InsufficientPrivilege as exc:
            raise NotAllowedError(f"{self.location}: not allowed ({_first_line(exc)})") from None
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.location}: {_first_line(exc)}") from None

    def forget(self, article_ids: Iterable[str] | None = None) -> None:
        """Drop cached annotations (all, or of these articles): the next read asks the server."""
        if article_ids is None:
            self._cache.clear()
            self._seen.clear()
        else:
            articles = set(article_ids)
            for article_id in articles:
                self._cache.pop(article_id, None)
            for aid in [i for i, a in self._seen.items() if a.article_id in articles]:
                del self._seen[aid]

    def reload_codebook(self) -> None:
        self._codebook, self._codebook_version = self._load_codebook()

    # -- reading -----------------------------------------------------------------------

    def __len__(self) -> int:
        # Counted once, then kept by this client's writes and by `apply_remote`: the
        # reader asks on every repaint, and counting a million rows takes a while.
        if self._count is None and self._net is not None and not self._on_network():
            return 0  # reader mode: arriving from the network thread
        if self._count is None:
            self._count = int(self._sql("SELECT count(*) FROM annotations").fetchone()[0])
        return self._count

    def __contains__(self, annotation_id: object) -> bool:
        return isinstance(annotation_id, str) and self.get(annotation_id) is not None

    def get(self, annotation_id: str) -> Annotation | None:
        """The annotation as this client last read it (what its reader shows), else the server's.

        Edits start from this version, so an edit on what someone else has changed
        since is refused rather than applied over their change.
        """
        article_id = self._where.get(annotation_id)
        if article_id is not None and article_id in self._cache:
            found = next((a for a in self._cache[article_id] if a.id == annotation_id), None)
            if found is not None:
                return found
        seen = self._seen.get(annotation_id)
        if seen is not None:
            return seen
        if self._net is not None and not self._on_network():
            return None  # reader mode: only what the reader has shown can be edited
        row = self._sql(
            f"SELECT {COLUMNS} FROM annotations WHERE id = %s", (annotation_id,)
        ).fetchone()
        if row is None:
            return None
        ann, version = _row_to_annotation(row)
        self._versions[ann.id] = version
        self._seen[ann.id] = ann  # a second get (the edit's) must see this same version
        return ann

    def for_article(self, article_id: str) -> list[Annotation]:
        cached = self._cache.get(article_id)
        if cached is None and self._net is not None and not self._on_network():
            self._load([article_id])  # the reader repaints when they arrive
            return []
        if cached is None:
            cached = self._fetch_articles([article_id]).get(article_id, [])
            self._cache[article_id] = cached
            for a in cached:
                self._where[a.id] = article_id
        return cached

    def _fetch_articles(self, article_ids: list[str]) -> dict[str, list[Annotation]]:
        rows = self._sql(
            f"SELECT {COLUMNS} FROM annotations WHERE article_id = ANY(%s)", (article_ids,)
        ).fetchall()
        out: dict[str, list[Annotation]] = {}
        for row in rows:
            ann, version = _row_to_annotation(row)
            self._versions[ann.id] = version
            out.setdefault(ann.article_id, []).append(ann)
        for anns in out.values():
            anns.sort(key=_sort_key)
        return out

    def article_ids(self) -> list[str]:
        # COLLATE "C" orders by code point, as Python sorts str.
        rows = self._sql(
            'SELECT DISTINCT article_id COLLATE "C" AS a FROM annotations ORDER BY a'
        ).fetchall()
        return [r[0] for r in rows]

    def all(self) -> Iterator[Annotation]:
        """Every annotation, article by article, fetched a few hundred articles at a time."""
        ids = self.article_ids()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            missing = [a for a in chunk if a not in self._cache]
            fetched = self._fetch_articles(missing) if missing else {}
            for article_id in chunk:
                cached = self._cache.get(article_id)
                yield from cached if cached is not None else fetched.get(article_id, [])

    def at(self, article_id: str, offset: int) -> list[Annotation]:
        hits = [a for a in self.for_article(article_id) if a.contains(offset)]
        return sorted(hits, key=lambda a: (a.end - a.start, a.start))

    def exact(self, article_id: str, start: int, end: int) -> Annotation | None:
        return next(
            (a for a in self.for_article(article_id) if a.start == start and a.end == end), None
        )

    def theme_counts(self, article_id: str) -> Counter[str]:
        if article_id not in self._cache and self._summary is not None:
            return Counter(self._summary.get(article_id, ()))
        counts: Counter[str] = Counter()
        for a in self.for_article(article_id):
            counts.update(a.themes)
        return counts

    def summary(self) -> dict[str, Counter[str]]:
        """Theme counts per article: asked once, then kept up to date by every change."""
        if self._summary is None and self._net is not None and not self._on_network():
            return {}  # reader mode: arriving from the network thread
        if self._summary is None:
            self._summary = self._count_themes()
        return self._summary

    def _resummarise(self, change: Change) -> None:
        """Keep `summary()` right after a change (ours, queued or remote)."""
        if self._summary is None:
            return
        for article_id in change.articles:
            if article_id in self._cache:
                counts: Counter[str] = Counter()
                for a in self._cache[article_id]:
                    counts.update(a.themes)
            else:
                counts = Counter(self._summary.get(article_id, ()))
                for a in change.before:
                    if a.article_id == article_id:
                        counts.subtract(a.themes)
                for a in change.after:
                    if a.article_id == article_id:
                        counts.update(a.themes)
                counts = +counts
            if counts:
                self._summary[article_id] = counts
            else:
                self._summary.pop(article_id, None)

    def _count_themes(self) -> dict[str, Counter[str]]:
        rows = self._sql(
            "SELECT article_id, theme, count(*) FROM annotations, unnest(themes) AS theme "
            "GROUP BY article_id, theme"
        ).fetchall()
        out: dict[str, Counter[str]] = {}
        for article_id, theme, n in rows:
            out.setdefault(article_id, Counter())[theme] = int(n)
        return out

    def authors(self) -> list[str]:
        return sorted(r[0] for r in self._sql("SELECT DISTINCT author FROM annotations"))

    def annotation_count(self, article_id: str) -> int:
        if article_id in self._cache:
            return len(self._cache[article_id])
        row = self._sql("SELECT count(*) FROM annotations WHERE article_id = %s", (article_id,))
        return int(row.fetchone()[0])

    def article_hashes(self) -> dict[str, set[str]]:
        """Per annotated article, the article hashes its annotations were made on.

        Only articles with an annotation made on another text than the one published
        here (or not published at all) are listed: re-anchoring looks at no other, and
        at a million annotations the server's anti-join is 3× faster than listing all.
        """
        rows = self._sql(
            "SELECT a.article_id, array_agg(DISTINCT a.article_sha256) FROM annotations a "
            "WHERE NOT EXISTS (SELECT 1 FROM articles r WHERE r.id = a.article_id "
            "AND r.sha256 = a.article_sha256) GROUP BY a.article_id"
        ).fetchall()
        return {article_id: set(hashes) for article_id, hashes in rows}

    # -- codebook ----------------------------------------------------------------------

    def _load_codebook(self) -> tuple[Codebook, int]:
        row = self._sql("SELECT themes, version FROM codebook WHERE id = 1").fetchone()
        if row is None:
            raise StoreError(f"{self.location}: the codebook row is missing; run team init")
        themes, version = row
        if not themes:
            return Codebook(), version
        try:
            return Codebook.from_list(themes), version
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self.location}: the codebook is malformed ({exc})") from None

    @property
    def codebook(self) -> Codebook:
        return self._codebook

    def _codebook_change(self, label: str, codebook: Codebook) -> None:
        self._apply(Change(label, codebook_before=self._codebook, codebook_after=codebook))

    def add_theme(
        self,
        name: str,
        color: str | None = None,
        hotkey: str | None = None,
        cues: tuple[str, ...] = (),
    ) -> Theme:
        codebook, theme = self._codebook.add(name, color, hotkey, cues)
        self._codebook_change(f"add theme {theme.name}", codebook)
        return theme

    def recolor_theme(self, name: str, color: str) -> None:
        self._codebook_change(f"recolour {name}", self._codebook.recolor(name, color))

    def set_theme_hotkey(self, name: str, hotkey: str) -> None:
        self._codebook_change(f"hotkey of {name}", self._codebook.set_hotkey(name, hotkey))

    def set_theme_cues(self, name: str, cues: tuple[str, ...]) -> None:
        self._codebook_change(f"cues of {name}", self._codebook.set_cues(name, cues))

    def set_codebook(self, codebook: Codebook, label: str = "codebook") -> None:
        """Replace the whole codebook (used by `team push`); undoable."""
        self._codebook_change(label, codebook)

    def _using(self, theme: str) -> list[Annotation]:
        rows = self._sql(
            f"SELECT {COLUMNS} FROM annotations WHERE %s = ANY(themes) "
            'ORDER BY article_id COLLATE "C", start_offset, end_offset DESC, created, id',
            (theme,),
        ).fetchall()
        out = []
        for row in rows:
            ann, version = _row_to_annotation(row)
            self._versions[ann.id] = version
            out.append(ann)
        return out

    def theme_usage(self, name: str) -> int:
        theme = self._codebook.get(name)
        if theme is None:
            return 0
        row = self._sql("SELECT count(*) FROM annotations WHERE %s = ANY(themes)", (theme.name,))
        return int(row.fetchone()[0])

    # -- coverage: articles marked done ------------------------------------------------

    def coverage(self) -> list[Done]:
        rows = self._sql(
            "SELECT article_id, author, done, at FROM coverage ORDER BY author, article_id"
        ).fetchall()
        return [Done(*row) for row in rows]

    def done_articles(self, author: str | None = None) -> set[str]:
        if self._done is not None and author in (None, self.author) and not self._on_network():
            return set(self._done)
        rows = self._sql(
            "SELECT article_id FROM coverage WHERE author = %s AND done", (author or self.author,)
        ).fetchall()
        return {r[0] for r in rows}

    def is_done(self, article_id: str, author: str | None = None) -> bool:
        old = self._stored_done(author or self.author, article_id)
        return bool(old and old.done)

    def set_done(self, article_id: str, done: bool = True, author: str | None = None) -> Done:
        rec = Done(article_id, author or self.author, done, now_iso())
        change = Change(f"mark {article_id} {'done' if done else 'not done'}")
        change.coverage_before = {rec.key: self._stored_done(rec.author, article_id)}
        change.coverage_after = {rec.key: rec}
        self._apply(change)
        return rec

    def _stored(self, record: Done) -> Done | None:
        return self._stored_done(record.author, record.article_id)

    def _current(self, ids: list[str]) -> list[Annotation]:
        return self.current(ids)

    def _stored_done(self, author: str, article_id: str) -> Done | None:
        if self._done is not None and author == self.author:  # reader mode: kept here
            return Done(article_id, author, True, "") if article_id in self._done else None
        row = self._sql(
            "SELECT article_id, author, done, at FROM coverage WHERE author = %s AND article_id = %s",
            (author, article_id),
        ).fetchone()
        return Done(*row) if row else None

    def _write_coverage(self, records: dict[str, Done | None]) -> None:
        for k, rec in records.items():
            if rec is None:
                author, article_id = k.split("\x1f", 1)
                self.conn.execute(
                    "DELETE FROM coverage WHERE author = %s AND article_id = %s",
                    (author, article_id),
                )
            else:
                self.conn.execute(
                    "INSERT INTO coverage (author, article_id, done, at) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (author, article_id) DO UPDATE "
                    "SET done = EXCLUDED.done, at = EXCLUDED.at",
                    (rec.author, rec.article_id, rec.done, rec.at),
                )

    def current(self, ids: list[str]) -> list[Annotation]:
        """The stored versions of these annotations (those that exist)."""
        out = []
        if self._net is not None and not self._on_network():  # reader mode: what it shows
            return [a for i in ids if (a := self.get(i)) is not None]
        for i in range(0, len(ids), 5000):
            rows = self._sql(
                f"SELECT {COLUMNS} FROM annotations WHERE id = ANY(%s)", (ids[i : i + 5000],)
            ).fetchall()
            for row in rows:
                ann, version = _row_to_annotation(row)
                self._versions[ann.id] = version
                out.append(ann)
        return out

    # -- rejected suggestions ----------------------------------------------------------

    def rejections(self) -> set[str]:
        if self._rejected is not None and not self._on_network():
            return set(self._rejected)
        return {r[0] for r in self._sql("SELECT key FROM rejections")}

    def reject(self, key: str, **info: str) -> None:
        self._check_writable()
        record = {**info, "author": self.author, "at": now_iso()}

        def send() -> None:
            self._sql(
                "INSERT INTO rejections (key, info) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET info = EXCLUDED.info",
                (key, json.dumps(record, ensure_ascii=False)),
            )

        if self._net is not None:
            self._rejected = (self._rejected or set()) | {key}
            self._net.submit(lambda: self._quietly(send))
        else:
            send()
        self._tell(Change("reject suggestion"))

    # -- change notification (this client's own changes) -------------------------------

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _tell(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # -- other clients' changes (live) -------------------------------------------------

    def watch(
        self,
        on_change: Callable[[RemoteChange], None],
        on_status: Callable[[str], None] = lambda status: None,
    ) -> Watcher:
        """Start listening for other clients' changes in a background thread.

        `on_change` gets each change with the fresh rows already fetched (on the
        watcher's own connection); hand it to `apply_remote` on the thread that uses
        this store. `on_status` hears "reconnecting…" and "reconnected".
        """
        watcher = Watcher(self.url, self.channel, self.client_id, on_change, on_status)
        watcher.start()
        return watcher

    def apply_remote(self, remote: RemoteChange) -> Change:
        """Take in another client's change (no network: the rows came with it).

        Returns a `Change` from the cached state before to the state after, so
        listeners repaint exactly what it touched; subscribers hear it too.
        """
        before: list[Annotation] = []
        after: list[Annotation] = []
        if remote.articles is None:
            for anns in self._cache.values():
                before.extend(anns)
            self.forget()
            self._summary = remote.summary if remote.summary is not None else self._summary
        else:
            touched = set(remote.articles)
            for aid in [i for i, a in self._seen.items() if a.article_id in touched]:
                del self._seen[aid]
            for article_id, rows in remote.rows.items():
                before.extend(self._cache.get(article_id, ()))
                fresh = sorted((a for a, _ in rows), key=_sort_key)
                for a, version in rows:
                    self._versions[a.id] = version
                    self._where[a.id] = article_id
                self._cache[article_id] = fresh
                after.extend(fresh)
                self._loading.discard(article_id)
            for queued in list(self._outbox):  # our edits not yet sent stay in view
                if touched & queued.articles:
                    self._patch_cache(queued, count=False)
                    after.extend(a for a in queued.after if a.article_id in touched)
        if remote.count is not None:
            self._count = remote.count
        elif self._count is not None:
            self._count += remote.delta
        change = Change(remote.label, before, after)
        if remote.codebook is not None:
            codebook, version = remote.codebook
            change.codebook_before, change.codebook_after = self._codebook, codebook
            self._codebook, self._codebook_version = codebook, version
        if remote.articles is not None:
            self._resummarise(change)
        self._tell(change)
        return change

    # -- undo --------------------------------------------------------------------------

    def undo(self) -> str | None:
        """Undo this client's last change; refused if someone has changed it since.

        A refused undo (stale: someone changed those annotations since; or not
        allowed) is dropped from the history, not kept: trying it again would be
        refused again, and the reader shows the other analyst's version instead.
        In reader mode the refusal arrives later, from the network thread
        (`_refused` drops it then); here it is raised at once.
        """
        if not self._undo:
            return None
        change = self._undo[-1]
        reverted = change.reversed(f"undo {change.label}")
        try:
            self._write(reverted)
        except (StaleEditError, NotAllowedError) as exc:
            self._undo.pop()
            raise type(exc)(f"could not undo {change.label}: {exc}; {DROPPED}") from None
        self._redo.append(self._undo.pop())
        self._tell(reverted)
        return change.label

    def redo(self) -> str | None:
        """Redo the last undone change; a refused redo is dropped like a refused undo."""
        if not self._redo:
            return None
        change = self._redo[-1]
        try:
            self._write(change)
        except (StaleEditError, NotAllowedError) as exc:
            self._redo.pop()
            raise type(exc)(f"could not redo {change.label}: {exc}; {DROPPED}") from None
        self._undo.append(self._redo.pop())
        self._tell(change)
        return change.label

    # -- reader mode: the network on a thread of its own ---------------------------------

    def background(
        self,
        deliver: Callable[[Callable[[], object]], None],
        on_status: Callable[[str], None] = lambda status: None,
        on_problem: Callable[[str], None] = lambda problem: None,
    ) -> Network:
        """From now on the calling (UI) thread never waits for the server.

        What the reader shows is kept here (summary, done marks, rejections, the
        annotations of articles read), asked for now, once, and kept up to date by
        every change. A change is shown at once and queued; the network thread sends
        the queue in order. An article not read yet is fetched there and handed over
        with `deliver` (which must run its argument on the UI thread), as are the
        results: `on_status` hears "reconnecting…" and what was saved on return,
        `on_problem` a refused change (its articles are re-read and shown fresh).
        """
        self._deliver, self._on_status, self._on_problem = deliver, on_status, on_problem
        self.queue_when_offline = True
        self._done, self._rejected = set(), set()  # until the server's arrive
        self._net = Network(f"tagline-net-{self.url.schema}")
        self._net.start()
        self._net.submit(self._prefetch)
        return self._net

    def _prefetch(self) -> None:
        """On the network thread: what the reader keeps, handed to the UI thread."""
        try:
            summary = self._count_themes()
            done = self.done_articles()
            rejected = self.rejections()
            count = int(self._sql("SELECT count(*) FROM annotations").fetchone()[0])
        except StoreError:
            self._went_offline()
            return

        def keep() -> None:
            self._summary = summary
            self._done = (self._done or set()) | done
            self._rejected = (self._rejected or set()) | rejected
            self._count = count + sum(
                len({a.id for a in c.after} - {a.id for a in c.before})
                - len({a.id for a in c.before} - {a.id for a in c.after})
                for c in self._outbox
            )
            # A codebook "change" to the same codebook: screens reload their lists.
            self._tell(
                Change("loaded", codebook_before=self._codebook, codebook_after=self._codebook)
            )

        self._deliver(keep)

    def _on_network(self) -> bool:
        return threading.current_thread() is self._net

    def _quietly(self, fn: Callable[[], object]) -> None:
        """On the network thread: run `fn`; a lost server is reported, not raised."""
        try:
            fn()
        except StoreError:
            if self._offline():
                self._went_offline()

    def _went_offline(self) -> None:
        if not self.offline:
            self.offline = True
            self._deliver(lambda: self._on_status("reconnecting…"))

    def _load(self, article_ids: list[str]) -> None:
        """Fetch these articles' annotations on the network thread, hand them to the UI."""
        self._loading.update(article_ids)
        ids = list(article_ids)

        def fetch() -> None:
            try:
                rows = self._fetch_rows(ids)
            except StoreError:
                self._went_offline()  # stays in `_loading`: fetched again on reconnection
                return
            remote = RemoteChange("", "", [], ids, rows, None, None)
            self._deliver(lambda: self.apply_remote(remote))

        assert self._net is not None
        self._net.submit(fetch)

    def _fetch_rows(self, article_ids: list[str]) -> dict[str, list[tuple[Annotation, int]]]:
        rows: dict[str, list[tuple[Annotation, int]]] = {a: [] for a in article_ids}
        for row in self._sql(
            f"SELECT {COLUMNS} FROM annotations WHERE article_id = ANY(%s)", (article_ids,)
        ).fetchall():
            ann, version = _row_to_annotation(row)
            rows.setdefault(ann.article_id, []).append((ann, version))
        return rows

    def _send(self) -> None:
        """On the network thread: send the queued changes in order, until none is left.

        While the server is away it retries every `RETRY` seconds (or when woken by
        `flush`); a refused change is dropped, its articles re-read and the UI told.
        """
        net = self._net
        assert net is not None
        saved, lost = 0, False
        while self._outbox and not net.halted:
            change = self._outbox[0]
            touched = set(change.articles)
            try:
                self._transact(change, touched)
            except _Unreachable:
                self._went_offline()
                lost = True
                net.pause(RETRY)
                continue
            except StoreError as exc:  # refused (stale, not allowed) or rejected by the server
                self._outbox.pop(0)
                rows: dict[str, list[tuple[Annotation, int]]] | None = None
                with contextlib.suppress(StoreError):
                    rows = self._fetch_rows(sorted(touched))
                self._deliver(functools.partial(self._refused, change, exc, rows))
                continue
            self._outbox.pop(0)
            saved += 1
            self._deliver(functools.partial(self._patch_cache, change, count=False))
        if (lost or self._back) and saved and not self._outbox:
            self.offline = self._back = False
            n = saved
            self._deliver(lambda: self._on_status(f"reconnected; {n} queued change(s) saved"))

    def _refused(
        self,
        change: Change,
        exc: StoreError,
        rows: dict[str, list[tuple[Annotation, int]]] | None,
    ) -> None:
        """On the UI thread: a queued change was refused; show the server's state.

        The change leaves the undo history: an edit or a redo is on the undo stack,
        an undo's original on the redo stack (it moved there when the undo was
        queued). Either would be refused again, so it is dropped and the user told.
        """
        message = str(exc)
        mine = next((i for i, c in enumerate(self._undo) if c is change), None)
        if mine is not None:  # an edit, or a redo
            del self._undo[mine]
        for i in range(len(self._redo) - 1, -1, -1):
            if _reverts(change, self._redo[i]):  # an undo: its original was moved here
                original = self._redo.pop(i)
                message = f"could not undo {original.label}: {exc}; {DROPPED}"
                break
        if rows is not None:
            self.apply_remote(RemoteChange("", "", [], sorted(rows), rows, None, None))
        else:
            self.forget(change.articles)
        self._on_problem(message)

    # -- the one write path ------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{self.location}: opened read-only, the change was not saved")

    @property
    def pending(self) -> int:
        """Changes made while the server was unreachable, saved on reconnection."""
        return len(self._outbox)

    def _reconnect(self) -> None:
        """Open a fresh connection (the old one is dead); `StoreError` if the server is down."""
        with contextlib.suppress(Exception):
            self.conn.close()
        self.conn = connect(self.url, timeout=2)

    def _offline(self) -> bool:
        return self.conn.closed or self.conn.broken

    def flush(self) -> int:
        """Send the changes queued while offline, in order; returns how many were saved.

        Each is written as any change is (versions checked, a row already in its
        after-state counts as done), so a change that reached the server before the
        connection dropped is not applied twice. A refused one is dropped and raised.
        In reader mode it only wakes the network thread (which says what it saved).
        """
        if self._net is not None:
            self.offline = False
            self._back = True  # the network thread says what it saved
            retry, self._loading = list(self._loading), set()
            if retry:
                self._load(retry)
            if self._summary is None:  # the server was away at start
                self._net.submit(self._prefetch)
            self._net.submit(self._send)
            self._net.wake()
            return 0
        saved = 0
        while self._outbox:
            change = self._outbox[0]
            self._write(change, queue_if_offline=False)
            self._outbox.pop(0)
            saved += 1
        self.forget()  # the optimistic copies: read the server's truth again
        self._count = None
        self._summary = None
        return saved

    def _apply(self, change: Change, undoable: bool = True) -> None:
        if self._outbox:  # keep the order: behind what is already queued
            self._check_writable()
            self._queue(change)
        else:
            self._write(change)
        if undoable:
            self._undo.append(change)
            self._redo.clear()
        self._tell(change)

    def _queue(self, change: Change) -> None:
        """Keep `change` for `flush()` and show it in this client's cache meanwhile."""
        self._outbox.append(change)
        self._patch_cache(change)
        before_ids, after_ids = {a.id for a in change.before}, {a.id for a in change.after}
        if self._count is not None:
            self._count += len(after_ids - before_ids) - len(before_ids - after_ids)

    def _patch_cache(self, change: Change, count: bool = True) -> None:
        """Apply a change to the cached articles (after writing it, or while queued).

        `count`: also to the kept summary and done marks (not when re-applying a
        change already counted).
        """
        gone = {a.id for a in change.after} | {a.id for a in change.before}
        for aid in gone:
            self._seen.pop(aid, None)
        for article_id in change.articles:
            if article_id not in self._cache:
                continue
            kept = [a for a in self._cache[article_id] if a.id not in gone]
            kept.extend(a for a in change.after if a.article_id == article_id)
            self._cache[article_id] = sorted(kept, key=_sort_key)
            for a in kept:
                self._where[a.id] = article_id
        if change.codebook_after is not None:
            self._codebook = change.codebook_after
        if not count:
            return
        self._resummarise(change)
        if self._done is not None:
            mine = self.author + "\x1f"
            for key, rec in change.coverage_after.items():
                if key.startswith(mine):
                    article_id = key[len(mine) :]
                    (self._done.add if rec and rec.done else self._done.discard)(article_id)

    def _write(self, change: Change, queue_if_offline: bool = True) -> None:
        """Replace `change.before` by `change.after` in one transaction, checking versions.

        A row already in its `after` state counts as written (a retry); a row someone
        else changed is refused with `StaleEditError`, one the user's role may not
        change with `NotAllowedError`; either way nothing is written.
        """
        self._check_writable()
        if self._net is not None and not self._on_network():
            self._queue(change)  # reader mode: shown now, sent by the network thread
            self._net.submit(self._send)
            return
        touched = set(change.articles)
        try:
            _, delta = self._transact(change, touched)
        except _Unreachable as exc:
            if not (queue_if_offline and self.queue_when_offline):
                raise StoreError(str(exc)) from None
            # The server is away, or dropped us mid-change: whether that committed is
            # unknown, and the retry from the queue finds out (applied counts as done).
            self._queue(change)
            return
        except BaseException:
            if not self._outbox:
                self.forget(touched)  # unsure what is cached: re-read when next asked
            raise
        self._patch_cache(change)
        if self._count is not None:
            self._count += delta

    def _transact(self, change: Change, touched: set[str]) -> tuple[dict[str, int], int]:
        """The change's one transaction; returns (versions written, rows added - deleted).

        `_Unreachable` when the server is away or the connection dropped meanwhile.
        Keeps the versions (the next change checks against them) on this thread.
        """
        psycopg = self._psycopg
        written: dict[str, int] = {}
        delta = 0
        if self._offline():
            try:
                self._reconnect()
            except StoreError as exc:
                raise _Unreachable(str(exc)) from None
        try:
            with self.conn.transaction():
                written, delta = self._write_rows(change, touched)
                if change.codebook_after is not None:
                    self._write_codebook(change.codebook_after)
                if change.coverage_after:
                    self._write_coverage(change.coverage_after)
                self._notify(change, touched, delta)
        except _Refused as refused:
            self._diagnose(refused.expected)
        except StaleEditError:
            self.reload_codebook()
            raise
        except psycopg.errors.InsufficientPrivilege as exc:
            what = (
                "only an admin may change the codebook"
                if "codebook" in str(exc)
                else "you may change only your own annotations (a reviewer may change anyone's)"
            )
            raise NotAllowedError(f"{what}; nothing was saved") from None
        except psycopg.OperationalError as exc:
            message = f"{self.location}: {_first_line(exc)}; nothing was saved"
            if self._offline():
                raise _Unreachable(message) from None
            raise StoreError(message) from None
        except psycopg.Error as exc:
            raise StoreError(f"{self.location}: {_first_line(exc)}; nothing was saved") from None
        self._versions.update(written)
        for ann in change.before:
            if ann.id not in written:
                self._versions.pop(ann.id, None)
        if change.codebook_after is not None:
            self._codebook = change.codebook_after
            self._codebook_version += 1
        return written, delta

    def _rows(self, ids: list[str]) -> dict[str, tuple[Annotation, int]]:
        current: dict[str, tuple[Annotation, int]] = {}
        for i in range(0, len(ids), 5000):
            rows = self.conn.execute(
                f"SELECT {COLUMNS} FROM annotations WHERE id = ANY(%s)", (ids[i : i + 5000],)
            ).fetchall()
            for row in rows:
                ann, version = _row_to_annotation(row)
                current[ann.id] = (ann, version)
        return current

    def _write_rows(self, change: Change, touched: set[str]) -> tuple[dict[str, int], int]:
        """Check every row against what the change was made on, then write with versions.

        Each UPDATE and DELETE names the version it expects, so a row changed between
        the check and the write (or hidden from this role by row-level security) is
        not touched; the counts tell, and `_Refused` rolls the whole change back.
        """
        after_by_id = {a.id: a for a in change.after}
        before_by_id = {a.id: a for a in change.before}
        ids = list(before_by_id.keys() | after_by_id.keys())
        current = self._rows(ids)
        inserts: list[Annotation] = []
        updates: list[tuple[Annotation, int]] = []
        deletes: list[tuple[str, int]] = []
        written: dict[str, int] = {}
        for aid in ids:
            now, want, before = current.get(aid), after_by_id.get(aid), before_by_id.get(aid)
            if now is not None:
                touched.add(now[0].article_id)
            if now is not None and want is not None and now[0] == want:
                written[aid] = now[1]  # already so: a retry, or nothing to change
                continue
            if now is None and want is None:
                continue  # already gone
            if before is None:
                if now is not None:  # an insert meeting another client's row
                    raise StaleEditError(f"annotation {aid} already exists; reloaded")
                assert want is not None  # both None was skipped above
                inserts.append(want)
                written[aid] = 1
                continue
            expected = self._versions.get(aid, now[1] if now else 0)
            if now is None or now[1] != expected or now[0] != before:
                raise StaleEditError(_stale_message(before, now))
            if want is None:
                deletes.append((aid, now[1]))
            else:
                updates.append((want, now[1]))
                written[aid] = now[1] + 1
        expected_versions = {aid: v for aid, v in deletes} | {a.id: v for a, v in updates}
        with self.conn.cursor() as cur:
            if deletes:
                cur.executemany("DELETE FROM annotations WHERE id = %s AND version = %s", deletes)
                if cur.rowcount != len(deletes):
                    raise _Refused(expected_versions)
            if updates:
                cur.executemany(UPDATE, [(*_params(a)[1:], a.id, v) for a, v in updates])
                if cur.rowcount != len(updates):
                    raise _Refused(expected_versions)
            if inserts:
                cur.executemany(INSERT, [_params(a) for a in inserts])
                if cur.rowcount != len(inserts):
                    raise StaleEditError("someone else added one of these annotations; reloaded")
        return written, len(inserts) - len(deletes)

    def _diagnose(self, expected: dict[str, int]) -> None:
        """A versioned write touched fewer rows than it named: say whether it was a
        concurrent change or this role's row-level security."""
        current = self._rows(list(expected))
        for aid, version in expected.items():
            now = current.get(aid)
            if now is None or now[1] != version:
                raise StaleEditError(
                    "someone else changed or deleted this annotation meanwhile; "
                    "nothing was saved, reloaded"
                )
        raise NotAllowedError(
            "you may change only your own annotations (a reviewer may change anyone's); "
            "nothing was saved"
        )

    def _write_codebook(self, codebook: Codebook) -> None:
        cur = self.conn.execute(
            "UPDATE codebook SET themes = %s, version = version + 1 WHERE id = 1 AND version = %s",
            (json.dumps(codebook.to_list(), ensure_ascii=False), self._codebook_version),
        )
        if cur.rowcount != 1:
            raise StaleEditError("someone else changed the codebook first; reloaded it")

    def _notify(self, change: Change, touched: set[str], delta: int) -> None:
        """Tell other readers what changed; delivered only if the transaction commits."""
        themes = sorted({t for a in change.after for t in a.themes})
        payload = {
            "author": self.author,
            "user": self.db_user,
            "label": change.label,
            "themes": themes[:20],
            "articles": sorted(touched),
            "codebook": change.codebook_after is not None,
            "client": self.client_id,
            "delta": delta,
        }
        text = json.dumps(payload, ensure_ascii=False)
        if len(text.encode()) > _NOTIFY_LIMIT:
            payload["articles"] = None  # too many to list: readers reload everything
            text = json.dumps(payload, ensure_ascii=False)
        self.conn.execute("SELECT pg_notify(%s, %s)", (self.channel, text))

    # -- articles ----------------------------------------------------------------------

    def load_corpus(self) -> Corpus:
        """The published articles, their texts fetched when first read.

        Opening the reader waits for this: at 100,000 articles decoding `jsonb` into
        dicts took longer than the query, so an empty `meta` (the usual case) is not
        sent, the rest comes as text for orjson, and paths stay strings.
        """
        rows = self._sql(
            "SELECT id, sha256, title, source, date, city, "
            """NULLIF(meta, '{"meta": {}}'::jsonb)::text FROM articles"""
        ).fetchall()
        fetch, fetch_many = self._article_text, self._article_texts
        articles = []
        for aid, sha, title, source, date, city, meta in rows:
            extra = (orjson.loads(meta).get("meta") or {}) if meta else {}
            articles.append(
                TeamArticle(
                    aid,
                    aid,
                    None,
                    sha,
                    title,
                    source,
                    date,
                    city,
                    extra,
                    fetch=fetch,
                    fetch_many=fetch_many,
                )
            )
        return Corpus(articles)

    def article_count(self) -> int:
        return int(self._sql("SELECT count(*) FROM articles").fetchone()[0])

    def _article_text(self, article_id: str) -> str:
        """An article's text: any thread may ask (a worker opening an article, the
        search index), on the side connection."""
        row = self._side_sql("SELECT text FROM articles WHERE id = %s", (article_id,)).fetchone()
        return row[0] if row else ""

    def _article_texts(self, article_ids: list[str]) -> dict[str, str]:
        """Many articles' texts in one query (the search index reads a batch at a time)."""
        rows = self._side_sql(
            "SELECT id, text FROM articles WHERE id = ANY(%s)", (article_ids,)
        ).fetchall()
        return dict(rows)

    def _side_sql(self, query: str, params: Any = None) -> Any:
        """One read on a second connection, for threads other than the store's own
        (workers: texts, the dashboard, exports), so none runs inside its transaction.
        The result is fetched before the lock is released."""
        with self._texts_lock:
            try:
                if self._texts is None or self._texts.closed or self._texts.broken:
                    self._texts = connect(self.url, timeout=2, name="tagline reads")
                return self._texts.execute(query, params)
            except self._psycopg.errors.InsufficientPrivilege as exc:
                raise NotAllowedError(
                    f"{self.location}: not allowed ({_first_line(exc)})"
                ) from None
            except self._psycopg.Error as exc:
                raise StoreError(f"{self.location}: {_first_line(exc)}") from None

    def publish(self, articles: Iterable[Article]) -> PublishReport:
        """Store articles (text, sha256, metadata) so every analyst reads the same texts."""
        self._check_writable()
        report = PublishReport()
        known = dict(self._sql("SELECT id, sha256 FROM articles").fetchall())
        rows = []
        for article in articles:
            old = known.get(article.id)
            if old == article.sha256:
                report.unchanged += 1
                continue
            if old is None:
                report.added += 1
            else:
                report.updated += 1
            rows.append(article_row(article))
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO articles ({ARTICLE_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET "
                    "sha256 = EXCLUDED.sha256, title = EXCLUDED.title, "
                    "source = EXCLUDED.source, date = EXCLUDED.date, city = EXCLUDED.city, "
                    "meta = EXCLUDED.meta, text = EXCLUDED.text",
                    rows,
                )
        except self._psycopg.errors.InsufficientPrivilege as exc:
            raise NotAllowedError(f"{self.location}: not allowed ({_first_line(exc)})") from None
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.location}: {_first_line(exc)}; nothing was saved") from None
        return report


DROPPED = "dropped from the undo history"


def _reverts(change: Change, original: Change) -> bool:
    """Is `change` the undo of `original` (made by `undo`, sent later)?"""
    return (
        change.label == f"undo {original.label}"
        and change.before == original.after
        and change.after == original.before
        and change.codebook_after == original.codebook_before
        and change.coverage_after == original.coverage_before
    )


class _Refused(Exception):
    """Inside a write: fewer rows changed than named (rolled back, then diagnosed)."""

    def __init__(self, expected: dict[str, int]) -> None:
        super().__init__("refused")
        self.expected = expected
