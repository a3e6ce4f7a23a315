"""Start-up, article switching and memory at 10,000 articles + 100,000 annotations.

Each scenario runs in a fresh process (twice: the first run warms the corpus and
index caches, the second is reported), from `import` to the first usable screen.
The bundled seeds with an empty store are the baseline.

    python -m benchmarks.startup_bench [--articles 10000] [--annotations 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus_gen import write_workspace
from benchmarks.harness import print_header

CHILD = r"""
import json, sys, time, asyncio
t0 = time.perf_counter()
from annotations.workspace import open_workspace
from tui.app import TaglineApp
from tui.widgets.reader import Reader
t_import = time.perf_counter() - t0
corpus = [sys.argv[1]] if sys.argv[1] != "-" else None
ws = open_workspace(corpus, sys.argv[2], author="bench")
t_open = time.perf_counter() - t0
out = {"import": t_import, "open": t_open}

async def main():
    app = TaglineApp(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        out["ready"] = time.perf_counter() - t0
        out["ready_cpu"] = time.process_time()
        screen = app.screen
        # Pilot's own press/pause machinery costs ~100 ms a key whatever the app does,
        # so time the switch itself: open the next article and render the visible lines.
        reader = screen.query_one(Reader)
        ids = [a.id for a in ws.corpus.articles[1:41]]
        switches = []
        for article_id in ids:
            t = time.perf_counter()
            screen.open_article(article_id)
            reader.render_lines(reader.region.reset_offset)
            switches.append(time.perf_counter() - t)
            await pilot.pause()
        switches.sort()
        out["switch_median"] = switches[len(switches) // 2]
        out["switch_max"] = switches[-1]
        out["articles"] = len(ws.corpus)
        out["annotations"] = len(ws.store)

asyncio.run(main())
ws.close()
# VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork + exec.
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
out["peak_rss_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(out))
"""


def _run(corpus: str, db: Path) -> dict[str, float]:
    env = {**os.environ, "TAGLINE_AUTHOR": "bench"}
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, corpus, str(db)],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--annotations", type=int, default=100_000)
    ap.add_argument(
        "--workspace",
        type=Path,
        help="reuse (or create once) the large corpus and store in this folder",
    )
    args = ap.parse_args()
    print_header("benchmarks.startup_bench")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TAGLINE_CACHE"] = str(Path(tmp) / "cache")
        t = time.perf_counter()
        folder = args.workspace or Path(tmp)
        if (folder / "corpus").is_dir() and (folder / "db.json").exists():
            corpus_dir, db = folder / "corpus", folder / "db.json"
            print(f"# reusing the workspace in {folder}")
        else:
            corpus_dir, db = write_workspace(folder, args.articles, args.annotations)
            print(
                f"# built {args.articles:,} articles and {args.annotations:,} annotations "
                f"in {time.perf_counter() - t:.0f}s"
            )
        _run("-", Path(tmp) / "seeds.json")
        seeds = _run("-", Path(tmp) / "seeds.json")
        cold = _run(str(corpus_dir), db)
        big = _run(str(corpus_dir), db)
    print()
    print(f"Start-up benchmark ({os.cpu_count()} cores); times from process start, warm caches")
    print(f"{'figure':46} {'seeds (5, empty)':>17} {'large':>10}  target")
    print(f"{'imports (s)':46} {seeds['import']:17.2f} {big['import']:10.2f}")
    print(f"{'corpus + store open (s)':46} {seeds['open']:17.2f} {big['open']:10.2f}")
    print(
        f"{'first usable screen (s)':46} {seeds['ready']:17.2f} {big['ready']:10.2f}  < 1.0 s warm"
    )
    print(f"{'  ratio large / seeds':46} {'':17} {big['ready'] / seeds['ready']:9.1f}x")
    print(
        f"{'  CPU used by then (s)':46} {seeds['ready_cpu']:17.2f} {big['ready_cpu']:10.2f}"
        "  (load-independent)"
    )
    print(f"{'  first start, cold caches (s)':46} {'':17} {cold['ready']:10.2f}  < 2.5 s")
    print(f"{'    CPU used by then (s)':46} {'':17} {cold['ready_cpu']:10.2f}")
    print(
        f"{'switch article: median (ms)':46} {seeds['switch_median'] * 1000:17.1f} {big['switch_median'] * 1000:10.1f}  < 50 ms"
    )
    print(
        f"{'switch article: worst of 40 (ms)':46} {seeds['switch_max'] * 1000:17.1f} {big['switch_max'] * 1000:10.1f}"
    )
    print(
        f"{'peak memory, RSS (MB)':46} {seeds['peak_rss_mb']:17.0f} {big['peak_rss_mb']:10.0f}  < 300 MB"
    )
    print(
        f"{'articles / annotations':46} {seeds['articles']:>9} / {seeds['annotations']:<5} {big['articles']:>5}/{big['annotations']}"
    )


if __name__ == "__main__":
    main()
