"""Search and retrieve in the TUI, driven with the keys a user presses (issue 4)."""

from __future__ import annotations

import threading
import time

import pytest

from annotations.corpus import load_corpus
from annotations.search import engine as search_core
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.snapshot_apps import make_app, make_workspace, sync
from tui.palette import palette_commands
from tui.screens.main import MainScreen
from tui.screens.retrieve import RetrieveScreen
from tui.screens.search import SearchScreen
from tui.widgets.reader import Reader
from tui.widgets.results import ResultList

SIZE = (120, 40)
TARGET = "000_eead7ac999ac4f1f.txt"
SEED_004 = "004_e59db8fb69f41bb6.txt"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (workers and timers need real time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)


def results(app) -> ResultList:
    return app.screen.query_one(ResultList)


def status(app, name: str = "#search-status") -> str:
    return str(app.screen.query_one(name).render())


async def search_for(pilot, query: str) -> SearchScreen:
    """Open search, type `query`, wait until its results (or "No matches") are shown."""
    await pilot.press("slash")
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    await pilot.press(*query)
    await wait_until(pilot, lambda: screen.shown_query == query)
    return screen


@sync
async def test_search_shift_enter_selects_span_and_1_tags_it(db, seeds):
    text = seeds.get(TARGET).text
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search_for(pilot, "silk rode on ise")
        assert results(app).option_count >= 1
        top = results(app).current
        assert (top.article_id, top.text) == (TARGET, "silk road on ice")
        await pilot.press("shift+enter")
        main = app.screen
        assert isinstance(main, MainScreen)
        reader = main.query_one(Reader)
        assert main.article.id == TARGET
        assert reader.selected_text == "silk road on ice"
        start, end = reader.selected_span
        assert text[start:end] == "silk road on ice"
        assert app.focused is reader
        await pilot.press("1")
        anns = [a for a in main.store.all() if a.article_id == TARGET]
        assert [(a.start, a.end, a.themes) for a in anns] == [(start, end, ("energy",))]
        # The index was cached where the workspace keeps derived data (TAGLINE_CACHE).
        assert (app.workspace.cache_dir / search_core.CACHE_NAME).exists()
        assert screen.generation >= 1


@sync
async def test_search_enter_selects_the_sentence_and_1_codes_it(db, seeds):
    """Keywords in any order: `enter` selects the whole passage the analyst codes."""
    text = seeds.get(SEED_004).text
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, "siberia pipeline")
        top = results(app).current
        assert top.article_id == SEED_004 and top.text == "pipelines, such as Power of Siberia"
        assert [text[s:e] for s, e in top.matches] == ["pipelines", "Siberia"]
        await pilot.press("enter")
        main = app.screen
        reader = main.query_one(Reader)
        start, end = reader.selected_span
        sentence = text[start:end]
        assert sentence == top.context and sentence.endswith(".")
        assert "oil and gas pipelines, such as Power of Siberia" in sentence
        await pilot.press("1")
        anns = [a for a in main.store.all() if a.article_id == SEED_004]
        assert [(a.start, a.end) for a in anns] == [(start, end)]


@sync
async def test_question_mark_shows_the_query_syntax(db, seeds):
    from tui.screens.help import HelpScreen

    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen), app.screen.query_one("#search-input").value
        notes = str(app.screen.query_one("#help-notes").render())
        assert '"power of siberia"' in notes and "-gas" in notes and "shift+enter" in notes
        assert "ctrl+o" in notes
        # The key table lists the fallback with shift+enter, from the action registry.
        table = app.screen.query_one("#help-table")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert any("ctrl+o" in keys and "shift+enter" in keys for _w, keys, _a in rows)
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)


@sync
async def test_ctrl_o_selects_the_span_where_shift_enter_is_not_sent(db, seeds):
    """Many terminals send plain enter for shift+enter: ctrl+o is the same action, and
    the footer shows it."""
    from textual.widgets import Footer

    text = seeds.get(TARGET).text
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search_for(pilot, "silk rode on ise")
        footer_keys = [k.key for k in screen.query_one(Footer).query("FooterKey")]
        assert "ctrl+o" in footer_keys
        await pilot.press("ctrl+o")
        main = app.screen
        assert isinstance(main, MainScreen)
        reader = main.query_one(Reader)
        start, end = reader.selected_span
        assert text[start:end] == "silk road on ice"


