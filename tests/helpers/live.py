"""Helpers for team-mode app tests: wait for a condition, watch which thread uses the network."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


async def until(
    pilot,
    condition: Callable[[], object],
    what: str,
    tries: int = 800,
    describe: Callable[[], str] | None = None,
) -> None:
    """Let the app run until `condition()` holds (a bound on turns, not a timing claim)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"never happened: {what} ({describe() if describe else ''})")


async def reading(pilot, app, said: list[str]):
    """A team reader ready to use: listening, its first article open and the reader
    focused (`enter`); every status-line message is also appended to `said`.
    Returns the reader and the status line."""
    from tui.widgets.reader import Reader
    from tui.widgets.status import StatusLine

    await until(pilot, lambda: app._live and app._live.connected.is_set(), "listening")
    await until(pilot, lambda: app.screen.session.article is not None, "first article")
    await pilot.press("enter")
    reader = app.screen.query_one(Reader)
    await until(pilot, lambda: reader.has_focus, "reader focused")
    status = app.screen.query_one(StatusLine)
    real_say = status.say
    status.say = lambda m, error=False: (said.append(m), real_say(m, error))
    return reader, status


@contextmanager
def network_threads() -> Iterator[list[str]]:
    """The names of the threads that run a query or open a connection, as they do.

    Wraps psycopg's `Connection.connect` and `Connection.execute` (every query the
    team store runs goes through one of them, cursors included via `execute`).
    """
    import psycopg

    seen: list[str] = []
    real_execute, real_connect = psycopg.Connection.execute, psycopg.Connection.connect

    def execute(self, *args, **kwargs):
        seen.append(threading.current_thread().name)
        return real_execute(self, *args, **kwargs)

    def connect(cls, *args, **kwargs):
        seen.append(threading.current_thread().name)
        return real_connect.__func__(cls, *args, **kwargs)

    psycopg.Connection.execute = execute
    psycopg.Connection.connect = classmethod(connect)
    try:
        yield seen
    finally:
        psycopg.Connection.execute = real_execute
        psycopg.Connection.connect = real_connect
