"""SIGKILL at random points during rapid writes: the store always opens and holds
exactly the writes that completed (at most the one in flight may be extra)."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.model import Annotation
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
