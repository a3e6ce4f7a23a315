"""Never lose your place (issue 12): each of these used to move the reader to the first
article or off screen. The open article, caret, selection and scroll must stay, and the
message must be the one for the last action, never a stale one."""

from __future__ import annotations

import pytest

from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.snapshot_apps import first_sentence, make_app, sync
from tui.dialogs.codebook import CodebookScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.main import MainScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.reader import Reader
from tui.widgets.status import StatusLine


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


def place(app) -> tuple:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    reader = screen.query_one(Reader)
    return screen.article.id, tuple(reader.selection), reader.scroll_offset.y


def message(app) -> str:
    return app.screen.query_one(StatusLine).message


async def read_long_article(pilot) -> tuple:
    """Open the second seed (the longest), page down and select a sentence there."""
    await pilot.press("down", "enter", "pagedown", "pagedown", "s")
    await pilot.pause()
    reader = pilot.app.screen.query_one(Reader)
    assert reader.scroll_offset.y > 0 and reader.selected_span[0] != reader.selected_span[1]
    return place(pilot.app)


def caret_on_screen(reader: Reader) -> bool:
    row = reader.wrapped_document.location_to_offset(reader.selection.end).y
    top = reader.scroll_offset.y
    return top <= row < top + reader.scrollable_content_region.height


@sync
async def test_creating_a_theme_from_the_picker_keeps_the_place(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        before = await read_long_article(pilot)
        await pilot.press("t", *"brand new theme", "enter")
        await pilot.pause()
        assert place(app) == before
        assert message(app) == "Tagged brand new theme"
        (ann,) = app.workspace.store.for_article(before[0])
        assert ann.themes == ("brand new theme",)


@sync
async def test_closing_the_codebook_after_a_rename_keeps_the_place(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        before = await read_long_article(pilot)
        await pilot.press("ctrl+p", *"Codebook", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        await pilot.press("r", *["backspace"] * 20, *"power", "enter")
        await pilot.pause()
        assert app.workspace.store.codebook.get("power") is not None
        await pilot.press("escape")
        await pilot.pause()
        assert place(app) == before


@sync
async def test_clearing_the_title_filter_keeps_the_place(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        before = await read_long_article(pilot)
        await pilot.press("f", *"Xi says")
        await pilot.pause()
        assert place(app) == before  # typing does not open the best match
        await pilot.press("escape")
        await pilot.pause()
        assert place(app) == before
        articles = app.screen.query_one(ArticleList)
        assert articles.highlighted_id == before[0] and len(articles.shown) == len(seeds)


@sync
async def test_a_filter_with_no_match_says_so_and_keeps_the_article(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        before = await read_long_article(pilot)
        await pilot.press("f", *"qqqzzzxxx")
        await pilot.pause()
        assert app.screen.query_one(ArticleList).shown == []  # only the "no matching titles" row
        assert message(app).startswith("No matching titles")
        assert place(app) == before
        await pilot.press("escape")
        await pilot.pause()
        assert place(app) == before and not message(app).startswith("No matching")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@sync
async def test_toggling_the_panel_keeps_the_caret_visible(db, seeds, size):
    app = make_app(db, seeds)
    async with app.run_test(size=size) as pilot:
        await pilot.press("down", "enter", *["pagedown"] * 3, "down")
        await pilot.pause()
        reader = app.screen.query_one(Reader)
        assert reader.scroll_offset.y > 0 and caret_on_screen(reader)
        for _ in range(3):  # open, close, open
            await pilot.press("a")
            await pilot.pause()
            await pilot.pause()
            assert caret_on_screen(reader)


@pytest.mark.parametrize("redo", [False, True])
@sync
async def test_undo_in_another_article_goes_there_and_says_which(db, seeds, redo):
    first = seeds.articles[0]
    span = first_sentence(first.text)
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "s", "1", "escape", "escape")  # tag, back to the list
        await pilot.press("down", "down", "down")
        await pilot.pause()
        assert app.screen.article.id == seeds.articles[3].id
        await pilot.press("u")
        await pilot.pause()
        if redo:
            await pilot.press("down")  # away again
            await pilot.pause()
            await pilot.press("U")
            await pilot.pause()
        screen = app.screen
        assert screen.article.id == first.id
        assert screen.query_one(Reader).selected_span == span
        assert screen.query_one(ArticleList).highlighted_id == first.id
        verb = "Redid" if redo else "Undid"
        assert message(app).startswith(f"{verb}: ")
        assert message(app).endswith(f"in ‘{first.title[:39]}…’")


@sync
async def test_t_without_a_selection_says_so_before_the_picker(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "t")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # no picker to choose a theme for nothing
        assert message(app).startswith("Select a passage first")
        await pilot.press("s")  # now there is one: the hint goes
        await pilot.pause()
        assert not message(app).startswith("Select a passage first")


@sync
async def test_a_number_key_hint_goes_when_a_passage_is_selected(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "1")
        await pilot.pause()
        assert message(app).startswith("Select a passage first")
        await pilot.press("shift+right")
        await pilot.pause()
        assert message(app) == ""


@sync
async def test_opening_from_the_dashboard_replaces_the_old_message(db, seeds):
    store = AnnotationStore(db, author="tester")
    store.tag(seeds.articles[2], 0, 20, ["energy"])
    store.close()
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "t")  # leaves "Select a passage first…"
        await pilot.pause()
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.article.id == seeds.articles[2].id
        assert message(app) == f"Opened ‘{seeds.articles[2].title[:39]}…’"


@sync
async def test_the_export_dialog_writes_a_report(db, seeds, tmp_path):
    from textual.widgets import Input, Select

    out = tmp_path / "report.html"
    first = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "s", "1", "e")
        app.screen.query_one("#format", Select).value = "report-html"
        await pilot.pause()
        assert app.screen.query_one("#path", Input).value.endswith(".html")
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Wrote a report of 1 coded segment(s)" in str(
            app.screen.query_one("#result").render()
        )
    doc = out.read_text()
    start, end = first_sentence(first.text)
    assert doc.startswith("<!DOCTYPE html>") and first.text[start:end] in doc
