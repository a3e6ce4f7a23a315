"""Other clients' changes: LISTEN on a connection of its own, fetch what a notification names."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotations.model import Annotation
from annotations.store.errors import StoreError
from annotations.store.postgres.connection import TeamUrl, _one, _psycopg, connect
from annotations.store.postgres.rows import COLUMNS, _row_to_annotation
from annotations.themes import Codebook

if TYPE_CHECKING:
    import psycopg


@dataclass(slots=True)
class RemoteChange:
    """Another client's committed change, with the rows it left (fetched by the watcher)."""

    author: str
    label: str
    themes: list[str]
    articles: list[str] | None  # None: too many to name, reload everything
    rows: dict[str, list[tuple[Annotation, int]]]  # article -> its annotations now
    codebook: tuple[Codebook, int] | None  # the new codebook and its version, if changed
    count: int | None  # annotations in the database now, when counted afresh
    delta: int = 0  # annotations added minus deleted by the change
    summary: dict[str, Counter[str]] | None = None  # after a gap: theme counts afresh


class Watcher(threading.Thread):
    """LISTEN for a schema's notifications on a connection of its own; reconnect on loss.

    Runs beside the UI, which it never blocks: it fetches what a notification names
    and hands it over. Notifications sent while it is disconnected are lost, so after
    reconnecting it reports a change of everything (`articles=None`).
    """

    def __init__(
        self,
        url: TeamUrl,
        channel: str,
        client_id: str,
        on_change: Callable[[RemoteChange], None],
        on_status: Callable[[str], None],
        retry: float = 0.5,
    ) -> None:
        super().__init__(name=f"tagline-watch-{channel}", daemon=True)
        self.url, self.channel, self.client_id = url, channel, client_id
        self.on_change, self.on_status, self.retry = on_change, on_status, retry
        self._halt = threading.Event()
        self.connected = threading.Event()
        self.backend_pid: int | None = None  # its server process, while connected

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        psycopg = _psycopg()
        lost = False
        while not self._halt.is_set():
            try:
                with connect(self.url, timeout=2, name="tagline watcher") as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    self.backend_pid = conn.info.backend_pid
                    self.connected.set()
                    if lost:
                        lost = False
                        self.on_status("reconnected")
                        self.on_change(self._fetch(conn, {"label": "reconnected"}))
                    while not self._halt.is_set():
                        # Drained before handling: the generator holds the connection.
                        notes = list(conn.notifies(timeout=0.25, stop_after=1))
                        for note in notes:
                            self._handle(conn, note.payload)
            except (psycopg.Error, StoreError, OSError):
                self.connected.clear()
                if not lost:
                    lost = True
                    self.on_status("reconnecting…")
                self._halt.wait(self.retry)

    def _handle(self, conn: psycopg.Connection, payload: str) -> None:
        try:
            data = json.loads(payload)
        except ValueError:
            return
        if not isinstance(data, dict) or data.get("client") == self.client_id:
            return
        self.on_change(self._fetch(conn, data))

    def _fetch(self, conn: psycopg.Connection, data: dict[str, Any]) -> RemoteChange:
        articles = data.get("articles")
        rows: dict[str, list[tuple[Annotation, int]]] = {}
        if isinstance(articles, list):
            articles = [str(a) for a in articles]
            for article_id in articles:
                rows[article_id] = []
            for row in conn.execute(
                f"SELECT {COLUMNS} FROM annotations WHERE article_id = ANY(%s)", (articles,)
            ):
                ann, version = _row_to_annotation(row)
                rows.setdefault(ann.article_id, []).append((ann, version))
        else:
            articles = None
        codebook = None
        if data.get("codebook") or articles is None:
            themes, version = _one(
                conn.execute("SELECT themes, version FROM codebook WHERE id = 1")
            )
            codebook = (Codebook.from_list(themes) if themes else Codebook(), version)
        count = None
        summary: dict[str, Counter[str]] | None = None
        if articles is None:  # after a gap: count afresh
            count = int(_one(conn.execute("SELECT count(*) FROM annotations"))[0])
            fresh: dict[str, Counter[str]] = {}
            summary = fresh
            for article_id, theme, n in conn.execute(
                "SELECT article_id, theme, count(*) FROM annotations, unnest(themes) AS theme "
                "GROUP BY article_id, theme"
            ):
                fresh.setdefault(article_id, Counter())[theme] = int(n)
        return RemoteChange(
            author=str(data.get("author") or ""),
            label=str(data.get("label") or ""),
            themes=[str(t) for t in data.get("themes") or []],
            articles=articles,
            rows=rows,
            codebook=codebook,
            count=count,
            delta=int(data.get("delta") or 0),
            summary=summary,
        )
