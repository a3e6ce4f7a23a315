"""The UI's one write path: a failed save is shown from any screen and the app keeps running;
workers never read the store while a re-anchor writes it."""

from __future__ import annotations

import errno
import os
import threading

from textual.widgets import OptionList, Static

import tui.screens.dashboard as dashboard_module
from annotations.analysis import stats
from annotations.corpus import load_corpus
from annotations.store.tinydb_store import AnnotationStore
from annotations.workspace import Workspace
from tests.helpers.snapshot_apps import THEME, SteadyApp, make_app, sync
from tests.tui.test_orphan_screen import orphaned_store
from tui.dialogs.codebook import CodebookScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.main import MainScreen
from tui.screens.orphans import OrphanScreen

SIZE = (120, 40)
FULL = os.strerror(errno.ENOSPC)


def disk_full(store: AnnotationStore):
    """Make every save fail as on a full disk; returns a function that frees the disk."""
    real = store.storage._append

    def boom(line):
        raise OSError(errno.ENOSPC, FULL)

    store.storage._append = boom
    return lambda: setattr(store.storage, "_append", real)


def toasts(app) -> str:
    return " ".join(n.message for n in app._notifications)


@sync
async def test_failed_save_in_orphan_review_is_shown_and_the_app_runs_on(tmp_path):
    store, corpus = orphaned_store(tmp_path)
    app = SteadyApp(Workspace(corpus, store, []), theme=THEME)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, OrphanScreen)
        first = screen.current[0]
        free = disk_full(store)
        await pilot.press("enter")
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen and screen.current[0] is first  # still here, to retry
        message, error = app.report
        assert error and FULL in message
        assert FULL in toasts(app)
        assert store.get(first.id).status == first.status == "needs_review"  # unchanged
        free()
        await pilot.press("enter")
        assert store.get(first.id).status == "reanchored"
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "1 orphaned annotation(s) resolved" in str(app.screen.status.render())


@sync
async def test_failed_save_in_codebook_is_shown_and_the_app_runs_on(tmp_path, seeds):
    app = make_app(tmp_path / "db.json", seeds)
    async with app.run_test(size=SIZE) as pilot:
        store = app.workspace.store
        app.screen.action_codebook()
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        free = disk_full(store)
        await pilot.press("a", *"ports", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CodebookScreen)
        message = str(dialog.query_one("#codebook-message", Static).render())
        assert FULL in message and FULL in toasts(app)
        assert store.codebook.get("ports") is None
        free()
        await pilot.press("a", *"ports", "enter")
        await pilot.pause()
        assert store.codebook.get("ports") is not None
        listed = dialog.query_one("#codebook-list", OptionList)
        assert "ports" in [listed.get_option_at_index(i).id for i in range(listed.option_count)]
        assert "Added ports" in str(dialog.query_one("#codebook-message", Static).render())


@sync
async def test_dashboard_worker_runs_while_the_disk_check_would_reanchor(tmp_path, seeds):
    """The 2 s disk check must not re-anchor (write) while a screen above reads the store."""
    article = seeds.articles[0]
    path = tmp_path / "a.txt"
    path.write_text(article.text, encoding="utf-8")
    corpus = load_corpus([path])
    art = corpus.articles[0]
    store = AnnotationStore(tmp_path / "db.json", author="tester")
    for i in range(0, 400, 40):
        store.tag(art, i, i + 20, ["energy"])
    app = SteadyApp(Workspace(corpus, store, [path]), theme=THEME)
    reading, go_on = threading.Event(), threading.Event()
    real = stats.compute

    def slow_compute(annotations, *args, **kwargs):
        it = iter(annotations)
        first = [next(it)]  # the worker is now inside the store's tables
        reading.set()
        go_on.wait(10)
        return real([*first, *it], *args, **kwargs)

    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        dashboard_module.compute = slow_compute
        try:
            await pilot.press("d")
            assert isinstance(app.screen, DashboardScreen)
            assert reading.wait(10)
            # Another program edits the article: the disk check's re-anchor would write.
            path.write_text("Inserted first.\n" + article.text, encoding="utf-8")
            os.utime(path, ns=(1, 1))
            main.check_disk()  # the interval's work, while the dashboard reads
            assert [a.start for a in store.for_article(art.id)] == list(range(0, 400, 40))
            go_on.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.stats is not None and app.screen.stats.annotations == 10
        finally:
            dashboard_module.compute = real
            go_on.set()
        await pilot.press("escape")
        main.check_disk()  # on top again: now it re-anchors
        shifted = len("Inserted first.\n")
        assert store.for_article(art.id)[0].start == shifted


@sync
async def test_a_codebook_change_keeps_the_open_article_and_filter(tmp_path, seeds):
    app = make_app(tmp_path / "db.json", seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await pilot.press("j", "j", "j", "enter", "s")
        article = main.article
        assert article.id == seeds.articles[3].id
        span = main.reader.selected_span
        await pilot.press("t", *"ports", "enter")  # a new theme: the codebook changes
        await pilot.pause()
        assert main.article is article and main.reader.selected_span == span
        assert main.article_list.highlighted_id == article.id
        (ann,) = main.store.for_article(article.id)
        assert ann.themes == ("ports",) and (ann.start, ann.end) == span


@sync
async def test_a_change_elsewhere_updates_that_row_and_the_counts(tmp_path, seeds):
    app = make_app(tmp_path / "db.json", seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        other = seeds.articles[2]
        assert main.article.id != other.id
        main.store.tag(other, 0, 10, ["energy"])  # as the orphan review or an import would
        await pilot.pause()
        listed = main.article_list
        row = listed.get_option_at_index(listed.get_option_index(other.id)).prompt
        assert str(row).startswith("■1 ")
        assert main.status.counts.startswith("0 here · 1 annotation · ")
        assert main.article.id == seeds.articles[0].id
