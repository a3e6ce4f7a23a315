"""The orphan review screen, driven with Pilot as a user would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from annotations.anchoring import reanchor_store
from annotations.corpus import Corpus, article_from_text
from annotations.model import Annotation
from annotations.store.tinydb_store import AnnotationStore
from tui.changes import ChangeApp
from tui.screens.orphans import OrphanScreen

TEXT = (
    "Energy talks\n"
    "The pipeline to the north carries natural gas to the coast.\n"
    "The Arctic route shortens shipping by two weeks, officials said.\n"
)
EDITED = (
    "Energy talks\n"
    "A new pipeline to the far north now brings gas to the coast.\n"
    "Shipping through the ice is faster.\n"
)


def article(text: str):
    return article_from_text("a.txt", Path("a.txt"), text)


def orphaned_store(tmp_path) -> tuple[AnnotationStore, Corpus]:
    before = article(TEXT)
    anns = []
    for phrase, note in (
        ("The pipeline to the north carries natural gas", "pipeline [bold]note[/]"),
        ("The Arctic route shortens shipping by two weeks", ""),
    ):
        start = before.text.index(phrase)
        anns.append(
            Annotation.create(
                article_id="a.txt",
                text=before.text,
                sha256=before.sha256,
                start=start,
                end=start + len(phrase),
                themes=["energy"],
                note=note,
                author="t",
            )
        )
    store = AnnotationStore(tmp_path / "db.json")
    store.put_many(anns)
    corpus = Corpus([article(EDITED)])
    report = reanchor_store(store, corpus)
    # The reworded pipeline sentence is proposed for review; the Arctic one is lost.
    assert (report.flagged, report.orphaned) == (1, 1)
    return store, corpus


class Host(ChangeApp):
    def __init__(self, screen: OrphanScreen) -> None:
        super().__init__()
        self.orphan_screen = screen
        self.result: int | None = None

    def on_mount(self) -> None:
        self.attach_store(self.orphan_screen.store)

        def done(result: int | None) -> None:
            self.result = result

        self.push_screen(self.orphan_screen, done)


def test_accept_delete_and_close(tmp_path):
    asyncio.run(accept_delete_and_close(tmp_path))


async def accept_delete_and_close(tmp_path):
    store, corpus = orphaned_store(tmp_path)
    screen = OrphanScreen(store, corpus)
    app = Host(screen)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen is screen
        assert "Needs review 1 of 2" in str(screen.query_one("#orphan-heading").render())
        # The old quote in its old context, beside the proposed passage in the new one.
        quote = str(screen.query_one("#orphan-quote").render())
        assert "Energy talks\nThe pipeline to the north carries natural gas to the coast" in quote
        now = str(screen.query_one("#orphan-now").render())
        assert "A new pipeline to the far north now brings gas to the coast" in now
        first = screen.current[0]
        assert first.status == "needs_review"
        assert screen.choices[0].start == first.start  # the proposal comes first
        # The note is shown as typed, never parsed as markup.
        assert "pipeline [bold]note[/]" in str(screen.query_one("#orphan-note").render())
        best = screen.choices[0]
        await pilot.press("enter")
        placed = store.get(first.id)
        assert placed.status == "reanchored" and (placed.start, placed.end) == (
            best.start,
            best.end,
        )
        assert corpus["a.txt"].text[placed.start : placed.end] == placed.exact
        assert "pipeline to the far north" in placed.exact
        second = screen.current[0]
        assert second.status == "orphaned"
        assert "Orphan 2 of 2" in str(screen.query_one("#orphan-heading").render())
        await pilot.press("x")
        await pilot.pause()
        assert store.get(second.id) is None
        assert app.screen is not screen and app.result == 2
    store.close()


def test_skip_leaves_the_orphan(tmp_path):
    asyncio.run(skip_leaves_the_orphan(tmp_path))


async def skip_leaves_the_orphan(tmp_path):
    store, corpus = orphaned_store(tmp_path)
    screen = OrphanScreen(store, corpus)
    app = Host(screen)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = screen.current[0]
        await pilot.press("s")
        assert screen.current[0].id != first.id
        await pilot.press("s")
        await pilot.pause()
        assert app.result == 0
    assert sorted(a.status for a in store.all()) == ["needs_review", "orphaned"]
    store.close()
