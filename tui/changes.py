"""The one write path of the UI: store changes run, reported and broadcast in one place.

`ChangeApp` subscribes to the store: every saved change (from any screen, undo,
redo, or a re-anchor after a file changed on disk) becomes one `StoreChanged`
message sent to every screen on the stack, and each repaints what it touched.
Screens change the store only through `run_change()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.app import App
from textual.reactive import var

from annotations.store.errors import StoreError
from annotations.store.postgres import Watcher
from annotations.store.protocol import Change, Store
from annotations.themes import ThemeError
from tui.live import LiveUpdate, start_live
from tui.messages import StoreChanged

T = TypeVar("T")


class ChangeApp(App):
    """An app that edits one `Store`."""

    report: var[tuple[str, bool]] = var(("", False), init=False, always_update=True)
    """The last outcome to tell the analyst, (message, is_error): status lines show it."""

    queued: var[int] = var(0, init=False)
    """Team mode: edits shown but not yet saved on the server (the status line's badge)."""

    _store: Store | None = None
    _unsubscribe: Callable[[], None] | None = None
    _live: Watcher | None = None

    def attach_store(self, store: Store) -> None:
        self._store = store
        self._unsubscribe = store.subscribe(self._store_changed)
        self._live = start_live(self, store, self.say, self._refused)  # team mode

    def on_live_update(self, message: LiveUpdate) -> None:
        message.fn()
        self._count_queued()

    def _count_queued(self) -> None:
        self.queued = getattr(self._store, "pending", 0)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._live is not None:
            self._live.stop()
            self._live.join(timeout=2)

    def _refused(self, message: str) -> None:
        """A queued team edit the server refused (stale, not allowed): say why."""
        self.say(message, error=True)
        self.notify(message, title="Not saved", severity="error", markup=False)

    def _store_changed(self, change: Change) -> None:
        # Called on the writer's thread after the change is saved; post_message is
        # thread-safe. Each screen on the stack gets its own copy.
        for screen in list(self.screen_stack):
            screen.post_message(StoreChanged(change))

    def say(self, message: str, error: bool = False) -> None:
        self.report = (message, error)

    def run_change(
        self, fn: Callable[[], T], done: str | Callable[[T], str] | None = None
    ) -> T | None:
        """Run one store change; None when it was not saved.

        Refused while read-only; a failed save (disk full, permissions, a bad theme
        name) is reported and notified, never raised, so the app keeps running on
        what is saved. `done` words a success. Screens repaint on `StoreChanged`.
        """
        if self._store is not None and self._store.read_only:
            self.say("Read-only: this change was not saved", error=True)
            self.bell()
            return None
        try:
            result = fn()
            self._count_queued()
        except (StoreError, ThemeError, KeyError) as exc:
            message = str(exc).strip("'\"")
            self.say(message, error=True)
            self.notify(message, title="Not saved", severity="error", markup=False)
            return None
        if done is not None:
            self.say(done if isinstance(done, str) else done(result))
        return result
