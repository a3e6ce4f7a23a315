"""Store benchmark: durable tagging, load and export at 1,000 / 100,000 annotations.

Compares Tagline's journaled per-article TinyDB store with stock TinyDB
`JSONStorage` (one table, rewritten on every insert) on the same data.

    python -m benchmarks.store_bench            # 1,000 and 100,000 annotations
    python -m benchmarks.store_bench --quick    # 1,000 and 10,000
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from annotations.corpus import Corpus
from annotations.formats import ExportContext, get_format
from annotations.model import Annotation
from annotations.session import AnnotatingSession
from annotations.store.tinydb_store import AnnotationStore
from benchmarks import corpus_gen
from benchmarks.harness import percentile, print_header


def make_corpus(n_articles: int, seed: int = 0) -> Corpus:
    return Corpus(corpus_gen.articles(n_articles, seed=seed, targets=0))


def make_annotations(corpus: Corpus, n: int, seed: int = 1) -> list[Annotation]:
    return corpus_gen.synthetic_annotations(corpus.articles, n, seed=seed)


pct = percentile


def bench_tagline(
    folder: Path, corpus: Corpus, anns: list[Annotation], ops: int
) -> dict[str, float]:
    path = folder / "tagline.json"
    with AnnotationStore(path, author="bench") as store:
        store.put_many(anns, undoable=False)
    t0 = time.perf_counter()
    store = AnnotationStore(path, author="bench")
    load = time.perf_counter() - t0
    rng = random.Random(5)
    times = []
    session = AnnotatingSession(store, corpus)
    for _ in range(ops):
        art = rng.choice(corpus.articles)
        start = rng.randrange(0, len(art.text) - 50)
        session.article = art
        t = time.perf_counter()
        session.toggle((start, start + 30), start + 30, "energy")
        times.append(time.perf_counter() - t)
    # Switching articles: the per-article view the reader asks for.
    switch = []
    for art in rng.sample(corpus.articles, min(200, len(corpus))):
        t = time.perf_counter()
        store.for_article(art.id)
        store.theme_counts(art.id)
        switch.append(time.perf_counter() - t)
    jsonl = get_format("jsonl")
    ctx = ExportContext(corpus, store.codebook)
    t = time.perf_counter()
    count = jsonl.writer(store.all(), _CountingSink(), ctx)
    export = time.perf_counter() - t
    # Memory separately: tracemalloc slows every allocation several-fold.
    store.close()
    store = AnnotationStore(path, author="bench", read_only=True)
    # Tables are parsed when first read; read them all first, so the figure is what the
    # export itself holds (it streams), not the store's own parsed tables.
    for _ in store.all():
        pass
    tracemalloc.start()
    jsonl.writer(store.all(), _CountingSink(), ctx)
    _, export_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    return {
        "median": statistics.median(times),
        "p95": pct(times, 95),
        "load": load,
        "switch": statistics.median(switch),
        "export": export,
        "export_peak_mb": export_peak / 1e6,
        "exported": count,
    }


class _CountingSink(io.TextIOBase):
    """Throws the export away; we measure producing it, not the disk."""

    def write(self, s: str) -> int:
        return len(s)


def bench_stock(folder: Path, corpus: Corpus, anns: list[Annotation], ops: int) -> dict[str, float]:
    """Stock TinyDB JSONStorage, one table: every insert rewrites the whole file."""
    path = folder / "stock.json"
    db = TinyDB(path, storage=JSONStorage)
    db.insert_multiple(a.to_dict() for a in anns)
    db.close()
    t0 = time.perf_counter()
    db = TinyDB(path, storage=JSONStorage)
    len(db)
    load = time.perf_counter() - t0
    rng = random.Random(5)
    times = []
    for _ in range(ops):
        art = rng.choice(corpus.articles)
        start = rng.randrange(0, len(art.text) - 50)
        ann = Annotation.create(
            article_id=art.id,
            text=art.text,
            sha256=art.sha256,
            start=start,
            end=start + 30,
            themes=["energy"],
        )
        t = time.perf_counter()
        db.insert(ann.to_dict())
        times.append(time.perf_counter() - t)
    db.close()
    return {"median": statistics.median(times), "p95": pct(times, 95), "load": load}


def run(n_anns: int, n_articles: int, ops: int, stock_ops: int) -> dict[str, dict[str, float]]:
    corpus = make_corpus(n_articles)
    anns = make_annotations(corpus, n_anns)
    with tempfile.TemporaryDirectory() as tmp:
        ours = bench_tagline(Path(tmp), corpus, anns, ops)
        stock = bench_stock(Path(tmp), corpus, anns, stock_ops)
    return {"ours": ours, "stock": stock}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="stop at 10,000 annotations")
    args = ap.parse_args()
    print_header("benchmarks.store_bench")
    sizes = [(1_000, 100), (10_000, 1_000) if args.quick else (100_000, 10_000)]
    results = {}
    for n_anns, n_articles in sizes:
        t = time.perf_counter()
        results[n_anns] = run(n_anns, n_articles, ops=300, stock_ops=30 if n_anns <= 10_000 else 8)
        print(
            f"# measured {n_anns:,} annotations / {n_articles:,} articles in {time.perf_counter() - t:.1f}s"
        )
    small, big = results[sizes[0][0]], results[sizes[1][0]]
    ms = 1000
    o, s = big["ours"], big["stock"]
    print()
    print(
        f"Store benchmark, {sizes[1][0]:,} annotations across {sizes[1][1]:,} articles (fsync on, {os.cpu_count()} cores)"
    )
    print(f"{'figure':44} {'tagline':>10} {'stock TinyDB':>13} {'ratio':>8}  target")
    print(
        f"{'tag a passage, durable: median (ms)':44} {o['median'] * ms:10.2f} {s['median'] * ms:13.1f} {s['median'] / o['median']:7.0f}x  < 10 ms, >= 50x"
    )
    print(
        f"{'tag a passage, durable: p95 (ms)':44} {o['p95'] * ms:10.2f} {s['p95'] * ms:13.1f} {s['p95'] / o['p95']:7.0f}x  < 25 ms"
    )
    flat = o["median"] / small["ours"]["median"]
    print(
        f"{'flatness: median at max / median at 1,000':44} {flat:10.2f} {s['median'] / small['stock']['median']:13.1f} {'':8}  < 2x"
    )
    print(
        f"{'open the store (s)':44} {o['load']:10.2f} {s['load']:13.2f} {s['load'] / o['load']:7.1f}x"
    )
    print(
        f"{'switch article: annotations + counts (ms)':44} {o['switch'] * ms:10.3f} {'':13} {'':8}  < 50 ms"
    )
    print(f"{'export all to native JSONL (s)':44} {o['export']:10.2f} {'':13} {'':8}  < 2 s")
    print(
        f"{'export peak traced memory, tables read (MB)':44} {o['export_peak_mb']:10.1f} {'':13} {'':8}  flat in count"
    )
    print(f"{'  (at 1,000 annotations: MB)':44} {small['ours']['export_peak_mb']:10.1f}")


if __name__ == "__main__":
    main()
