"""Team mode under faults: the server dropping connections (as in a restart), queued edits
applied exactly once, a client killed mid-transaction, and live notifications.

The server is not really restarted (other test runs share it): its side of a restart,
the connections closing, is done with `pg_terminate_backend`, and "still down" by
pointing the client at a closed port.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from annotations.corpus import load_corpus
from annotations.store.errors import StaleEditError, StoreError
from annotations.store.postgres import PostgresStore, RemoteChange, TeamUrl
from tests.helpers.paths import ROOT
from tests.helpers.pg import ADMIN_URL, new_schema_url

E, D = "energy", "digital economy"
ART = load_corpus().articles[0]


@pytest.fixture
def url(pg_database) -> str:
    return new_schema_url(pg_database)


def terminate(*pids: int) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def server_down(store: PostgresStore) -> TeamUrl:
    """Drop the store's connection and make reconnecting fail; returns the real URL."""
    real = store.url
    terminate(store.conn.info.backend_pid)
    store.url = replace(real, conninfo="postgresql://postgres@127.0.0.1:1/none")
    return real


def test_edits_made_while_the_server_is_away_are_queued_and_applied_once(url):
    with PostgresStore(url, author="alice") as alice, PostgresStore(url, author="bob") as bob:
        alice.queue_when_offline = True
        first = alice.tag(ART, 0, 20, [E])
        real = server_down(alice)
        second = alice.tag(ART, 30, 50, [D])
        alice.set_note(first.id, "while away")
        assert alice.pending == 2
        # Shown to alice meanwhile (her reader reads the cache), not yet on the server.
        assert [a.id for a in alice.for_article(ART.id)] == [first.id, second.id]
        assert second.id not in bob and bob.get(first.id).note == ""
        with pytest.raises(StoreError):
            alice.flush()  # still down: nothing lost, still queued
        assert alice.pending == 2
        alice.url = real  # the server is back
        assert alice.flush() == 2 and alice.pending == 0
        bob.forget()  # bob's reader would hear of it live; here, read afresh
        assert bob.get(second.id) == second and bob.get(first.id).note == "while away"
        assert alice.flush() == 0
        assert len(bob) == 2


def test_a_change_that_committed_before_the_connection_dropped_is_not_applied_twice(url):
    with PostgresStore(url, author="alice") as alice, PostgresStore(url) as other:
        alice.queue_when_offline = True
        alice.for_article(ART.id)  # the article open in her reader
        real = server_down(alice)
        tagged = alice.tag(ART, 0, 20, [E])  # queued: did it reach the server? unknown
        other.put_many([tagged], undoable=False)  # as if it had, and only the reply was lost
        alice.url = real
        assert alice.flush() == 1  # found already applied: counted as done, no error
        assert len(other) == 1 and other.get(tagged.id) == tagged


def test_a_command_fails_instead_of_queueing(url):
    with PostgresStore(url) as store:
        server_down(store)
        with pytest.raises(StoreError, match="cannot connect"):
            store.tag(ART, 0, 20, [E])
        assert store.pending == 0


