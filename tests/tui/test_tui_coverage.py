"""Coverage and cue teaching in the main app: `D` marks an article done, `x` on a suggestion
offers to drop or narrow its cue, and the reader shows the cue that made a suggestion."""

from __future__ import annotations

import pytest

from tests.helpers.snapshot_apps import make_app, sync
from tui.dialogs.cue import CueDialog
from tui.widgets.article_list import DONE_MARK, ArticleList
from tui.widgets.status import StatusLine

SIZE = (120, 40)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


def status_text(app) -> str:
    return app.screen.query_one(StatusLine).render().plain


def row(app, article_id: str) -> str:
    return app.screen.query_one(ArticleList).get_option(article_id).prompt.plain


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@sync
async def test_d_marks_the_open_article_done_and_u_undoes(db, seeds):
    first, second = seeds.articles[0].id, seeds.articles[1].id
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        store = main.store
        assert not row(app, first).startswith(DONE_MARK)
        await pilot.press("D")
        assert store.is_done(first) and store.done_articles() == {first}
        assert row(app, first).startswith(DONE_MARK) and not row(app, second).startswith(DONE_MARK)
        assert "Marked done" in status_text(app)
        await pilot.press("u")
        assert not store.is_done(first) and not row(app, first).startswith(DONE_MARK)
        await pilot.press("U")
        assert store.is_done(first) and row(app, first).startswith(DONE_MARK)
        await pilot.press("D")  # D again unmarks
        assert not store.is_done(first) and not row(app, first).startswith(DONE_MARK)
        # another analyst's mark is not this analyst's state
        store.set_done(second, author="someone else")
        await pilot.pause()
        assert not row(app, second).startswith(DONE_MARK)


@sync
async def test_the_list_shows_done_marks_when_it_opens(db, seeds):
    from annotations.store.tinydb_store import AnnotationStore

    with AnnotationStore(db, author="tester") as store:
        store.set_done(seeds.articles[2].id)
        store.set_done(seeds.articles[3].id, author="bob")
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE):
        assert row(app, seeds.articles[2].id).startswith(DONE_MARK)
        assert not row(app, seeds.articles[3].id).startswith(DONE_MARK)


def cue_marks(reader, s) -> list:
    row_, col = reader.location_of(s.cue_start)
    return [
        span
        for span in reader.get_line(row_).spans
        if span.style.bold and span.style.italic and span.start <= col < span.end
    ]


@sync
async def test_reader_shows_the_cue_and_x_offers_to_drop_it(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        store, reader = main.store, main.reader
        await pilot.press("enter", "g")
        await settle(pilot)
        await pilot.press("]")
        s = main.suggestion_at_caret()
        assert s is not None and s.cue_start >= 0
        assert cue_marks(reader, s)  # the cue is painted inside the suggestion's outline
        assert s.cue in status_text(app)
        cues_before = store.codebook.get(s.theme).cues
        assert s.cue in cues_before
        await pilot.press("x")
        await pilot.pause()
        assert s.key(article.text) in store.rejections()
        dialog = app.screen
        assert isinstance(dialog, CueDialog)
        labels = [e.label for e in dialog.edits]
        assert labels[0] == f"Drop the cue “{s.cue}” from {s.theme}"
        await pilot.press("down", "enter")  # past "Keep the cue" to "Drop the cue"
        await settle(pilot)
        assert app.screen is main
        cues_after = store.codebook.get(s.theme).cues
        assert s.cue not in cues_after and len(cues_after) == len(cues_before) - 1
        assert all(x.cue != s.cue or x.theme != s.theme for x in main.session.shown_suggestions())
        await pilot.press("u")  # the cue edit is an ordinary, undoable codebook change
        assert store.codebook.get(s.theme).cues == cues_before


@sync
async def test_escape_in_the_cue_dialog_keeps_the_cue(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await pilot.press("enter", "g")
        await settle(pilot)
        await pilot.press("]")
        s = main.suggestion_at_caret()
        cues = main.store.codebook.get(s.theme).cues
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, CueDialog)
        await pilot.press("escape")
        assert app.screen is main and main.store.codebook.get(s.theme).cues == cues
