"""Escape sequences in stored notes and author names never reach the terminal from the TUI:
the annotation panel, the note editor and the status line in the author view escape them."""

from __future__ import annotations

from textual.widgets import TextArea

from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.factories import ann
from tests.helpers.snapshot_apps import make_app, sync
from tui.dialogs.note import NoteScreen
from tui.widgets.status import StatusLine

SIZE = (120, 40)
OSC = "\x1b]0;pwned\x07"
BLINK = "\x1b[5m"


@sync
async def test_panel_note_editor_and_author_view_escape_control_characters(tmp_path, seeds):
    db = tmp_path / "db.json"
    article = seeds.articles[0]
    store = AnnotationStore(db, author="tester")
    # Stored past the importer (an older Tagline, a hand edit): the display must cope.
    store.put_many(
        [
            ann(article, 0, 12, "energy", author=f"{BLINK}mallory"),
            ann(article, 20, 30, "energy", author="ana"),
        ]
    )
    target = store.for_article(article.id)[0]
    store.set_note(target.id, f"evil {OSC} note")
    store.close()
    app = make_app(db, seeds)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await pilot.press("enter", "a")  # reader focused, panel shown
        prompts = [str(option.prompt) for option in main.panel.options]
        assert any("evil \\x1b]0;pwned\\x07 note" in p for p in prompts)
        assert not any("\x1b" in p or "\x07" in p for p in prompts)

        await pilot.press("A")  # the first author's view names the author in the status line
        status = app.screen.query_one(StatusLine)
        shown = status.render().plain
        assert "\x1b" not in shown and "\\x1b[5mmallory" in shown

        main.reader.select_span(target.start, target.end)
        await pilot.press("n")
        assert isinstance(app.screen, NoteScreen)
        area = app.screen.query_one(TextArea)
        assert area.text == "evil ]0;pwned note"
        await pilot.press("ctrl+s")
        await pilot.pause()
    with AnnotationStore(db, read_only=True) as s:
        assert s.get(target.id).note == "evil ]0;pwned note"
