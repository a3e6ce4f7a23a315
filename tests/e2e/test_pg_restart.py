"""A real server restart under an open reader and a client, on a private PostgreSQL.

The machine's shared server is never restarted (other runs use it), so this test
starts its own (`tests/helpers/pg_server.py`) and stops and starts it while Alice's
reader and Bob's client are connected: the reader says "reconnecting…", both keep
their edits queued, and after the restart every edit is in the database exactly once
and the reader says what it saved.
"""

from __future__ import annotations

import asyncio

import pytest

from annotations.corpus import seeds_path
from annotations.store.postgres import PostgresStore, init_schema
from annotations.workspace import open_workspace
from tests.helpers.live import reading, until
from tests.helpers.pg_server import PrivateServer, private_server, remove
from tests.helpers.snapshot_apps import THEME, SteadyApp, sync
from tui.cli.main import main

pytestmark = pytest.mark.slow


@pytest.fixture
def server():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'tagline[team]')")
    made = private_server()
    yield made
    remove(made)


def test_queued_edits_survive_a_real_server_restart_exactly_once(server):
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE team_restart")
    url = server.url.rsplit("/", 1)[0] + "/team_restart"
    init_schema(url)
    assert main(["team", "publish", "--corpus", str(seeds_path()), url]) == 0
    _run(url, server)


@sync
async def _run(url: str, server: PrivateServer) -> None:
    ws = open_workspace(db_path=url, author="alice")
    app = SteadyApp(ws, theme=THEME)
    bob = PostgresStore(url, author="bob")
    bob.queue_when_offline = True  # as a reader's store does
    said: list[str] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            reader, status = await reading(pilot, app, said)
            article = app.screen.session.article
            bob.for_article(article.id)

            await asyncio.to_thread(server.stop)  # the restart, first half
            await until(pilot, lambda: "reconnecting…" in said, "reconnecting…")
            await pilot.press("s", "1")  # alice tags the first sentence
            await until(pilot, lambda: any(a.author == "alice" for a in reader._anns), "shown")
            assert ws.store.pending == 1 and status.queued == 1 and not status.error
            late = bob.tag(article, 200, 240, ["digital economy"])  # queued too
            assert bob.pending == 1

            await asyncio.to_thread(server.start)  # and the second
            await until(
                pilot,
                lambda: "reconnected; 1 queued change(s) saved" in said,
                "alice's queue saved",
                describe=lambda: str(said),
            )
            assert ws.store.pending == 0 and status.queued == 0
            assert bob.flush() == 1 and bob.pending == 0
            # Bob's change reaches alice's reader live, after the restart.
            await until(pilot, lambda: any(a.id == late.id for a in reader._anns), "bob's tag")
        with PostgresStore(url) as fresh:
            rows = fresh.for_article(article.id)
            assert sorted(a.author for a in rows) == ["alice", "bob"]  # each exactly once
            assert len(fresh) == 2
    finally:
        bob.close()
        ws.close()
    await asyncio.sleep(0)
