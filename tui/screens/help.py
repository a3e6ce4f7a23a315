"""Help: every key, generated from the bindings (so it cannot drift from what the app does)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Label, Static

from tui.dialogs.base import Dialog
from tui.keymap import keymap


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen > .dialog {
        width: 90;
        max-width: 100%;
        height: 90%;
    }
    HelpScreen #help-table {
        height: 1fr;
    }
    """

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss(None)", "Close", id="help.close")]

    def __init__(self, notes: str = "") -> None:
        super().__init__()
        self.notes = notes  # extra lines from the screen that asked (e.g. query syntax)

    def compose(self) -> ComposeResult:
        with self.frame():
            yield Label(
                "Tagline keys  (escape closes; ctrl+p finds any command)", classes="dialog-title"
            )
            if self.notes:
                yield Static(Content(self.notes), id="help-notes")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths: measured columns would follow the headers, not the cells.
        table.add_column("Where", width=20)
        table.add_column("Keys", width=26)
        table.add_column("Action", width=32)
        last = None
        workspace = getattr(self.app, "workspace", None)
        for entry in keymap(workspace.store.codebook if workspace else None):
            where = entry.section if entry.section != last else ""
            last = entry.section
            table.add_row(
                Content(where).stylize("bold"),
                Content(entry.keys).stylize("bold $accent"),
                Content(entry.description),
            )
        table.focus()