@sync
async def test_palette_on_the_search_screen_opens_the_span(db, seeds):
    text = seeds.get(TARGET).text
    app = make_app(db, seeds)
    assert ("Open span", "search.open(True)", "ctrl+o / shift+enter") in palette_commands(
        search=True
    )
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, "silk rode on ise")
        await pilot.press("f2", *"open span")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        start, end = app.screen.query_one(Reader).selected_span
        assert text[start:end] == "silk road on ice"


@sync
async def test_escape_returns_to_the_same_article_caret_and_selection(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "enter", "down", "down", "s")
        main = app.screen
        reader = main.query_one(Reader)
        before = (main.article.id, reader.selection, reader.selected_text)
        assert before[0] == seeds.articles[2].id and before[2]
        await search_for(pilot, "silk rode on ise")
        assert results(app).option_count
        await pilot.press("escape")
        assert app.screen is main
        assert (main.article.id, reader.selection, reader.selected_text) == before
        assert app.focused is reader


@sync
async def test_stale_results_are_dropped(db, seeds):
    """A slow first query finishing after a later one never replaces the later results."""
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        screen = app.screen
        await wait_until(pilot, lambda: app.search_index is not None)
        index = app.search_index
        real = index.search
        release = threading.Event()
        started = threading.Event()
        slow_done = threading.Event()

        def search(query, **kwargs):
            if "silk" in query:  # the first query: held until the second is on screen
                started.set()
                release.wait(10)
                try:
                    return real(query, **kwargs)
                finally:
                    slow_done.set()
            return real(query, **kwargs)

        index.search = search
        await pilot.press(*"silk rode on ise")
        await wait_until(pilot, started.is_set)
        await pilot.press("ctrl+u", *"arctic shiping rout")
        await wait_until(pilot, lambda: screen.shown_query == "arctic shiping rout")
        release.set()
        await wait_until(pilot, slow_done.is_set)
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.shown_query == "arctic shiping rout"
        assert results(app).current.text.lower() == "arctic shipping route"
        assert all("silk" not in r.text.lower() for r in results(app).results)


@sync
async def test_no_match_query_says_so(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, "zqxv blorfing wumpet")
        assert results(app).option_count == 0
        assert status(app) == "No matches for “zqxv blorfing wumpet”"
        await pilot.press("enter")  # nothing to open: stays
        assert isinstance(app.screen, SearchScreen)


@sync
async def test_ctrl_n_ctrl_p_move_and_ctrl_p_is_not_the_palette(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        screen = await search_for(pilot, "China Russia cooperation")
        assert results(app).option_count >= 3
        assert results(app).highlighted == 0
        await pilot.press("ctrl+n", "ctrl+n")
        assert results(app).highlighted == 2
        await pilot.press("ctrl+p")
        assert app.screen is screen
        assert results(app).highlighted == 1
        await pilot.press("down", "up", "up")
        assert results(app).highlighted == 0
        chosen = results(app).current
        await pilot.press("enter")
        reader = app.screen.query_one(Reader)
        assert app.screen.article.id == chosen.article_id
        assert reader.selected_span == (chosen.context_start, chosen.context_end)


@sync
async def test_search_before_index_ready_shows_progress_then_results(db, seeds, monkeypatch):
    release = threading.Event()
    real = search_core.SearchIndex.cached.__func__

    def slow_cached(cls, articles, cache_dir, progress=None):
        articles = list(articles)
        progress(2, len(articles))
        release.wait(10)
        return real(cls, articles, cache_dir, progress=progress)

    monkeypatch.setattr(search_core.SearchIndex, "cached", classmethod(slow_cached))
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"silk rode on ise")
        screen = app.screen
        await wait_until(pilot, lambda: status(app).startswith("Indexing"))
        assert status(app) == f"Indexing 2 / {len(seeds)} articles…"
        assert screen.query_one("#search-progress").display
        assert results(app).option_count == 0
        release.set()
        await wait_until(pilot, lambda: screen.shown_query == "silk rode on ise")
        assert results(app).current.text == "silk road on ice"
        assert not screen.query_one("#search-progress").display


