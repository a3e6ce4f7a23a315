"""Team mode, the server unreachable mid-session: the reader never waits for the network.

The reader's store does its network work on a thread of its own: while the server is
away the reader says "reconnecting…", shows the analyst's edits at once and keeps them
queued, and an article never opened before says it is not loaded instead of freezing
the screen. When the server is back the queue is sent once, in order.

The shared server is not stopped (other test runs use it): its connections to this
database are closed and the clients pointed at a closed port, then back
(`tests/e2e/test_pg_restart.py` restarts a private server for real).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from annotations.corpus import seeds_path
from annotations.store.postgres import PostgresStore
from annotations.workspace import open_workspace
from tests.helpers.live import network_threads, reading, until
from tests.helpers.pg import ADMIN_URL, new_schema_url, with_database
from tests.helpers.snapshot_apps import THEME, SteadyApp, sync
from tui.cli.main import main
from tui.dialogs.codebook import AskScreen, CodebookScreen
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.export import ExportScreen

DEAD = "postgresql://postgres@127.0.0.1:1/none"


def drop_connections(database_url: str) -> None:
    """The server's side of a restart: every connection to this database closes."""
    import psycopg

    with psycopg.connect(
        with_database(ADMIN_URL, database_url.rsplit("/", 1)[1]), autocommit=True
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_the_reader_keeps_working_while_the_server_is_away(pg_database, tmp_path):
    url = new_schema_url(pg_database)
    assert main(["team", "publish", "--corpus", str(seeds_path()), url]) == 0
    _run(url, pg_database, tmp_path)


def _usage_lines(app) -> list[str]:
    box = app.screen.query_one("#codebook-list", OptionList)
    return [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]


async def _dialogs(pilot, app, path: Path, up: bool, url: str) -> None:
    """Open the export and codebook dialogs (rename and remove a theme in the latter):
    read and written off the UI thread, said when unreachable."""
    await app.screen.run_action("export")
    await until(pilot, lambda: isinstance(app.screen, ExportScreen), "export dialog")
    dialog = app.screen
    await until(pilot, lambda: dialog.query("#path"), "export dialog composed")
    dialog.query_one("#path", Input).value = str(path)
    dialog.action_export()
    result = dialog.query_one("#result", Static)
    want = "Wrote " if up else "Export failed: server unreachable"
    await until(
        pilot,
        lambda: str(result.render()).startswith(want),
        want,
        describe=lambda: str(result.render()),
    )
    assert path.exists() == up
    await pilot.press("escape")
    await until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen", "back")
    await app.screen.run_action("codebook")
    await until(pilot, lambda: isinstance(app.screen, CodebookScreen), "codebook dialog")
    await until(pilot, lambda: app.screen.query("#codebook-list"), "codebook composed")
    want = "annotation(s)" if up else "usage: server unreachable"
    await until(
        pilot,
        lambda: _usage_lines(app) and all(want in line for line in _usage_lines(app)),
        want,
        describe=lambda: str(_usage_lines(app)),
    )
    await _rename_and_remove(pilot, app, up, url)
    await pilot.press("escape")
    await until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen", "back")


def _message(app) -> str:
    return str(app.screen.query_one("#codebook-message", Static).render())


def _bob_tags(url: str, article, theme: str) -> None:
    """Another analyst uses the theme meanwhile (the dialog's count is now stale)."""
    with PostgresStore(url, author="bob") as bob:
        bob.tag(article, 0, 20, [theme])


def _usage_on_server(url: str, theme: str) -> tuple[bool, int]:
    with PostgresStore(url, author="bob") as bob:
        return bob.codebook.get(theme) is not None, bob.theme_usage(theme)


async def _rename_and_remove(pilot, app, up: bool, url: str) -> None:
    """Rename then remove the last theme: read and written off the UI thread."""
    dialog, store = app.screen, app.workspace.store
    box = dialog.query_one("#codebook-list", OptionList)
    box.highlighted = box.option_count - 1
    name = box.highlighted_option.id
    new = f"{name}-renamed"
    codebook, pending = store.codebook, store.pending
    await pilot.press("r")
    await until(pilot, lambda: isinstance(app.screen, AskScreen), "rename asked")
    await until(pilot, lambda: app.screen.query("#answer"), "rename composed")
    app.screen.query_one("#answer", Input).value = new
    await pilot.press("enter")
    await until(pilot, lambda: app.screen is dialog, "back to the codebook")
    want = f"Renamed {name} to {new} (0 annotation(s))" if up else f"Not renamed {name}: server"
    await until(pilot, lambda: _message(app).startswith(want), want, describe=lambda: _message(app))
    if not up:  # nothing half-done: the codebook as it was, nothing queued
        assert store.codebook is codebook and store.pending == pending
        await pilot.press("d")
        want = f"Not removed {name}: server unreachable"
        await until(
            pilot, lambda: _message(app).startswith(want), want, describe=lambda: _message(app)
        )
        assert isinstance(app.screen, CodebookScreen)
        assert store.codebook is codebook and store.pending == pending
        return
    await until(pilot, lambda: store.pending == 0, "rename sent")
    assert store.codebook.get(new) is not None and store.codebook.get(name) is None
    await asyncio.to_thread(_bob_tags, url, app.workspace.corpus.articles[-1], new)
    box.highlighted = box.option_count - 1
    assert box.highlighted_option.id == new
    await pilot.press("d")
    await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "removal asked")
    assert "used by 1 annotation(s)" in app.screen.question  # read now, not the list's count
    await pilot.press("y")
    want = f"Removed {new} from 1 annotation(s)"
    await until(pilot, lambda: _message(app).startswith(want), want, describe=lambda: _message(app))
    await until(pilot, lambda: store.pending == 0, "removal sent")
    assert store.codebook.get(new) is None
    assert await asyncio.to_thread(_usage_on_server, url, new) == (False, 0)


