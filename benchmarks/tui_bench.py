"""TUI figures: startup with 10,000 articles, filtering, and opening a 1 MB annotated article.

Run: python -m benchmarks.tui_bench   (prints seconds; no assertions)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from annotations.corpus import Corpus, article_from_text
from annotations.store.tinydb_store import AnnotationStore
from annotations.workspace import Workspace
from benchmarks import corpus_gen
from benchmarks.harness import percentile, print_header
from tui.app import TaglineApp
from tui.screens.main import MainScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.reader import Reader


def _time_frames(screen) -> list[float]:
    """Milliseconds each compositor refresh of `screen` takes from now on: one frame's
    work (layout, render, output), without the test harness's waiting."""
    frames: list[float] = []
    refresh = screen._compositor_refresh

    def timed() -> None:
        t0 = time.perf_counter()
        refresh()
        frames.append((time.perf_counter() - t0) * 1000)

    screen._compositor_refresh = timed
    return frames


async def measure(n_articles: int, big_chars: int, n_big_annotations: int) -> None:
    rng = random.Random(1)
    big = Corpus(corpus_gen.articles(n_articles, targets=0))
    with tempfile.TemporaryDirectory() as tmp:
        store = AnnotationStore(Path(tmp) / "db.json", author="bench")
        app = TaglineApp(Workspace(big, store, []))
        t0 = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            print(f"start, {n_articles:,} articles: {time.perf_counter() - t0:.2f} s")
            screen = app.screen
            assert isinstance(screen, MainScreen)
            articles = screen.query_one(ArticleList)
            t0 = time.perf_counter()
            articles.filter("title 123 pipeline")
            print(f"filter {n_articles:,} titles: {(time.perf_counter() - t0) * 1000:.0f} ms")
        store.close()

        one = article_from_text("big.txt", Path("big.txt"), corpus_gen.long_text(big_chars))
        store = AnnotationStore(Path(tmp) / "db2.json", author="bench")
        spans = []
        for _ in range(n_big_annotations):
            s = rng.randrange(0, len(one.text) - 300)
            spans.append((s, s + rng.randint(20, 300)))
        from annotations.model import Annotation

        store.put_many(
            Annotation.create(
                article_id=one.id,
                text=one.text,
                sha256=one.sha256,
                start=s,
                end=e,
                themes=[rng.choice(["energy", "digital economy", "Arctic route"])],
                note="",
                author="bench",
            )
            for s, e in spans
        )
        app = TaglineApp(Workspace(Corpus([one]), store, []))
        t0 = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            print(
                f"start + open a {len(one.text) / 1e6:.1f} MB article with {n_big_annotations:,} "
                f"annotations: {time.perf_counter() - t0:.2f} s"
            )
            screen = app.screen
            reader = screen.query_one(Reader)
            frames = _time_frames(screen)
            pages, cpu = [], []
            for _ in range(20):
                t0, c0 = time.perf_counter(), time.process_time()
                reader.scroll_page_down(animate=False)
                await pilot.pause()
                pages.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            print(
                f"20 page-downs: median {percentile(pages, 50):.1f} ms, "
                f"worst {max(pages):.1f} ms per page (key to screen, with Pilot's own waiting)"
            )
            print(
                f"  CPU per page-down: median {percentile(cpu, 50):.1f} ms, worst {max(cpu):.1f} ms"
                " (target < 16 ms: one frame)"
            )
            print(
                f"  frames drawn: {len(frames)}, median {percentile(frames, 50):.1f} ms, "
                f"worst {max(frames, default=float('nan')):.1f} ms (target: none over 50 ms)"
            )
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 articles, a 100 kB article")
    args = ap.parse_args()
    print_header("benchmarks.tui_bench")
    if args.quick:
        asyncio.run(measure(1_000, 100_000, 200))
    else:
        asyncio.run(measure(10_000, 1_000_000, 2_000))


if __name__ == "__main__":
    main()
