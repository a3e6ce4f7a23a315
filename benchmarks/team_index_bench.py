"""Team mode: the client search index built from the database's articles, texts read in
batches (`engine.TEXT_BATCH`, one query each) against one query per article.

`python -m benchmarks.team_index_bench [--articles N]` against the local server (`--url`,
default `$TAGLINE_TEST_PG` or postgresql://postgres@127.0.0.1/postgres), in a private
database it creates and drops. Each build runs twice, alternating, into a fresh cache.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from annotations.search import engine
from annotations.store.postgres import init_schema
from annotations.workspace import open_workspace
from benchmarks.harness import print_header
from benchmarks.team_bench import _db_url, _load, fill


def build_once(url: str, batch: int) -> float:
    engine.TEXT_BATCH = batch
    ws = open_workspace(db_path=url, author="alice")
    try:
        with tempfile.TemporaryDirectory(prefix="team_index_bench_") as tmp:
            t0 = time.perf_counter()
            engine.SearchIndex.cached(ws.corpus.articles, Path(tmp))
            return time.perf_counter() - t0
    finally:
        ws.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("TAGLINE_TEST_PG", "postgresql://postgres@127.0.0.1/postgres")
    ap.add_argument("--url", default=default, help="a server where we may create a database")
    ap.add_argument("--articles", type=int, default=10_000)
    args = ap.parse_args()
    print_header("benchmarks.team_index_bench")
    import psycopg

    try:
        admin = psycopg.connect(args.url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"no PostgreSQL server at {args.url}: skipped ({str(exc).splitlines()[0]})")
        return 0
    name = f"tagline_bench_{os.getpid()}_{uuid.uuid4().hex[:4]}"
    admin.execute(f"CREATE DATABASE {name}")
    batch = engine.TEXT_BATCH
    try:
        url = _db_url(args.url, name) + f"?schema=b{uuid.uuid4().hex[:8]}"
        init_schema(url)
        fill(url, args.articles, 1000, prose=True)
        for size in (1, batch, 1, batch):
            seconds = build_once(url, size)
            what = "one query per article" if size == 1 else f"{size} texts per query"
            print(
                f"client index over {args.articles} team articles, {what}: "
                f"{seconds:.2f} s ({_load()})",
                flush=True,
            )
    finally:
        engine.TEXT_BATCH = batch
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
