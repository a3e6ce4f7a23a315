"""Where the embedded store stops: opening, checking and compacting TinyDB at scale.

Writes a store of `--articles` × `--per-article` synthetic annotations straight as a
snapshot (as a compaction would write it: checksums and index), then measures, each in
a fresh process: opening read-only (wall, CPU, peak RSS), re-anchoring's hash check
(`article_hashes`), the first change (it builds the id index) and closing with a
compaction.

    python -m benchmarks.store_scale [--articles 100000] [--per-article 10] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.harness import print_header

WORDS = [
    "energy",
    "pipeline",
    "arctic",
    "route",
    "digital",
    "economy",
    "cooperation",
    "trade",
    "port",
    "shipping",
]

CHILD = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from annotations.corpus import Article
from annotations.store.tinydb_store import AnnotationStore
out = {}
s = AnnotationStore(sys.argv[1], author="bench", read_only=sys.argv[2] == "read")
out["open"], out["open_cpu"] = time.perf_counter() - t0, time.process_time() - c0
out["count"] = len(s)
t = time.perf_counter(); s.article_hashes(); out["hashes"] = time.perf_counter() - t
if sys.argv[2] == "write":
    article = Article(s.article_ids()[0], "-", "x" * 4000, "0" * 64, "t")
    t = time.perf_counter(); s.tag(article, 10, 50, ["energy"]); out["first_change"] = time.perf_counter() - t
    t = time.perf_counter(); s.close(); out["close"] = time.perf_counter() - t
else:
    s.close()
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
out["rss_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(out))
"""


def write_store(path: Path, articles: int, per: int, seed: int = 1) -> int:
    """The snapshot of `articles` × `per` annotations; returns its size in bytes."""
    from annotations.store.journal import snapshot_chunks
    from annotations.store.tinydb_store import ARTICLE_PREFIX, _article_index

    rng = random.Random(seed)

    def words(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    tables: dict[str, dict] = {
        "_codebook": {"codebook": {"themes": [{"name": "energy", "color": "#d7875f"}]}}
    }
    for a in range(articles):
        article_id, sha = f"{a:06d}.txt", f"{rng.getrandbits(256):064x}"
        table = {}
        for k in range(per):
            ann_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            start = rng.randrange(0, 3000)
            end = start + rng.randrange(20, 200)
            table[ann_id] = {
                "id": ann_id,
                "article_id": article_id,
                "article_sha256": sha,
                "start": start,
                "end": end,
                "exact": words((end - start) // 7),
                "prefix": words(4),
                "suffix": words(4),
                "themes": ["energy"],
                "note": "a short analyst note" if k % 4 == 0 else "",
                "author": "bench",
                "created": "2026-11-24T05:00:00.000Z",
                "updated": "2026-11-24T05:00:00.000Z",
                "status": "anchored",
            }
        tables[ARTICLE_PREFIX + article_id] = table
    meta = {"format": 1, "gen": 1, "id": uuid.uuid4().hex[:16], "prev": None}
    size = 0
    with open(path, "wb") as fh:
        for chunk in snapshot_chunks(tables, meta, _article_index):
            size += fh.write(chunk)
    return size


def _run(db: Path, mode: str) -> dict:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), mode],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--per-article", type=int, default=10)
    ap.add_argument("--folder", type=Path, help="keep (and reuse) the store here")
    args = ap.parse_args()
    print_header("benchmarks.store_scale")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"scale-{args.articles}x{args.per_article}.json"
        if not db.exists():
            t = time.perf_counter()
            size = write_store(db, args.articles, args.per_article)
            print(f"# wrote {size / 1e6:.0f} MB in {time.perf_counter() - t:.0f} s")
        size_mb = db.stat().st_size / 1e6
        reader = _run(db, "read")
        work = folder / "work.json"
        work.write_bytes(db.read_bytes())
        writer = _run(work, "write")
        for leftover in folder.glob("work.json*"):
            leftover.unlink()
    n = reader["count"]
    print(f"\nTinyDB store at {n:,} annotations ({args.articles:,} articles), {size_mb:.0f} MB")
    print(f"{'open read-only: wall / CPU (s)':44} {reader['open']:.2f} / {reader['open_cpu']:.2f}")
    print(f"{'  peak RSS (MB)':44} {reader['rss_mb']:.0f}")
    print(f"{'re-anchoring hash check (s)':44} {reader['hashes']:.2f}")
    print(f"{'open for writing (s)':44} {writer['open']:.2f}")
    print(f"{'first change (s)':44} {writer['first_change']:.2f}")
    print(f"{'close with compaction (s)':44} {writer['close']:.2f}")
    print(f"{'  peak RSS while writing (MB)':44} {writer['rss_mb']:.0f}")
    print("stretch target: 100,000 articles + 1,000,000 annotations open in < 3 s")


if __name__ == "__main__":
    main()
