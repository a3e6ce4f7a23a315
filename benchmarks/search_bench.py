"""Search benchmark: our index against the naive rapidfuzz scan, on the synthetic corpus.

    python -m benchmarks.search_bench --n 1000
    python -m benchmarks.search_bench --n 10000 --naive-queries 20

Reports index build time, cache save/load time, query latency (median, p95), peak memory,
recall@1/@5 of the planted passages, and the same for the naive baseline
`process.extract(query, article_texts, scorer=fuzz.partial_ratio, limit=5)`.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process

from annotations.corpus import article_from_text
from annotations.search.engine import SearchIndex
from benchmarks.corpus_gen import Planted, _typo, generate_with_targets


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _hit(p: Planted, article_id: str, start: int | None = None, end: int | None = None) -> bool:
    if article_id != p.article_id:
        return False
    return start is None or (start < p.end and p.start < end)


def run(n: int, seed: int, naive_queries: int) -> dict[str, float]:
    t = time.perf_counter()
    docs, plants = generate_with_targets(n, seed)
    articles = [article_from_text(i, Path("synthetic") / i, text) for i, text in docs]
    gen_s = time.perf_counter() - t
    words = sum(len(a.text.split()) for a in articles) / len(articles)
    print(
        f"corpus: {n} articles, {words:.0f} words each on average, {len(plants)} planted targets, generated in {gen_s:.1f}s"
    )

    gc.collect()
    rss0 = _rss_mb()
    t = time.perf_counter()
    index = SearchIndex.build(articles)
    build_s = time.perf_counter() - t
    rss1 = _rss_mb()

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        SearchIndex.cached(articles, tmp)  # builds and saves
        first_s = time.perf_counter() - t
        size_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        t = time.perf_counter()
        loaded = SearchIndex.cached(articles, tmp)
        load_s = time.perf_counter() - t
    assert loaded.passage_count == index.passage_count

    latencies: list[float] = []
    r1 = r5 = r1_span = 0
    for p in plants:
        t = time.perf_counter()
        results = index.search(p.query, limit=5)
        latencies.append((time.perf_counter() - t) * 1000)
        r1 += bool(results) and _hit(p, results[0].article_id)
        r1_span += bool(results) and _hit(
            p, results[0].article_id, results[0].start, results[0].end
        )
        r5 += any(_hit(p, r.article_id) for r in results)
    rss2 = _rss_mb()

    # Everyday queries: 2-5 word windows of random articles, one typo in half of them.
    rng = random.Random(seed + 1)
    sampled: list[str] = []
    while len(sampled) < 100:
        words = rng.choice(articles).text.split()
        k = rng.randint(2, 5)
        i = rng.randrange(max(1, len(words) - k))
        query = " ".join(words[i : i + k])
        if rng.random() < 0.5:
            query = " ".join(
                _typo(rng, w) if len(w) >= 5 and rng.random() < 0.5 else w for w in query.split()
            )
        sampled.append(query)
    everyday: list[float] = []
    answered = 0
    for query in sampled:
        t = time.perf_counter()
        answered += bool(index.search(query, limit=20))
        everyday.append((time.perf_counter() - t) * 1000)

    subset = plants[:: max(1, len(plants) // naive_queries)][:naive_queries]
    texts = [a.text for a in articles]
    ids = [a.id for a in articles]
    naive_lat: list[float] = []
    n1 = n5 = o1 = o5 = 0
    for p in subset:
        t = time.perf_counter()
        found = process.extract(p.query, texts, scorer=fuzz.partial_ratio, limit=5)
        naive_lat.append((time.perf_counter() - t) * 1000)
        n1 += bool(found) and ids[found[0][2]] == p.article_id
        n5 += any(ids[f[2]] == p.article_id for f in found)
        ours = index.search(p.query, limit=5)
        o1 += bool(ours) and ours[0].article_id == p.article_id
        o5 += any(r.article_id == p.article_id for r in ours)

    med, p95 = statistics.median(latencies), _pct(latencies, 0.95)
    naive_med = statistics.median(naive_lat)
    ratio = naive_med / med
    k, m = len(plants), len(subset)
    rows = [
        (
            "index build",
            f"{build_s:.2f} s",
            "< 3 s" if n >= 10000 else "(< 3 s at 10k)",
            build_s < 3 or n < 10000,
        ),
        ("first run: build + save cache", f"{first_s:.2f} s ({size_mb:.0f} MB file)", "", True),
        ("restart: load cache", f"{load_s * 1000:.0f} ms", "no rebuild", load_s < build_s),
        ("planted query median", f"{med:.1f} ms", "< 50 ms", med < 50),
        ("planted query p95", f"{p95:.1f} ms", "< 100 ms", p95 < 100),
        (
            "everyday queries median / p95",
            f"{statistics.median(everyday):.1f} / {_pct(everyday, 0.95):.1f} ms ({answered}/100 answered)",
            "< 50 / < 100 ms",
            statistics.median(everyday) < 50 and _pct(everyday, 0.95) < 100,
        ),
        (
            "peak RSS: after build / at end",
            f"{rss1:.0f} / {rss2:.0f} MB (+{rss1 - rss0:.0f} MB build)",
            "",
            True,
        ),
        (
            "recall@1 (article / span)",
            f"{r1 / k:.2f} / {r1_span / k:.2f}  ({k} queries)",
            ">= naive",
            o1 >= n1,
        ),
        ("recall@5 (article)", f"{r5 / k:.2f}", "", True),
        (
            "naive median / p95",
            f"{naive_med:.0f} / {_pct(naive_lat, 0.95):.0f} ms  ({m} queries)",
            "",
            True,
        ),
        ("naive recall@1 / @5", f"{n1 / m:.2f} / {n5 / m:.2f}", "", True),
        (
            "ours on the same queries @1 / @5",
            f"{o1 / m:.2f} / {o5 / m:.2f}",
            ">= naive",
            o1 >= n1 and o5 >= n5,
        ),
        ("speed-up over naive (median)", f"{ratio:.0f}x", ">= 10x", ratio >= 10),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"\nsearch benchmark, N={n} (seed {seed})")
    print(f"{'measure':<{w0}}  {'value':<{w1}}  {'target':<15} ok")
    print(f"{'-' * w0}  {'-' * w1}  {'-' * 15} --")
    for name, value, target, ok in rows:
        mark = "yes" if ok else ("NO" if target else "")
        print(f"{name:<{w0}}  {value:<{w1}}  {target:<15} {mark}")
    return {"build_s": build_s, "load_s": load_s, "median_ms": med, "p95_ms": p95, "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=1000, help="articles (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=None,
        help="queries for the slow baseline (default 100 at N<=2000, else 20)",
    )
    args = parser.parse_args(argv)
    naive = args.naive_queries or (100 if args.n <= 2000 else 20)
    run(args.n, args.seed, naive)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
