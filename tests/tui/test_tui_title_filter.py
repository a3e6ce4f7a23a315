"""The title filter `f`: word-aware, typo-tolerant, and clearing it keeps your place."""

from __future__ import annotations

import pytest

from tests.helpers.snapshot_apps import make_app, sync
from tui.widgets.article_list import NO_MATCH, ArticleList
from tui.widgets.reader import Reader

SIZE = (120, 40)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


def shown_titles(app) -> list[str]:
    articles = app.screen.query_one(ArticleList)
    return [articles.articles[i].title for i in articles.shown]


@sync
@pytest.mark.parametrize(
    ("typed", "title_word"),
    [("premer", "premier"), ("digtal", "digital"), ("xi", "Xi says"), ("vladiv", "local")],
)
async def test_typos_and_prefixes_find_titles(db, seeds, typed, title_word):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *typed)
        titles = shown_titles(app)
        if typed == "vladiv":  # not in any title: nothing, and the list says so
            assert titles == []
            articles = app.screen.query_one(ArticleList)
            assert articles.option_count == 1
            assert str(articles.get_option_at_index(0).prompt) == NO_MATCH
            return
        assert titles and title_word in titles[0]
        assert app.screen.query_one(ArticleList).highlighted == 0  # the best match is marked;
        await pilot.press("enter", "enter")  # it opens when picked (typing keeps your place)
        await pilot.pause()
        assert app.screen.article.title == titles[0]


@sync
async def test_clearing_the_filter_keeps_the_open_article_and_caret(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await pilot.press("down", "down", "enter", "down", "down", "right", "right")
        reader = main.query_one(Reader)
        before = (main.article.id, reader.cursor_location)
        await pilot.press("escape", "f", *"zzzq")  # back to the list, filter to nothing
        assert shown_titles(app) == []
        await pilot.press("escape")  # clears the filter
        assert len(shown_titles(app)) == len(seeds.articles)
        assert (main.article.id, reader.cursor_location) == before
        articles = main.query_one(ArticleList)
        assert articles.highlighted_id == before[0]
