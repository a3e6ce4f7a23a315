"""The reader and annotator, driven with the keys a user presses (issue 3's keymap)."""

from __future__ import annotations

import errno

import pytest
from textual.widgets import DataTable, Input, OptionList

from annotations.corpus import load_corpus
from annotations.store.journal import JournalStorage
from annotations.store.tinydb_store import AnnotationStore
from annotations.text.segment import paragraphs
from tests.helpers.snapshot_apps import first_sentence, make_app, sync
from tui.dialogs.theme_picker import ThemePicker
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.article_list import ArticleList
from tui.widgets.reader import Reader
from tui.widgets.status import StatusLine

SIZE = (120, 40)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


def parts(app):
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen, screen.query_one(Reader), screen.query_one(ArticleList), screen.store


def status_text(app) -> str:
    status = app.screen.query_one(StatusLine)
    return status.render().plain


def painted(reader: Reader, row: int) -> list:
    """The highlight spans the reader paints on a document row."""
    return [s for s in reader.get_line(row).spans if s.style.bgcolor is not None]


@sync
async def test_start_list_focus_and_navigation(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        screen, reader, articles, _ = parts(app)
        assert app.focused is articles
        assert screen.article.id == seeds.articles[0].id
        assert reader.text == seeds.articles[0].text
        await pilot.press("down")
        assert screen.article.id == seeds.articles[1].id
        await pilot.press("j", "j")
        assert screen.article.id == seeds.articles[3].id
        await pilot.press("k")
        assert reader.text == seeds.articles[2].text
        assert status_text(app).startswith(seeds.articles[2].title[:20])
        await pilot.press("enter")
        assert app.focused is reader
        assert reader.selection.end == (0, 0)
        await pilot.press("escape")
        assert app.focused is articles
        await pilot.press("right")
        assert app.focused is reader
        await pilot.press("tab")
        assert app.focused is not reader
        await pilot.press("shift+tab")
        assert app.focused is reader


@sync
async def test_sentence_tag_and_extend(db, seeds):
    text = seeds.articles[0].text
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, articles, store = parts(app)
        await pilot.press("enter", "s")
        s1 = first_sentence(text)
        assert reader.selected_span == s1
        await pilot.press("1")
        anns = store.for_article(seeds.articles[0].id)
        assert [(a.start, a.end, a.themes) for a in anns] == [(*s1, ("energy",))]
        assert anns[0].exact == text[s1[0] : s1[1]]
        assert painted(reader, 0), "the tagged sentence is highlighted"
        assert "Tagged energy" in status_text(app)
        assert "■1" in articles.get_option_at_index(0).prompt.plain
        # s again extends to the next sentence
        await pilot.press("s")
        start, end = reader.selected_span
        assert start == s1[0] and end > s1[1]
        assert text[s1[1] : end].strip()


@sync
async def test_paragraph_and_escape(db, seeds):
    text = seeds.articles[0].text
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, articles, _ = parts(app)
        await pilot.press("enter", "p")
        p0 = paragraphs(text)[0]
        start, end = reader.selected_span
        assert (start, end) == (p0[0], len(text[: p0[1]].rstrip()))
        await pilot.press("escape")
        assert reader.selected_span[0] == reader.selected_span[1]
        assert app.focused is reader
        await pilot.press("escape")
        assert app.focused is articles


@sync
async def test_shift_arrows_select_and_tag(db, seeds, monkeypatch):
    monkeypatch.setenv("TAGLINE_WORD_SNAP", "0")  # the setting: character precision
    text = seeds.articles[0].text
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, _, _, store = parts(app)
        await pilot.press("enter", *["shift+right"] * 7, "2")
        (ann,) = store.for_article(seeds.articles[0].id)
        assert (ann.start, ann.end, ann.exact) == (0, 7, text[:7])
        assert ann.themes == ("digital economy",)


@sync
async def test_shift_arrows_snap_to_words_unless_turned_off(db, seeds):
    text = seeds.articles[0].text
    assert text.startswith("Chinese Ambassador")
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, _ = parts(app)
        reader.word_snap = True
        await pilot.press("enter", "shift+right")
        assert reader.selected_span == (0, len("Chinese"))  # one key: the whole word
        await pilot.press("shift+right")
        assert reader.selected_span == (0, len("Chinese Ambassador"))
        await pilot.press("shift+left")  # shrinking snaps back to a word start
        assert reader.selected_span == (0, len("Chinese "))
        await pilot.press("escape", "home", "w", "shift+right", "shift+right")
        assert reader.selected_span == (0, 2)  # w: snapping off, one character a key


@sync
async def test_mouse_drag_selects(db, seeds):
    text = seeds.articles[0].text
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, store = parts(app)
        # The reader has one cell of padding: column c of row 0 is at x = c + 1.
        await pilot.mouse_down(Reader, offset=(1, 0))
        await pilot.hover(Reader, offset=(9, 0))
        await pilot.mouse_up(Reader, offset=(9, 0))
        await pilot.pause()
        assert reader.selected_span == (0, 8)
        await pilot.press("3")
        (ann,) = store.for_article(seeds.articles[0].id)
        # the selection is trimmed of edge whitespace before tagging
        assert ann.exact == text[:8].strip() and ann.themes == ("Arctic route",)


@sync
async def test_mouse_drag_snaps_to_whole_words(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, _ = parts(app)
        reader.word_snap = True
        # From inside "Chinese" (column 3) to inside "Ambassador" (column 11).
        await pilot.mouse_down(Reader, offset=(4, 0))
        await pilot.hover(Reader, offset=(12, 0))
        await pilot.mouse_up(Reader, offset=(12, 0))
        await pilot.pause()
        assert reader.selected_span == (0, len("Chinese Ambassador"))


@sync
async def test_overlap_retag_untag(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, store = parts(app)
        await pilot.press("enter", "s", "1", "2")
        (ann,) = store.for_article(article.id)
        assert ann.themes == ("energy", "digital economy")  # retag: same span, two themes
        await pilot.press("1")
        (ann,) = store.for_article(article.id)
        assert ann.themes == ("digital economy",)
        # overlap: the paragraph over the sentence
        await pilot.press("escape", "p", "3")
        anns = store.for_article(article.id)
        assert len(anns) == 2
        styles = [s.style for s in painted(reader, 0)]
        assert any(st.underline for st in styles), "the overlap is underlined"
        assert len({st.bgcolor for st in styles}) >= 2, "overlap and single tints differ"
        # untag: toggling the last theme off deletes the annotation
        await pilot.press("3")
        (ann,) = store.for_article(article.id)
        assert ann.themes == ("digital economy",)
        assert "deleted" in status_text(app)


@sync
async def test_hotkey_on_caret_annotation(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, _, _, store = parts(app)
        await pilot.press("enter", "s", "1", "escape", "left", "left", "2")
        (ann,) = store.for_article(article.id)
        assert ann.themes == ("energy", "digital economy")


@sync
async def test_note(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, _, _, store = parts(app)
        await pilot.press("enter", "n")
        assert "No annotation here" in status_text(app)
        await pilot.press("s", "1", "n")
        await pilot.press(*"pipes", "enter", *"[b]x[/b]")
        await pilot.press("ctrl+s")
        (ann,) = store.for_article(article.id)
        assert ann.note == "pipes\n[b]x[/b]"
        await pilot.press("a")
        panel = app.screen.query_one(AnnotationPanel)
        assert panel.display
        assert "[b]x[/b]" in panel.get_option_at_index(0).prompt.plain
        # escape cancels an edit
        await pilot.press("n", "z", "escape")
        assert store.for_article(article.id)[0].note == "pipes\n[b]x[/b]"


@sync
async def test_delete_undo_redo(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, store = parts(app)
        await pilot.press("enter", "s", "1", "x")
        assert store.for_article(article.id) == []
        assert not painted(reader, 0)
        await pilot.press("u")
        assert len(store.for_article(article.id)) == 1
        assert "Undid: delete" in status_text(app)
        assert painted(reader, 0)
        await pilot.press("U")
        assert store.for_article(article.id) == []
        assert "Redid: delete" in status_text(app)
        await pilot.press("ctrl+z")
        assert len(store.for_article(article.id)) == 1
        await pilot.press("ctrl+y", "ctrl+z", "delete")
        assert store.for_article(article.id) == []
        await pilot.press("u", "u")
        assert store.for_article(article.id) == []
        assert "Undid: tag energy" in status_text(app)


@sync
async def test_next_prev(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, store = parts(app)
        await pilot.press("enter", "s", "1", "s", "escape", "s", "2")  # second sentence alone
        anns = store.for_article(article.id)
        assert len(anns) == 2
        await pilot.press("escape", "escape", "enter")  # back to the list, and in at the start
        await pilot.press("]")
        assert reader.selected_span == (anns[0].start, anns[0].end)
        await pilot.press("]")
        assert reader.selected_span == (anns[1].start, anns[1].end)
        await pilot.press("[")
        assert reader.selected_span == (anns[0].start, anns[0].end)
        assert "1/2" in status_text(app)


@sync
async def test_theme_picker_apply_and_create(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, _, _, store = parts(app)
        await pilot.press("enter", "s", "t")
        assert isinstance(app.screen, ThemePicker)
        await pilot.press(*"arctc", "enter")  # fuzzy
        (ann,) = store.for_article(article.id)
        assert ann.themes == ("Arctic route",)
        await pilot.press("t", *"ports", "enter")
        theme = store.codebook.get("ports")
        assert theme is not None and theme.hotkey == "4"
        (ann,) = store.for_article(article.id)
        assert ann.themes == ("Arctic route", "ports")
        await pilot.press("4")
        assert store.for_article(article.id)[0].themes == ("Arctic route",)
        await pilot.press("t", "escape")
        assert isinstance(app.screen, MainScreen)


@sync
async def test_list_filter(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        screen, _, articles, _ = parts(app)
        await pilot.press("f")
        assert isinstance(app.focused, Input)
        await pilot.press(*"cement bilateral")
        titles = [articles.articles[i].title for i in articles.shown]
        assert titles[0] == "China, Russia to cement bilateral ties through local cooperation"
        assert articles.option_count == len(titles) < len(seeds)
        await pilot.press("enter")
        assert app.focused is articles
        assert screen.article.title.startswith("China, Russia to cement")
        await pilot.press("ctrl+f", "escape")
        assert articles.option_count == len(seeds)


@sync
async def test_read_only_second_instance(db, seeds):
    writer = AnnotationStore(db)
    try:
        from annotations.workspace import open_workspace

        ws = open_workspace(None, db, fallback_read_only=True)
        assert ws.locked_by_other
        from tui.app import TaglineApp

        app = TaglineApp(ws)
        async with app.run_test(size=SIZE) as pilot:
            _, reader, _, store = parts(app)
            assert "READ-ONLY" in status_text(app)
            await pilot.press("enter", "s", "1")
            assert len(store) == 0 and len(writer) == 0
            assert "not saved" in status_text(app)
            assert not painted(reader, 0)
        ws.close()
    finally:
        writer.close()


@sync
async def test_save_failure_rolls_back(db, seeds, monkeypatch):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, articles, store = parts(app)

        def full(self, line):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(JournalStorage, "_append", full)
        await pilot.press("enter", "s", "1")
        assert len(store) == 0
        assert "No space left on device" in status_text(app)
        assert not painted(reader, 0)
        assert "■" not in articles.get_option_at_index(0).prompt.plain
    reopened = AnnotationStore(db, read_only=True)
    assert len(reopened) == 0
    reopened.close()


@sync
async def test_markup_shown_literally(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("[bold red]DANGER[/] in the title\n\nBody with [link]x[/link].\n")
    corpus = load_corpus([folder])
    app = make_app(tmp_path / "db.json", corpus)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, articles, _ = parts(app)
        assert reader.get_line(0).plain.startswith("[bold red]DANGER[/]")
        assert articles.get_option_at_index(0).prompt.plain.startswith("[bold red]DANGER[/]")
        assert status_text(app).startswith("[bold red]DANGER[/]")
        await pilot.press("enter", "s", "1", "a")
        panel = app.screen.query_one(AnnotationPanel)
        assert "[bold red]DANGER[/]" in panel.get_option_at_index(0).prompt.plain


@sync
async def test_help_generated_from_bindings(db, seeds):
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        keys = {r[1]: r[2] for r in rows}
        assert keys["s"] == "Sentence"
        assert keys["u / ctrl+z"] == "Undo"
        assert keys["1"] == "1 energy"  # the theme's name, not "Theme 1"
        assert "4" not in keys  # no theme on 4: not listed
        assert "shift+right" in keys
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


@sync
async def test_export_dialog(db, seeds, tmp_path):
    out = tmp_path / "out.jsonl"
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "s", "1", "e")
        box = app.screen.query_one("#path", Input)
        box.value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = str(app.screen.query_one("#result").render())
        assert f"Wrote 1 annotation(s) to {out}" in result
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and '"energy"' in lines[0]


@sync
async def test_palette_lists_every_action(db, seeds):
    from tui.palette import palette_commands

    actions = {a for _, a, _ in palette_commands()}
    for binding in MainScreen.BINDINGS:
        action = binding.action if binding.action.startswith("app.") else f"screen.{binding.action}"
        assert action in actions
    assert "screen.select_sentence" in actions and "app.help" in actions
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"annotations")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(AnnotationPanel).display


@sync
async def test_panel_moves_reader(db, seeds):
    article = seeds.articles[0]
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, store = parts(app)
        await pilot.press("enter", "s", "1", "s", "escape", "s", "2", "a")
        anns = store.for_article(article.id)
        panel = app.screen.query_one(AnnotationPanel)
        assert panel.option_count == 2
        assert panel.highlighted == 1  # the annotation at the caret
        panel.focus()
        await pilot.press("up")
        assert reader.selected_span == (anns[0].start, anns[0].end)
        await pilot.press("down", "enter")
        assert reader.selected_span == (anns[1].start, anns[1].end)
        assert app.focused is reader
        assert isinstance(panel, OptionList)


@sync
async def test_codebook_remove_in_use_asks_first(db, seeds):
    from tui.dialogs.codebook import CodebookScreen
    from tui.dialogs.confirm import ConfirmScreen

    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, store = parts(app)
        await pilot.press("enter", "s", "1")
        await pilot.press("ctrl+p", *"codebook")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert store.codebook.get("energy") is not None
        await pilot.press("d", "y")
        assert store.codebook.get("energy") is None
        assert len(store) == 0
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert not painted(reader, 0)


@sync
async def test_article_edited_on_disk_is_reloaded_and_reanchored(tmp_path):
    from annotations.workspace import open_workspace
    from tests.helpers.snapshot_apps import SteadyApp

    folder = tmp_path / "corpus"
    folder.mkdir()
    path = folder / "a.txt"
    path.write_text("A headline for the reload test\n\nThe pipeline opened in May. Gas flows.\n")
    ws = open_workspace([folder], tmp_path / "db.json", author="tester")
    app = SteadyApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        screen, reader, _, store = parts(app)
        text = ws.corpus.get("a.txt").text
        start = text.index("Gas flows.")
        reader.select_span(start, start + len("Gas flows."))
        await pilot.press("1")
        (ann,) = store.for_article("a.txt")
        path.write_text(
            "A headline for the reload test\n\nA new first line.\nThe pipeline opened in May. Gas flows.\n"
        )
        screen.check_disk()  # the 2 s timer's work, without the wait
        await pilot.pause()
        assert "A new first line." in reader.text
        moved = store.get(ann.id)
        assert reader.text[moved.start : moved.end] == "Gas flows." and moved.status == "reanchored"
        assert "changed on disk: reloaded; 1 annotation re-anchored" in status_text(app)
        path.unlink()
        screen.check_disk()
        await pilot.pause()
        assert "was deleted; its annotations are kept" in status_text(app)
        assert store.get(ann.id) is not None and "A new first line." in reader.text
    ws.close()


@sync
async def test_every_article_wraps_to_the_reader_width(db, seeds):
    """Each article opened, not only the first, wraps its long lines to the reader's width."""
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        _, reader, _, _ = parts(app)
        for index in range(len(seeds.articles)):
            if index:
                await pilot.press("down")
            await pilot.pause()
            width = reader.wrap_width
            longest = max(len(line) for line in reader.document.lines)
            assert longest > width > 0, "the seeds have paragraphs longer than one row"
            rows = [
                reader.wrapped_document.get_offsets(i) for i in range(reader.document.line_count)
            ]
            assert any(rows), f"article {index} was shown without wrapping"
            for i, line in enumerate(reader.document.lines):
                if len(line) > width:
                    assert rows[i], f"article {index}, line {i} is wider than the reader"
