"""Team mode, live: other analysts' changes appear in the open reader as they happen.

The store's watcher thread listens (PostgreSQL LISTEN/NOTIFY) and fetches what a
change touched on its own connection; this module hands each change to the UI
thread, where the store takes it in without touching the network. The store then
notifies as for a local change, so every screen repaints what it touched; the
caret and selection stay where they are. The status line says who did what.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.message import Message

from annotations.store.errors import NotAllowedError, StoreError
from annotations.store.postgres import PostgresStore, RemoteChange, Watcher
from annotations.store.protocol import Store

VERBS = {"tag": "tagged", "add": "added", "remove": "removed", "untag": "untagged"}


def describe(remote: RemoteChange, title_of: Callable[[str], str | None]) -> str:
    """'bob tagged energy in ‘Xi says…’', from the notification's label and articles."""
    verb, _, rest = remote.label.partition(" ")
    if verb in VERBS:
        what = f"{VERBS[verb]} {rest}"
    elif remote.label == "edit note":
        what = "edited a note"
    elif verb == "undo":
        what = f"undid {rest}"
    else:
        what = remote.label
    where = ""
    if remote.articles and len(remote.articles) == 1:
        title = title_of(remote.articles[0]) or remote.articles[0]
        where = f" in ‘{title if len(title) <= 40 else title[:39] + '…'}’"
    return f"{remote.author or 'someone'} {what}{where}"


def is_remote(store: Store) -> bool:
    """A team store: reading it means the network, so screens read it in a worker."""
    return isinstance(store, PostgresStore)


def unreachable(exc: BaseException) -> str:
    """What a screen says when a read from the server failed (plain text)."""
    if isinstance(exc, StoreError) and not isinstance(exc, NotAllowedError):
        return f"server unreachable ({exc})"
    return str(exc)


def start_live(
    app: App, store: Store, say: Callable[[str], None], problem: Callable[[str], None]
) -> Watcher | None:
    """Team store: move its network work off the UI thread and start the watcher.

    None for a TinyDB store. From here on the UI thread only reads what the store
    keeps; the store's network thread sends edits (queued while the server is away)
    and fetches articles, and hands results back through `LiveUpdate` messages.
    """
    if not isinstance(store, PostgresStore):
        return None
    corpus = getattr(getattr(app, "workspace", None), "corpus", None)

    def title_of(article_id: str) -> str | None:
        article = corpus.get(article_id) if corpus is not None else None
        return article.title if article is not None else None

    def hand_over(fn: Callable[[], object]) -> None:  # on the network or watcher thread
        # post_message is thread-safe and does not wait: no thread waits for the UI.
        app.post_message(LiveUpdate(fn))

    def status(status: str) -> None:  # on the UI thread
        if status == "reconnected":
            if not store.offline:
                return  # the network thread was back first and said what it saved
            store.flush()  # wakes the network thread: it says what it saved
        elif status == "reconnecting…":
            store.offline = True  # reads fail at once, edits queue, until it is back
        say(status)

    def take(remote: RemoteChange) -> None:  # on the UI thread
        store.apply_remote(remote)
        if remote.label != "reconnected":
            say(describe(remote, title_of))

    store.background(hand_over, status, problem)
    return store.watch(
        lambda remote: hand_over(lambda: take(remote)), lambda s: hand_over(lambda: status(s))
    )


class LiveUpdate(Message):
    """Run `fn` on the UI thread (the app's `on_live_update`)."""

    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__()
        self.fn = fn
