from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Sparkline

from annotations.corpus import Corpus
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.factories import make_article
from tui.screens.dashboard import DashboardScreen

E, D, A = "energy", "digital economy", "Arctic route"


def build(db: Path) -> tuple[AnnotationStore, Corpus]:
    corpus = Corpus(
        [
            make_article("a.txt", "[b]Oil[/b] and gas. Trade. Data centres.", "2023-01-10"),
            make_article("b.txt", "The Arctic route. LNG shipping. Big data.", "2023-03-02"),
            make_article("c.txt", "Nothing coded here at all.", None),
        ]
    )
    store = AnnotationStore(db, author="ana")
    a, b, _ = corpus.articles
    store.tag(a, 0, 19, [E])
    store.tag(a, 27, 40, [D])
    store.tag(b, 0, 17, [A])
    store.tag(b, 18, 30, [E, A])
    store.tag(b, 31, 40, [D])
    store.tag(b, 4, 10, [A])
    return store, corpus


class DashboardApp(App):
    """A minimal host: the real app wires `d` later."""

    def __init__(self, store: AnnotationStore, corpus: Corpus) -> None:
        super().__init__()
        self.store, self.corpus = store, corpus
        self.result: list[str | None] = []
        self.opened: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(DashboardScreen(self.store, self.corpus), self.result.append)

    def on_dashboard_screen_open_article(self, message: DashboardScreen.OpenArticle) -> None:
        self.opened.append(message.article_id)


async def ready(pilot) -> None:
    """The figures are computed in a worker: wait for them to be on screen."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _keys(table: DataTable) -> list[str]:
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


def test_dashboard_tables_sort_and_open(tmp_path):
    store, corpus = build(tmp_path / "db.json")
    app = DashboardApp(store, corpus)
    asyncio.run(_sort_and_open(app))
    store.close()


async def _sort_and_open(app: DashboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await ready(pilot)
        themes = screen.query_one("#themes", DataTable)
        assert [themes.get_row(t)[1] for t in (E, D, A)] == [2, 2, 3]
        # markup in a title is shown as typed, never interpreted
        matrix = screen.query_one("#matrix", DataTable)
        assert matrix.get_row("a.txt")[0].plain.startswith("[b]Oil[/b]")
        assert _keys(matrix) == ["a.txt", "b.txt"]
        sparks = list(screen.query(Sparkline))
        assert [list(s.data) for s in sparks] == [[1, 0, 1], [1, 0, 1], [0, 0, 3]]
        # s: sort by date (column 1), then by the energy column (biggest first)
        await pilot.press("s")
        assert _keys(matrix) == ["a.txt", "b.txt"]
        await pilot.press("s", "s", "s", "s")  # energy, digital, Arctic route (desc)
        assert _keys(matrix) == ["b.txt", "a.txt"]
        # enter on the first row opens that article
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == ["b.txt"] and app.opened == ["b.txt"]
        assert not isinstance(app.screen, DashboardScreen)


def test_escape_closes_without_an_article(tmp_path):
    store, corpus = build(tmp_path / "db.json")
    app = DashboardApp(store, corpus)

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            await pilot.press("escape")
            await pilot.pause()

    asyncio.run(run())
    store.close()
    assert app.result == [None] and app.opened == []


def test_dashboard_snapshot(snap_compare, tmp_path):
    store, corpus = build(tmp_path / "db.json")
    app = DashboardApp(store, corpus)
    app.theme = "textual-dark"
    try:
        assert snap_compare(app, terminal_size=(120, 40), run_before=ready)
    finally:
        store.close()


def test_dashboard_shows_progress_per_analyst(tmp_path):
    from textual.widgets import Static

    store, corpus = build(tmp_path / "db.json")
    store.set_done("a.txt")
    store.set_done("b.txt", author="bob")
    store.set_done("c.txt", author="bob")
    app = DashboardApp(store, corpus)

    async def run() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            line = app.screen.query_one("#progress", Static)
            assert str(line.render()) == "Coverage: ana 1/3 done · bob 2/3 done"
            matrix = app.screen.query_one("#matrix", DataTable)
            # b.txt: 4 annotations, 5 theme uses (one annotation carries two themes)
            assert list(matrix.get_row("b.txt")[-2:]) == [5, 4]

    asyncio.run(run())
    store.close()
