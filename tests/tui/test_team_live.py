"""Team mode, live: two analysts on one PostgreSQL database; one's tag appears in the
other's open reader, with a quiet status message, the caret and selection left alone."""

from __future__ import annotations

import asyncio

from annotations.corpus import seeds_path
from annotations.store.postgres import PostgresStore
from annotations.workspace import open_workspace
from tests.helpers.pg import new_schema_url
from tests.helpers.snapshot_apps import THEME, SteadyApp, sync
from tui.cli.main import main
from tui.widgets.reader import Reader
from tui.widgets.status import StatusLine


async def until(pilot, condition, what: str, tries: int = 400) -> None:
    """Let the app run until `condition()` holds (a bound, not a timing claim)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"never happened: {what}")


def test_bobs_tag_appears_in_alices_reader(pg_database):
    url = new_schema_url(pg_database)
    assert main(["team", "publish", "--corpus", str(seeds_path()), url]) == 0
    _run(url)


@sync
async def _run(url: str) -> None:
    ws = open_workspace(db_path=url, author="alice")
    app = SteadyApp(ws, theme=THEME)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")  # open the first article, into the reader
            await until(
                pilot, lambda: app._live is not None and app._live.connected.is_set(), "listening"
            )
            reader = app.screen.query_one(Reader)
            article = app.screen.session.article
            await pilot.press(
                "down", "down", "shift+right", "shift+right"
            )  # a caret and a selection
            selection = reader.selection
            assert selection.start != selection.end
            # bob, on another connection, tags a passage of the article alice reads.
            with PostgresStore(url, author="bob") as bob:
                bob.tag(article, 0, 25, ["energy"])
            await until(
                pilot, lambda: any(a.author == "bob" for a in reader._anns), "bob's tag shown"
            )
            status = app.screen.query_one(StatusLine)
            assert (
                status.message
                == f"bob tagged energy in ‘{article.title[:39]}{'…' if len(article.title) > 40 else article.title[39:40]}’"
                or status.message.startswith("bob tagged energy in ‘")
            )
            assert not status.error
            assert reader.selection == selection  # neither caret nor selection moved
            assert any(a.exact == article.text[0:25] for a in ws.store.for_article(article.id))
            # Alice's own tag is not news to her: no message about herself.
            await pilot.press("1")
            await pilot.pause()
            assert not status.message.startswith("alice")
    finally:
        ws.close()
    await asyncio.sleep(0)