@sync
async def _run(url: str, database_url: str, tmp: Path) -> None:
    ws = open_workspace(db_path=url, author="alice")
    store = ws.store
    assert isinstance(store, PostgresStore)
    app = SteadyApp(ws, theme=THEME)
    said: list[str] = []
    ui = threading.current_thread().name
    try:
        with network_threads() as used:
            async with app.run_test(size=(120, 40)) as pilot:
                reader, status = await reading(pilot, app, said)
                await until(pilot, lambda: app.search_index or app.index_error, "search index")
                first = app.screen.session.article
                # Export and codebook with the server up: read off the UI thread.
                await _dialogs(pilot, app, tmp / "up.jsonl", True, url)
                await until(pilot, lambda: reader.has_focus, "reader focused again")
                # The server goes away: connections dropped, reconnecting fails.
                real = store.url
                store.url = app._live.url = replace(real, conninfo=DEAD)
                await asyncio.to_thread(drop_connections, database_url)  # (the test's own)
                await until(pilot, lambda: status.message == "reconnecting…", "reconnecting…")
                # An edit: shown at once, queued, nothing refused.
                await pilot.press("s", "1")
                await until(
                    pilot,
                    lambda: any(a.author == "alice" for a in reader._anns),
                    "tag shown",
                    describe=lambda: f"{said}, pending {store.pending}, {app.focused}",
                )
                assert not status.error and store.pending == 1
                assert status.message.startswith("Tagged") and status.queued == 1
                # Export and codebook with it away: they say so, nothing waits.
                await _dialogs(pilot, app, tmp / "away.jsonl", False, url)
                assert store.pending == 1
                # An article never opened: not loaded, said so; the open one stays.
                for article in ws.corpus.articles:  # (the search index read them all)
                    if article is not first:
                        article._text = None
                app.screen.article_list.focus()
                await until(pilot, lambda: app.screen.article_list.has_focus, "list focused")
                await pilot.pause()
                await pilot.press("down")
                await until(
                    pilot,
                    lambda: any("not loaded yet" in m for m in said),
                    "not loaded said",
                    describe=lambda: f"{said}, {app.screen.session.article}, {app.focused}",
                )
                assert app.screen.session.article is first
                assert store.pending == 1
                # The dashboard needs the server: it says so, the app keeps running.
                await pilot.press("d")
                await until(
                    pilot,
                    lambda: (
                        "unreachable" in str(app.screen.query_one("#dashboard-progress").render())
                    ),
                    "dashboard says why",
                )
                await pilot.press("escape")
                await until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen", "back")
                # The server is back: the queue is sent once, the new article opens.
                store.url = app._live.url = real
                await until(
                    pilot,
                    lambda: "reconnected; 1 queued change(s) saved" in said,
                    "queued change saved",
                    describe=lambda: f"{said}, pending {store.pending}, offline {store.offline}",
                )
                assert store.pending == 0 and status.queued == 0
                await pilot.press("up", "down")
                await until(pilot, lambda: app.screen.session.article is not first, "next opens")
        # Not one query or connection on the UI thread after the reader started
        # (the export and codebook dialogs included).
        assert ui not in used, "a query or connection ran on the UI thread"
        with PostgresStore(url, author="bob") as bob:
            mine = [a for a in bob.for_article(first.id) if a.author == "alice"]
            assert len(mine) == 1  # exactly once
    finally:
        ws.close()
    await asyncio.sleep(0)
