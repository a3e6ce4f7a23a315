"""Search benchmark: Tagline against SQLite FTS5 and plain tantivy, in one run.

    python -m benchmarks.search_bench                 # quality + 10,000 articles
    python -m benchmarks.search_bench --n 10000 --n 100000
    python -m benchmarks.search_bench --quick         # small, for CI

*Quality*: the judged query set `benchmarks/data/search_queries.jsonl` (keywords in any
order, typos, prefixes, phrases, exclusions, names and numbers, words across adjacent
sentences, Russian, Chinese, and queries that must find nothing) over the seeds plus
`benchmarks/data/search_extra/`, and the planted typo'd phrases of the synthetic corpus
(`benchmarks/corpus_gen.py`). A hit is the judged article with a passage overlapping
the judged text. Reported: recall@1, recall@5, MRR@5, the share of nothing-queries
answered with nothing, and median latency. The peers index sentences:

- SQLite FTS5: `unicode61 remove_diacritics 2`, the query's words OR-ed as prefixes,
  ordered by bm25;
- tantivy: the default tokenizer, each word a fuzzy term query (distance 1, prefix).

The held-out set `benchmarks/data/search_queries_heldout.jsonl` is reported beside it:
written after the ranking rules, before any system was run on it, and not tuned to.

*Speed* at each `--n`: index build (on disk, as the app does), reopen of the unchanged
index, re-index of one changed article (until a search finds the new text, and the
background flush to disk), RSS growth, and query latency (median, p95) over the planted
queries, for Tagline and (build, latency) for the peers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from annotations.corpus import Article, article_from_text, load_corpus
from annotations.search.engine import SearchIndex, passages
from annotations.text.segment import sentences
from benchmarks.corpus_gen import generate_with_targets

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "benchmarks" / "data" / "search_queries.jsonl"
HELDOUT = ROOT / "benchmarks" / "data" / "search_queries_heldout.jsonl"
"""Written after the ranking, before any system was run on it; never tuned to."""
EXTRA = ROOT / "benchmarks" / "data" / "search_extra"

Hit = tuple[str, int, int]  # article id, passage start, passage end


@dataclass(frozen=True)
class Judged:
    query: str
    kind: str
    article: str | None
    spans: tuple[tuple[int, int], ...]  # where the judged text is in the article


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _pct(values: Sequence[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else 0.0


def seed_corpus() -> list[Article]:
    extra = [article_from_text(p.name, p, p.read_text()) for p in sorted(EXTRA.glob("*.txt"))]
    return [*load_corpus(), *extra]


def load_queries(articles: Sequence[Article], path: Path = QUERIES) -> list[Judged]:
    by_id = {a.id: a for a in articles}
    out = []
    for line in path.read_text().splitlines():
        d = json.loads(line)
        spans: list[tuple[int, int]] = []
        if d["article"]:
            text = by_id[d["article"]].text
            i = text.find(d["passage"])
            while i >= 0:
                spans.append((i, i + len(d["passage"])))
                i = text.find(d["passage"], i + 1)
            if not spans:
                raise SystemExit(f"{path}: {d['query']!r}: passage not in {d['article']}")
        out.append(Judged(d["query"], d["kind"], d["article"], tuple(spans)))
    return out


# --------------------------------------------------------------------------- systems


class Tagline:
    name = "Tagline"

    def __init__(self, articles: Sequence[Article], folder: Path | None = None) -> None:
        self.index = SearchIndex.cached(articles, folder) if folder else SearchIndex.build(articles)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return [(r.article_id, r.context_start, r.context_end) for r in self.index.search(query, k)]


def _units(article: Article, unit: str) -> list[tuple[int, int]]:
    return sentences(article.text) if unit == "sentence" else passages(article.text)


_PEER_WORD = re.compile(r"\w+")


def _peer_words(query: str) -> list[str]:
    # The peers get the query's words: no phrases, no exclusions, no filters.
    return _PEER_WORD.findall(query.lower())


class Fts5:
    name = "SQLite FTS5"

    def __init__(self, articles: Sequence[Article], unit: str = "sentence") -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE p USING fts5(a UNINDEXED, s UNINDEXED, e UNINDEXED, body,"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO p VALUES (?, ?, ?, ?)",
            ((a.id, s, e, a.text[s:e]) for a in articles for s, e in _units(a, unit)),
        )
        self.db.commit()

    def search(self, query: str, k: int = 5) -> list[Hit]:
        words = _peer_words(query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"*' for w in words)
        rows = self.db.execute(
            "SELECT a, s, e FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?", (match, k)
        )
        return [(a, s, e) for a, s, e in rows]


class TantivyFuzzy:
    name = "tantivy fuzzy"

    def __init__(self, articles: Sequence[Article], unit: str = "sentence") -> None:
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("body")
        sb.add_unsigned_field("n", fast=True)
        sb.add_unsigned_field("s", fast=True)
        sb.add_unsigned_field("e", fast=True)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer(128_000_000, 2)
        self.ids = [a.id for a in articles]
        for n, a in enumerate(articles):
            for s, e in _units(a, unit):
                doc = tantivy.Document()
                doc.add_text("body", a.text[s:e])
                doc.add_unsigned("n", n)
                doc.add_unsigned("s", s)
                doc.add_unsigned("e", e)
                writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, query: str, k: int = 5) -> list[Hit]:
        words = _peer_words(query)
        if not words:
            return []
        Q = tantivy.Query
        q = Q.boolean_query(
            [
                (tantivy.Occur.Should, Q.fuzzy_term_query(self.schema, "body", w, 1, True, True))
                for w in words
            ]
        )
        hits = self.searcher.search(q, k, count=False).hits
        addrs = [a for _s, a in hits]
        if not addrs:
            return []
        ns = self.searcher.fast_field_values("n", addrs)
        ss = self.searcher.fast_field_values("s", addrs)
        es = self.searcher.fast_field_values("e", addrs)
        return [(self.ids[n], s, e) for n, s, e in zip(ns, ss, es, strict=True)]


# --------------------------------------------------------------------------- quality


def _rank(hits: list[Hit], article: str | None, spans: Sequence[tuple[int, int]]) -> int:
    """1-based rank of the first relevant hit, 0 if none."""
    for i, (a, s, e) in enumerate(hits, 1):
        if a == article and any(js < e and s < je for js, je in spans):
            return i
    return 0


def quality(
    system, judged: Sequence[Judged]
) -> tuple[dict[str, float], list[tuple[Judged, int, int]]]:
    ranks, latencies, empties, details = [], [], [], []
    cpu = time.process_time()
    for j in judged:
        t = time.perf_counter()
        hits = system.search(j.query, 5)
        latencies.append((time.perf_counter() - t) * 1000)
        if j.article is None:
            empties.append(not hits)
            details.append((j, -1, len(hits)))
            continue
        r = _rank(hits, j.article, j.spans)
        ranks.append(r)
        details.append((j, r, len(hits)))
    n = max(1, len(ranks))
    return {
        "r1": sum(r == 1 for r in ranks) / n,
        "r5": sum(r >= 1 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "empty": sum(empties) / len(empties) if empties else float("nan"),
        "median_ms": statistics.median(latencies),
        "cpu_ms": (time.process_time() - cpu) * 1000 / max(1, len(judged)),
        "queries": len(judged),
    }, details


def planted_judged(plants) -> list[Judged]:
    return [Judged(p.query, "planted", p.article_id, ((p.start, p.end),)) for p in plants]


def print_quality(title: str, rows: list[tuple[str, dict[str, float]]]) -> None:
    print(f"\n{title}")
    print(
        f"  {'system':<15} {'recall@1':>8} {'recall@5':>8} {'MRR@5':>6} {'nothing':>8} "
        f"{'median':>8} {'CPU/query':>9}"
    )
    for name, m in rows:
        print(
            f"  {name:<15} {m['r1']:8.3f} {m['r5']:8.3f} {m['mrr']:6.3f} "
            f"{m['empty']:8.2f} {m['median_ms']:6.2f}ms {m['cpu_ms']:7.2f}ms"
        )


# --------------------------------------------------------------------------- speed


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def speed(n: int, peers: bool) -> None:
    t = time.perf_counter()
    docs, plants = generate_with_targets(n, 0)
    articles = [article_from_text(i, Path("synthetic") / i, text) for i, text in docs]
    del docs
    print(
        f"\n{n:,} synthetic articles (generated in {time.perf_counter() - t:.0f}s), "
        f"{len(plants)} planted queries"
    )
    judged = planted_judged(plants)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cache"
        gc.collect()
        rss0 = _rss_mb()
        build_cpu = time.process_time()
        build_s, system = _timed(lambda: Tagline(articles, folder))
        build_cpu = time.process_time() - build_cpu
        rss1 = _rss_mb()
        lat, cpu = [], time.process_time()
        for j in judged:  # first: each query's words are new to the index (cold)
            t = time.perf_counter()
            system.index.search(j.query, 20)
            lat.append((time.perf_counter() - t) * 1000)
        cpu_ms = (time.process_time() - cpu) * 1000 / max(1, len(judged))
        metrics, _ = quality(system, judged)
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
        del system
        gc.collect()
        reopen_s, reopened = _timed(lambda: SearchIndex.cached(articles, folder))
        reopen_cpu = time.process_time()
        SearchIndex.cached(articles, folder)
        reopen_cpu = time.process_time() - reopen_cpu
        warm_s, _ = _timed(reopened.warm)  # the app does this in its worker, after opening
        first_s, _ = _timed(lambda: reopened.search("pipeline", 20))
        reopened.search("walrus summit", 1)  # the vocabulary is loaded, as in the app
        a0 = articles[len(articles) // 2]
        changed = article_from_text(a0.id, a0.path, a0.text + "\nA walrus summit opened.\n")

        def searchable() -> None:
            reopened.update(changed)
            assert reopened.search("walrus summit", 1)[0].article_id == a0.id

        update_s, _ = _timed(searchable)
        flush_s, _ = _timed(reopened.flush)
        assert reopened.search("walrus summit", 1)[0].article_id == a0.id
        print(
            f"  Tagline: build {build_s:.2f}s (CPU {build_cpu:.2f}s; on disk, {size:.0f} MB), reopen {reopen_s * 1000:.0f} ms "
            f"(CPU {reopen_cpu * 1000:.0f} ms), "
            f"then keys and vocabulary loaded {warm_s * 1000:.0f} ms (in the worker), "
            f"first query {first_s * 1000:.0f} ms, re-index one article: "
            f"searchable in {update_s * 1000:.0f} ms (update + the query), on disk "
            f"{flush_s * 1000:.0f} ms later (flush, in the background), RSS +{rss1 - rss0:.0f} MB"
        )
        print(
            f"  Tagline: latency median {statistics.median(lat):.1f} ms, p95 {_pct(lat, 0.95):.1f} ms, "
            f"CPU {cpu_ms:.1f} ms/query (limit 20); planted recall@1 {metrics['r1']:.3f} recall@5 {metrics['r5']:.3f} "
            f"MRR@5 {metrics['mrr']:.3f}"
        )
    if not peers:
        return
    for cls in (Fts5, TantivyFuzzy):
        gc.collect()
        rss0 = _rss_mb()
        build_s, system = _timed(lambda cls=cls: cls(articles, unit="paragraph"))
        rss1 = _rss_mb()
        metrics, _ = quality(system, judged)
        lat, cpu = [], time.process_time()
        for j in judged:
            t = time.perf_counter()
            system.search(j.query, 20)
            lat.append((time.perf_counter() - t) * 1000)
        cpu_ms = (time.process_time() - cpu) * 1000 / max(1, len(judged))
        print(
            f"  {cls.name}: build {build_s:.2f}s (in memory, paragraphs), RSS +{rss1 - rss0:.0f} MB, "
            f"latency median {statistics.median(lat):.1f} ms, p95 {_pct(lat, 0.95):.1f} ms, "
            f"CPU {cpu_ms:.1f} ms/query; "
            f"planted recall@5 {metrics['r5']:.3f} MRR@5 {metrics['mrr']:.3f}"
        )
        del system


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", help="synthetic sizes (default 10000)")
    ap.add_argument("--quick", action="store_true", help="small sizes (CI)")
    ap.add_argument("--no-peers", action="store_true", help="speed: Tagline only")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every missed query")
    args = ap.parse_args(argv)
    sizes = args.n or ([1000] if args.quick else [10000])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"tantivy {tantivy.__version__}, SQLite {sqlite3.sqlite_version}, load {load:.2f} "
        f"({'quiet' if load < 0.5 else 'busy'}), {time.strftime('%Y-%m-%d')}"
    )

    corpus = seed_corpus()
    judged = load_queries(corpus)
    systems = [Tagline(corpus), Fts5(corpus), TantivyFuzzy(corpus)]
    rows = []
    for system in systems:
        metrics, details = quality(system, judged)
        rows.append((system.name, metrics))
        if args.verbose:
            for j, r, count in details:
                if r == 0 or (r == -1 and count):
                    print(f"  {system.name}: miss {j.kind:<9} {j.query!r} (results: {count})")
    print_quality(
        f"Quality: {sum(j.article is not None for j in judged)} judged queries + "
        f"{sum(j.article is None for j in judged)} nothing-queries over the seeds "
        f"and benchmarks/data/search_extra ({len(corpus)} articles)",
        rows,
    )
    heldout = load_queries(corpus, HELDOUT)
    rows = []
    for system in systems:
        metrics, details = quality(system, heldout)
        rows.append((system.name, metrics))
        if args.verbose:
            for j, r, count in details:
                if r != 1 and (r != -1 or count):
                    print(f"  {system.name}: held-out {j.kind:<9} {j.query!r} rank {r} ({count})")
    print_quality(
        f"Quality, held-out set: {sum(j.article is not None for j in heldout)} queries + "
        f"{sum(j.article is None for j in heldout)} nothing-queries "
        f"(benchmarks/data/search_queries_heldout.jsonl, written before running any system "
        f"on it, not tuned to)",
        rows,
    )

    docs, plants = generate_with_targets(300 if args.quick else 1000, 0)
    synthetic = [article_from_text(i, Path("synthetic") / i, text) for i, text in docs]
    planted = planted_judged(plants)
    rows = []
    for cls in (Tagline, Fts5, TantivyFuzzy):
        metrics, _ = quality(cls(synthetic), planted)
        rows.append((cls.name, metrics))
    print_quality(
        f"Quality: {len(planted)} planted typo'd phrases in {len(synthetic):,} synthetic articles",
        rows,
    )

    for n in sizes:
        speed(n, peers=not args.no_peers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
