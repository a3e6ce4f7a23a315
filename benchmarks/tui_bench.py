"""TUI figures: startup with 10,000 articles, filtering, and opening a 1 MB annotated article.

Run: python -m benchmarks.tui_bench   (prints seconds; no assertions)
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from annotations.corpus import Corpus, article_from_text
from annotations.store.tinydb_store import AnnotationStore
from annotations.workspace import Workspace
from tui.app import TaglineApp
from tui.screens.main import MainScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.reader import Reader

WORDS = [
    "china",
    "russia",
    "energy",
    "gas",
    "pipeline",
    "arctic",
    "route",
    "digital",
    "economy",
    "trade",
    "port",
    "ice",
]


def _text(rng: random.Random, chars: int) -> str:
    out, n = [], 0
    while n < chars:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize() + "."
        out.append(sentence)
        n += len(sentence) + 1
        if rng.random() < 0.2:
            out.append("\n")
    return " ".join(out)


def corpus(n: int, rng: random.Random) -> Corpus:
    return Corpus(
        article_from_text(f"{i:05d}.txt", Path(f"{i:05d}.txt"), f"Title {i} {_text(rng, 600)}")
        for i in range(n)
    )


async def measure() -> None:
    rng = random.Random(1)
    big = corpus(10_000, rng)
    with tempfile.TemporaryDirectory() as tmp:
        store = AnnotationStore(Path(tmp) / "db.json", author="bench")
        app = TaglineApp(Workspace(big, store, []))
        t0 = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            print(f"start, 10,000 articles: {time.perf_counter() - t0:.2f} s")
            screen = app.screen
            assert isinstance(screen, MainScreen)
            articles = screen.query_one(ArticleList)
            t0 = time.perf_counter()
            articles.filter("title 123 pipeline")
            print(f"filter 10,000 titles: {(time.perf_counter() - t0) * 1000:.0f} ms")
        store.close()

        one = article_from_text("big.txt", Path("big.txt"), _text(rng, 1_000_000))
        store = AnnotationStore(Path(tmp) / "db2.json", author="bench")
        spans = []
        for _ in range(2000):
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
                f"start + open a 1 MB article with 2,000 annotations: {time.perf_counter() - t0:.2f} s"
            )
            reader = app.screen.query_one(Reader)
            t0 = time.perf_counter()
            for _ in range(20):
                reader.scroll_page_down(animate=False)
                await pilot.pause()
            print(f"20 page-downs: {(time.perf_counter() - t0) * 1000:.0f} ms")
        store.close()


if __name__ == "__main__":
    asyncio.run(measure())
