"""Note editor: a multi-line modal; ctrl+s or Save keeps the note, escape cancels."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Label, Static, TextArea

from annotations.text.sanitize import clean_text
from tui.dialogs.base import Dialog
from tui.widgets.annotation_panel import shorten


class NoteScreen(Dialog[str | None]):
    DEFAULT_CSS = """
    NoteScreen #note-text {
        height: 10;
    }
    NoteScreen.-short #note-text {
        height: 5;  /* 24 rows: the passage, the note and the buttons fit unscrolled */
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="note.save"),
        Binding("escape", "dismiss(None)", "Cancel", id="note.cancel"),
    ]

    def __init__(self, note: str, passage: str) -> None:
        super().__init__()
        self.note = note
        self.passage = passage

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label("Note", classes="dialog-title")
            yield Static(shorten(self.passage, 200), markup=False, classes="passage")
            # A note may have come from an import: never hand the terminal its escapes.
            yield TextArea(clean_text(self.note), id="note-text", soft_wrap=True)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(clean_text(self.query_one(TextArea).text).strip())

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
