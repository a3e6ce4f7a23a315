"""A reader's network thread: the store's connection is used there only, jobs in order."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from annotations.store.errors import StoreError

if TYPE_CHECKING:
    pass


RETRY = 0.5  # seconds between attempts to reach a server that went away


class Network(threading.Thread):
    """The one thread a reader's store uses the network on: jobs run in order.

    The store's connection belongs to it, so no query ever runs on the UI thread
    and no two threads share a transaction.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._halt = threading.Event()
        self._wake = threading.Event()

    @property
    def halted(self) -> bool:
        return self._halt.is_set()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def wake(self) -> None:
        """Cut a retry pause short (the server is back)."""
        self._wake.set()

    def pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    def stop(self) -> None:
        self._halt.set()
        self._wake.set()
        self._jobs.put(None)

    def run(self) -> None:
        while not self._halt.is_set():
            job = self._jobs.get()
            if job is None:
                break
            with contextlib.suppress(Exception):  # a job reports its own failures
                job()


class _Unreachable(StoreError):
    """The server is away or dropped the connection mid-change (outcome unknown)."""
