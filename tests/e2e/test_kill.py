"""SIGKILL at random points during rapid writes: the store always opens and holds
exactly the writes that completed (at most the one in flight may be extra)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.model import Annotation
from annotations.store.journal import StoreLockedError
from annotations.store.tinydb_store import AnnotationStore

KILLS = 200


def _corpus() -> Corpus:
    rng = random.Random(7)
    words = [
        "oil",
        "gas",
        "pipeline",
        "arctic",
        "route",
        "digital",
        "economy",
        "cooperation",
        "trade",
        "energy",
    ]
    return Corpus(
        article_from_text(
            f"a{i:02d}.txt", Path(f"a{i:02d}.txt"), " ".join(rng.choices(words, k=400))
        )
        for i in range(20)
    )


def _writer(path: Path, corpus: Corpus, ack_fd: int, seed: int) -> None:
    """Child: tag, retag, rename and compact as fast as possible, acking each durable write."""
    rng = random.Random(seed)
    store = AnnotationStore(path, wait=5)
    n = 0
    while True:
        n += 1
        art = rng.choice(corpus.articles)
        start = rng.randrange(0, len(art.text) - 40)
        ann = store.tag(art, start, start + rng.randrange(1, 40), ["energy"])
        os.write(ack_fd, (json.dumps(["tag", ann.id]) + "\n").encode())
        if n % 5 == 0:
            store.set_themes(ann.id, [*ann.themes, "Arctic route"])
            os.write(ack_fd, (json.dumps(["retag", ann.id]) + "\n").encode())
        if n % 17 == 0:
            # A rename across many annotations: one record, all or nothing.
            name = store.codebook.by_hotkey("1").name
            store.rename_theme(name, "energy" if name != "energy" else "Energy")
            os.write(ack_fd, (json.dumps(["rename", name]) + "\n").encode())
        if n % 11 == 0:
            store.compact()
        if n % 13 == 0:
            # An import: many annotations in one all-or-nothing write.
            batch = [
                Annotation.create(
                    article_id=art.id,
                    text=art.text,
                    sha256=art.sha256,
                    start=s,
                    end=s + 5,
                    themes=["energy"],
                )
                for s in rng.sample(range(len(art.text) - 5), 8)
            ]
            store.put_many(batch)
            os.write(ack_fd, (json.dumps(["import", [a.id for a in batch]]) + "\n").encode())


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_random_sigkill_never_loses_a_completed_write(tmp_path):
    corpus = _corpus()
    path = tmp_path / "db.json"
    rng = random.Random(1)
    acked_tags: set[str] = set()
    retagged: set[str] = set()
    unacked: set[str] = set()
    imported: list[set[str]] = []
    for kill in range(KILLS):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            os.close(r)
            try:
                _writer(path, corpus, w, seed=kill)
            finally:
                os._exit(0)
        os.close(w)
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acks = b""
        while chunk := os.read(r, 65536):
            acks += chunk
        os.close(r)
        for line in acks.decode().splitlines():
            kind, value = json.loads(line)
            if kind == "tag":
                acked_tags.add(value)
            elif kind == "retag":
                retagged.add(value)
            elif kind == "import":
                imported.append(set(value))
        # Every kill point must leave a store that opens (recovering the journal).
        with AnnotationStore(path) as store:
            stored = {a.id: a for a in store.all()}
            assert acked_tags <= stored.keys(), f"kill {kill}: completed writes lost"
            for batch in imported:
                assert batch <= stored.keys(), f"kill {kill}: a completed import lost"
            acked = acked_tags.union(*imported)
            # The write in flight at the kill may have become durable before its ack:
            # one tag, or one whole import (never part of one).
            extra = stored.keys() - acked - unacked
            assert len(extra) <= 1 or len(extra) == 8, f"kill {kill}: writes appeared from nowhere"
            unacked |= extra
            hot = store.codebook.by_hotkey("1").name
            for ann_id in retagged - unacked:
                assert set(stored[ann_id].themes) == {hot, "Arctic route"}
            for ann in stored.values():
                # A rename is all or nothing: no annotation keeps the old name.
                assert ann.themes[0] == hot
    assert len(acked_tags) > KILLS  # the writer really got work done between kills


def _run_and_kill(path: Path, corpus: Corpus, seed: int, delay: float) -> list[tuple[str, object]]:
    """Fork a writer, SIGKILL it after `delay`, return its acks."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(r)
        try:
            _writer(path, corpus, w, seed=seed)
        finally:
            os._exit(0)
    os.close(w)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    acks = b""
    while chunk := os.read(r, 65536):
        acks += chunk
    os.close(r)
    return [tuple(json.loads(line)) for line in acks.decode().splitlines()]


def _acked_ids(acks) -> set[str]:
    out: set[str] = set()
    for kind, value in acks:
        if kind == "tag":
            out.add(value)
        elif kind == "import":
            out.update(value)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_after_a_backup_is_restored_beside_the_journal(tmp_path):
    """A backup copied over db.json while db.json.journal stays: every later kill still
    leaves a store that opens with every write confirmed since the restore."""
    corpus = _corpus()
    path = tmp_path / "db.json"
    rng = random.Random(3)
    with AnnotationStore(path) as store:
        store.tag(corpus.articles[0], 0, 5, ["energy"])
    backup = tmp_path / "backup.json"
    shutil.copy(path, backup)
    for round_ in range(4):
        _run_and_kill(path, corpus, seed=1000 + round_, delay=rng.uniform(0.05, 0.15))
        shutil.copy(backup, path)  # restore; the journal of later generations stays
        confirmed: set[str] = set()
        for kill in range(10):
            acks = _run_and_kill(path, corpus, seed=round_ * 100 + kill, delay=rng.uniform(0, 0.06))
            confirmed |= _acked_ids(acks)
            with AnnotationStore(path) as store:  # never "cannot open"
                stored = {a.id for a in store.all()}
            assert confirmed <= stored, f"round {round_}, kill {kill}: confirmed writes lost"
    assert list(tmp_path.glob("db.json.journal.set-aside-*"))  # set aside, never dropped


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_deleting_the_lock_file_never_lets_a_second_writer_in(tmp_path):
    corpus = _corpus()
    path = tmp_path / "db.json"
    confirmed: set[str] = set()
    for kill in range(20):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            os.close(r)
            try:
                _writer(path, corpus, w, seed=5000 + kill)
            finally:
                os._exit(0)
        os.close(w)
        acks = os.read(r, 65536)  # the writer has the store open and has written
        path.with_name("db.json.lock").unlink(missing_ok=True)
        with pytest.raises(StoreLockedError):
            AnnotationStore(path)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(r, 65536):
            acks += chunk
        os.close(r)
        lines = acks.decode().splitlines()
        # The last line may be cut by the kill mid-ack: only whole acks count.
        whole = lines if acks.endswith(b"\n") else lines[:-1]
        confirmed |= _acked_ids(tuple(json.loads(line)) for line in whole)
        with AnnotationStore(path) as store:
            assert confirmed <= {a.id for a in store.all()}, f"kill {kill}: confirmed writes lost"