@sync
async def test_theme_filter_and_marks(db, seeds):
    article = seeds.get(TARGET)
    i = article.text.index("silk road on ice")
    store = AnnotationStore(db, author="tester")
    store.tag(article, i - 40, i + 16, ["Arctic route"])
    store.close()
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, 'theme:"arctic route" silk road')
        hits = results(app).results
        assert [(h.article_id, h.text.lower()) for h in hits] == [(TARGET, "silk road")]
        prompt = results(app).get_option_at_index(0).prompt
        assert prompt.plain.startswith("■ ")  # one mark: the Arctic route theme's colour
        color = app.workspace.store.codebook.color_of("Arctic route")
        assert str(prompt.spans[0].style) == color and prompt.spans[0].end == 1


@sync
async def test_retrieve_lists_coded_segments_by_theme_and_enter_jumps(db, seeds):
    corpus = load_corpus()
    a, b = corpus.articles[0], corpus.articles[3]
    store = AnnotationStore(db, author="tester")
    ia = a.text.index("digital economy")
    ib = b.text.index(" ", 200) + 1
    store.tag(b, ib, ib + 300, ["energy"], note="second <b>[bold]</b>")
    store.tag(a, ia, ia + len("digital economy"), ["energy", "digital economy"])
    store.tag(a, 0, 10, ["Arctic route"])
    store.close()
    app = make_app(db, corpus)
    async with app.run_test(size=SIZE) as pilot:
        assert "Coded segments, by theme" in [t for t, _a, _k in palette_commands()]
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, RetrieveScreen)
        await wait_until(pilot, lambda: len(screen.segments) == 4)
        listed = [(s.theme, s.article_id, s.annotation.start) for s in screen.segments]
        assert listed == [
            ("energy", a.id, ia),
            ("energy", b.id, ib),
            ("digital economy", a.id, ia),
            ("Arctic route", a.id, 0),
        ]
        assert status(app, "#retrieve-status") == "4 coded passages by theme, in corpus order"
        options = screen.results
        headings = [
            options.get_option_at_index(i).prompt.plain
            for i in range(options.option_count)
            if options.get_option_at_index(i).disabled
        ]
        assert [h.split("  ")[0] for h in headings] == [
            "■ energy",
            "■ digital economy",
            "■ Arctic route",
        ]
        long_prompt = options.get_option_at_index(2).prompt.plain.splitlines()
        assert long_prompt[0].startswith(b.title[:20])
        assert long_prompt[1] == " ".join(b.text[ib : ib + 300].split())  # in full, not cut
        assert long_prompt[-1] == "note: second <b>[bold]</b>"  # as typed, not as markup
        await pilot.press("down", "enter")
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.article.id == b.id
        assert main.query_one(Reader).selected_span == (ib, ib + 300)


