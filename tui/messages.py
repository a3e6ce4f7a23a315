"""Messages the app sends to its screens."""

from __future__ import annotations

from textual.message import Message

from annotations.store.protocol import Change


class StoreChanged(Message):
    """A change was saved (from any screen, undo, redo or a re-anchor).

    Sent to every screen on the stack; each repaints what the change touched.
    """

    bubble = False  # the app sends it down; it must not come back up

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change

    @property
    def articles(self) -> set[str]:
        return self.change.articles

    @property
    def codebook_changed(self) -> bool:
        return self.change.codebook_after is not None
