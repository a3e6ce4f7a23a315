"""Analyst insight in the main app: dashboard (d), orphans (o), suggestions (g), author views (A)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from annotations.anchoring import reanchor_store
from annotations.corpus import Corpus, article_from_text
from annotations.model import Annotation
from annotations.session import ALL
from annotations.store.tinydb_store import AnnotationStore
from annotations.workspace import Workspace
from tests.helpers.snapshot_apps import THEME, SteadyApp, first_sentence, make_app, sync
from tui.screens.dashboard import DashboardScreen
from tui.screens.main import MainScreen
from tui.screens.orphans import OrphanScreen
from tui.widgets.status import StatusLine

SIZE = (120, 40)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


def status_text(app) -> str:
    return app.screen.query_one(StatusLine).render().plain


async def settle(pilot) -> None:
    """Let thread workers finish and their results reach the screen."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def tag_two_articles(db: Path, corpus: Corpus) -> None:
    store = AnnotationStore(db, author="tester")
    a, b = corpus.articles[0], corpus.articles[2]
    store.tag(a, *first_sentence(a.text), ["energy"])
    i = a.text.index("digital economy")
    store.tag(a, i, i + len("digital economy"), ["digital economy", "energy"])
    store.tag(b, *first_sentence(b.text), ["Arctic route"])
    store.close()


# -- dashboard -------------------------------------------------------------------------


@sync
async def test_dashboard_from_main_screen_opens_article(db, seeds):
    tag_two_articles(db, seeds)
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await pilot.press("d")
        assert isinstance(app.screen, DashboardScreen)
        await settle(pilot)
        themes = app.screen.query_one("#themes", DataTable)
        # annotations, articles per theme, from the store
        assert [themes.get_row(t)[1:3] for t in ("energy", "digital economy", "Arctic route")] == [
            [2, 1],
            [1, 1],
            [1, 1],
        ]
        matrix = app.screen.query_one("#matrix", DataTable)
        assert app.focused is matrix and matrix.row_count == 2
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is main
        target = seeds.articles[2]
        assert main.article.id == target.id
        assert main.reader.text == target.text
        assert main.article_list.highlighted_id == target.id
        assert app.focused is main.reader


@sync
async def test_dashboard_computes_in_a_worker(db, seeds, monkeypatch):
    import tui.screens.dashboard as dashboard

    tag_two_articles(db, seeds)
    release = threading.Event()
    real = dashboard.compute

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard, "compute", slow)
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        # The UI runs while the figures are computed: the placeholder is on screen.
        assert "Computing…" in str(screen.query_one("#dashboard-progress", Static).render())
        assert not screen.query("#matrix")
        release.set()
        await settle(pilot)
        assert screen.query_one("#matrix", DataTable).row_count == 2
        assert not screen.query("#dashboard-progress")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


# -- orphans ---------------------------------------------------------------------------

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


def orphan_app(db: Path) -> tuple[SteadyApp, AnnotationStore]:
    """An app opened on a corpus whose article changed: one quote reworded, one gone."""
    before = article_from_text("a.txt", Path("a.txt"), TEXT)
    anns = []
    for phrase in (
        "The pipeline to the north carries natural gas",
        "The Arctic route shortens shipping by two weeks",
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
                author="tester",
            )
        )
    store = AnnotationStore(db, author="tester")
    store.put_many(anns)
    corpus = Corpus([article_from_text("a.txt", Path("a.txt"), EDITED)])
    report = reanchor_store(store, corpus)  # what open_workspace does at start-up
    assert (report.flagged, report.orphaned) == (1, 1)  # the reworded one needs review
    workspace = Workspace(corpus, store, [], [], False, report)
    return SteadyApp(workspace, theme=THEME), store


@sync
async def test_orphans_reported_at_start_and_reviewed_with_o(db):
    app, store = orphan_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        assert "1 annotation needs review, 1 orphaned · o reviews orphans" in status_text(app)
        assert any("o reviews orphans" in n.message for n in app._notifications)
        await pilot.press("o")
        assert isinstance(app.screen, OrphanScreen)
        first = app.screen.current[0]
        await pilot.press("x")
        assert store.get(first.id) is None
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is main
        assert len(store) == 0
        assert "2 orphaned annotation(s) resolved" in status_text(app)
        assert "0 here · 0 annotations" in status_text(app)
        # The list's theme marks were rebuilt from the store.
        assert "■" not in main.article_list.get_option_at_index(0).prompt.plain
        await pilot.press("o")
        assert app.screen is main and "No orphaned annotations" in status_text(app)


# -- suggestions -----------------------------------------------------------------------


def suggestion_marks(reader, s) -> list:
    """The suggestion outlines (underline, no background) painted on `s`'s first row."""
    row, col = reader.location_of(s.start)
    return [
        span
        for span in reader.get_line(row).spans
        if span.style.underline and span.style.bgcolor is None and span.start <= col < span.end
    ]


