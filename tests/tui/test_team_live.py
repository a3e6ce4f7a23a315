"""Team mode, live: two analysts' readers on one PostgreSQL database, in one event loop.

Bob tags in his reader; Alice's reader shows the highlight with a quiet status
message, her caret and selection left alone; and back the other way.
"""

from __future__ import annotations

import asyncio

from annotations.corpus import seeds_path
from annotations.workspace import open_workspace
from tests.helpers.live import until
from tests.helpers.pg import new_schema_url
from tests.helpers.snapshot_apps import THEME, SteadyApp, sync
from tui.cli.main import main
from tui.widgets.reader import Reader
from tui.widgets.status import StatusLine


def test_bobs_tag_appears_in_alices_reader(pg_database):
    url = new_schema_url(pg_database)
    assert main(["team", "publish", "--corpus", str(seeds_path()), url]) == 0
    _run(url)


async def _ready(app: SteadyApp, pilot) -> Reader:
    """The first article open in the reader, the watcher listening."""
    await until(pilot, lambda: app._live is not None and app._live.connected.is_set(), "listening")
    await until(pilot, lambda: app.screen.session.article is not None, "first article")
    await pilot.press("enter")
    reader = app.screen.query_one(Reader)
    await until(pilot, lambda: reader.has_focus, "reader focused")
    return reader


@sync
async def _run(url: str) -> None:
    alice_ws = open_workspace(db_path=url, author="alice")
    bob_ws = open_workspace(db_path=url, author="bob")
    alice, bob = SteadyApp(alice_ws, theme=THEME), SteadyApp(bob_ws, theme=THEME)
    bob_ready, bob_tagged, alice_checked = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def alices_reader() -> None:
        async with alice.run_test(size=(120, 40)) as pilot:
            reader = await _ready(alice, pilot)
            article = alice.screen.session.article
            status = alice.screen.query_one(StatusLine)
            await pilot.press("down", "down", "shift+right", "shift+right")  # caret, selection
            selection = reader.selection
            assert selection.start != selection.end
            bob_ready.set()
            await bob_tagged.wait()
            await until(
                pilot, lambda: any(a.author == "bob" for a in reader._anns), "bob's tag shown"
            )
            assert status.message.startswith("bob tagged energy in ‘") and not status.error
            assert article.title[:20] in status.message
            assert reader.selection == selection  # neither caret nor selection moved
            assert alice.screen.session.article is article
            # Alice's own tag is not news to her, but is to bob.
            await pilot.press("1")
            await until(
                pilot, lambda: any(a.author == "alice" for a in reader._anns), "her own tag"
            )
            assert not status.message.startswith("alice")
            alice_checked.set()
            await asyncio.sleep(0)

    async def bobs_reader() -> None:
        async with bob.run_test(size=(120, 40)) as pilot:
            reader = await _ready(bob, pilot)
            status = bob.screen.query_one(StatusLine)
            await bob_ready.wait()
            await pilot.press("s", "1")  # the first sentence, theme 1 (energy)
            await until(pilot, lambda: any(a.author == "bob" for a in reader._anns), "bob tags")
            bob_tagged.set()
            await alice_checked.wait()
            await until(
                pilot, lambda: any(a.author == "alice" for a in reader._anns), "alice's tag"
            )
            assert status.message.startswith("alice tagged energy in ‘")

    try:
        await asyncio.wait_for(asyncio.gather(alices_reader(), bobs_reader()), timeout=120)
    finally:
        alice_ws.close()
        bob_ws.close()
    await asyncio.sleep(0)