@sync
async def test_retrieve_with_nothing_coded(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await wait_until(pilot, lambda: "No passages" in status(app, "#retrieve-status"))
        assert app.screen.results.option_count == 0
        await pilot.press("enter")
        assert isinstance(app.screen, RetrieveScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


def test_search_screen_snapshot(snap_compare, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from pathlib import Path

    from tests.helpers.snapshot_apps import THEME, SteadyApp

    corpus = load_corpus()
    article = corpus.get(TARGET)
    store = AnnotationStore(Path("db.json"), author="tester")
    i = article.text.index("Arctic shipping route")
    store.tag(article, i, i + len("Arctic shipping route"), ["energy", "Arctic route"])
    store.close()
    app = SteadyApp(make_workspace(Path("db.json"), corpus), theme=THEME)

    async def run_before(pilot) -> None:
        await pilot.press("slash", *"Arctic shiping route")
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.shown_query == "Arctic shiping route")
        await pilot.app.workers.wait_for_complete()
        screen.query_one("#search-input").cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@sync
async def test_an_article_edited_on_disk_is_reindexed_and_search_finds_the_new_text(tmp_path):
    """Issue 11: the reader reloads an article changed on disk; search then finds its new
    words (from the index's overlay at once, from the disk cache after the flush)."""
    from annotations.workspace import open_workspace
    from tests.helpers.snapshot_apps import SteadyApp

    folder = tmp_path / "corpus"
    folder.mkdir()
    path = folder / "a.txt"
    path.write_text("A headline for the reindex test\n\nThe pipeline opened in May. Gas flows.\n")
    (folder / "b.txt").write_text("Another article\n\nNothing about sea mammals here.\n")
    ws = open_workspace([folder], tmp_path / "db.json", author="tester")
    app = SteadyApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.search_index is not None)
        index = app.search_index
        assert not index.search("walrus colony")
        main = app.screen
        path.write_text(
            "A headline for the reindex test\n\nA walrus colony rests on the pier. Gas flows.\n"
        )
        main.check_disk()  # the 2 s timer's work, without the wait
        await wait_until(pilot, lambda: index.pending == 0 and bool(index.search("walrus")))
        screen = await search_for(pilot, "walrus colny")
        top = results(app).current
        assert top is not None and top.article_id == "a.txt"
        assert top.context == "A walrus colony rests on the pier."
        await pilot.press("escape")
        assert not isinstance(app.screen, SearchScreen) and screen.shown_query == "walrus colny"
        assert not index.search("pipeline opened")  # the old text is gone
    ws.close()
    # The flush wrote it to the cache: a new start finds the new text without re-indexing.
    ws2 = open_workspace([folder], tmp_path / "db.json", author="tester")
    reopened = search_core.SearchIndex.cached(ws2.corpus.articles, ws2.cache_dir)
    assert reopened._fresh and reopened.search("walrus colony")[0].article_id == "a.txt"
    ws2.close()


@sync
async def test_keys_work_while_the_index_builds_and_search_shows_its_progress(db, monkeypatch):
    """The index builds in a worker. Here every article costs a few milliseconds of
    Python and the build holds at the half, busy (the GIL contended) while the test
    moves in the list and opens search, then waiting while it types (Pilot waits for an
    idle CPU after each key, up to a second: typing under a busy worker would only make
    the test slow). The list, the reader and the search box answer meanwhile, the search
    screen shows how far the build is, and the query runs when the index is ready."""
    from annotations.corpus import Corpus
    from benchmarks.corpus_gen import articles as synthetic

    corpus = Corpus(synthetic(60, seed=5, targets=2))
    real = search_core._documents
    halfway, quiet, release = threading.Event(), threading.Event(), threading.Event()
    calls = [0]

    def spin(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass

    def busy_documents(article):
        calls[0] += 1
        if calls[0] == 30:
            halfway.set()
            while not quiet.is_set():
                spin(0.002)
            release.wait(30)
        spin(0.002)
        return real(article)

    monkeypatch.setattr(search_core, "_documents", busy_documents)
    app = make_app(db, corpus)
    try:
        await _drive_during_build(app, corpus, halfway, quiet, release)
    finally:  # a failed assertion must not leave the worker spinning (the app would not exit)
        quiet.set()
        release.set()


async def _drive_during_build(app, corpus, halfway, quiet, release) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, halfway.is_set)
        main = app.screen
        first = main.article.id
        await pilot.press("down")  # the article list moves and opens the next article
        await wait_until(pilot, lambda: main.article.id != first)
        assert app.search_index is None  # still building
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await wait_until(pilot, lambda: status(app).startswith("Indexing"))
        done, total = app.index_progress
        assert 0 < done < total == len(corpus)
        assert status(app) == f"Indexing {done:,} / {total:,} articles…"
        assert screen.query_one("#search-progress").display
        quiet.set()
        await pilot.press(*"cooperation")
        assert screen.input.value == "cooperation" and app.search_index is None
        assert results(app).option_count == 0
        release.set()
        await wait_until(pilot, lambda: screen.shown_query == "cooperation", timeout=30)
        assert results(app).option_count > 0
        assert not screen.query_one("#search-progress").display