@sync
async def test_suggestions_accept_undo_reject(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        store, reader = main.store, main.reader
        await pilot.press("enter", "g")
        await settle(pilot)
        shown = list(main.session.shown_suggestions())
        assert len(shown) >= 4
        assert f"Suggestions: {len(shown)} (y accept, x reject, ]/[ move, g hide)" in status_text(
            app
        )
        assert suggestion_marks(reader, shown[0])
        assert len(store) == 0 and store.rejections() == set()  # nothing saved by showing
        # ] selects the first suggestion in text order; y accepts it through the store.
        await pilot.press("]")
        first = shown[0]
        assert reader.selected_span == (first.start, first.end)
        assert "1/" in status_text(app) and first.theme in status_text(app)
        await pilot.press("y")
        (ann,) = store.for_article(article.id)
        assert (ann.start, ann.end, ann.themes) == (first.start, first.end, (first.theme,))
        assert ann.exact == article.text[first.start : first.end]
        assert first not in main.session.shown_suggestions()
        assert len(main.session.shown_suggestions()) == len(shown) - 1
        # Accepting is an ordinary change: u undoes it and the suggestion comes back.
        await pilot.press("u")
        assert len(store) == 0 and first in main.session.shown_suggestions()
        # x rejects: remembered in the store, no annotation, not shown again.
        await pilot.press("]", "]")
        second = main.suggestion_at_caret()
        assert second is not None and second != first
        await pilot.press("x")
        await pilot.press("escape")  # the cue dialog: keep the cue (tests/tui/test_tui_coverage.py)
        assert len(store) == 0
        assert second.key(article.text) in store.rejections()
        assert second not in main.session.shown_suggestions()
        # g hides suggestions (and their outlines); g again recomputes without the rejected one.
        assert main.has_class("-suggesting")
        await pilot.press("g")
        assert main.session.shown_suggestions() == [] and not suggestion_marks(reader, first)
        assert not main.has_class("-suggesting") and main.status.mode == ""
        await pilot.press("g")
        await settle(pilot)
        assert (
            first in main.session.shown_suggestions()
            and second not in main.session.shown_suggestions()
        )
        # escape leaves suggestion mode too
        await pilot.press("escape")
        assert not main.suggesting and main.session.shown_suggestions() == []
        assert app.focused is reader


@sync
async def test_x_without_suggestion_still_deletes(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        store = main.store
        await pilot.press("enter", "s", "3")  # tag the first sentence (Arctic route)
        assert len(store) == 1
        await pilot.press("g")
        await settle(pilot)
        start, end = first_sentence(article.text)
        assert not any(s.start < end and start < s.end for s in main.session.shown_suggestions())
        await pilot.press("x")  # caret on the annotation, no suggestion there
        assert len(store) == 0 and store.rejections() == set()


@sync
async def test_suggestions_follow_the_open_article(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await pilot.press("g")
        await settle(pilot)
        assert {s.article_id for s in main.session.shown_suggestions()} == {seeds.articles[0].id}
        await pilot.press("down")  # the list has focus: the next article opens
        await settle(pilot)
        assert main.suggesting
        assert {s.article_id for s in main.session.shown_suggestions()} == {seeds.articles[1].id}


# -- author views ----------------------------------------------------------------------


def three_sentences(text: str) -> list[tuple[int, int]]:
    from annotations.text.segment import sentences

    out = []
    for s, e in sentences(text):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out[:3]


def painted_at(reader, offset: int) -> bool:
    row, col = reader.location_of(offset)
    return any(
        s.style.bgcolor is not None and s.start <= col < s.end for s in reader.get_line(row).spans
    )


@sync
async def test_author_views_and_disagreements(db, seeds):
    from tests.helpers.factories import ann

    article = seeds.articles[0]
    s1, s2, s3 = three_sentences(article.text)
    store = AnnotationStore(db, author="tester")
    store.put_many(
        [
            ann(article, *s1, "energy", author="ana"),
            ann(article, *s2, "digital economy", author="ana"),
            ann(article, *s1, "energy", author="bob"),
            ann(article, *s3, "Arctic route", author="bob"),
        ]
    )
    store.close()
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        reader, panel = main.reader, main.panel
        await pilot.press("enter", "a")  # reader focused, panel shown
        assert all(painted_at(reader, s[0]) for s in (s1, s2, s3))
        assert len(panel.annotations) == 4

        await pilot.press("A")
        assert "View: ana's annotations" in status_text(app)
        assert main.status.mode == "View: ana's annotations"
        assert main.has_class("-view-author") and not main.has_class("-view-disagreements")
        assert {a.author for a in panel.annotations} == {"ana"} and len(panel.annotations) == 2
        assert painted_at(reader, s2[0]) and not painted_at(reader, s3[0])

        await pilot.press("A")
        assert "View: bob's annotations" in status_text(app)
        assert painted_at(reader, s3[0]) and not painted_at(reader, s2[0])

        await pilot.press("A")
        assert "View: disagreements only" in status_text(app)
        assert main.has_class("-view-disagreements") and not main.has_class("-view-author")
        assert [(a.start, a.end, a.themes) for a in panel.annotations] == [
            (*s2, ("digital economy",)),
            (*s3, ("Arctic route",)),
        ]
        assert panel.annotations[0].note == "coded by ana; not by bob"
        assert not painted_at(reader, s1[0])  # both coded it: no disagreement
        assert painted_at(reader, s2[0]) and painted_at(reader, s3[0])
        # ] walks the disagreements; editing keys act on the real annotation underneath.
        await pilot.press("]")
        assert reader.selected_span == s2
        await pilot.press("x")
        assert [a.author for a in main.store.for_article(article.id)].count("ana") == 1
        assert [(a.start, a.end) for a in panel.annotations] == [s3]

        await pilot.press("A")
        assert main.view == ALL and len(panel.annotations) == 3
        assert "View: all annotations" in status_text(app)
        assert main.status.mode == ""  # the view badge is gone


@sync
async def test_insight_actions_in_palette_and_help(db, seeds):
    from tui.actions import INSIGHT
    from tui.keymap import keymap
    from tui.palette import palette_commands

    actions = {a for _, a, _ in palette_commands()}
    for binding in INSIGHT.bindings():
        assert f"screen.{binding.action}" in actions
        assert binding.id and binding.description
    assert "screen.reject_suggestion" in actions
    help_rows = {e.keys: e.description for e in keymap() if e.section == "Insight"}
    assert help_rows["d"].startswith("Dashboard") and help_rows["o"].startswith("Review orphaned")
    tag_two_articles(db, seeds)
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"dashboard")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