def test_a_client_killed_mid_transaction_leaves_nothing_half_written(url):
    script = textwrap.dedent(
        f"""
        import sys, time
        from annotations.corpus import load_corpus
        from annotations.model import Annotation
        from annotations.store.postgres import PostgresStore

        art = load_corpus().articles[0]
        store = PostgresStore({url!r})
        def stall(*args):  # every row is written, the transaction not yet committed
            print("ready", flush=True)
            time.sleep(120)
        store._notify = stall
        anns = [
            Annotation.create(article_id=art.id, text=art.text, sha256=art.sha256,
                              start=i, end=i + 10, themes=["energy"], id=f"k{{i}}")
            for i in range(2000)
        ]
        store.put_many(anns)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    with PostgresStore(url) as store:
        assert len(store) == 0 and store.article_ids() == []
        store._sql("SET lock_timeout = '20s'")  # no row stays locked by the dead client
        store.tag(ART, 0, 10, [E], id="k0")
        assert len(store) == 1


def test_the_watcher_reports_others_changes_and_reconnects(url):
    changes: queue.Queue[RemoteChange] = queue.Queue()
    statuses: queue.Queue[str] = queue.Queue()
    with PostgresStore(url, author="alice") as alice, PostgresStore(url, author="bob") as bob:
        before = len(alice)
        watcher = alice.watch(changes.put, statuses.put)
        try:
            assert watcher.connected.wait(20)
            alice.tag(ART, 50, 60, [D])  # her own: not news
            tagged = bob.tag(ART, 0, 20, [E])
            remote = changes.get(timeout=20)
            assert (remote.author, remote.label, remote.articles) == ("bob", f"tag {E}", [ART.id])
            heard = []
            alice.subscribe(heard.append)
            alice.apply_remote(remote)  # no network: the rows came with the change
            assert tagged in alice.for_article(ART.id) and len(alice) == before + 2
            assert heard and ART.id in heard[0].articles
            assert changes.empty()
            # The server drops the watcher's connection: it says so and comes back.
            terminate(watcher.backend_pid)
            assert statuses.get(timeout=20) == "reconnecting…"
            assert statuses.get(timeout=20) == "reconnected"
            assert changes.get(timeout=20).articles is None  # missed meanwhile: reload all
        finally:
            watcher.stop()
            watcher.join(timeout=5)


def _reader_mode(store: PostgresStore) -> list:
    """Reader mode with the UI thread's deliveries kept in a list (run by hand here)."""
    delivered: list = []
    store.background(delivered.append)
    return delivered


def test_closing_a_reader_sends_its_queue_or_keeps_it_pending(url):
    with PostgresStore(url, author="bob") as bob:
        alice = PostgresStore(url, author="alice")
        delivered = _reader_mode(alice)
        real = server_down(alice)
        alice.tag(ART, 0, 20, [E])  # shown and queued: the network thread cannot send it
        assert alice.pending == 1
        alice.url = real  # back just as the reader closes: the last try sends it
        alice.close()
        assert alice.pending == 0 and len(bob) == 1
        assert delivered  # (what the UI thread would have run)

        carol = PostgresStore(url, author="carol")
        _reader_mode(carol)
        server_down(carol)
        carol.tag(ART, 30, 40, [E])
        carol.close()  # still away: not lost silently, still counted
        assert carol.pending == 1
        bob.forget()
        assert len({a.author for a in bob.all()}) == 1


def test_a_refused_undo_is_dropped_from_the_history_and_said_so(url):
    """Undo overtaken by another analyst's edit: refused, and the entry leaves the
    history (trying it again would only be refused again); the rest stays."""
    with PostgresStore(url, author="alice") as alice, PostgresStore(url, author="bob") as bob:
        first = alice.tag(ART, 0, 20, [E])
        alice.tag(ART, 30, 40, [D])
        alice.undo()  # the second tag: nothing in the way
        assert alice.can_redo
        bob.set_note(first.id, "bob's note")
        with pytest.raises(StaleEditError, match=r"could not undo tag energy: .*dropped"):
            alice.undo()
        # The refused entry is gone; the undone second tag can still be redone.
        assert not alice.can_undo and alice.redo() == f"tag {D}"
        assert alice.can_undo and not alice.can_redo
        assert bob.get(first.id).note == "bob's note"


def test_a_refused_undo_in_a_reader_leaves_the_stacks_consistent(url):
    """Reader mode: the undo is shown at once and queued; the server refuses it later.
    The entry is dropped (not left on the redo stack), the fresh state shown."""
    with PostgresStore(url, author="bob") as bob:
        alice = PostgresStore(url, author="alice")
        problems: list[str] = []
        delivered: queue.Queue = queue.Queue()
        alice.background(delivered.put, on_problem=problems.append)
        try:
            alice.for_article(ART.id)  # the open article (fetched on the network thread)
            delivered.get(timeout=20)()
            first = alice.tag(ART, 0, 20, [E])
            while alice.pending:  # sent by the network thread
                delivered.get(timeout=20)()
            bob.set_note(first.id, "bob's note")
            assert alice.undo() == "tag energy"
            assert [a.id for a in alice.for_article(ART.id)] == []  # shown at once
            assert alice.can_redo and not alice.can_undo
            while not problems:
                delivered.get(timeout=20)()
            assert problems[0].startswith("could not undo tag energy: ")
            assert "dropped from the undo history" in problems[0]
            assert not alice.can_undo and not alice.can_redo
            # The server's state is shown: bob's version, not the optimistic undo.
            assert [a.note for a in alice.for_article(ART.id)] == ["bob's note"]
        finally:
            alice.close()
        assert [a.note for a in bob.for_article(ART.id)] == ["bob's note"]
